"""An org's connections (named model endpoints and MCP servers), and which of its xperts name one."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from xpert_server.auth.principal import Principal
from xpert_server.storage import schema as t
from xpert_server.storage.records import AlreadyExists, ConnectionRecord
from xpert_server.storage.sql.core import SQLCore

_c = t.connections.c
# Columns a PATCH may change.
UPDATABLE = frozenset({"url", "models", "description", "secret", "hint", "transport"})


def _record(row: Any) -> ConnectionRecord:
    return ConnectionRecord(
        id=row.id,
        org_id=row.org_id,
        name=row.name,
        kind=row.kind,
        transport=row.transport,
        url=row.url,
        models=list(row.models or []),
        description=row.description,
        secret=row.secret,
        hint=row.hint,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class ConnectionsMixin(SQLCore):
    async def create_connection(self, p: Principal, record: ConnectionRecord) -> ConnectionRecord:
        """Raises AlreadyExists when the org has a connection of that name."""

        def op(conn: Connection) -> None:
            conn.execute(
                insert(t.connections).values(
                    id=record.id,
                    org_id=p.org_id,
                    name=record.name,
                    kind=record.kind,
                    transport=record.transport,
                    url=record.url,
                    models=list(record.models),
                    description=record.description,
                    secret=record.secret,
                    hint=record.hint,
                    created_at=record.created_at,
                    updated_at=record.updated_at,
                )
            )
            self.audit(conn, p, "create", "connection", record.name)

        try:
            await self.write(op)
        except IntegrityError as e:
            raise AlreadyExists(f"This org already has a connection named '{record.name}'.") from e
        return record

    async def list_connections(self, p: Principal) -> list[ConnectionRecord]:
        q = select(t.connections).where(_c.org_id == p.org_id).order_by(_c.name)
        return await self.read(lambda conn: [_record(r) for r in conn.execute(q)])

    async def get_connection(self, p: Principal, name: str) -> ConnectionRecord | None:
        q = select(t.connections).where((_c.org_id == p.org_id) & (_c.name == name))

        def op(conn: Connection) -> ConnectionRecord | None:
            row = conn.execute(q).first()
            return None if row is None else _record(row)

        return await self.read(op)

    async def update_connection(
        self, p: Principal, name: str, changes: dict[str, Any]
    ) -> ConnectionRecord | None:
        unknown = set(changes) - UPDATABLE
        assert not unknown, f"not updatable: {unknown}"
        where = (_c.org_id == p.org_id) & (_c.name == name)

        def op(conn: Connection) -> ConnectionRecord | None:
            conn.execute(update(t.connections).where(where).values(**changes, updated_at=time.time()))
            row = conn.execute(select(t.connections).where(where)).first()
            if row is not None:
                self.audit(conn, p, "update", "connection", name)
            return None if row is None else _record(row)

        return await self.write(op)

    async def delete_connection(self, p: Principal, name: str) -> bool:
        def op(conn: Connection) -> bool:
            gone = conn.execute(
                delete(t.connections).where((_c.org_id == p.org_id) & (_c.name == name))
            ).rowcount
            if gone:
                self.audit(conn, p, "delete", "connection", name)
            return bool(gone)

        return await self.write(op)

    async def assistant_definitions(self, p: Principal) -> list[tuple[str, str | None, dict[str, Any]]]:
        """(public id, slug, definition) of every xpert of the org: what a connection check reads."""
        a = t.assistants.c
        q = select(a.public_id, a.slug, a.definition).where(a.org_id == p.org_id).order_by(a.created_at)
        return await self.read(
            lambda conn: [(r.public_id, r.slug, dict(r.definition or {})) for r in conn.execute(q)]
        )
