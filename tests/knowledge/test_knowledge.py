"""Knowledge bases over HTTP: CRUD, documents and their processing status, restarts, search on both
backends, and retrieval quality on a mixed Chinese/English corpus."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.harness.app import open_harness
from tests.knowledge.common import evaluate, ingest_corpus, wait_parsed, wait_processed
from tests.knowledge.conftest import KEnv
from tests.knowledge.docs import FACT, manual_pdf

ORDER = ["waiting", "running", "embedding", "finish"]


async def test_crud(kenv: KEnv) -> None:
    async with await kenv.client() as c, await kenv.client() as other:
        resp = await c.post(
            "/knowledges",
            json={
                "name": "Manuals",
                "description": "Product manuals",
                "permission": "organization",
                "recall": {"topK": 4, "score": 0.2},
                "parserConfig": {"chunkSize": 300, "chunkOverlap": 30, "delimiter": "\\n\\n"},
                "language": "Chinese",
            },
        )
        assert resp.status_code == 201, resp.text
        kb = resp.json()
        assert (kb["name"], kb["permission"], kb["language"]) == ("Manuals", "organization", "Chinese")
        assert kb["recall"] == {"topK": 4, "score": 0.2}
        assert kb["parserConfig"]["chunkSize"] == 300
        assert (await c.post("/knowledges", json={"name": "Manuals"})).status_code == 409
        assert (await c.post("/knowledges", json={"name": ""})).status_code == 400
        assert (await c.post("/knowledges", json={"name": "x", "permission": "everyone"})).status_code == 400
        put = await c.put(f"/knowledges/{kb['id']}", json={"name": "Manuals v2", "recall": {"topK": 6}})
        assert put.status_code == 200
        assert put.json()["name"] == "Manuals v2"
        assert put.json()["recall"] == {"topK": 6, "score": 0.2}
        assert (await c.get("/knowledges/Manuals v2")).json()["id"] == kb["id"]
        assert [k["id"] for k in (await c.get("/knowledges")).json()] == [kb["id"]]
        # Another org sees nothing.
        assert (await other.get(f"/knowledges/{kb['id']}")).status_code == 404
        assert (await other.put(f"/knowledges/{kb['id']}", json={"name": "x"})).status_code == 404
        assert (await other.delete(f"/knowledges/{kb['id']}")).status_code == 404
        assert (await other.post(f"/knowledges/{kb['id']}/search", json={"query": "x"})).status_code == 404
        deleted = await c.delete(f"/knowledges/{kb['id']}")
        assert deleted.status_code == 200
        assert deleted.json()["deleted"] is True
        assert (await c.get(f"/knowledges/{kb['id']}")).status_code == 404


async def test_documents_progress_to_finish_and_search(kenv: KEnv) -> None:
    async with await kenv.client() as c:
        kb = (await c.post("/knowledges", json={"name": "pumps", "parserConfig": {"chunkSize": 200}})).json()
        file = (await c.post("/contexts/file", files={"file": ("manual.pdf", manual_pdf())})).json()
        long_text = "\n\n".join(
            f"Section {i}. The valve number {i} must be checked weekly." for i in range(60)
        )
        created = await c.post(
            f"/knowledges/{kb['id']}/bulk",
            json=[{"fileId": file["id"]}, {"name": "valves.txt", "text": long_text}],
        )
        assert created.status_code == 201, created.text
        docs = created.json()
        assert [d["name"] for d in docs] == ["manual.pdf", "valves.txt"]
        assert all(d["status"] == "waiting" and d["knowledgebaseId"] == kb["id"] for d in docs)
        ids = [d["id"] for d in docs]
        started = await c.post(f"/knowledges/{kb['id']}/process", json=ids)
        assert started.status_code == 201
        seen: list[list[dict[str, object]]] = []
        final = await wait_processed(c, kb["id"], ids, seen=seen)
        assert [s["status"] for s in final] == ["finish", "finish"]
        assert all(s["progress"] == 100 for s in final)
        # Every status seen moves forward only, and progress never goes back.
        for i in range(len(ids)):
            states = [snap[i]["status"] for snap in seen if len(snap) == len(ids)]
            ranks = [ORDER.index(s) for s in states]  # type: ignore[arg-type]
            assert ranks == sorted(ranks), states
            progress = [float(snap[i]["progress"]) for snap in seen if len(snap) == len(ids)]  # type: ignore[arg-type]
            assert progress == sorted(progress)
        listed = (await c.get(f"/knowledges/{kb['id']}/documents")).json()
        assert {d["name"]: d["chunkNum"] for d in listed}["valves.txt"] > 5
        hits = (
            await c.post(
                f"/knowledges/{kb['id']}/search",
                json={"query": "What is the emergency shutoff code?", "topK": 2},
            )
        ).json()["items"]
        assert hits[0]["document_name"] == "manual.pdf"
        assert "7341-B" in hits[0]["content"]
        assert set(hits[0]) >= {"document_id", "document_name", "chunk_id", "content", "score"}
        assert 0 < hits[0]["score"] <= 1
        # Status of a subset, and of every document when no ids are given.
        assert len((await c.get(f"/knowledges/{kb['id']}/status", params={"ids": ids[0]})).json()) == 1
        assert len((await c.get(f"/knowledges/{kb['id']}/status")).json()) == 2
        # Deleting a document removes its chunks from search.
        assert (await c.post(f"/knowledges/{kb['id']}/documents/delete", json=[ids[0]])).status_code == 201
        hits = (await c.post(f"/knowledges/{kb['id']}/search", json={"query": FACT})).json()["items"]
        assert all(h["document_name"] != "manual.pdf" for h in hits)


async def test_bad_documents_end_in_error(kenv: KEnv) -> None:
    async with await kenv.client() as c, await kenv.client() as other:
        kb = (await c.post("/knowledges", json={"name": "broken"})).json()
        bad = (await c.post("/contexts/file", files={"file": ("bad.pdf", b"%PDF-1.4 nonsense")})).json()
        await wait_parsed(c, bad["id"])
        foreign = (await other.post("/contexts/file", files={"file": ("x.txt", b"theirs")})).json()
        assert (
            await c.post(f"/knowledges/{kb['id']}/bulk", json=[{"fileId": foreign["id"]}])
        ).status_code == 404
        assert (await c.post(f"/knowledges/{kb['id']}/bulk", json=[{"name": "nothing"}])).status_code == 400
        docs = (
            await c.post(
                f"/knowledges/{kb['id']}/bulk",
                json=[
                    {"fileId": bad["id"]},
                    {"name": "blank", "text": "   "},
                    {"name": "fine", "text": "All good here."},
                ],
            )
        ).json()
        ids = [d["id"] for d in docs]
        await c.post(f"/knowledges/{kb['id']}/process", json={"ids": ids})
        final = {s["id"]: s for s in await wait_processed(c, kb["id"], ids)}
        assert final[ids[0]]["status"] == "error" and "could not be read" in final[ids[0]]["processMsg"]
        assert final[ids[1]]["status"] == "error" and final[ids[1]]["processMsg"]
        assert final[ids[2]]["status"] == "finish"
        assert (await c.post(f"/knowledges/{kb['id']}/process", json="nope")).status_code == 400


async def test_processing_survives_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    files_dir = tmp_path / "uploads"
    async with open_harness(tmp_path, url, files_dir=files_dir) as h:
        key, org = await h.mint_key()
        async with h.client(key) as c:
            kb = (await c.post("/knowledges", json={"name": "restart"})).json()
            docs = (
                await c.post(
                    f"/knowledges/{kb['id']}/bulk",
                    json=[
                        {"name": "a", "text": "Alpha document about turbines."},
                        {"name": "b", "text": "Beta document about bridges."},
                    ],
                )
            ).json()
        service = h.services.knowledge
        assert service is not None
        await service.stop_workers()
        storage = h.services.storage
        await storage.queue_documents(org, kb["id"], [d["id"] for d in docs])
        # Both documents are taken mid-way, then the process "dies" (its leases have run out).
        for _ in docs:
            claimed = await storage.claim_document(lease=120)
            assert claimed is not None and claimed.claim is not None
            await storage.update_document(
                claimed.id,
                claimed.claim,
                status="embedding",
                progress=40.0,
                lease_until=time.time() - 1,
                attempts=1 if claimed.name == "a" else 3,
            )
    async with open_harness(tmp_path, url, files_dir=files_dir) as h:
        async with h.client(key) as c:
            final = {s["id"]: s for s in await wait_processed(c, kb["id"], [d["id"] for d in docs])}
            a, b = final[docs[0]["id"]], final[docs[1]["id"]]
            assert a["status"] == "finish" and a["progress"] == 100
            assert b["status"] == "error" and "interrupted" in b["processMsg"]
            hits = (await c.post(f"/knowledges/{kb['id']}/search", json={"query": "turbines"})).json()[
                "items"
            ]
            assert hits[0]["document_name"] == "a"


async def test_search_on_both_backends(any_kenv: KEnv) -> None:
    async with await any_kenv.client() as c:
        kb = (await c.post("/knowledges", json={"name": f"both-{any_kenv.backend}"})).json()
        docs = (
            await c.post(
                f"/knowledges/{kb['id']}/bulk",
                json=[
                    {
                        "name": "returns.md",
                        "text": "本店商品在签收后三十天内可以无理由退货，运费由顾客承担。",
                    },
                    {
                        "name": "router.md",
                        "text": "Hold the reset button of the R5 router for fifteen seconds.",
                    },
                    {"name": "codes.md", "text": "Error ZQ-4471 on the display means the fuse is blown."},
                ],
            )
        ).json()
        await c.post(f"/knowledges/{kb['id']}/process", json=[d["id"] for d in docs])
        await wait_processed(c, kb["id"], [d["id"] for d in docs])
        for query, expected in [
            ("退货期限是多久？", "returns.md"),
            ("How long can I return goods?", "returns.md"),
            ("路由器怎么重置？", "router.md"),
            ("ZQ-4471", "codes.md"),
        ]:
            for mode in ("hybrid", "dense", "lexical"):
                resp = await c.post(
                    f"/knowledges/{kb['id']}/search", json={"query": query, "topK": 3, "mode": mode}
                )
                assert resp.status_code == 201, resp.text
                items = resp.json()["items"]
                if mode == "hybrid" or (mode == "lexical" and expected == "codes.md"):
                    assert items[0]["document_name"] == expected, (any_kenv.backend, mode, query, items)


async def test_corpus_retrieval_quality(kenv: KEnv, capsys: pytest.CaptureFixture[str]) -> None:
    """≥ 30 documents, ≥ 40 questions (≥ a third cross-language): hybrid top-3 hit rate ≥ 0.9."""
    async with await kenv.client() as c:
        kb_id = await ingest_corpus(c, "corpus")
        results = {mode: await evaluate(c, kb_id, mode) for mode in ("dense", "lexical", "hybrid")}
    with capsys.disabled():
        print(f"\n[knowledge corpus, {kenv.backend}]")
        for mode, s in results.items():
            print(f"  {mode:8s} MRR {s.mrr:.3f}  hit@3 {s.hit3:.3f}  cross-language hit@3 {s.hit3_cross:.3f}")
    hybrid = results["hybrid"]
    assert hybrid.hit3 >= 0.9, hybrid.misses
    assert hybrid.hit3_cross >= 0.8, hybrid.misses
    assert results["dense"].hit3 >= 0.9
