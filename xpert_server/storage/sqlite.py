"""SQLite specifics: WAL, explicit transactions (so SAVEPOINTs work), JSON matching with json_extract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, create_engine, event, func, literal
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from xpert_server.encoding import dumps_str, loads

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # NORMAL in WAL mode loses no committed transaction on a process crash (only on power loss).
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=10000",
    # 8 MiB of page cache per connection (the writer and each reader): the hot pages of a large database
    # fit, and the OS caches the rest of the file. It is memory the process keeps once the database has
    # grown (32 MiB each, measured by `make soak`, kept RSS climbing for the first ten minutes).
    "PRAGMA cache_size=-8000",
)


def _sync_url(url: str) -> str:
    return make_url(url).set(drivername="sqlite").render_as_string(hide_password=False)


def _engine(url: str, begin: str, pool_size: int) -> Engine:
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=120,
        connect_args={"check_same_thread": False},
        json_serializer=dumps_str,
        json_deserializer=loads,
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN/SAVEPOINT are ours (SQLAlchemy's recipe).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in _PRAGMAS:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)

    return engine


def _path_key(s: str) -> str:
    # SQLite stores JSON object keys verbatim; quote them so dots and spaces stay one key.
    return '$."' + s.replace('"', '\\"') + '"'


class SQLiteDialect:
    name = "sqlite"

    def create_engines(self, url: str) -> tuple[Engine, Engine]:
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        sync = _sync_url(url)
        # The writer takes the write lock up front (IMMEDIATE), so another process (the CLI) waits on
        # busy_timeout instead of failing when a read transaction would have to upgrade.
        return _engine(sync, "BEGIN IMMEDIATE", 1), _engine(sync, "BEGIN", 6)

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

    def lock_migrations(self, conn: Connection) -> None:
        # BEGIN IMMEDIATE already holds SQLite's write lock: processes starting together take turns.
        return None
