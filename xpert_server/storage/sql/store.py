"""LangGraph's Store (long-term memory), one keyspace per organization."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, or_, select, update

from xpert_server.storage import schema as t
from xpert_server.storage.sql.core import SQLCore

S = t.store_items


def item_from_row(row: Any) -> dict[str, Any]:
    return {
        "namespace": row.namespace.split("."),
        "key": row.key,
        "value": row.value,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


class StoreMixin(SQLCore):
    async def store_put(self, org_id: str, namespace: str, key: str, value: dict[str, Any]) -> None:
        now = time.time()

        def op(conn: Connection) -> None:
            where = and_(S.c.org_id == org_id, S.c.namespace == namespace, S.c.key == key)
            if conn.execute(update(S).where(where).values(value=value, updated_at=now)).rowcount == 0:
                conn.execute(
                    insert(S).values(
                        org_id=org_id,
                        namespace=namespace,
                        key=key,
                        value=value,
                        created_at=now,
                        updated_at=now,
                    )
                )

        await self.write(op)

    async def store_get(self, org_id: str, namespace: str, key: str) -> dict[str, Any] | None:
        q = select(S).where(S.c.org_id == org_id, S.c.namespace == namespace, S.c.key == key)
        return await self.read(lambda conn: _item_or_none(conn.execute(q).first()))

    async def store_delete(self, org_id: str, namespace: str, key: str) -> bool:
        stmt = delete(S).where(S.c.org_id == org_id, S.c.namespace == namespace, S.c.key == key)
        return await self.write(lambda conn: conn.execute(stmt).rowcount > 0)

    async def store_search(
        self, org_id: str, prefix: str, *, limit: int = 10, offset: int = 0
    ) -> list[dict[str, Any]]:
        """Items under a namespace prefix, newest first (value filters are applied by the caller)."""
        q = select(S).where(S.c.org_id == org_id, _under(prefix)).order_by(S.c.updated_at.desc(), S.c.key)
        q = q.limit(limit).offset(offset)
        return await self.read(lambda conn: [item_from_row(r) for r in conn.execute(q)])

    async def store_namespaces(self, org_id: str, prefix: str) -> list[str]:
        q = (
            select(S.c.namespace)
            .where(S.c.org_id == org_id, _under(prefix))
            .distinct()
            .order_by(S.c.namespace)
        )
        return await self.read(lambda conn: [r.namespace for r in conn.execute(q)])


def _under(prefix: str) -> Any:
    if not prefix:
        return S.c.namespace.is_not(None)
    return or_(S.c.namespace == prefix, S.c.namespace.startswith(prefix + ".", autoescape=True))


def _item_or_none(row: Any) -> dict[str, Any] | None:
    return None if row is None else item_from_row(row)
