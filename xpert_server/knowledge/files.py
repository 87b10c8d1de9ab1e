"""Context files: upload, background text extraction, signed urls, and the run attachment resolver."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from collections.abc import AsyncIterable
from pathlib import Path
from typing import Any

from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id, unstorable_paths
from xpert_server.errors import BadRequest, NotFound
from xpert_server.knowledge import parse, signing
from xpert_server.knowledge.filestore import FileStore, LocalFileStore, sanitise_name
from xpert_server.knowledge.sandbox import extract_isolated
from xpert_server.knowledge.settings import KnowledgeSettings
from xpert_server.knowledge.upload import receive_upload
from xpert_server.storage import SQLStorage
from xpert_server.storage.sql.files import FileRecord

log = logging.getLogger("xpert.knowledge")

PARSE_MODES = ("auto", "fast", "deep", "none")
PURPOSES = ("chat_attachment", "workspace", "knowledge")
CONTEXT_FIELDS = ("threadId", "conversationId", "projectId", "xpertId", "workspacePath", "target")
# Text of attached files handed to a run, in characters over all files (the agent trims further to
# fit the model's context; this bounds what a run carries around).
ATTACHMENT_BUDGET = 200_000
# A run may start while its files are still being parsed: it waits this long for them.
ATTACHMENT_WAIT = 20.0
# Images up to this size travel as data URLs for models that accept image parts.
MAX_INLINE_IMAGE = 4 * 1024 * 1024
PARSE_CONCURRENCY = 2


class FileService:
    def __init__(self, storage: SQLStorage, settings: KnowledgeSettings, store: FileStore | None = None):
        self.storage = storage
        self.settings = settings
        self.store: FileStore = store or LocalFileStore(settings.files_dir)
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(PARSE_CONCURRENCY)

    async def start(self) -> None:
        if isinstance(self.store, LocalFileStore):
            for leftover in self.store.leftovers():
                leftover.unlink(missing_ok=True)
        for file_id in await self.storage.files_parsing():
            self._schedule(file_id)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)

    # ---- upload ----------------------------------------------------------------------------------------
    async def upload(self, p: Principal, content_type: str, body: AsyncIterable[bytes]) -> FileRecord:
        """Store a `multipart/form-data` body (`content_type` names its boundary) read from `body`'s chunks."""
        file_id = new_id()
        key = f"{p.org_id}/{file_id[:2]}/{file_id}"
        received = await receive_upload(content_type, body, self.store, key, self.settings.max_upload_bytes)
        try:
            fields = received.fields
            unstorable = unstorable_paths(fields)
            if unstorable:
                raise BadRequest(f"Form field(s) {', '.join(unstorable)} must not contain NUL characters.")
            parse_mode = fields.get("parseMode") or "auto"
            if parse_mode not in PARSE_MODES:
                raise BadRequest(f"parseMode must be one of {', '.join(PARSE_MODES)}.")
            purpose = fields.get("purpose") or "chat_attachment"
            if purpose not in PURPOSES:
                raise BadRequest(f"purpose must be one of {', '.join(PURPOSES)}.")
            name = sanitise_name(received.filename)
            detected = parse.detect(received.head, name, received.content_type)
            if parse_mode == "none":
                status = "uploaded"
            elif detected.kind == "image":
                status = "ready"  # nothing to extract; models that see images get it as an image part
            else:
                status = "parsing"
            now = time.time()
            record = FileRecord(
                id=file_id,
                org_id=p.org_id,
                created_by=p.user_id,
                original_name=name,
                storage_key=key,
                size=received.size,
                sha256=received.sha256,
                mime_type=detected.mime_type,
                purpose=purpose,
                parse_mode=parse_mode,
                parse_status=status,
                parse_error=None,
                summary=None,
                context={k: fields[k] for k in CONTEXT_FIELDS if fields.get(k)},
                created_at=now,
                updated_at=now,
                key_id=p.key_id or p.secret_id,
            )
            await self.storage.create_file(p, record)
        except BaseException:
            await asyncio.shield(asyncio.to_thread(self.store.delete, key))
            raise
        if status == "parsing":
            self._schedule(file_id)
        return record

    async def import_path(self, p: Principal, path: Path, purpose: str = "knowledge") -> FileRecord:
        """Store a local file as if uploaded, and extract its text now (the CLI's ingest)."""
        file_id = new_id()
        key = f"{p.org_id}/{file_id[:2]}/{file_id}"
        name = sanitise_name(path.name)

        def copy() -> tuple[int, str, bytes]:
            writer = self.store.writer(key)
            try:
                with open(path, "rb") as src:
                    head = src.read(parse.SNIFF_BYTES)
                    writer.write(head)
                    while chunk := src.read(256 * 1024):
                        writer.write(chunk)
                return writer.size, writer.commit(), head
            except BaseException:
                writer.abort()
                raise

        size, sha, head = await asyncio.to_thread(copy)
        detected = parse.detect(head, name)
        now = time.time()
        record = FileRecord(
            id=file_id,
            org_id=p.org_id,
            created_by=p.user_id,
            original_name=name,
            storage_key=key,
            size=size,
            sha256=sha,
            mime_type=detected.mime_type,
            purpose=purpose,
            parse_mode="auto",
            parse_status="parsing",
            parse_error=None,
            summary=None,
            context={"source": str(path)},
            created_at=now,
            updated_at=now,
        )
        await self.storage.create_file(p, record)
        await self._parse(file_id)
        return record

    async def delete(self, p: Principal, file_id: str) -> FileRecord:
        record = await self.storage.delete_file(p, file_id)
        if record is None:
            raise NotFound(f"File '{file_id}' not found.")
        await asyncio.to_thread(self.store.delete, record.storage_key)
        return record

    async def get(self, p: Principal, file_id: str) -> FileRecord:
        record = await self.storage.get_file(p, file_id)
        if record is None:
            raise NotFound(f"File '{file_id}' not found.")
        return record

    # ---- parsing ---------------------------------------------------------------------------------------
    def _schedule(self, file_id: str) -> None:
        task = asyncio.create_task(self._parse(file_id), name=f"parse-{file_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def extract_sync(self, record: FileRecord) -> str:
        head = self.store.head(record.storage_key, parse.SNIFF_BYTES)
        detected = parse.detect(head, record.original_name, record.mime_type)
        with self.store.open(record.storage_key) as stream:
            return extract_isolated(stream, detected, record.original_name, self.settings.parse_limits)

    async def _parse(self, file_id: str) -> None:
        async with self._slots:
            record = await self.storage.get_file(None, file_id)
            if record is None or record.parse_status != "parsing":
                return
            try:
                text = await asyncio.to_thread(self.extract_sync, record)
            except parse.ParseError as e:
                await self.storage.set_file_parsed(file_id, "failed", None, None, str(e))
                return
            except FileNotFoundError:
                await self.storage.set_file_parsed(
                    file_id, "failed", None, None, "The stored file is missing."
                )
                return
            except Exception as e:  # a parser bug must fail this file, not the server
                log.exception("parsing file %s failed", file_id)
                await self.storage.set_file_parsed(file_id, "failed", None, None, f"{type(e).__name__}: {e}")
                return
            await self.storage.set_file_parsed(file_id, "ready", text, parse.summary_of(text), None)

    async def wait_parsed(self, p: Principal | None, file_id: str, timeout: float) -> FileRecord | None:
        """The file with its text once parsing has ended (or the timeout passed; then as it is)."""
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            record = await self.storage.get_file(p, file_id, with_text=True)
            if record is None or record.parse_status != "parsing" or time.monotonic() >= deadline:
                return record
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    # ---- shapes ----------------------------------------------------------------------------------------
    def content_url(self, base: str, file_id: str) -> str:
        query = signing.signed_query(self.settings.url_secret, file_id, self.settings.url_ttl)
        return f"{base}/contexts/file/{file_id}/content?{query}"

    @staticmethod
    def capabilities(r: FileRecord) -> list[str]:
        """What a client may do with the file now (only preview while it is being read)."""
        detected = parse.Detected(_kind(r.mime_type), r.mime_type)
        return list(detected.capabilities) if r.parse_status in ("ready", "uploaded") else ["preview"]

    # ---- runs ------------------------------------------------------------------------------------------
    async def attachments(self, p: Principal, files: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """RunService.attachments: a run's `files` → documents `{name, content}` for the model."""
        ids: list[str] = []
        for f in files:
            fid = f.get("id") or f.get("fileId") or f.get("storageFileId")
            if isinstance(fid, str) and fid and fid not in ids:
                ids.append(fid)
        records = await asyncio.gather(*(self.wait_parsed(p, fid, ATTACHMENT_WAIT) for fid in ids))
        docs: list[dict[str, Any]] = []
        budget = ATTACHMENT_BUDGET
        for fid, record in zip(ids, records, strict=True):
            if record is None:
                raise NotFound(f"File '{fid}' not found.")
            doc = await self._document(record, budget)
            budget -= len(doc["content"])
            docs.append(doc)
        return docs

    async def _document(self, r: FileRecord, budget: int) -> dict[str, Any]:
        name = r.original_name
        if r.mime_type.startswith("image/"):
            doc: dict[str, Any] = {
                "name": name,
                "type": "image",
                "mime_type": r.mime_type,
                "file_id": r.id,
                "content": f"[Image attached: {name} ({r.mime_type}, {r.size} bytes)]",
            }
            if r.size <= MAX_INLINE_IMAGE:
                data = await asyncio.to_thread(_read_all, self.store, r.storage_key)
                doc["image_url"] = f"data:{r.mime_type};base64,{base64.b64encode(data).decode()}"
            return doc
        if r.parse_status == "parsing":
            return {
                "name": name,
                "file_id": r.id,
                "content": f"[{name} is still being read; try again shortly.]",
            }
        if r.parse_status == "failed":
            return {
                "name": name,
                "file_id": r.id,
                "content": f"[{name}: no text could be read: {r.parse_error}]",
            }
        text = r.text or ""
        if r.parse_status == "uploaded" and not text:  # parseMode none: read it now, for this run only
            try:
                text = await asyncio.to_thread(self.extract_sync, r)
            except parse.ParseError as e:
                return {"name": name, "file_id": r.id, "content": f"[{name}: no text could be read: {e}]"}
        budget = max(budget, 0)
        if len(text) > budget:
            text = text[:budget] + f"\n[… {len(text) - budget} more characters not included]"
        return {"name": name, "file_id": r.id, "content": text}


def _read_all(store: FileStore, key: str) -> bytes:
    with store.open(key) as f:
        return f.read()


def _kind(mime: str) -> str:
    for kind, m in parse.KIND_MIME.items():
        if m == mime:
            return kind
    if mime.startswith("image/"):
        return "image"
    return "text" if mime.startswith("text/") else "binary"
