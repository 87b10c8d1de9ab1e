"""The SQL storage core: the threaded database, the tenancy filter and the audit writer.

Operations are sync functions of a SQLAlchemy connection, run by `self.read(fn)` / `self.write(fn)`
(see db.py): no await between the statements of one operation, and writes are group-committed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Connection, Engine, Select, and_, or_, select, true

from xpert_server.auth.principal import Principal
from xpert_server.clock import Clock, system_clock
from xpert_server.storage import schema as t
from xpert_server.storage.sql.db import ThreadedDB
from xpert_server.storage.sql.prepared import AUDIT_INSERT

R = TypeVar("R")


class Dialect(Protocol):
    """What differs between SQLite and PostgreSQL, kept beside each backend."""

    name: str

    def create_engines(self, url: str) -> tuple[Engine, Engine]: ...

    def json_match(self, column: Any, key: str, value: Any) -> ColumnElement[bool]: ...

    def lock_migrations(self, conn: Connection) -> None: ...


class SQLCore:
    def __init__(self, url: str, dialect: Dialect, clock: Clock = system_clock):
        self.url = url
        self.dialect = dialect
        self.clock = clock  # what secrets' expiry is computed from
        self._db: ThreadedDB | None = None
        # True when this open() created the schema: the first start of a deployment.
        self.created = False

    async def open(self) -> None:
        from xpert_server.storage.migrations import migrate

        writer, reader = self.dialect.create_engines(self.url)
        self._db = ThreadedDB(writer, reader)

        def run_migrations(conn: Connection) -> list[int]:
            self.dialect.lock_migrations(conn)
            return migrate(conn)

        applied = await self._db.write(run_migrations)
        self.created = 1 in applied

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            import asyncio

            await asyncio.get_running_loop().run_in_executor(None, db.close)

    async def write(self, fn: Callable[[Connection], R]) -> R:
        assert self._db is not None, "storage is not open"
        return await self._db.write(fn)

    async def read(self, fn: Callable[[Connection], R]) -> R:
        assert self._db is not None, "storage is not open"
        return await self._db.read(fn)

    async def read_plain_rows(self, stmt: Select[Any], params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """One small index-bounded SELECT of plain columns (db.py `read_plain_rows`: on SQLite, no thread hop)."""
        assert self._db is not None, "storage is not open"
        return await self._db.read_plain_rows(stmt, params)

    @staticmethod
    def audit(
        conn: Connection, p: Principal, action: str, resource_type: str, resource_id: str | None
    ) -> None:
        conn.execute(
            AUDIT_INSERT,
            {
                "org_id": p.org_id,
                "key_id": p.key_id or p.secret_id,
                "principal_user_id": p.user_id,
                "action": action,
                "resource_type": resource_type,
                "resource_id": resource_id,
                "at": time.time(),
            },
        )

    @staticmethod
    def visible_threads(p: Principal) -> ColumnElement[bool]:
        """The rows of `threads` a principal may see: its org's; its own when it names a user; and, for a
        credential bound to one xpert, that xpert's threads and threads not yet tied to any."""
        cond = t.threads.c.org_id == p.org_id
        if p.user_id is not None:
            cond = and_(cond, t.threads.c.created_by == p.user_id)
        if p.xpert_id is not None:
            cond = and_(cond, or_(t.threads.c.assistant_id == p.xpert_id, t.threads.c.assistant_id.is_(None)))
        return cond

    def metadata_filter(self, column: Any, metadata: dict[str, Any] | None) -> ColumnElement[bool]:
        conds = [self.dialect.json_match(column, k, v) for k, v in (metadata or {}).items()]
        return and_(true(), *conds)

    async def list_audit(self, org_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """Newest first: who (key, principal) did what to which resource, when."""
        q = (
            select(t.audit_log)
            .where(t.audit_log.c.org_id == org_id)
            .order_by(t.audit_log.c.id.desc())
            .limit(limit)
        )
        return await self.read(lambda conn: [dict(r._mapping) for r in conn.execute(q)])
