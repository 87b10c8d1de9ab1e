"""Assistants (xperts): the seed's search, and create/update/delete/versions/count/search."""

from __future__ import annotations

from typing import Any

import httpx

from tests.harness.app import ApiHarness
from tests.harness.responses import error_of

SUPPORT = {
    "name": "Support",
    "slug": "support",
    "description": "Answers support questions.",
    "system_prompt": "You are a support agent.",
    "model": {"provider": "offline"},
    "tools": ["calculator"],
    "tags": ["help", "faq"],
    "max_steps": 5,
}


async def create(c: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    resp = await c.post("/assistants", json=body)
    assert resp.status_code == 201, resp.text
    created: dict[str, Any] = resp.json()
    return created


async def slugs(c: httpx.AsyncClient, **search: Any) -> list[str]:
    resp = await c.post("/assistants/search", json=search)
    assert resp.status_code == 201, resp.text
    return [a["metadata"]["slug"] for a in resp.json()]


async def test_seed_finds_the_demo_xpert_by_slug(api: ApiHarness) -> None:
    key, _ = await api.mint_key("default")
    async with api.client(key) as c:
        resp = await c.post(
            "/assistants/search", json={"limit": 1, "offset": 0, "metadata": {"slug": "demo"}}
        )
    assert resp.status_code == 201
    (demo,) = resp.json()
    assert demo["xpert_id"] == demo["assistant_id"] == demo["graph_id"]
    assert demo["name"] == "Demo" and demo["metadata"]["slug"] == "demo"
    assert demo["metadata"]["type"] == "agent" and demo["metadata"]["title"] == "Demo assistant"
    assert set(demo) >= {
        "assistant_id",
        "xpert_id",
        "graph_id",
        "name",
        "description",
        "version",
        "created_at",
        "updated_at",
        "config",
        "metadata",
        "context",
    }


async def test_demo_xpert_is_not_visible_to_other_orgs(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        assert await slugs(c, metadata={"slug": "demo"}) == []


async def test_create_assistant_from_a_definition(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        made = await create(c, **SUPPORT)
        assert made["assistant_id"] == made["xpert_id"] == made["graph_id"]
        assert made["version"] == 1 and made["name"] == "Support"
        assert made["description"] == "Answers support questions."
        assert made["metadata"]["slug"] == "support" and made["metadata"]["tags"] == ["help", "faq"]
        got = (await c.get(f"/assistants/{made['assistant_id']}")).json()
        assert got == made


async def test_create_assistant_with_given_id_and_if_exists(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        made = await create(c, assistant_id="fixed-id", name="Fixed", slug="fixed")
        assert made["assistant_id"] == "fixed-id"
        error_of(
            await c.post("/assistants", json={"assistant_id": "fixed-id", "name": "Again", "slug": "again"}),
            409,
        )
        same = await create(c, assistant_id="fixed-id", name="Again", slug="again", if_exists="do_nothing")
        assert same == made


async def test_duplicate_slug_gets_409(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        await create(c, name="One", slug="dup")
        error_of(await c.post("/assistants", json={"name": "Two", "slug": "dup"}), 409)
        assert await slugs(c) == ["dup"]
    async with await api.tenant() as other_org:
        await create(other_org, name="Same slug elsewhere", slug="dup")


async def test_invalid_definition_gets_400_naming_each_field(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        message = error_of(
            await c.post("/assistants", json={"name": "x", "slug": "Bad Slug!", "max_steps": 0}), 400
        )
        assert "slug" in message and "max_steps" in message, message
        message = error_of(await c.post("/assistants", json={"name": "x", "slug": "ok", "modle": {}}), 400)
        assert "modle" in message, message
        message = error_of(
            await c.post("/assistants", json={"name": "x", "slug": "ok", "model": {"temperature": 9}}), 400
        )
        assert "model.temperature" in message, message
        assert (await c.post("/assistants/count", json={})).json() == 0


async def test_patch_bumps_version_and_keeps_history(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        aid = (await create(c, **SUPPORT))["assistant_id"]
        resp = await c.patch(f"/assistants/{aid}", json={"name": "Support v2", "system_prompt": "Be brief."})
        assert resp.status_code == 200, resp.text
        v2 = resp.json()
        assert v2["version"] == 2 and v2["name"] == "Support v2"
        assert v2["metadata"]["slug"] == "support", "a patch without slug keeps the slug"
        v3 = (await c.patch(f"/assistants/{aid}", json={"description": "third"})).json()
        assert v3["version"] == 3 and v3["name"] == "Support v2" and v3["description"] == "third"
        assert (await c.get(f"/assistants/{aid}")).json()["version"] == 3

        listed = await c.get(f"/assistants/{aid}/versions")
        assert listed.status_code == 200
        assert [v["version"] for v in listed.json()] == [3, 2, 1]
        assert [v["name"] for v in listed.json()] == ["Support v2", "Support v2", "Support"]
        assert all(v["assistant_id"] == aid for v in listed.json())
        posted = await c.post(f"/assistants/{aid}/versions", json={"limit": 2, "offset": 1})
        assert posted.status_code == 201
        assert [v["version"] for v in posted.json()] == [2, 1]
        assert [v["version"] for v in (await c.get(f"/assistants/{aid}/versions?limit=1")).json()] == [3]


async def test_patch_to_a_taken_slug_gets_409_and_changes_nothing(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        await create(c, name="A", slug="taken")
        b = await create(c, name="B", slug="free")
        error_of(await c.patch(f"/assistants/{b['assistant_id']}", json={"slug": "taken"}), 409)
        assert (await c.get(f"/assistants/{b['assistant_id']}")).json() == b


async def test_patch_with_bad_body_changes_nothing(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        made = await create(c, **SUPPORT)
        aid = made["assistant_id"]
        message = error_of(await c.patch(f"/assistants/{aid}", json={"max_steps": 0, "slug": "No!"}), 400)
        assert "max_steps" in message and "slug" in message
        error_of(await c.patch(f"/assistants/{aid}", json={"name": ""}), 400)
        assert (await c.get(f"/assistants/{aid}")).json() == made
        assert len((await c.get(f"/assistants/{aid}/versions")).json()) == 1


async def test_delete_assistant_answers_200_json_then_404(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        aid = (await create(c, name="Gone", slug="gone"))["assistant_id"]
        resp = await c.delete(f"/assistants/{aid}")
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/json")
        assert resp.json()
        error_of(await c.get(f"/assistants/{aid}"), 404)
        error_of(await c.get(f"/assistants/{aid}/versions"), 404)
        error_of(await c.delete(f"/assistants/{aid}"), 404)
        assert await slugs(c) == []


async def test_count_answers_201_with_a_number(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        assert (await c.post("/assistants/count", json={})).json() == 0
        await create(c, name="A", slug="a", type="agent")
        await create(c, name="B", slug="b", type="agent")
        await create(c, name="C", slug="c", type="knowledge")
        resp = await c.post("/assistants/count", json={})
        assert resp.status_code == 201 and resp.json() == 3
        assert (await c.post("/assistants/count", json={"metadata": {"type": "agent"}})).json() == 2
        assert (await c.post("/assistants/count", json={"metadata": {"type": "nope"}})).json() == 0


async def test_search_filters_by_metadata(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        await create(c, name="Alpha", slug="alpha", type="agent", tags=["red"], title="First")
        await create(c, name="Beta", slug="beta", type="agent", tags=["blue", "red"])
        await create(c, name="Gamma", slug="gamma", type="knowledge", metadata={"team": "ops"})
        assert await slugs(c, metadata={"slug": "beta"}) == ["beta"]
        assert sorted(await slugs(c, metadata={"type": "agent"})) == ["alpha", "beta"]
        assert await slugs(c, metadata={"title": "First"}) == ["alpha"]
        assert await slugs(c, metadata={"team": "ops"}) == ["gamma"]
        assert await slugs(c, metadata={"tags": ["blue", "red"]}) == ["beta"]
        assert await slugs(c, metadata={"type": "agent", "slug": "gamma"}) == []
        assert await slugs(c, metadata={"no-such-key": "x"}) == []


async def test_search_pages_and_sorts(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        for name in ("Charlie", "Alpha", "Bravo", "Delta"):
            await create(c, name=name, slug=name.lower())
        assert await slugs(c, sort_by="name", sort_order="asc") == ["alpha", "bravo", "charlie", "delta"]
        assert await slugs(c, sort_by="name", sort_order="asc", limit=2, offset=1) == ["bravo", "charlie"]
        assert await slugs(c, sort_by="name", sort_order="desc", limit=1) == ["delta"]
        assert await slugs(c, sort_by="name", sort_order="asc", offset=4) == []
        # Default order: newest first.
        assert await slugs(c) == ["delta", "bravo", "alpha", "charlie"]
        assert await slugs(c, limit=2) == ["delta", "bravo"]


async def test_search_with_graph_id_finds_that_assistant(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        one = await create(c, name="One", slug="one")
        await create(c, name="Two", slug="two")
        assert await slugs(c, graph_id=one["graph_id"]) == ["one"]


async def test_unknown_assistant_gets_404(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        message = error_of(await c.get("/assistants/no-such-xpert"), 404)
        assert "no-such-xpert" in message
        error_of(await c.patch("/assistants/no-such-xpert", json={"description": "x"}), 404)


async def test_metadata_filter_on_a_list_or_object_matches_exactly(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        await create(
            c,
            name="Tagged",
            slug="tagged",
            tags=["blue", "red"],
            metadata={"owner": {"team": "ops", "on_call": True}},
        )
        assert await slugs(c, metadata={"tags": ["blue", "red"]}) == ["tagged"]
        assert await slugs(c, metadata={"owner": {"team": "ops", "on_call": True}}) == ["tagged"]
        assert await slugs(c, metadata={"tags": ["red"]}) == []
        assert await slugs(c, metadata={"owner": {"team": "ops"}}) == []
