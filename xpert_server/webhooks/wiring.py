"""The process's webhook dispatcher, from settings (called by compose.py)."""

from __future__ import annotations

from xpert_server.config import Settings
from xpert_server.connections.vault import Vault
from xpert_server.storage import SQLStorage
from xpert_server.telemetry import Tracing
from xpert_server.webhooks.dispatcher import Dispatcher, Retry
from xpert_server.webhooks.secrets import WebhookSecrets


def build_webhooks(storage: SQLStorage, settings: Settings, tracing: Tracing | None = None) -> Dispatcher:
    private = frozenset(settings.webhook_private_orgs)
    retry = Retry(
        backoff=settings.webhook_backoff, window=settings.webhook_retry_for, timeout=settings.webhook_timeout
    )
    return Dispatcher(
        storage,
        WebhookSecrets(storage, Vault.from_settings(settings)),
        retry,
        private_allowed=lambda org_id: "*" in private or org_id in private,
        poll=settings.webhook_poll,
        tracing=tracing,
    )
