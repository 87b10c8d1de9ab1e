"""Storage: one interface (`SQLStorage`'s methods), SQLite and PostgreSQL dialects beside it."""

from __future__ import annotations

from xpert_server.clock import Clock, system_clock
from xpert_server.config import normalise_database_url
from xpert_server.storage.sql import SQLStorage


def create_storage(url: str, clock: Clock = system_clock) -> SQLStorage:
    """Pick the dialect from the URL. Call `await storage.open()` before use (applies migrations)."""
    url = normalise_database_url(url)
    if url.startswith("sqlite"):
        from xpert_server.storage.sqlite import SQLiteDialect

        return SQLStorage(url, SQLiteDialect(), clock)
    if url.startswith("postgresql"):
        from xpert_server.storage.postgres import PostgresDialect

        return SQLStorage(url, PostgresDialect(), clock)
    raise ValueError(f"Unsupported database URL {url.split(':', 1)[0]!r}: use sqlite:/// or postgresql://")


__all__ = ["SQLStorage", "create_storage"]
