"""API keys: `sk-x-<random>`, stored as sha256 hex, shown once."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "sk-x-"
SECRET_PREFIX = "cs-x-"


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_hex(24)


def hash_credential(value: str) -> str:
    # Keys carry 192+ random bits, so a fast hash cannot be brute-forced; lookups stay one index probe.
    return hashlib.sha256(value.encode()).hexdigest()


def key_hint(value: str) -> str:
    """What lists show instead of the key: its prefix and last four characters."""
    return f"{value[:9]}…{value[-4:]}" if len(value) > 16 else value[:4] + "…"
