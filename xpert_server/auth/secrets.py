"""ChatKit client secrets: `cs-x-` + 64 hex, short-lived, minted from an API key for one browser.

A secret carries its key's org and xpert binding and one end user: the `x-principal-user-id` named when
it was minted, else a principal of its own (`cs:<secret id>`), so anonymous visitors never share threads.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from typing import Any

from xpert_server.auth.keys import SECRET_PREFIX, hash_credential
from xpert_server.auth.principal import Principal
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import SecretRecord

DEFAULT_TTL = 600
MAX_TTL = 3600


def generate_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(32)


def parse_expires_after(raw: Any) -> int:
    """Seconds a secret lives, as XpertAI reads `expires_after`: floored to an int; missing, junk or ≤0
    gives the default (600); at most an hour. Numeric strings count, as JavaScript's `Number()` reads them."""
    if isinstance(raw, bool):
        return DEFAULT_TTL
    if isinstance(raw, str):
        try:
            raw = float(raw.strip())
        except ValueError:
            return DEFAULT_TTL
    if not isinstance(raw, int | float) or not math.isfinite(raw):
        return DEFAULT_TTL
    seconds = math.floor(raw)
    if seconds <= 0:
        return DEFAULT_TTL
    return min(seconds, MAX_TTL)


@dataclass(frozen=True, slots=True)
class MintedSecret:
    client_secret: str
    record: SecretRecord

    @property
    def expires_after(self) -> int:
        # Usually the requested TTL; shorter when the parent key expires first.
        return max(0, math.floor(self.record.expires_at - self.record.created_at + 1e-6))


async def mint_secret(
    storage: SQLStorage,
    p: Principal,
    expires_after: int,
    *,
    user_id: str | None = None,
    xpert_id: str | None = None,
) -> MintedSecret:
    """Store a new secret (hashed) for `p`'s org and key; the plain value is returned once, here."""
    value = generate_secret()
    record = await storage.create_client_secret(
        p, hash_credential(value), float(expires_after), user_id=user_id, xpert_id=xpert_id
    )
    return MintedSecret(client_secret=value, record=record)
