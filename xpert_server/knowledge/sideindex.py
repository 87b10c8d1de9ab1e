"""The SQLite-mode search index: sqlite-vec (vectors) and FTS5 (tokens) in a sqlean-backed file beside
the main database.

This Python's own `sqlite3` cannot load extensions, so the index cannot live in the main database
(opened by SQLAlchemy through `sqlite3`); sqlean-py is a drop-in sqlite3 with extension loading. The
file is derived data: the chunk rows in the main database are the source of truth, and a missing or
inconsistent file is rebuilt from them at start (see `KnowledgeIndex.open`).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

log = logging.getLogger("xpert.knowledge")
T = TypeVar("T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS chunk_map (id INTEGER PRIMARY KEY, kb_id TEXT NOT NULL, dim INTEGER)",
    "CREATE INDEX IF NOT EXISTS ix_chunk_map_kb ON chunk_map (kb_id)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(lex, kb_id UNINDEXED, "
    "tokenize='unicode61 remove_diacritics 0')",
)


def _connect_module() -> tuple[Any, bool]:
    """(sqlite3-compatible module, whether sqlite-vec loads into it)."""
    try:
        import sqlean as sqlite3_mod
    except ImportError:
        import sqlite3 as sqlite3_mod
    try:
        import sqlite_vec

        probe = sqlite3_mod.connect(":memory:")
        probe.enable_load_extension(True)
        sqlite_vec.load(probe)
        probe.close()
        return sqlite3_mod, True
    except (ImportError, AttributeError, Exception):  # noqa: BLE001 - any failure means "no sqlite-vec"
        return sqlite3_mod, False


class SideIndex:
    def __init__(self, path: Path, use_vec: bool = True):
        self.path = path
        self._mod, vec_ok = _connect_module()
        self.has_vec = use_vec and vec_ok
        self._write_pool = ThreadPoolExecutor(1, thread_name_prefix="xpert-kidx-w")
        self._read_pool = ThreadPoolExecutor(2, thread_name_prefix="xpert-kidx-r")
        self._local = threading.local()
        self._dims: set[int] = set()
        self._conns: list[Any] = []

    # ---- connections: one per thread, opened lazily --------------------------------------------------------
    def _conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._mod.connect(str(self.path), check_same_thread=False, timeout=30)
            conn.isolation_level = None
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            if self.has_vec:
                import sqlite_vec

                conn.enable_load_extension(True)
                sqlite_vec.load(conn)
                conn.enable_load_extension(False)
            self._local.conn = conn
            self._conns.append(conn)
        return conn

    async def _write(self, fn: Callable[[Any], T]) -> T:
        def run() -> T:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                out = fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return out

        return await asyncio.get_running_loop().run_in_executor(self._write_pool, run)

    async def _read(self, fn: Callable[[Any], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._read_pool, lambda: fn(self._conn()))

    # ---- lifecycle -------------------------------------------------------------------------------------
    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)

        def op(conn: Any) -> None:
            for stmt in _SCHEMA:
                conn.execute(stmt)
            self._dims.update(
                d for (d,) in conn.execute("SELECT DISTINCT dim FROM chunk_map WHERE dim IS NOT NULL")
            )

        await self._write(op)

    async def stats(self) -> tuple[int, int]:
        return await self._read(
            lambda c: tuple(c.execute("SELECT count(*), coalesce(max(id), 0) FROM chunk_map").fetchone())
        )

    async def clear(self) -> None:
        def op(conn: Any) -> None:
            conn.execute("DELETE FROM chunk_map")
            conn.execute("DELETE FROM fts")
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE name GLOB 'vec_[0-9]*' AND sql LIKE 'CREATE VIRTUAL%'"
            ).fetchall():
                conn.execute(f"DROP TABLE {name}")

        await self._write(op)
        self._dims.clear()

    async def close(self) -> None:
        for pool in (self._write_pool, self._read_pool):
            pool.shutdown(wait=True)
        for conn in self._conns:
            conn.close()
        self._conns.clear()

    # ---- writes ----------------------------------------------------------------------------------------
    def _vec_table(self, conn: Any, dim: int) -> str:
        name = f"vec_{dim}"
        if dim not in self._dims:
            conn.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING vec0(kb_id text partition key, "
                f"embedding float[{dim}] distance_metric=cosine)"
            )
            self._dims.add(dim)
        return name

    async def add(
        self, kb_id: str, ids: Sequence[int], lex: Sequence[str], vectors: np.ndarray | None
    ) -> None:
        dim = int(vectors.shape[1]) if vectors is not None and len(vectors) else None

        def op(conn: Any) -> None:
            conn.executemany(
                "INSERT OR REPLACE INTO chunk_map (id, kb_id, dim) VALUES (?, ?, ?)",
                [(i, kb_id, dim) for i in ids],
            )
            conn.executemany("DELETE FROM fts WHERE rowid = ?", [(i,) for i in ids])
            conn.executemany(
                "INSERT INTO fts (rowid, lex, kb_id) VALUES (?, ?, ?)",
                [(i, lx, kb_id) for i, lx in zip(ids, lex, strict=True)],
            )
            if self.has_vec and dim is not None and vectors is not None:
                table = self._vec_table(conn, dim)
                conn.executemany(f"DELETE FROM {table} WHERE rowid = ?", [(i,) for i in ids])
                conn.executemany(
                    f"INSERT INTO {table} (rowid, kb_id, embedding) VALUES (?, ?, ?)",
                    [(i, kb_id, v.astype(np.float32).tobytes()) for i, v in zip(ids, vectors, strict=True)],
                )

        await self._write(op)

    async def remove(self, ids: Sequence[int]) -> None:
        if not ids:
            return

        def op(conn: Any) -> None:
            rows = [(i,) for i in ids]
            dims = (
                {
                    d
                    for (d,) in conn.execute(
                        f"SELECT DISTINCT dim FROM chunk_map WHERE id IN ({','.join('?' * len(ids))})",
                        list(ids),
                    )
                    if d is not None
                }
                if len(ids) < 30000
                else set(self._dims)
            )
            conn.executemany("DELETE FROM fts WHERE rowid = ?", rows)
            if self.has_vec:
                for dim in dims:
                    conn.executemany(f"DELETE FROM {self._vec_table(conn, dim)} WHERE rowid = ?", rows)
            conn.executemany("DELETE FROM chunk_map WHERE id = ?", rows)

        await self._write(op)

    # ---- searches --------------------------------------------------------------------------------------
    async def dense(self, kb_id: str, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        dim = int(query.shape[0])
        if not self.has_vec:
            return []
        blob = query.astype(np.float32).tobytes()

        def op(conn: Any) -> list[tuple[int, float]]:
            if dim not in self._dims:  # another process (the CLI) may have created it
                if (
                    conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (f"vec_{dim}",)).fetchone()
                    is None
                ):
                    return []
                self._dims.add(dim)
            rows = conn.execute(
                f"SELECT rowid, distance FROM vec_{dim} WHERE embedding MATCH ? AND k = ? "
                "AND kb_id = ? ORDER BY distance",
                (blob, min(limit, 4096), kb_id),
            ).fetchall()
            return [(int(r[0]), 1.0 - float(r[1])) for r in rows]

        return await self._read(op)

    async def lexical(self, kb_id: str, match: str, limit: int) -> list[tuple[int, float]]:
        if not match:
            return []

        def op(conn: Any) -> list[tuple[int, float]]:
            rows = conn.execute(
                "SELECT rowid, bm25(fts) AS s FROM fts WHERE fts MATCH ? AND kb_id = ? ORDER BY s LIMIT ?",
                (match, kb_id, limit),
            ).fetchall()
            return [(int(r[0]), -float(r[1])) for r in rows]

        return await self._read(op)
