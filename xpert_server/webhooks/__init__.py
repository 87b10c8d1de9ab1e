"""Webhooks: events written to an outbox in the transaction that causes them (storage/sql/webhooks.py),
delivered at least once, signed the Standard Webhooks way, retried with backoff (dispatcher.py)."""
