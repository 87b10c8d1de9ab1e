"""The SQL storage core: engines, transactions, the tenancy filter and the audit writer.

SQLite gets one write connection (writes are serialised anyway; one connection means no `database is
locked` and is where group commit can live) and a small pool of readers (WAL lets them run alongside).
PostgreSQL uses one pooled engine for both.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, insert, true
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from xpert_server.auth.principal import Principal
from xpert_server.storage import schema as t


class Dialect(Protocol):
    """What differs between SQLite and PostgreSQL, kept beside each backend."""

    name: str

    def create_engines(self, url: str) -> tuple[AsyncEngine, AsyncEngine]: ...

    def json_match(self, column: Any, key: str, value: Any) -> ColumnElement[bool]: ...

    async def lock_migrations(self, conn: AsyncConnection) -> None: ...


class SQLCore:
    def __init__(self, url: str, dialect: Dialect):
        self.url = url
        self.dialect = dialect
        self._write_engine: AsyncEngine | None = None
        self._read_engine: AsyncEngine | None = None
        # True when this open() created the schema: the first start of a deployment.
        self.created = False

    async def open(self) -> None:
        from xpert_server.storage.migrations import migrate

        self._write_engine, self._read_engine = self.dialect.create_engines(self.url)
        async with self._write_engine.begin() as conn:
            await self.dialect.lock_migrations(conn)
            applied = await conn.run_sync(migrate)
        self.created = 1 in applied

    async def close(self) -> None:
        for engine in {id(e): e for e in (self._write_engine, self._read_engine) if e}.values():
            await engine.dispose()
        self._write_engine = self._read_engine = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        assert self._write_engine is not None, "storage is not open"
        async with self._write_engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        assert self._read_engine is not None, "storage is not open"
        async with self._read_engine.connect() as conn:
            yield conn

    @staticmethod
    async def audit(
        conn: AsyncConnection, p: Principal, action: str, resource_type: str, resource_id: str | None
    ) -> None:
        await conn.execute(
            insert(t.audit_log).values(
                org_id=p.org_id,
                key_id=p.key_id or p.secret_id,
                principal_user_id=p.user_id,
                action=action,
                resource_type=resource_type,
                resource_id=resource_id,
                at=time.time(),
            )
        )

    @staticmethod
    def visible_threads(p: Principal) -> ColumnElement[bool]:
        """The rows of `threads` a principal may see: its org, and its own when it names a user."""
        cond = t.threads.c.org_id == p.org_id
        if p.user_id is not None:
            cond = and_(cond, t.threads.c.created_by == p.user_id)
        return cond

    def metadata_filter(self, column: Any, metadata: dict[str, Any] | None) -> ColumnElement[bool]:
        conds = [self.dialect.json_match(column, k, v) for k, v in (metadata or {}).items()]
        return and_(true(), *conds)

    async def list_audit(self, org_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """Newest first: who (key, principal) did what to which resource, when."""
        from sqlalchemy import select

        q = select(t.audit_log).where(t.audit_log.c.org_id == org_id).order_by(t.audit_log.c.id.desc()).limit(limit)
        async with self.read() as conn:
            return [dict(r._mapping) for r in await conn.execute(q)]
