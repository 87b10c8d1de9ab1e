"""The pieces on their own: chunking, tokens, names, type detection, url signing, fusion, embedders."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from xpert_server.knowledge import chunk, parse, signing, tokens
from xpert_server.knowledge.embed import OfflineEmbedder, OpenAIEmbedder
from xpert_server.knowledge.filestore import LocalFileStore, sanitise_name
from xpert_server.knowledge.search import coverage, fuse
from xpert_server.knowledge.sideindex import SideIndex

pytestmark = pytest.mark.any_mode  # plain functions and local files


def test_chunks_respect_size_and_overlap() -> None:
    text = "\n\n".join(f"Paragraph {i}. " + "This sentence is filler text. " * 8 for i in range(10))
    cfg = chunk.ChunkConfig(size=300, overlap=40)
    chunks = chunk.split_text(text, cfg)
    assert len(chunks) > 5
    assert all(len(c) <= 300 for c in chunks)
    joined = " ".join(chunks)
    assert all(f"Paragraph {i}." in joined for i in range(10))
    # Chinese without spaces: still cut at sentence ends.
    zh = "这是第一句话。" * 100
    zh_chunks = chunk.split_text(zh, chunk.ChunkConfig(size=100, overlap=10))
    assert all(len(c) <= 100 for c in zh_chunks)
    assert all(c.endswith("。") for c in zh_chunks)


def test_chunk_config_from_xpertai_parser_config() -> None:
    cfg = chunk.ChunkConfig.from_parser_config({"chunkSize": "20", "chunkOverlap": 999, "delimiter": "\\n"})
    assert (cfg.size, cfg.overlap, cfg.delimiter) == (chunk.MIN_CHUNK_SIZE, chunk.MIN_CHUNK_SIZE // 2, "\n")
    assert chunk.ChunkConfig.from_parser_config(None) == chunk.ChunkConfig()
    assert chunk.split_text("   \n\n  ") == []


def test_tokens_for_chinese_and_english() -> None:
    assert tokens.tokenize("The pumps' warranties") == ["pump", "warranty"]
    assert tokens.tokenize("保修期") == ["保修", "修期"]
    assert tokens.tokenize("X200水泵") == ["x200", "水泵"]
    assert tokens.query_terms("水泵 水泵 pump") == ["水泵", "pump"]
    assert tokens.fts5_query(['a"b']) == '"a""b"'
    assert tokens.tsvector_text(["a", "b", "a"]) == "'a':1,3 'b':2"
    assert tokens.tsquery_text(["it's"]) == "'it''s'"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\cv.pdf", "cv.pdf"),
        ("a\x00b\r\nc.txt", "a_b_c.txt"),
        ("...", "upload"),
        ("", "upload"),
        (None, "upload"),
        ("报告.docx", "报告.docx"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_sanitise_name(raw: str | None, clean: str) -> None:
    assert sanitise_name(raw) == clean


def test_local_store_aborts_and_refuses_escapes(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    w = store.writer("org/ab/one")
    w.write(b"hello")
    w.abort()
    assert not any(p.is_file() for p in (tmp_path / "files").rglob("*"))
    w = store.writer("org/ab/two")
    w.write(b"hello")
    assert w.commit() == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert store.head("org/ab/two", 2) == b"he"
    with pytest.raises(ValueError):
        store.writer("../outside")


def test_detect_by_magic_then_name() -> None:
    assert parse.detect(b"%PDF-1.7", "notes.txt").kind == "pdf"
    assert parse.detect(b"\x89PNG\r\n\x1a\n....", "x").mime_type == "image/png"
    assert parse.detect(b"<!DOCTYPE html><html>", "page").kind == "html"
    assert parse.detect(b"a,b\n1,2", "t.csv").capabilities[-1] == "table_query"
    assert parse.detect(b"\x00\x01\x02", "blob.bin").kind == "binary"
    assert parse.detect(b"just text", "fake.pdf").kind == "text"
    assert parse.decode("中文".encode("gb18030")) == "中文"
    assert parse.decode("\ufeffbom".encode()) == "bom"


def test_signed_urls() -> None:
    secret = b"k" * 32
    query = signing.signed_query(secret, "f1", ttl=60)
    params = dict(p.split("=") for p in query.split("&"))
    assert signing.verify(secret, "f1", params["expires"], params["signature"])
    assert not signing.verify(secret, "f2", params["expires"], params["signature"])
    assert not signing.verify(b"other" * 7, "f1", params["expires"], params["signature"])
    old = str(int(time.time()) - 10)
    assert not signing.verify(secret, "f1", old, signing.sign(secret, "f1", int(old)))
    assert not signing.verify(secret, "f1", None, None)


def test_fusion_and_coverage() -> None:
    fused = fuse([[(1, 1.0), (2, 1.0)], [(2, 0.5), (3, 0.5)]], [1.0, 0.5])
    assert [cid for cid, _ in fused] == [2, 1, 3]
    assert fused[0][1] <= 1.0
    assert fuse([[(7, 1.0)]])[0] == (7, 1.0)
    assert coverage(["pump", "code"], "The pump code is 1") == 1.0
    assert coverage(["保修", "修期"], "保修两年") == 0.5
    assert coverage([], "x") == 0.0


async def test_offline_embedder_is_multilingual() -> None:
    embedder = OfflineEmbedder()
    try:
        v = await embedder.embed(
            ["How long is the warranty?", "保修期有多长？", "The cat sleeps on the sofa."]
        )
    finally:
        await embedder.close()
    assert v.shape == (3, 512) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])


async def test_openai_compatible_embedder() -> None:
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append({"auth": request.headers.get("authorization"), **body})
        data = [{"index": i, "embedding": [float(len(t)), 1.0, 0.0]} for i, t in enumerate(body["input"])]
        return httpx.Response(200, json={"data": list(reversed(data))})

    embedder = OpenAIEmbedder(
        "http://emb.test/v1/",
        "text-embedding-3-small",
        "sk-test",
        batch=2,
        transport=httpx.MockTransport(handler),
    )
    v = await embedder.embed(["a", "bbb", "cc"])
    await embedder.close()
    assert embedder.name == "openai:text-embedding-3-small"
    assert v.shape == (3, 3)
    assert np.allclose(v[1], np.array([3.0, 1.0, 0.0]) / np.sqrt(10), atol=1e-6)
    assert [s["input"] for s in seen] == [["a", "bbb"], ["cc"]]
    assert seen[0]["auth"] == "Bearer sk-test" and seen[0]["model"] == "text-embedding-3-small"


async def test_side_index_vectors_and_tokens(tmp_path: Path) -> None:
    idx = SideIndex(tmp_path / "k.sqlite")
    await idx.open()
    assert idx.has_vec
    vecs = np.eye(4, dtype=np.float32)
    await idx.add("kb1", [1, 2, 3, 4], ["alpha beta", "beta", "gamma", "delta"], vecs)
    await idx.add("kb2", [5], ["alpha"], vecs[:1])
    assert [i for i, _ in await idx.dense("kb1", vecs[1], 2)][0] == 2
    assert [i for i, _ in await idx.lexical("kb1", tokens.fts5_query(["alpha"]), 5)] == [1]
    await idx.remove([1])
    assert await idx.lexical("kb1", tokens.fts5_query(["alpha"]), 5) == []
    assert await idx.stats() == (4, 5)
    await idx.close()
