"""Credential → Principal, with a short cache so a hot key costs no database read per request.

A key created or revoked elsewhere (the CLI, another process) takes effect within `CACHE_TTL` seconds.
"""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass

from xpert_server.auth.keys import SECRET_PREFIX, hash_credential
from xpert_server.auth.principal import Principal
from xpert_server.errors import Forbidden, Unauthorized
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import KeyRecord

log = logging.getLogger("xpert.auth")

CACHE_TTL = 1.0
MAX_USER_ID = 256


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request presented, already read from its headers."""

    token: str | None
    organization_id: str | None = None
    principal_user_id: str | None = None


class Authenticator:
    def __init__(self, storage: SQLStorage):
        self.storage = storage
        self._cache: dict[str, tuple[KeyRecord | None, float]] = {}

    async def authenticate(self, creds: Credentials) -> Principal:
        token = creds.token
        if not token:
            raise Unauthorized("Unauthorized")
        if token.startswith(SECRET_PREFIX):
            # Client secrets arrive with the ChatKit issue; until then they are unknown tokens.
            raise Unauthorized("Invalid token")
        digest = hash_credential(token)
        key = await self._lookup(digest)
        if key is None or key.revoked_at is not None or not hmac.compare_digest(key.key_hash, digest):
            raise Unauthorized("Invalid token")
        if key.expires_at is not None and key.expires_at <= time.time():
            raise Unauthorized("ApiKey expired")
        if creds.organization_id and creds.organization_id != key.org_id:
            raise Forbidden("This API key does not belong to the requested organization.")
        user = creds.principal_user_id
        if user is not None and (not user or len(user) > MAX_USER_ID):
            raise Unauthorized("Invalid x-principal-user-id header.")
        return Principal(org_id=key.org_id, kind="key", key_id=key.id, user_id=user or None, xpert_id=key.xpert_id)

    async def _lookup(self, digest: str) -> KeyRecord | None:
        now = time.monotonic()
        hit = self._cache.get(digest)
        if hit is not None and hit[1] > now:
            return hit[0]
        key = await self.storage.find_api_key(digest)
        if len(self._cache) > 10_000:
            self._cache.clear()  # bounded: junk tokens must not grow memory without limit
        self._cache[digest] = (key, now + CACHE_TTL)
        return key

    def forget(self) -> None:
        self._cache.clear()
