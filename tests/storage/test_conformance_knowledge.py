"""Conformance for knowledge bases, their documents and chunks, and uploaded files: the same checks on
SQLite and PostgreSQL."""

from __future__ import annotations

import struct
import time

import pytest

from tests.harness.app import new_org
from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.knowledge import tokens
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import AlreadyExists
from xpert_server.storage.sql.files import FileRecord
from xpert_server.storage.sql.knowledge import DocumentRecord, KnowledgebaseRecord


def _kb(p: Principal, name: str) -> KnowledgebaseRecord:
    now = time.time()
    return KnowledgebaseRecord(
        id=new_id(),
        org_id=p.org_id,
        name=name,
        description=None,
        permission="organization",
        recall={"topK": 3},
        parser_config={},
        extra={},
        embedder="test",
        index_version=0,
        created_by=p.user_id,
        created_at=now,
        updated_at=now,
    )


def _doc(kb: KnowledgebaseRecord, name: str) -> DocumentRecord:
    now = time.time()
    return DocumentRecord(
        id=new_id(),
        kb_id=kb.id,
        org_id=kb.org_id,
        name=name,
        file_id=None,
        fields={},
        created_at=now,
        updated_at=now,
        text=f"the text of {name}",
    )


def _lex(storage: SQLStorage, content: str) -> str:
    """The chunk's lexical column as the knowledge indexer writes it on this backend."""
    toks = tokens.tokenize(content)
    return tokens.tsvector_text(toks) if storage.url.startswith("postgresql") else tokens.fts5_document(toks)


def _vector(*xs: float) -> bytes:
    return struct.pack(f"<{len(xs)}f", *xs)


