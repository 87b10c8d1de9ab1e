"""Organizations and API keys."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
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
        name: str | None = None,
        xpert_id: str | None = None,
        expires_at: float | None = None,
    ) -> KeyRecord:
        record = KeyRecord(
            id=new_id(),
            org_id=org_id,
            name=name,
            key_hash=key_hash,
            hint=hint,
            xpert_id=xpert_id,
            expires_at=expires_at,
            revoked_at=None,
            created_at=time.time(),
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
                )
            )
            self.audit(conn, Principal.system(org_id), "create", "api_key", record.id)

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

    async def revoke_api_key(self, key_id: str) -> KeyRecord | None:
        """Revoke by id (or by a unique id prefix, as the CLI lists them). None when nothing matched."""

        def op(conn: Connection) -> KeyRecord | None:
            rows = conn.execute(
                select(t.api_keys).where(
                    (t.api_keys.c.id == key_id) | (t.api_keys.c.id.startswith(key_id, autoescape=True))
                )
            ).all()
            if len(rows) != 1:
                return None
            record = _key(rows[0])
            record.revoked_at = time.time()
            conn.execute(update(t.api_keys).where(t.api_keys.c.id == record.id).values(revoked_at=record.revoked_at))
            self.audit(conn, Principal.system(record.org_id), "revoke", "api_key", record.id)
            return record

        return await self.write(op)

    async def count_api_keys(self) -> int:
        return await self.read(
            lambda conn: int(conn.execute(select(func.count()).select_from(t.api_keys)).scalar_one())
        )
