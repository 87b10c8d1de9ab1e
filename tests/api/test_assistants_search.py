"""Assistants search answers from shapes rendered once per row stamp (api/wire/assistants.py
RenderedAssistants): every write shows in the next search, whoever made it, and each org sees its own."""

from __future__ import annotations

from typing import Any

import httpx

from tests.harness.app import ApiHarness
from xpert_server.api.wire.assistants import RenderedAssistants
from xpert_server.auth.principal import Principal
from xpert_server.storage.records import AssistantRecord, AssistantStamp


async def search(c: httpx.AsyncClient, **body: Any) -> list[dict[str, Any]]:
    resp = await c.post("/assistants/search", json=body)
    assert resp.status_code == 201, resp.text
    assert resp.headers["content-type"] == "application/json"
    found: list[dict[str, Any]] = resp.json()
    return found


async def one_by_one(c: httpx.AsyncClient, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [(await c.get(f"/assistants/{a['assistant_id']}")).json() for a in found]


async def test_search_answers_each_assistant_as_get_does_after_every_kind_of_write(api: ApiHarness) -> None:
    key, org = await api.mint_key()
    async with api.client(key) as c:
        made = await c.post(
            "/assistants",
            json={
                "name": "Alpha",
                "slug": "alpha",
                "config": {"configurable": {"temperature": 0.5}},
                "metadata": {"team": "ops", "n": 0},
                "context": {"tone": "dry"},
            },
        )
        aid = made.json()["assistant_id"]
        await c.post("/assistants", json={"name": "Beta", "slug": "beta", "description": "second"})
        first = await search(c)
        assert [a["name"] for a in first] == ["Beta", "Alpha"]
        assert first == await one_by_one(c, first)
        assert first[1]["context"] == {"tone": "dry"} and first[1]["config"]["configurable"] == {
            "temperature": 0.5
        }

        # Through the API: a new version.
        await c.patch(f"/assistants/{aid}", json={"description": "patched", "metadata": {"n": 1}})
        patched = await search(c, metadata={"slug": "alpha"})
        assert patched[0]["version"] == 2 and patched[0]["description"] == "patched"
        assert patched[0]["metadata"]["n"] == 1 and patched == await one_by_one(c, patched)

        # An older version made current again.
        resp = await c.post(f"/assistants/{aid}/latest", json={"version": 1})
        assert resp.status_code == 201, resp.text
        back = await search(c, metadata={"slug": "alpha"})
        assert back[0]["version"] == 1 and back[0]["description"] is None
        assert back == await one_by_one(c, back)

        # Behind the API's back (another process, the CLI): storage alone, nothing told the renderer.
        await api.services.storage.update_assistant(Principal.system(org), aid, {"name": "Alpha (CLI)"})
        behind = await search(c, sort_by="name", sort_order="asc")
        assert [a["name"] for a in behind] == ["Alpha (CLI)", "Beta"]
        assert behind == await one_by_one(c, behind)

        await c.delete(f"/assistants/{aid}")
        assert [a["name"] for a in await search(c)] == ["Beta"]


async def test_a_warm_search_shows_each_org_and_each_bound_key_only_its_own(api: ApiHarness) -> None:
    key_a, org_a = await api.mint_key()
    key_b, _ = await api.mint_key()
    async with api.client(key_a) as a, api.client(key_b) as b:
        ids_a = [
            (await a.post("/assistants", json={"name": f"A{i}", "slug": f"a{i}"})).json()["assistant_id"]
            for i in range(3)
        ]
        (await b.post("/assistants", json={"name": "B0", "slug": "b0"})).json()
        for _ in range(2):  # the second time every shape is rendered already
            assert sorted(x["assistant_id"] for x in await search(a)) == sorted(ids_a)
            assert [x["name"] for x in await search(b)] == ["B0"]
            assert await search(b, metadata={"slug": "a0"}) == []
            assert await search(b, graph_id=ids_a[0]) == []
        bound_key, _ = await api.mint_key(org_a, xpert_id=ids_a[1])
        async with api.client(bound_key) as bound:
            assert [x["assistant_id"] for x in await search(bound)] == [ids_a[1]]
            assert await search(bound, metadata={"slug": "a0"}) == []


def record(n: int, version: int = 1, size: int = 10) -> AssistantRecord:
    return AssistantRecord(
        id=f"id-{n}",
        org_id="org",
        slug=f"s{n}",
        name="x" * size,
        description=None,
        version=version,
        source="api",
        definition={},
        config={},
        metadata={},
        context=None,
        created_at=1.0,
        updated_at=float(version),
    )


def stamp(r: AssistantRecord) -> AssistantStamp:
    return AssistantStamp(r.id, r.version, r.updated_at)


def test_rendered_shapes_are_bounded_and_never_served_for_another_stamp() -> None:
    cache = RenderedAssistants(max_bytes=1000, max_item=400)
    rows = [record(n, size=100) for n in range(20)]
    page = cache.page([stamp(r) for r in rows], rows)
    assert len(page) > 1000  # all 20 sent
    assert cache._size <= 1000 and len(cache._kept) < 20  # but not all kept
    kept = [r for r in rows if r.id in cache._kept]
    assert cache.missing([stamp(r) for r in kept]) == []
    newer = record(int(kept[0].id.split("-")[1]), version=2, size=100)
    assert cache.missing([stamp(newer)]) == [newer.id]
    # A stamp read before a row changed, with the row fetched after: the newer content is sent.
    assert b'"version":2' in cache.page([stamp(kept[0])], [newer])
    assert cache.missing([stamp(kept[0])]) == [kept[0].id]
    big = record(99, size=1000)
    assert b"x" * 1000 in cache.page([stamp(big)], [big])
    assert cache.missing([stamp(big)]) == [big.id]  # larger than max_item: rendered each time
    # A row gone between the two reads is left out.
    gone = record(98)
    assert cache.page([stamp(gone)], []) == b"[]"
