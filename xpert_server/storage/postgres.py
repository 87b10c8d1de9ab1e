"""PostgreSQL specifics: psycopg, JSONB containment, migrations under an advisory lock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, cast, create_engine, literal, or_, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url

from xpert_server.encoding import dumps_str, loads

# Any constant works; it only has to be the same in every process of one deployment.
MIGRATION_LOCK_ID = 0x78706572


class PostgresDialect:
    name = "postgresql"

    def create_engines(self, url: str) -> tuple[Engine, Engine]:
        """Writers (ThreadedDB's lanes) and readers get separate pools. Readers run in autocommit: under
        READ COMMITTED every statement takes its own snapshot anyway, so a read-only transaction buys no
        consistency and costs two round trips (BEGIN, COMMIT) per read. Reads never lock rows."""
        sync = make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        # A server that does not answer fails a connection in bounded time instead of hanging start-up.
        common: dict[str, Any] = {
            "json_serializer": dumps_str,
            "json_deserializer": loads,
            "connect_args": {"connect_timeout": 10},
        }
        writer = create_engine(sync, pool_size=4, max_overflow=4, **common)
        reader = create_engine(sync, pool_size=12, max_overflow=8, isolation_level="AUTOCOMMIT", **common)
        return writer, reader

    def json_match(self, column: Any, key: str, value: Any) -> ColumnElement[bool]:
        # Exact equality of the key's value (as SQLite's json_extract gives): containment (@>) would
        # let ["red"] match ["blue", "red"]. A null filter matches a JSON null or a missing key.
        extracted = column.op("->")(literal(key))
        if value is None:
            return or_(extracted.is_(None), extracted == cast(literal("null"), JSONB))
        return extracted == cast(literal(dumps_str(value)), JSONB)

    def lock_migrations(self, conn: Connection) -> None:
        # Processes starting together wait here; the first applies migrations, the rest find them done.
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
