"""One search index over chunks, whatever the backend:

- SQLite: `SideIndex` (sqlite-vec + FTS5 in a sqlean file beside the database).
- PostgreSQL: lexical through a GIN-indexed tsvector column, dense through `NumpyDense` (vectors kept as
  float32 bytes in `knowledge_chunks.vector`, ranked in numpy per knowledge base). pgvector is not used:
  Debian's PostgreSQL has no package for it, and per-base numpy ranking is ~2 ms at 10k chunks.
- SQLite without sqlite-vec (or XPERT_KNOWLEDGE_VECTORS=numpy): FTS5 side file + `NumpyDense`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import make_url

from xpert_server.knowledge import tokens
from xpert_server.knowledge.sideindex import SideIndex
from xpert_server.storage import SQLStorage
from xpert_server.storage.sql.knowledge import KnowledgebaseRecord

log = logging.getLogger("xpert.knowledge")
REBUILD_BATCH = 2000
MAX_CACHED_BASES = 32


class NumpyDense:
    """Per-base matrices loaded from the chunk rows, reloaded when the base's `index_version` moves."""

    def __init__(self, storage: SQLStorage):
        self.storage = storage
        self._cache: OrderedDict[str, tuple[int, np.ndarray, np.ndarray]] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}

    async def _matrix(self, kb: KnowledgebaseRecord, dim: int) -> tuple[np.ndarray, np.ndarray]:
        hit = self._cache.get(kb.id)
        if hit is not None and hit[0] == kb.index_version:
            self._cache.move_to_end(kb.id)
            return hit[1], hit[2]
        lock = self._locks.setdefault(kb.id, asyncio.Lock())
        async with lock:
            hit = self._cache.get(kb.id)
            if hit is not None and hit[0] == kb.index_version:
                return hit[1], hit[2]
            rows = await self.storage.kb_vectors(kb.id)
            width = dim * 4
            rows = [(i, v) for i, v in rows if v is not None and len(v) == width]
            ids = np.fromiter((i for i, _ in rows), dtype=np.int64, count=len(rows))
            matrix = (
                np.frombuffer(b"".join(v for _, v in rows), dtype=np.float32).reshape(len(rows), dim)
                if rows
                else np.zeros((0, dim), np.float32)
            )
            self._cache[kb.id] = (kb.index_version, ids, matrix)
            while len(self._cache) > MAX_CACHED_BASES:
                self._cache.popitem(last=False)
            return ids, matrix

    async def search(self, kb: KnowledgebaseRecord, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        ids, matrix = await self._matrix(kb, int(query.shape[0]))
        if not len(ids):
            return []
        sims = matrix @ query.astype(np.float32)
        k = min(limit, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(int(ids[i]), float(sims[i])) for i in top]


def side_path(database_url: str, data_dir: Path) -> Path:
    database = make_url(database_url).database
    if database and database != ":memory:":
        p = Path(database)
        return p.with_name(p.stem + ".knowledge.sqlite")
    return data_dir / "knowledge.sqlite"


class KnowledgeIndex:
    def __init__(self, storage: SQLStorage, database_url: str, data_dir: Path, vectors: str = "auto"):
        self.storage = storage
        self.postgres = storage.dialect.name == "postgresql"
        self.side: SideIndex | None = None
        self.numpy: NumpyDense | None = None
        if not self.postgres:
            self.side = SideIndex(side_path(database_url, data_dir), use_vec=vectors != "numpy")
        if self.postgres or self.side is None or not self.side.has_vec:
            self.numpy = NumpyDense(storage)

    @property
    def description(self) -> str:
        lexical = "postgres-tsvector" if self.postgres else "sqlite-fts5"
        dense = "sqlite-vec" if self.numpy is None else "numpy"
        return f"{dense} + {lexical}"

    def lex_value(self, toks: list[str]) -> str:
        return tokens.tsvector_text(toks) if self.postgres else tokens.fts5_document(toks)

    async def open(self) -> None:
        if self.side is None:
            if self.postgres:
                await self._note_pgvector()
            return
        await self.side.open()
        main = await self.storage.chunk_stats()
        side = await self.side.stats()
        if tuple(main) != tuple(side):
            log.info(
                "knowledge index %s is out of step with the database (%s vs %s chunks): rebuilding",
                self.side.path,
                side[0],
                main[0],
            )
            await self.rebuild()

    async def _note_pgvector(self) -> None:
        def op(conn: Any) -> bool:
            q = text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
            return conn.execute(q).first() is not None

        if await self.storage.read(op):
            log.info("knowledge: pgvector is available but not used; vectors are ranked in numpy per base")

    async def rebuild(self) -> None:
        assert self.side is not None
        await self.side.clear()
        after = 0
        while True:
            rows = await self.storage.chunks_after(after, REBUILD_BATCH)
            if not rows:
                break
            by_kb: dict[str, list[tuple[int, str, bytes | None]]] = {}
            for cid, kb_id, _doc, lex, vec in rows:
                by_kb.setdefault(kb_id, []).append((cid, lex, vec))
            for kb_id, items in by_kb.items():
                await self._add_rows(kb_id, items)
            after = rows[-1][0]

    async def _add_rows(self, kb_id: str, items: list[tuple[int, str, bytes | None]]) -> None:
        assert self.side is not None
        # Rows with vectors of one width go together; rows without (or of odd width) get tokens only.
        with_vec = [(i, lx, v) for i, lx, v in items if v]
        dims = {len(v) // 4 for _, _, v in with_vec}
        if len(dims) == 1 and len(with_vec) == len(items):
            dim = dims.pop()
            matrix = np.frombuffer(b"".join(v for _, _, v in with_vec), np.float32).reshape(
                len(with_vec), dim
            )
            await self.side.add(kb_id, [i for i, _, _ in items], [lx for _, lx, _ in items], matrix)
        else:
            await self.side.add(kb_id, [i for i, _, _ in items], [lx for _, lx, _ in items], None)

    async def add(self, kb_id: str, ids: Sequence[int], lex: Sequence[str], vectors: np.ndarray) -> None:
        if self.side is not None:
            await self.side.add(kb_id, ids, lex, vectors)

    async def remove(self, ids: Sequence[int]) -> None:
        if self.side is not None and ids:
            await self.side.remove(ids)

    async def dense(self, kb: KnowledgebaseRecord, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        if self.numpy is not None:
            return await self.numpy.search(kb, query, limit)
        assert self.side is not None
        return await self.side.dense(kb.id, query, limit)

    async def lexical(self, kb: KnowledgebaseRecord, terms: list[str], limit: int) -> list[tuple[int, float]]:
        if not terms:
            return []
        if self.postgres:
            return await self.storage.pg_lexical(kb.id, tokens.tsquery_text(terms), limit)
        assert self.side is not None
        return await self.side.lexical(kb.id, tokens.fts5_query(terms), limit)

    async def close(self) -> None:
        if self.side is not None:
            await self.side.close()