async def test_knowledge_bases_are_created_found_listed_updated_and_deleted(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    kb = await storage.create_kb(p, _kb(p, "manuals"))
    with pytest.raises(AlreadyExists):
        await storage.create_kb(p, _kb(p, "manuals"))
    other = await storage.create_kb(p, _kb(p, "recipes"))
    assert (await storage.get_kb(p.org_id, kb.id)) is not None
    by_name = await storage.get_kb(p.org_id, "manuals")
    assert by_name is not None and by_name.id == kb.id
    assert await storage.get_kb(new_org(), kb.id) is None  # another org
    assert {k.id for k in await storage.list_kbs(p.org_id)} == {kb.id, other.id}
    assert len(await storage.list_kbs(p.org_id, limit=1)) == 1
    updated = await storage.update_kb(p, kb.id, {"description": "How to descale"})
    assert updated is not None and updated.description == "How to descale"
    with pytest.raises(AlreadyExists):
        await storage.update_kb(p, kb.id, {"name": "recipes"})
    assert (
        await storage.update_kb(Principal(org_id=new_org(), kind="key"), kb.id, {"description": "x"}) is None
    )
    assert await storage.delete_kb(p, other.id) == []
    assert await storage.delete_kb(p, other.id) is None
    assert await storage.get_kb(p.org_id, other.id) is None


async def test_documents_are_queued_claimed_chunked_and_deleted(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    kb = await storage.create_kb(p, _kb(p, "manuals"))
    first, second = _doc(kb, "descaling.md"), _doc(kb, "filters.md")
    await storage.add_documents(p, [first, second])
    assert [d.id for d in await storage.list_documents(p.org_id, kb.id)] == [first.id, second.id]
    assert [d.id for d in await storage.list_documents(p.org_id, kb.id, ids=[second.id])] == [second.id]
    assert await storage.list_documents(new_org(), kb.id) == []
    got = await storage.get_document(first.id, with_text=True)
    assert got is not None and got.text == "the text of descaling.md" and got.status == "waiting"
    assert (await storage.get_document(first.id)).text is None  # type: ignore[union-attr]

    queued = await storage.queue_documents(p.org_id, kb.id, [first.id])
    assert [(d.id, d.status, d.queued) for d in queued] == [(first.id, "waiting", 1)]
    claimed = await storage.claim_document(lease=30)
    assert claimed is not None and claimed.id == first.id and claimed.status == "running" and claimed.claim
    assert await storage.claim_document(lease=30) is None  # nothing else queued
    assert await storage.update_document(first.id, claimed.claim, progress=50.0)
    assert not await storage.update_document(first.id, "a lost claim", progress=60.0)

    content = "Descale the Frobnicator every 30 days"
    rows = [
        (0, content, _lex(storage, content), _vector(1.0, 0.0)),
        (1, "Rinse twice", _lex(storage, "Rinse twice"), _vector(0.0, 1.0)),
    ]
    assert await storage.insert_chunks(kb.id, first.id, "a lost claim", rows) is None
    ids = await storage.insert_chunks(kb.id, first.id, claimed.claim, rows)
    assert ids is not None and len(ids) == 2
    by_id = await storage.chunks_by_ids(ids)
    assert by_id[ids[0]].content == content and by_id[ids[0]].document_name == "descaling.md"
    assert [i for i, _ in await storage.kb_vectors(kb.id)] == ids
    after = await storage.chunks_after(ids[0] - 1, 10)
    assert [row[0] for row in after][:2] == ids and after[0][1:3] == (kb.id, first.id)
    count, top = await storage.chunk_stats()
    assert count >= 2 and top >= ids[1]
    if storage.url.startswith("postgresql"):
        ranked = await storage.pg_lexical(kb.id, tokens.tsquery_text(tokens.tokenize("frobnicator")), 5)
        assert [cid for cid, _ in ranked] == [ids[0]]
    bumped = await storage.get_kb(p.org_id, kb.id)
    assert bumped is not None and bumped.index_version > kb.index_version

    assert sorted(await storage.clear_document_chunks(kb.id, first.id)) == sorted(ids)
    assert await storage.chunks_by_ids(ids) == {}
    assert await storage.delete_documents(p.org_id, kb.id, [first.id]) == []
    assert await storage.get_document(first.id) is None
    assert await storage.delete_kb(p, kb.id) == []
    assert await storage.get_document(second.id) is None  # the base's documents go with it


async def test_stale_documents_are_requeued_then_fail(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    kb = await storage.create_kb(p, _kb(p, "stale"))
    doc = _doc(kb, "stale.md")
    await storage.add_documents(p, [doc])
    await storage.queue_documents(p.org_id, kb.id, [doc.id])
    assert (await storage.claim_document(lease=-1)) is not None  # its lease already ran out
    again, failed = await storage.release_stale_documents(max_attempts=2)
    assert doc.id in again and doc.id not in failed
    assert (await storage.claim_document(lease=-1)) is not None
    again, failed = await storage.release_stale_documents(max_attempts=2)
    assert doc.id in failed
    ended = await storage.get_document(doc.id)
    assert ended is not None and ended.status == "error" and "2 times" in (ended.process_msg or "")
    await storage.delete_kb(p, kb.id)


def _file(p: Principal, name: str) -> FileRecord:
    now = time.time()
    return FileRecord(
        id=new_id(),
        org_id=p.org_id,
        created_by=p.user_id,
        original_name=name,
        storage_key=f"{p.org_id}/{name}",
        size=4,
        sha256="0" * 64,
        mime_type="text/plain",
        purpose="assistants",
        parse_mode="text",
        parse_status="parsing",
        parse_error=None,
        summary=None,
        context={},
        created_at=now,
        updated_at=now,
        key_id=p.key_id,
    )


async def test_files_are_created_parsed_seen_by_their_principal_and_deleted(storage: SQLStorage) -> None:
    org = new_org()
    alice = Principal(org_id=org, kind="key", key_id="k", user_id="alice")
    bob = Principal(org_id=org, kind="key", key_id="k", user_id="bob")
    record = await storage.create_file(alice, _file(alice, "notes.txt"))
    assert record.id in await storage.files_parsing()
    assert await storage.get_file(bob, record.id) is None  # a principal sees only its own files
    assert await storage.get_file(Principal(org_id=new_org(), kind="key"), record.id) is None
    assert await storage.set_file_parsed(record.id, "success", "the text", "a summary", None)
    assert not await storage.set_file_parsed(new_id(), "success", None, None, None)
    assert record.id not in await storage.files_parsing()
    parsed = await storage.get_file(None, record.id, with_text=True)  # the server itself, across orgs
    assert parsed is not None and parsed.text == "the text" and parsed.summary == "a summary"
    assert parsed.parse_status == "success"
    assert await storage.delete_file(bob, record.id) is None
    deleted = await storage.delete_file(alice, record.id)
    assert deleted is not None and deleted.id == record.id
    assert await storage.get_file(alice, record.id) is None
