"""PostgreSQL specifics: asyncpg, JSONB containment, migrations under an advisory lock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, cast, literal, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from xpert_server.encoding import dumps_str, loads

# Any constant works; it only has to be the same in every process of one deployment.
MIGRATION_LOCK_ID = 0x78706572


class PostgresDialect:
    name = "postgresql"

    def create_engines(self, url: str) -> tuple[AsyncEngine, AsyncEngine]:
        engine = create_async_engine(
            url,
            pool_size=10,
            max_overflow=20,
            pool_pre_ping=False,
            json_serializer=dumps_str,
            json_deserializer=loads,
        )
        return engine, engine

    def json_match(self, column: Any, key: str, value: Any) -> ColumnElement[bool]:
        return column.op("@>")(cast(literal(dumps_str({key: value})), JSONB))

    async def lock_migrations(self, conn: AsyncConnection) -> None:
        # Processes starting together wait here; the first applies migrations, the rest find them done.
        await conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
