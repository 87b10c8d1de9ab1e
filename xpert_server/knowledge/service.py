"""Knowledge bases: documents in, chunks and vectors out, searched by hybrid retrieval.

Processing is a background job with its state in the database, so it survives restarts: `process`
marks documents `waiting`; a worker claims one at a time with a lease (`running` → `embedding` →
`finish` | `error`, `progress` 0–100) and renews the lease as it goes. At start, and every
`SWEEP_INTERVAL` while running, documents whose lease ran out (their process died) are queued
again — or end `error` after `MAX_ATTEMPTS` tries, so one poisonous file cannot loop forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.errors import NotFound
from xpert_server.knowledge import chunk, tokens
from xpert_server.knowledge.embed import Embedder
from xpert_server.knowledge.files import FileService
from xpert_server.knowledge.index import KnowledgeIndex
from xpert_server.knowledge.search import Hit, Mode, Searcher
from xpert_server.storage import SQLStorage
from xpert_server.storage.sql.knowledge import DocumentRecord, KnowledgebaseRecord

log = logging.getLogger("xpert.knowledge")

LEASE = 120.0
MAX_ATTEMPTS = 3
POLL_INTERVAL = 2.0
SWEEP_INTERVAL = 30.0
EMBED_BATCH = 64
FILE_WAIT = 300.0
DEFAULT_RECALL = {"topK": 5, "score": 0.0}


class ClaimLost(Exception):
    """The document was re-queued or deleted while this worker had it."""


class DocumentError(Exception):
    """Processing failed in a way the user should read (`processMsg`)."""


class KnowledgeService:
    def __init__(
        self,
        storage: SQLStorage,
        files: FileService,
        index: KnowledgeIndex,
        embedder: Embedder,
        workers: int = 2,
    ):
        self.storage = storage
        self.files = files
        self.index = index
        self.embedder = embedder
        self.searcher = Searcher(storage, index, embedder)
        self.workers = workers
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    async def start(self, run_workers: bool = True) -> None:
        await self.index.open()
        again, failed = await self.storage.release_stale_documents(MAX_ATTEMPTS)
        if again or failed:
            log.info(
                "knowledge: %d document(s) resumed, %d given up after a restart", len(again), len(failed)
            )
        if run_workers:
            self._tasks = [
                asyncio.create_task(self._work(), name=f"knowledge-worker-{i}") for i in range(self.workers)
            ]

    async def stop_workers(self) -> None:
        """Stop processing (documents in flight keep their lease and are resumed by a later start)."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def close(self) -> None:
        self._stopping = True
        await self.stop_workers()
        await self.index.close()
        await self.embedder.close()

    # ---- knowledge bases -------------------------------------------------------------------------------
    async def create(
        self,
        p: Principal,
        name: str,
        description: str | None,
        permission: str,
        recall: dict[str, Any] | None,
        parser_config: dict[str, Any] | None,
        extra: dict[str, Any],
    ) -> KnowledgebaseRecord:
        now = time.time()
        record = KnowledgebaseRecord(
            id=new_id(),
            org_id=p.org_id,
            name=name,
            description=description,
            permission=permission,
            recall={**DEFAULT_RECALL, **(recall or {})},
            parser_config=dict(parser_config or {}),
            extra=extra,
            embedder=self.embedder.name,
            index_version=0,
            created_by=p.user_id,
            created_at=now,
            updated_at=now,
        )
        return await self.storage.create_kb(p, record)

    async def get(self, p: Principal, ref: str) -> KnowledgebaseRecord:
        kb = await self.storage.get_kb(p.org_id, ref)
        if kb is None:
            raise NotFound(f"Knowledgebase '{ref}' not found.")
        return kb

    async def delete(self, p: Principal, kb_id: str) -> None:
        chunk_ids = await self.storage.delete_kb(p, kb_id)
        if chunk_ids is None:
            raise NotFound(f"Knowledgebase '{kb_id}' not found.")
        await self.index.remove(chunk_ids)

    # ---- documents -------------------------------------------------------------------------------------
    async def add_documents(
        self, p: Principal, kb: KnowledgebaseRecord, docs: list[dict[str, Any]]
    ) -> list[DocumentRecord]:
        """Each doc names an uploaded file (`fileId`) or carries `text`; other fields are kept as given."""
        now = time.time()
        records: list[DocumentRecord] = []
        for i, d in enumerate(docs):
            file_id = d.get("fileId") or d.get("storageFileId") or (d.get("file") or {}).get("id")
            name = d.get("name")
            if file_id:
                f = await self.storage.get_file(p, str(file_id))
                if f is None:
                    raise NotFound(f"File '{file_id}' not found.")
                name = name or f.original_name
            fields = {
                k: v for k, v in d.items() if k not in ("text", "name", "fileId", "id", "knowledgebaseId")
            }
            records.append(
                DocumentRecord(
                    id=new_id(),
                    kb_id=kb.id,
                    org_id=kb.org_id,
                    name=str(name or f"document-{i + 1}"),
                    file_id=str(file_id) if file_id else None,
                    fields=fields,
                    created_at=now + i * 1e-6,
                    updated_at=now,
                    text=d.get("text") if isinstance(d.get("text"), str) else None,
                )
            )
        return await self.storage.add_documents(p, records)

    async def process(self, kb: KnowledgebaseRecord, ids: Sequence[str]) -> list[DocumentRecord]:
        docs = await self.storage.queue_documents(kb.org_id, kb.id, ids)
        self._wake.set()
        return docs

    async def delete_documents(self, kb: KnowledgebaseRecord, ids: Sequence[str]) -> None:
        await self.index.remove(await self.storage.delete_documents(kb.org_id, kb.id, ids))

    # ---- search ----------------------------------------------------------------------------------------
    async def search(
        self,
        kb: KnowledgebaseRecord,
        query: str,
        top_k: int | None = None,
        mode: Mode = "hybrid",
        min_score: float | None = None,
    ) -> list[Hit]:
        recall = kb.recall or {}
        k = int(top_k or recall.get("topK") or 5)
        threshold = float(min_score if min_score is not None else recall.get("score") or 0.0)
        return await self.searcher.search(kb, query, k, mode, threshold)

    # ---- the worker ------------------------------------------------------------------------------------
    async def _work(self) -> None:
        last_sweep = time.monotonic()
        while not self._stopping:
            try:
                doc = await self.storage.claim_document(LEASE)
            except Exception:  # the database may be briefly unreachable; keep the worker
                log.exception("knowledge worker: claiming a document failed")
                doc = None
            if doc is not None:
                await self.run_document(doc)
                continue
            if time.monotonic() - last_sweep > SWEEP_INTERVAL:
                last_sweep = time.monotonic()
                with contextlib.suppress(Exception):
                    await self.storage.release_stale_documents(MAX_ATTEMPTS)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_INTERVAL)

    async def run_document(self, doc: DocumentRecord) -> None:
        assert doc.claim is not None
        try:
            await self._process(doc)
        except ClaimLost:
            log.info("document %s was re-queued or deleted while processing", doc.id)
        except asyncio.CancelledError:
            raise  # shutting down: the lease runs out and the next start resumes the document
        except DocumentError as e:
            await self.storage.update_document(
                doc.id, doc.claim, status="error", process_msg=str(e), queued=0, lease_until=None
            )
        except Exception as e:  # one bad document must not stop the worker
            log.exception("processing document %s failed", doc.id)
            await self.storage.update_document(
                doc.id,
                doc.claim,
                status="error",
                queued=0,
                lease_until=None,
                process_msg=f"{type(e).__name__}: {e}",
            )

    async def _progress(self, doc: DocumentRecord, **values: Any) -> None:
        assert doc.claim is not None
        values.setdefault("lease_until", time.time() + LEASE)
        if not await self.storage.update_document(doc.id, doc.claim, **values):
            raise ClaimLost(doc.id)

    async def _text(self, doc: DocumentRecord) -> str:
        full = await self.storage.get_document(doc.id, with_text=True)
        if full is None:
            raise ClaimLost(doc.id)
        if full.text is not None:
            return full.text
        if not full.file_id:
            raise DocumentError("The document has neither a fileId nor text.")
        deadline = time.monotonic() + FILE_WAIT
        while True:
            f = await self.files.wait_parsed(None, full.file_id, 5.0)
            if f is None:
                raise DocumentError(f"File '{full.file_id}' no longer exists.")
            if f.parse_status != "parsing" or time.monotonic() > deadline:
                break
            await self._progress(doc, process_msg="Waiting for the file to be parsed.")
        if f.parse_status == "failed":
            raise DocumentError(f"The file could not be read: {f.parse_error}")
        if f.text is not None and f.parse_status == "ready":
            return f.text
        from xpert_server.knowledge.parse import ParseError

        try:
            return await asyncio.to_thread(self.files.extract_sync, f)
        except ParseError as e:
            raise DocumentError(f"The file could not be read: {e}") from e

    async def _process(self, doc: DocumentRecord) -> None:
        kb = await self.storage.get_kb(doc.org_id, doc.kb_id)
        if kb is None:
            raise ClaimLost(doc.id)
        text = await self._text(doc)
        await self._progress(doc, progress=10.0, process_msg=None)
        config = chunk.ChunkConfig.from_parser_config(
            {**kb.parser_config, **(doc.fields.get("parserConfig") or {})}
        )
        pieces = await asyncio.to_thread(chunk.split_text, text, config)
        if not pieces:
            raise DocumentError("The document has no text.")
        await self.index.remove(await self.storage.clear_document_chunks(kb.id, doc.id))
        await self._progress(doc, status="embedding", progress=20.0)
        done = 0
        for start in range(0, len(pieces), EMBED_BATCH):
            batch = pieces[start : start + EMBED_BATCH]
            vectors = await self.embedder.embed(batch)
            lex = [self.index.lex_value(tokens.tokenize(c)) for c in batch]
            rows = [
                (start + i, c, lx, v.tobytes())
                for i, (c, lx, v) in enumerate(zip(batch, lex, vectors, strict=True))
            ]
            assert doc.claim is not None
            ids = await self.storage.insert_chunks(kb.id, doc.id, doc.claim, rows)
            if ids is None:
                raise ClaimLost(doc.id)
            await self.index.add(kb.id, ids, lex, vectors)
            done += len(batch)
            await self._progress(doc, progress=round(20.0 + 79.0 * done / len(pieces), 1))
        await self._progress(
            doc,
            status="finish",
            progress=100.0,
            chunk_count=len(pieces),
            queued=0,
            lease_until=None,
            process_msg=None,
        )
