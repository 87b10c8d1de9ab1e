"""ChatKit client secrets: minted from an API key, found by hash together with their parent key's state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.storage import schema as t
from xpert_server.storage.records import SecretRecord
from xpert_server.storage.sql.core import SQLCore

S = t.client_secrets
K = t.api_keys
# Expired secrets are kept this long (to answer "Token expired"), then purged by the next mint.
KEEP_EXPIRED = 24 * 3600.0


def _secret(row: Any, key_revoked: bool = False) -> SecretRecord:
    return SecretRecord(
        id=row.id,
        org_id=row.org_id,
        key_id=row.key_id,
        user_id=row.user_id,
        xpert_id=row.xpert_id,
        expires_at=row.expires_at,
        created_at=row.created_at,
        key_revoked=key_revoked,
    )


class SecretsMixin(SQLCore):
    async def create_client_secret(
        self, p: Principal, secret_hash: str, ttl: float, *, user_id: str | None, xpert_id: str | None
    ) -> SecretRecord:
        """A secret for `p`'s org and key, acting for `user_id` (its own `cs:<id>` when None).

        It never outlives its parent key: an expiring key caps the secret's expiry.
        """
        now = self.clock()
        secret_id = new_id()

        def op(conn: Connection) -> SecretRecord:
            expires_at = now + ttl
            if p.key_id is not None:
                key_expiry = conn.execute(select(K.c.expires_at).where(K.c.id == p.key_id)).scalar()
                if key_expiry is not None:
                    expires_at = min(expires_at, key_expiry)
            record = SecretRecord(
                id=secret_id,
                org_id=p.org_id,
                key_id=p.key_id,
                user_id=user_id or f"cs:{secret_id}",
                xpert_id=xpert_id,
                expires_at=expires_at,
                created_at=now,
            )
            conn.execute(
                insert(S).values(
                    id=record.id,
                    org_id=record.org_id,
                    key_id=record.key_id,
                    secret_hash=secret_hash,
                    user_id=record.user_id,
                    xpert_id=record.xpert_id,
                    expires_at=record.expires_at,
                    created_at=record.created_at,
                )
            )
            conn.execute(delete(S).where(S.c.expires_at < now - KEEP_EXPIRED))
            self.audit(conn, p, "create", "client_secret", record.id)
            return record

        return await self.write(op)

    async def find_client_secret(self, secret_hash: str) -> SecretRecord | None:
        """The secret with this hash; `key_revoked` tells whether its parent key was revoked (or deleted)."""
        q = (
            select(S, K.c.id.label("parent_id"), K.c.revoked_at.label("parent_revoked_at"))
            .select_from(S.outerjoin(K, K.c.id == S.c.key_id))
            .where(S.c.secret_hash == secret_hash)
        )

        def op(conn: Connection) -> SecretRecord | None:
            row = conn.execute(q).first()
            if row is None:
                return None
            revoked = row.key_id is not None and (row.parent_id is None or row.parent_revoked_at is not None)
            return _secret(row, key_revoked=revoked)

        return await self.read(op)

    async def expire_client_secret(self, secret_id: str, at: float | None = None) -> None:
        """End a secret now (or at `at`): an operator's kill switch, and the tests' way to expire one."""
        when = self.clock() if at is None else at
        stmt = update(S).where(S.c.id == secret_id).values(expires_at=when)
        await self.write(lambda conn: conn.execute(stmt))
