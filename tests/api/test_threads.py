"""Threads: create (with id and if_exists), get with values, patch, delete, search, count."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.harness.app import ApiHarness
from tests.harness.responses import error_of


async def create(c: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    resp = await c.post("/threads", json=body)
    assert resp.status_code == 201, resp.text
    thread: dict[str, Any] = resp.json()
    return thread


async def search(c: httpx.AsyncClient, **body: Any) -> list[dict[str, Any]]:
    resp = await c.post("/threads/search", json=body)
    assert resp.status_code == 200, resp.text
    found: list[dict[str, Any]] = resp.json()
    return found


async def count(c: httpx.AsyncClient, **body: Any) -> int:
    resp = await c.post("/threads/count", json=body)
    assert resp.status_code == 201, resp.text
    n: int = resp.json()
    return n


async def test_seed_creates_a_thread_from_an_empty_body(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        thread = await create(c)
    uuid.UUID(thread["thread_id"])
    assert thread["status"] == "idle"
    assert thread["created_at"].endswith("Z") and thread["updated_at"].endswith("Z")
    meta = thread["metadata"]
    uuid.UUID(meta["id"])  # the conversation id XpertAI's chat API uses
    assert meta["id"] != thread["thread_id"]
    assert "title" in meta and "assistant_id" in meta
    assert meta["title"] is None and meta["assistant_id"] is None


async def test_create_thread_with_id_metadata_title_and_assistant(api: ApiHarness) -> None:
    key, _ = await api.mint_key()
    async with api.client(key) as c:
        aid = (await c.post("/assistants", json={"name": "T", "slug": "t"})).json()["assistant_id"]
        thread = await create(
            c,
            thread_id="my-thread-1",
            assistant_id=aid,
            metadata={"title": "Billing question", "customer": "c-42"},
        )
        assert thread["thread_id"] == "my-thread-1"
        assert thread["metadata"]["title"] == "Billing question"
        assert thread["metadata"]["customer"] == "c-42"
        assert thread["metadata"]["assistant_id"] == aid
        error_of(await c.post("/threads", json={"assistant_id": "no-such-xpert"}), 404)


async def test_create_with_existing_id_raises_409_by_default(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        await create(c, thread_id="dup-thread")
        error_of(await c.post("/threads", json={"thread_id": "dup-thread"}), 409)
        error_of(await c.post("/threads", json={"thread_id": "dup-thread", "if_exists": "raise"}), 409)
        assert await count(c) == 1


async def test_create_with_existing_id_and_do_nothing_returns_the_same_thread(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        first = await create(c, thread_id="same-thread", metadata={"v": 1})
        again = await create(c, thread_id="same-thread", if_exists="do_nothing", metadata={"v": 2})
        assert again == first
        assert await count(c) == 1


async def test_bad_thread_id_gets_400(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        for bad in ("", "has space", "x" * 200, "/slash"):
            assert "thread_id" in error_of(await c.post("/threads", json={"thread_id": bad}), 400)
        assert await count(c) == 0


async def test_get_thread_has_values(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        thread = await create(c, metadata={"k": "v"})
        resp = await c.get(f"/threads/{thread['thread_id']}")
        assert resp.status_code == 200
        got = resp.json()
        assert "values" in got
        assert {k: v for k, v in got.items() if k != "values"} == thread


async def test_patch_merges_metadata(api: ApiHarness) -> None:
    key, _ = await api.mint_key()
    async with api.client(key, x_principal_user_id="editor") as c:
        thread = await create(c, metadata={"a": 1, "b": 1, "title": "Old"})
        tid = thread["thread_id"]
        resp = await c.patch(f"/threads/{tid}", json={"metadata": {"b": 2, "c": 3, "title": "New"}})
        assert resp.status_code == 200
        patched = resp.json()
        meta = patched["metadata"]
        assert {k: meta[k] for k in ("a", "b", "c", "title")} == {"a": 1, "b": 2, "c": 3, "title": "New"}
        assert meta["id"] == thread["metadata"]["id"], "the conversation id never changes"
        assert patched["updated_by"] == "editor"
        assert patched["updated_at"] >= thread["updated_at"]
        assert (await c.get(f"/threads/{tid}")).json()["metadata"] == meta
        # An empty patch changes nothing in the metadata.
        assert (await c.patch(f"/threads/{tid}", json={})).json()["metadata"] == meta
        error_of(await c.patch("/threads/no-such-thread", json={"metadata": {}}), 404)


async def test_delete_answers_202_with_empty_body_then_404(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        tid = (await create(c))["thread_id"]
        resp = await c.delete(f"/threads/{tid}")
        assert resp.status_code == 202 and resp.content == b""
        error_of(await c.get(f"/threads/{tid}"), 404)
        error_of(await c.delete(f"/threads/{tid}"), 404)
        error_of(await c.patch(f"/threads/{tid}", json={"metadata": {"x": 1}}), 404)
        assert await count(c) == 0
        # The id is free again.
        assert (await create(c, thread_id=tid))["thread_id"] == tid


async def test_search_filters_by_metadata_status_and_ids(api: ApiHarness) -> None:
    key, _ = await api.mint_key()
    async with api.client(key) as c:
        aid = (await c.post("/assistants", json={"name": "S", "slug": "s"})).json()["assistant_id"]
        made = [await create(c, metadata={"n": i, "even": i % 2 == 0, "title": f"T{i}"}) for i in range(5)]
        with_assistant = await create(c, assistant_id=aid)
        ids = [t["thread_id"] for t in made]

        assert [t["metadata"]["n"] for t in await search(c, metadata={"n": 3})] == [3]
        assert {t["metadata"]["n"] for t in await search(c, metadata={"even": True})} == {0, 2, 4}
        assert [t["metadata"]["n"] for t in await search(c, metadata={"title": "T1"})] == [1]
        assert [t["thread_id"] for t in await search(c, metadata={"assistant_id": aid})] == [
            with_assistant["thread_id"]
        ]
        conv = made[2]["metadata"]["id"]
        assert [t["thread_id"] for t in await search(c, metadata={"id": conv})] == [ids[2]]
        assert len(await search(c, status="idle")) == 6
        assert await search(c, status="busy") == []
        assert {t["thread_id"] for t in await search(c, ids=[ids[0], ids[4], "unknown"])} == {ids[0], ids[4]}
        assert await search(c, ids=[]) == []


async def test_search_pages_and_sorts(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        made = [(await create(c, thread_id=f"t-{i}"))["thread_id"] for i in range(5)]
        # Default: newest first, 10 at most.
        assert [t["thread_id"] for t in await search(c)] == made[::-1]
        assert [t["thread_id"] for t in await search(c, sort_by="created_at", sort_order="asc")] == made
        assert [t["thread_id"] for t in await search(c, sort_by="thread_id", sort_order="desc")] == sorted(
            made, reverse=True
        )
        page = await search(c, sort_by="created_at", sort_order="asc", limit=2, offset=2)
        assert [t["thread_id"] for t in page] == made[2:4]
        assert await search(c, offset=5) == []
        assert [t["thread_id"] for t in await search(c, limit=1)] == [made[-1]]
        await c.patch(f"/threads/{made[0]}", json={"metadata": {"touched": True}})
        assert (await search(c, sort_by="updated_at", sort_order="desc", limit=1))[0]["thread_id"] == made[0]


async def test_search_results_carry_the_thread_shape(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        thread = await create(c, metadata={"title": "Shape"})
        (found,) = await search(c)
    assert found == thread
    assert set(found) == {
        "thread_id",
        "status",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
        "metadata",
    }


async def test_count_answers_201_with_a_number(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        assert await count(c) == 0
        for i in range(3):
            await create(c, metadata={"kind": "a" if i else "b"})
        assert await count(c) == 3
        assert await count(c, metadata={"kind": "a"}) == 2
        assert await count(c, status="idle") == 3
        assert await count(c, status="error") == 0
