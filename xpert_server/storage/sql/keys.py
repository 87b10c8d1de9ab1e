"""Organizations and API keys."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from xpert_server.auth.principal import Principal, Role
from xpert_server.encoding import new_random_id
from xpert_server.storage import schema as t
from xpert_server.storage.records import AlreadyExists, KeyRecord, OrgRecord
from xpert_server.storage.sql.core import SQLCore


def _key(row: Any) -> KeyRecord:
    return KeyRecord(
        id=row.id,
        org_id=row.org_id,
        name=row.name,
        key_hash=row.key_hash,
        hint=row.hint,
        xpert_id=row.xpert_id,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        created_at=row.created_at,
        role=row.role,
    )


class KeysMixin(SQLCore):
    async def ensure_org(self, org_id: str, name: str | None = None) -> OrgRecord:
        def op(conn: Connection) -> OrgRecord:
            row = conn.execute(select(t.orgs).where(t.orgs.c.id == org_id)).first()
            if row is not None:
                return OrgRecord(id=row.id, name=row.name, created_at=row.created_at)
            record = OrgRecord(id=org_id, name=name or org_id, created_at=time.time())
            conn.execute(insert(t.orgs).values(id=record.id, name=record.name, created_at=record.created_at))
            self.audit(conn, Principal.system(org_id), "create", "org", org_id)
            return record

        try:
            return await self.write(op)
        except IntegrityError:
            # Another process created it between our read and insert: same outcome.
            found = await self.get_org(org_id)
            assert found is not None
            return found

    async def get_org(self, org_id: str) -> OrgRecord | None:
        def op(conn: Connection) -> OrgRecord | None:
            row = conn.execute(select(t.orgs).where(t.orgs.c.id == org_id)).first()
            return None if row is None else OrgRecord(id=row.id, name=row.name, created_at=row.created_at)

        return await self.read(op)

    async def create_api_key(
        self,
        org_id: str,
        key_hash: str,
        hint: str,
        *,
        role: Role,
        name: str | None = None,
        xpert_id: str | None = None,
        expires_at: float | None = None,
        by: Principal | None = None,
    ) -> KeyRecord:
        """`role` has no default on purpose: every caller says whether it makes an admin. `by`: who made it
        (the audit log's actor; the server itself when None)."""
        record = KeyRecord(
            id=new_random_id(),
            org_id=org_id,
            name=name,
            key_hash=key_hash,
            hint=hint,
            xpert_id=xpert_id,
            expires_at=expires_at,
            revoked_at=None,
            created_at=time.time(),
            role=role,
        )

        def op(conn: Connection) -> None:
            conn.execute(
                insert(t.api_keys).values(
                    id=record.id,
                    org_id=org_id,
                    name=name,
                    key_hash=key_hash,
                    hint=hint,
                    xpert_id=xpert_id,
                    expires_at=expires_at,
                    revoked_at=None,
                    created_at=record.created_at,
                    role=role,
                )
            )
            self.audit(conn, by or Principal.system(org_id), "create", "api_key", record.id)

        try:
            await self.write(op)
        except IntegrityError as e:
            raise AlreadyExists("This API key is already registered.") from e
        return record

    async def find_api_key(self, key_hash: str) -> KeyRecord | None:
        def op(conn: Connection) -> KeyRecord | None:
            row = conn.execute(select(t.api_keys).where(t.api_keys.c.key_hash == key_hash)).first()
            return None if row is None else _key(row)

        return await self.read(op)

    async def list_api_keys(self, org_id: str | None = None) -> list[KeyRecord]:
        q = select(t.api_keys).order_by(t.api_keys.c.created_at)
        if org_id is not None:
            q = q.where(t.api_keys.c.org_id == org_id)
        return await self.read(lambda conn: [_key(r) for r in conn.execute(q)])

    async def revoke_api_key(self, key_id: str, *, by: Principal | None = None) -> KeyRecord | None:
        """Revoke by id (or, for the server's own CLI, by a unique id prefix as `keys list` shows them).

        `by` (an API caller) limits it to its org and to the exact id, and a caller bound to one xpert to
        that xpert's keys. None when nothing matched."""

        def op(conn: Connection) -> KeyRecord | None:
            k = t.api_keys.c
            if by is not None:
                where = (k.id == key_id) & (k.org_id == by.org_id)
                if by.xpert_id is not None:
                    where = where & (k.xpert_id == by.xpert_id)
            else:
                where = (k.id == key_id) | k.id.startswith(key_id, autoescape=True)
            rows = conn.execute(select(t.api_keys).where(where)).all()
            if len(rows) != 1:
                return None
            record = _key(rows[0])
            if record.revoked_at is None:
                record.revoked_at = time.time()
                conn.execute(update(t.api_keys).where(k.id == record.id).values(revoked_at=record.revoked_at))
                self.audit(conn, by or Principal.system(record.org_id), "revoke", "api_key", record.id)
            return record

        return await self.write(op)

    async def count_api_keys(self) -> int:
        return await self.read(
            lambda conn: int(conn.execute(select(func.count()).select_from(t.api_keys)).scalar_one())
        )
