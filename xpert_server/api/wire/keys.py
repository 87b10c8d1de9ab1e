"""API keys as admins see them, and ChatKit client secrets."""

from __future__ import annotations

from typing import Any

from xpert_server.api.wire.base import Wire
from xpert_server.auth.secrets import MintedSecret
from xpert_server.encoding import ts
from xpert_server.storage.records import KeyRecord


class ApiKey(Wire):
    id: str
    name: str | None
    role: str
    hint: str
    xpert_id: str | None
    status: str
    created_at: str | None
    expires_at: str | None
    revoked_at: str | None


class ApiKeyCreated(ApiKey):
    key: str  # in this reply only: it is stored hashed


class ApiKeyRevoked(ApiKey):
    success: bool


class ClientSecret(Wire):
    client_secret: str
    expires_at: str | None
    expires_after: int


def api_key_json(k: KeyRecord, *, now: float, key: str | None = None) -> dict[str, Any]:
    """An API key as admins see it: its hint, never the key (`key` only in the reply that created it)."""
    status = "revoked" if k.revoked_at else "expired" if k.expires_at and k.expires_at <= now else "active"
    out: dict[str, Any] = {
        "id": k.id,
        "name": k.name,
        "role": k.role,
        "hint": k.hint,
        "xpert_id": k.xpert_id,
        "status": status,
        "created_at": ts(k.created_at),
        "expires_at": ts(k.expires_at),
        "revoked_at": ts(k.revoked_at),
    }
    if key is not None:
        out["key"] = key
    return out


def secret_json(minted: MintedSecret) -> dict[str, Any]:
    return {
        "client_secret": minted.client_secret,
        "expires_at": ts(minted.record.expires_at),
        "expires_after": minted.expires_after,
    }
