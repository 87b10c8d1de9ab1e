"""SQLite specifics: WAL, one writer connection, JSON matching with json_extract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, event, func, literal
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from xpert_server.encoding import dumps_str, loads

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # NORMAL in WAL mode loses no committed transaction on a process crash (only on power loss).
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA cache_size=-32000",
)


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    for pragma in _PRAGMAS:
        cur.execute(pragma)
    cur.close()


def _path_key(s: str) -> str:
    # SQLite stores JSON object keys verbatim; quote them so dots and spaces stay one key.
    return '$."' + s.replace('"', '\\"') + '"'


class SQLiteDialect:
    name = "sqlite"

    def create_engines(self, url: str) -> tuple[AsyncEngine, AsyncEngine]:
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        common: dict[str, Any] = {"json_serializer": dumps_str, "json_deserializer": loads}
        writer = create_async_engine(
            url, poolclass=AsyncAdaptedQueuePool, pool_size=1, max_overflow=0, pool_timeout=120, **common
        )
        reader = create_async_engine(
            url, poolclass=AsyncAdaptedQueuePool, pool_size=4, max_overflow=4, pool_timeout=120, **common
        )
        for engine in (writer, reader):
            event.listen(engine.sync_engine, "connect", _on_connect)
        return writer, reader

    def json_match(self, column: Any, key: str, value: Any) -> ColumnElement[bool]:
        extracted = func.json_extract(column, _path_key(key))
        if value is None:
            return extracted.is_(None)
        if isinstance(value, bool):
            return extracted == literal(1 if value else 0)
        if isinstance(value, dict | list):
            # json_extract returns minified JSON text for containers; compare against json() of ours.
            return extracted == func.json(literal(dumps_str(value)))
        return extracted == literal(value)

    async def lock_migrations(self, conn: AsyncConnection) -> None:
        # One writer connection per process; across processes SQLite's own write lock serialises.
        return None
