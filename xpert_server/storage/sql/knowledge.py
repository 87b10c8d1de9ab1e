"""Knowledge bases, their documents (with processing state) and chunks (text, tokens, vector)."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from xpert_server.auth.principal import Principal
from xpert_server.storage import schema as t
from xpert_server.storage.records import AlreadyExists
from xpert_server.storage.sql.core import SQLCore
from xpert_server.storage.sql.webhooks import enqueue_document_event

KB, D, C = t.knowledgebases, t.knowledge_documents, t.knowledge_chunks
ACTIVE = ("running", "embedding")
SETTLED = ("finish", "error", "cancel")


@dataclass(slots=True)
class KnowledgebaseRecord:
    id: str
    org_id: str
    name: str
    description: str | None
    permission: str
    recall: dict[str, Any]
    parser_config: dict[str, Any]
    extra: dict[str, Any]
    embedder: str
    index_version: int
    created_by: str | None
    created_at: float
    updated_at: float


@dataclass(slots=True)
class DocumentRecord:
    id: str
    kb_id: str
    org_id: str
    name: str
    file_id: str | None
    fields: dict[str, Any]
    status: str = "waiting"
    progress: float = 0.0
    process_msg: str | None = None
    chunk_count: int = 0
    queued: int = 0
    attempts: int = 0
    lease_until: float | None = None
    claim: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    text: str | None = field(default=None)


@dataclass(slots=True)
class ChunkRow:
    id: int
    kb_id: str
    document_id: str
    document_name: str
    seq: int
    content: str


_KB_COLS = [c.name for c in KB.c]
_DOC_META = [c for c in D.c if c.name != "text"]


def _kb(row: Any) -> KnowledgebaseRecord:
    return KnowledgebaseRecord(**{n: row._mapping[n] for n in _KB_COLS})


def _doc(row: Any, with_text: bool = False) -> DocumentRecord:
    m = row._mapping
    rec = DocumentRecord(**{c.name: m[c.name] for c in _DOC_META})
    if with_text:
        rec.text = m["text"]
    return rec


class KnowledgeMixin(SQLCore):
    # ---- knowledge bases -------------------------------------------------------------------------------
    async def create_kb(self, p: Principal, record: KnowledgebaseRecord) -> KnowledgebaseRecord:
        values = {n: getattr(record, n) for n in _KB_COLS}

        def op(conn: Connection) -> KnowledgebaseRecord:
            try:
                with conn.begin_nested():
                    conn.execute(insert(KB).values(**values))
            except IntegrityError as e:
                raise AlreadyExists(f"A knowledge base named '{record.name}' already exists.") from e
            self.audit(conn, p, "create", "knowledgebase", record.id)
            return record

        return await self.write(op)

    async def get_kb(self, org_id: str, ref: str) -> KnowledgebaseRecord | None:
        """By id, else by name, within one org."""
        q = select(KB).where(KB.c.org_id == org_id, or_(KB.c.id == ref, KB.c.name == ref))
        q = q.order_by((KB.c.id == ref).desc()).limit(1)
        return await self.read(
            lambda conn: (lambda r: None if r is None else _kb(r))(conn.execute(q).first())
        )

    async def list_kbs(self, org_id: str, limit: int = 100, offset: int = 0) -> list[KnowledgebaseRecord]:
        q = (
            select(KB)
            .where(KB.c.org_id == org_id)
            .order_by(KB.c.created_at.desc())
            .limit(limit)
            .offset(offset)
        )
        return await self.read(lambda conn: [_kb(r) for r in conn.execute(q)])

    async def update_kb(
        self, p: Principal, kb_id: str, changes: dict[str, Any]
    ) -> KnowledgebaseRecord | None:
        def op(conn: Connection) -> KnowledgebaseRecord | None:
            where = and_(KB.c.id == kb_id, KB.c.org_id == p.org_id)
            try:
                with conn.begin_nested():
                    n = conn.execute(
                        update(KB).where(where).values(**changes, updated_at=time.time())
                    ).rowcount
            except IntegrityError as e:
                raise AlreadyExists(f"A knowledge base named '{changes.get('name')}' already exists.") from e
            if not n:
                return None
            self.audit(conn, p, "update", "knowledgebase", kb_id)
            return _kb(conn.execute(select(KB).where(where)).one())

        return await self.write(op)

    async def delete_kb(self, p: Principal, kb_id: str) -> list[int] | None:
        """Delete a base with its documents and chunks; returns the chunk ids (for index cleanup)."""

        def op(conn: Connection) -> list[int] | None:
            n = conn.execute(delete(KB).where(KB.c.id == kb_id, KB.c.org_id == p.org_id)).rowcount
            if not n:
                return None
            ids = list(conn.execute(select(C.c.id).where(C.c.kb_id == kb_id)).scalars())
            conn.execute(delete(C).where(C.c.kb_id == kb_id))
            conn.execute(delete(D).where(D.c.kb_id == kb_id))
            self.audit(conn, p, "delete", "knowledgebase", kb_id)
            return ids

        return await self.write(op)

    # ---- documents -------------------------------------------------------------------------------------
    async def add_documents(self, p: Principal, docs: list[DocumentRecord]) -> list[DocumentRecord]:
        rows = [{**{c.name: getattr(d, c.name) for c in _DOC_META}, "text": d.text} for d in docs]

        def op(conn: Connection) -> list[DocumentRecord]:
            if rows:
                conn.execute(insert(D), rows)
                for d in docs:
                    self.audit(conn, p, "create", "knowledge_document", d.id)
            return docs

        return await self.write(op)

    async def list_documents(
        self, org_id: str, kb_id: str, ids: Sequence[str] | None = None, limit: int = 10_000
    ) -> list[DocumentRecord]:
        q = select(*_DOC_META).where(D.c.kb_id == kb_id, D.c.org_id == org_id)
        if ids is not None:
            q = q.where(D.c.id.in_(list(ids)))
        q = q.order_by(D.c.created_at, D.c.id).limit(limit)
        return await self.read(lambda conn: [_doc(r) for r in conn.execute(q)])

    async def get_document(self, doc_id: str, with_text: bool = False) -> DocumentRecord | None:
        cols = list(D.c) if with_text else _DOC_META
        q = select(*cols).where(D.c.id == doc_id)
        return await self.read(
            lambda conn: (lambda r: None if r is None else _doc(r, with_text))(conn.execute(q).first())
        )

    async def queue_documents(self, org_id: str, kb_id: str, ids: Sequence[str]) -> list[DocumentRecord]:
        """Mark documents waiting for processing. A document being processed right now keeps going."""
        now = time.time()

        def op(conn: Connection) -> list[DocumentRecord]:
            base = and_(D.c.kb_id == kb_id, D.c.org_id == org_id, D.c.id.in_(list(ids)))
            busy = and_(D.c.status.in_(ACTIVE), func.coalesce(D.c.lease_until, 0.0) > now)
            conn.execute(
                update(D)
                .where(base, ~busy)
                .values(
                    status="waiting",
                    progress=0.0,
                    process_msg=None,
                    queued=1,
                    attempts=0,
                    lease_until=None,
                    claim=None,
                    updated_at=now,
                )
            )
            return [_doc(r) for r in conn.execute(select(*_DOC_META).where(base).order_by(D.c.created_at))]

        return await self.write(op)

    async def claim_document(self, lease: float) -> DocumentRecord | None:
        """Take the oldest queued document (status → running) for `lease` seconds, or None."""

        def op(conn: Connection) -> DocumentRecord | None:
            for _ in range(5):
                row = conn.execute(
                    select(D.c.id)
                    .where(D.c.status == "waiting", D.c.queued == 1)
                    .order_by(D.c.updated_at)
                    .limit(1)
                ).first()
                if row is None:
                    return None
                now, claim = time.time(), secrets.token_hex(8)
                n = conn.execute(
                    update(D)
                    .where(D.c.id == row.id, D.c.status == "waiting")
                    .values(
                        status="running",
                        progress=1.0,
                        process_msg=None,
                        attempts=D.c.attempts + 1,
                        lease_until=now + lease,
                        claim=claim,
                        updated_at=now,
                    )
                ).rowcount
                if n:
                    return _doc(conn.execute(select(*_DOC_META).where(D.c.id == row.id)).one())
            return None

        return await self.write(op)

    async def update_document(self, doc_id: str, claim: str, **values: Any) -> bool:
        """Progress of a claimed document; False when the claim was lost (re-queued, deleted). Its end
        (`finish` or `error`) is a webhook event, written with it."""
        now = time.time()
        q = update(D).where(D.c.id == doc_id, D.c.claim == claim).values(**values, updated_at=now)

        def op(conn: Connection) -> bool:
            if not conn.execute(q).rowcount:
                return False
            if values.get("status") in ("finish", "error"):
                enqueue_document_event(conn, [doc_id], now)
            return True

        return await self.write(op)

    async def release_stale_documents(self, max_attempts: int) -> tuple[list[str], list[str]]:
        """Documents whose worker died mid-way: queued again, or `error` after `max_attempts` tries."""
        now = time.time()

        def op(conn: Connection) -> tuple[list[str], list[str]]:
            stale = and_(D.c.status.in_(ACTIVE), or_(D.c.lease_until.is_(None), D.c.lease_until < now))
            rows = conn.execute(select(D.c.id, D.c.attempts).where(stale)).all()
            again = [r.id for r in rows if r.attempts < max_attempts]
            failed = [r.id for r in rows if r.attempts >= max_attempts]
            if again:
                conn.execute(
                    update(D)
                    .where(D.c.id.in_(again), stale)
                    .values(
                        status="waiting",
                        progress=0.0,
                        process_msg="Resumed after a restart.",
                        claim=None,
                        lease_until=None,
                        updated_at=now,
                    )
                )
            if failed:
                conn.execute(
                    update(D)
                    .where(D.c.id.in_(failed), stale)
                    .values(
                        status="error",
                        queued=0,
                        claim=None,
                        lease_until=None,
                        updated_at=now,
                        process_msg=f"Processing was interrupted {max_attempts} times; giving up.",
                    )
                )
                enqueue_document_event(conn, failed, now)
            return again, failed

        return await self.write(op)

    async def delete_documents(self, org_id: str, kb_id: str, ids: Sequence[str]) -> list[int]:
        def op(conn: Connection) -> list[int]:
            docs = list(
                conn.execute(
                    select(D.c.id).where(D.c.kb_id == kb_id, D.c.org_id == org_id, D.c.id.in_(list(ids)))
                ).scalars()
            )
            chunk_ids = list(conn.execute(select(C.c.id).where(C.c.document_id.in_(docs))).scalars())
            conn.execute(delete(C).where(C.c.document_id.in_(docs)))
            conn.execute(delete(D).where(D.c.id.in_(docs)))
            self._bump(conn, kb_id)
            return chunk_ids

        return await self.write(op)

    # ---- chunks ----------------------------------------------------------------------------------------
    @staticmethod
    def _bump(conn: Connection, kb_id: str) -> None:
        conn.execute(update(KB).where(KB.c.id == kb_id).values(index_version=KB.c.index_version + 1))

    async def clear_document_chunks(self, kb_id: str, doc_id: str) -> list[int]:
        def op(conn: Connection) -> list[int]:
            ids = list(conn.execute(select(C.c.id).where(C.c.document_id == doc_id)).scalars())
            if ids:
                conn.execute(delete(C).where(C.c.document_id == doc_id))
                self._bump(conn, kb_id)
            return ids

        return await self.write(op)

    async def insert_chunks(
        self, kb_id: str, doc_id: str, claim: str, rows: list[tuple[int, str, str, bytes]]
    ) -> list[int] | None:
        """Insert (seq, content, lex, vector) rows of a claimed document; None when the claim was lost."""

        def op(conn: Connection) -> list[int] | None:
            alive = conn.execute(select(D.c.id).where(D.c.id == doc_id, D.c.claim == claim)).first()
            if alive is None:
                return None
            values = [
                {"kb_id": kb_id, "document_id": doc_id, "seq": s, "content": c, "lex": lx, "vector": v}
                for s, c, lx, v in rows
            ]
            ids = list(
                conn.execute(insert(C).returning(C.c.id, sort_by_parameter_order=True), values).scalars()
            )
            self._bump(conn, kb_id)
            return ids

        return await self.write(op)

    async def chunks_by_ids(self, ids: Sequence[int]) -> dict[int, ChunkRow]:
        q = (
            select(C.c.id, C.c.kb_id, C.c.document_id, D.c.name, C.c.seq, C.c.content)
            .join(D, D.c.id == C.c.document_id)
            .where(C.c.id.in_(list(ids)))
        )
        return await self.read(
            lambda conn: {
                r.id: ChunkRow(r.id, r.kb_id, r.document_id, r.name, r.seq, r.content)
                for r in conn.execute(q)
            }
        )

    async def kb_vectors(self, kb_id: str) -> list[tuple[int, bytes]]:
        q = select(C.c.id, C.c.vector).where(C.c.kb_id == kb_id, C.c.vector.is_not(None)).order_by(C.c.id)
        return await self.read(lambda conn: [(r.id, r.vector) for r in conn.execute(q)])

    async def chunks_after(self, after_id: int, limit: int) -> list[tuple[int, str, str, str, bytes | None]]:
        """(id, kb_id, document_id, lex, vector) in id order: rebuilds a lost side index."""
        q = (
            select(C.c.id, C.c.kb_id, C.c.document_id, C.c.lex, C.c.vector)
            .where(C.c.id > after_id)
            .order_by(C.c.id)
            .limit(limit)
        )
        return await self.read(lambda conn: [tuple(r) for r in conn.execute(q)])  # type: ignore[misc]

    async def chunk_stats(self) -> tuple[int, int]:
        """(count, max id) of all chunks."""
        q = select(func.count(), func.coalesce(func.max(C.c.id), 0)).select_from(C)
        return await self.read(lambda conn: tuple(conn.execute(q).one()))  # type: ignore[return-value]

    async def pg_lexical(self, kb_id: str, tsquery: str, limit: int) -> list[tuple[int, float]]:
        """PostgreSQL full-text ranking over the chunk tokens (GIN index; ts_rank with length norm)."""
        # Ranking touches every matching row, so a question full of common words costs more on a large
        # base; capping the rows ranked would lose exactly the rare terms (codes, names) lexical search
        # is here for, so there is no cap.
        q = text(
            "SELECT c.id, ts_rank(c.lex, q.q, 1) AS r FROM knowledge_chunks c, CAST(:q AS tsquery) AS q(q) "
            "WHERE c.kb_id = :kb AND c.lex @@ q.q ORDER BY r DESC, c.id LIMIT :n"
        )
        params = {"q": tsquery, "kb": kb_id, "n": limit}
        return await self.read(lambda conn: [(r.id, float(r.r)) for r in conn.execute(q, params)])
