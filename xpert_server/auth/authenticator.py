"""Credential → Principal, with a short cache so a hot key costs no database read per request.

A key created or revoked elsewhere (the CLI, another process) takes effect within `CACHE_TTL` seconds;
so does a revoked key for the client secrets minted from it. Request limits apply once the caller is known.
"""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass

from xpert_server.auth.console import CSRF_HEADER, csrf_ok
from xpert_server.auth.keys import SECRET_PREFIX, hash_credential
from xpert_server.auth.principal import Principal, Role
from xpert_server.clock import Clock
from xpert_server.errors import Forbidden, Unauthorized
from xpert_server.limits.rate import RequestLimits
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import ConsoleSessionRecord, KeyRecord, SecretRecord

log = logging.getLogger("xpert.auth")

CACHE_TTL = 1.0
MAX_USER_ID = 256


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a request presented, already read from its headers."""

    token: str | None
    organization_id: str | None = None
    principal_user_id: str | None = None
    # The console's cookie and the CSRF token sent with it (auth/console.py); used only when no token is.
    console_session: str | None = None
    csrf: str | None = None


class Authenticator:
    def __init__(self, storage: SQLStorage, limits: RequestLimits | None = None, clock: Clock | None = None):
        self.storage = storage
        self.limits = limits
        # Expiry is judged on the storage's clock unless told otherwise: one "now" for minting and checking.
        self.clock = clock or storage.clock
        self._cache: dict[str, tuple[KeyRecord | None, float]] = {}
        self._secrets: dict[str, tuple[SecretRecord | None, float]] = {}

    async def authenticate(self, creds: Credentials) -> Principal:
        token = creds.token
        if not token and creds.console_session:
            principal = await self._console(creds.console_session, creds)
            if self.limits is not None:
                await self.limits.check(principal)
            return principal
        if not token:
            raise Unauthorized("Unauthorized")
        # A `cs-x-` token is a client secret in whichever header it came (XpertAI's frame sends it in
        # both `Authorization` and `x-api-key`; its docs name `x-client-secret`).
        is_secret = token.startswith(SECRET_PREFIX)
        principal = await (self._secret(token, creds) if is_secret else self._key(token, creds))
        if self.limits is not None:
            await self.limits.check(principal)
        return principal

    async def _key(self, token: str, creds: Credentials) -> Principal:
        digest = hash_credential(token)
        key = await self._lookup(digest)
        if key is None or key.revoked_at is not None or not hmac.compare_digest(key.key_hash, digest):
            raise Unauthorized("Invalid token")
        if key.expires_at is not None and key.expires_at <= self.clock():
            raise Unauthorized("ApiKey expired")
        if creds.organization_id and creds.organization_id != key.org_id:
            raise Forbidden("This API key does not belong to the requested organization.")
        user = creds.principal_user_id
        if user is not None and (not user or len(user) > MAX_USER_ID):
            raise Unauthorized("Invalid x-principal-user-id header.")
        return Principal(
            org_id=key.org_id,
            kind="key",
            key_id=key.id,
            user_id=user or None,
            xpert_id=key.xpert_id,
            role=key.role,
        )

    async def _secret(self, token: str, creds: Credentials) -> Principal:
        secret = await self._lookup_secret(hash_credential(token))
        if secret is None or secret.key_revoked:
            raise Unauthorized("Invalid token")
        if secret.expires_at <= self.clock():
            raise Unauthorized("Token expired")
        if creds.organization_id and creds.organization_id != secret.org_id:
            raise Forbidden("This client secret does not belong to the requested organization.")
        # `x-principal-user-id` is ignored here: the browser holding a secret must not choose whom it
        # acts for; that was fixed by the back end that minted it. No `key_id`: what is scoped per
        # credential (audit, idempotency keys) is scoped to this secret, not shared by its siblings.
        # Never admin, whatever its parent key was: a browser holds it.
        return Principal(
            org_id=secret.org_id,
            kind="secret",
            secret_id=secret.id,
            user_id=secret.user_id,
            xpert_id=secret.xpert_id,
            role="app",
        )

    async def _console(self, session: str, creds: Credentials) -> Principal:
        # The CSRF token first: a request the console's page did not make is refused before any lookup.
        if not csrf_ok(session, creds.csrf):
            raise Forbidden(
                f"A console session needs its CSRF token in the {CSRF_HEADER} header (sign in again)."
            )
        record = await self._lookup_session(hash_credential(session))
        if record is None or record.key_revoked:
            raise Unauthorized("Invalid console session: sign in again.")
        if record.expires_at <= self.clock():
            raise Unauthorized("Console session expired: sign in again.")
        if creds.organization_id and creds.organization_id != record.org_id:
            raise Forbidden("This console session does not belong to the requested organization.")
        # An admin of its org, as the key it was made from (`key_id`: audit rows name that key); or the
        # operator, when made from the operator's key (auth/console.py: the System page only).
        role: Role = "operator" if record.role == "operator" else "admin"
        return Principal(
            org_id=record.org_id, kind="console", key_id=record.key_id, session_id=record.id, role=role
        )

    async def _lookup_session(self, digest: str) -> ConsoleSessionRecord | None:
        # Not cached: sign-out must end the session at once in every process, and sessions are few.
        return await self.storage.find_console_session(digest)

    async def _lookup_secret(self, digest: str) -> SecretRecord | None:
        now = time.monotonic()
        hit = self._secrets.get(digest)
        if hit is not None and hit[1] > now:
            return hit[0]
        secret = await self.storage.find_client_secret(digest)
        if len(self._secrets) > 10_000:
            self._secrets.clear()
        self._secrets[digest] = (secret, now + CACHE_TTL)
        return secret

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
        self._secrets.clear()
