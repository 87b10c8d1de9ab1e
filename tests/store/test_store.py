"""The Store over HTTP (put/get/search/namespaces/delete), isolated per organization, and from graphs."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from tests.harness.chat import run_body
from tests.harness.scripted import ORG, ORG_B, ScriptedEnv
from tests.runs.common import error_of, new_thread, ok


async def put(c: httpx.AsyncClient, namespace: list[str], key: str, value: dict[str, Any]) -> None:
    assert ok(await c.put("/store/items", json={"namespace": namespace, "key": key, "value": value})) == {
        "success": True
    }


async def get(c: httpx.AsyncClient, namespace: list[str], key: str) -> Any:
    return ok(await c.get("/store/items", params={"namespace": ".".join(namespace), "key": key}))


async def search(c: httpx.AsyncClient, **body: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(await c.post("/store/items/search", json=body), 201)["items"]
    return items


async def namespaces(c: httpx.AsyncClient, **body: Any) -> list[list[str]]:
    found: list[list[str]] = ok(await c.post("/store/namespaces", json=body), 201)["namespaces"]
    return found


async def test_put_get_replace_delete(scripted: ScriptedEnv) -> None:
    async with await scripted.harness.tenant() as c:
        assert await get(c, ["prefs", "u1"], "theme") is None
        await put(c, ["prefs", "u1"], "theme", {"color": "dark"})
        item = await get(c, ["prefs", "u1"], "theme")
        assert item["namespace"] == ["prefs", "u1"] and item["key"] == "theme"
        assert item["value"] == {"color": "dark"}
        assert item["created_at"].endswith("Z") and item["updated_at"] == item["created_at"]
        await put(c, ["prefs", "u1"], "theme", {"color": "light"})
        again = await get(c, ["prefs", "u1"], "theme")
        assert again["value"] == {"color": "light"} and again["created_at"] == item["created_at"]
        assert again["updated_at"] >= item["updated_at"]
        assert ok(
            await c.request("DELETE", "/store/items", json={"namespace": ["prefs", "u1"], "key": "theme"})
        ) == {"success": True}
        assert await get(c, ["prefs", "u1"], "theme") is None
        error_of(
            await c.request("DELETE", "/store/items", json={"namespace": ["prefs", "u1"], "key": "theme"}),
            404,
        )


async def test_two_orgs_are_isolated(scripted: ScriptedEnv) -> None:
    async with await scripted.harness.tenant() as a, await scripted.harness.tenant() as b:
        await put(a, ["shared", "ns"], "k", {"owner": "a"})
        await put(a, ["only", "a"], "k2", {"owner": "a", "secret": True})
        assert await get(b, ["shared", "ns"], "k") is None
        assert await search(b) == [] and await search(b, namespace_prefix=["shared"]) == []
        assert await search(b, query="owner") == [] and await search(b, filter={"owner": "a"}) == []
        assert await namespaces(b) == []
        # Same namespace and key in B: its own item; A's stays A's.
        await put(b, ["shared", "ns"], "k", {"owner": "b"})
        assert (await get(a, ["shared", "ns"], "k"))["value"] == {"owner": "a"}
        assert (await get(b, ["shared", "ns"], "k"))["value"] == {"owner": "b"}
        assert [i["value"] for i in await search(b)] == [{"owner": "b"}]
        assert await namespaces(b) == [["shared", "ns"]]
        assert sorted(await namespaces(a)) == [["only", "a"], ["shared", "ns"]]
        # B cannot delete A's item, only its own.
        ok(await b.request("DELETE", "/store/items", json={"namespace": ["shared", "ns"], "key": "k"}))
        assert (await get(a, ["shared", "ns"], "k"))["value"] == {"owner": "a"}
        error_of(
            await b.request("DELETE", "/store/items", json={"namespace": ["only", "a"], "key": "k2"}), 404
        )
        assert (await get(a, ["only", "a"], "k2")) is not None


async def test_search_and_namespaces(scripted: ScriptedEnv) -> None:
    async with await scripted.harness.tenant() as c:
        await put(c, ["docs", "en"], "a", {"lang": "en", "text": "Hello World"})
        await put(c, ["docs", "en"], "b", {"lang": "en", "text": "goodbye"})
        await put(c, ["docs", "fr"], "c", {"lang": "fr", "text": "bonjour"})
        await put(c, ["docsx"], "d", {"lang": "en", "text": "not under docs"})
        await put(c, ["a_b", "c"], "e", {"text": "underscore"})
        await put(c, ["axb", "c"], "f", {"text": "look-alike"})
        under = await search(c, namespace_prefix=["docs"], limit=100)
        assert sorted(i["key"] for i in under) == ["a", "b", "c"]  # "docsx" is not under "docs"
        assert sorted(i["key"] for i in await search(c, namespace_prefix=["docs", "en"])) == ["a", "b"]
        assert [i["key"] for i in await search(c, namespace_prefix=["a_b"])] == ["e"]  # '_' is no wildcard
        assert sorted(i["key"] for i in await search(c, filter={"lang": "en"})) == ["a", "b", "d"]
        assert [i["key"] for i in await search(c, query="hello world")] == ["a"]
        assert [i["key"] for i in await search(c, namespace_prefix=["docs"], filter={"lang": "fr"})] == ["c"]
        page1 = await search(c, namespace_prefix=["docs"], limit=2)
        page2 = await search(c, namespace_prefix=["docs"], limit=2, offset=2)
        assert len(page1) == 2 and len(page2) == 1
        assert {i["key"] for i in page1 + page2} == {"a", "b", "c"}
        assert len(await search(c, filter={"lang": "en"}, limit=1, offset=1)) == 1

        everything = await namespaces(c)
        assert sorted(everything) == [["a_b", "c"], ["axb", "c"], ["docs", "en"], ["docs", "fr"], ["docsx"]]
        assert sorted(await namespaces(c, prefix=["docs"])) == [["docs", "en"], ["docs", "fr"]]
        assert sorted(await namespaces(c, suffix=["c"])) == [["a_b", "c"], ["axb", "c"]]
        assert sorted(await namespaces(c, prefix=["docs"], max_depth=1)) == [["docs"]]
        assert sorted(await namespaces(c, prefix=["*", "c"])) == [["a_b", "c"], ["axb", "c"]]
        assert len(await namespaces(c, limit=2)) == 2
        assert len(await namespaces(c, limit=2, offset=4)) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"namespace": ["a.b"], "key": "k", "value": {}},
        {"namespace": ["ok", "x.y"], "key": "k", "value": {}},
        {"namespace": [""], "key": "k", "value": {}},
        {"namespace": [], "key": "k", "value": {}},
        {"namespace": ["ok"], "key": "", "value": {}},
        {"namespace": ["ok"], "key": "k", "value": [1, 2]},
        {"namespace": ["ok"], "key": "k"},
    ],
    ids=["dot", "dot-second", "empty-label", "no-labels", "empty-key", "list-value", "no-value"],
)
async def test_bad_puts_are_400(scripted: ScriptedEnv, body: dict[str, Any]) -> None:
    async with await scripted.harness.tenant() as c:
        msg = error_of(await c.put("/store/items", json=body), 400)
        if "x.y" in str(body["namespace"]) or "a.b" in str(body["namespace"]):
            assert "'.'" in msg
        assert await namespaces(c) == []


async def test_dotted_labels_elsewhere_are_400(scripted: ScriptedEnv) -> None:
    async with await scripted.harness.tenant() as c:
        error_of(await c.request("DELETE", "/store/items", json={"namespace": ["a.b"], "key": "k"}), 400)
        error_of(await c.post("/store/items/search", json={"namespace_prefix": ["a.b"]}), 400)
        error_of(await c.get("/store/items", params={"namespace": "", "key": "k"}), 400)
        error_of(await c.get("/store/items", params={"namespace": "a"}), 400)


async def test_store_needs_a_credential(scripted: ScriptedEnv) -> None:
    async with scripted.harness.client() as anon:
        error_of(await anon.put("/store/items", json={"namespace": ["a"], "key": "k", "value": {}}), 401)
        error_of(await anon.post("/store/items/search", json={}), 401)


async def test_graphs_read_and_write_their_orgs_store(scripted: ScriptedEnv) -> None:
    ns = f"n{secrets.token_hex(4)}"
    ctx = {"ns": ns}
    async with await scripted.asgi(ORG) as a, await scripted.asgi(ORG_B) as b:
        ta, tb = (await new_thread(a))["thread_id"], (await new_thread(b))["thread_id"]
        first = ok(
            await a.post(f"/threads/{ta}/runs/wait", json=run_body(scripted.ids["memo"], "alpha", ctx)), 201
        )
        assert first["content"] == f"prev=none org={ORG}"
        # The graph's write is the org's item over HTTP; the other org has none.
        assert (await get(a, ["memo", ns], "last"))["value"] == {"text": "alpha"}
        assert await get(b, ["memo", ns], "last") is None
        # Org B's graph (same namespace and key) does not see org A's item.
        other = ok(
            await b.post(f"/threads/{tb}/runs/wait", json=run_body(scripted.ids["memo-b"], "beta", ctx)), 201
        )
        assert other["content"] == f"prev=none org={ORG_B}"
        assert (await get(b, ["memo", ns], "last"))["value"] == {"text": "beta"}
        # A's next run reads what A's last run wrote, not B's.
        second = ok(
            await a.post(f"/threads/{ta}/runs/wait", json=run_body(scripted.ids["memo"], "gamma", ctx)), 201
        )
        assert second["content"] == f"prev=alpha org={ORG}"
        # An item put over HTTP is what the graph reads next.
        await put(a, ["memo", ns], "last", {"text": "seeded"})
        third = ok(
            await a.post(f"/threads/{ta}/runs/wait", json=run_body(scripted.ids["memo"], "delta", ctx)), 201
        )
        assert third["content"] == f"prev=seeded org={ORG}"
        assert (await get(a, ["memo", ns], "last"))["value"] == {"text": "delta"}
        assert ["memo", ns] in await namespaces(a, prefix=["memo"])


async def test_a_stateless_run_uses_the_store_too(scripted: ScriptedEnv) -> None:
    ns = f"n{secrets.token_hex(4)}"
    async with await scripted.asgi(ORG) as a:
        await put(a, ["memo", ns], "last", {"text": "before"})
        reply = ok(await a.post("/runs/wait", json=run_body(scripted.ids["memo"], "now", {"ns": ns})), 201)
        assert reply["content"] == f"prev=before org={ORG}"
        assert (await get(a, ["memo", ns], "last"))["value"] == {"text": "now"}


@pytest.mark.parametrize("body", [{"prefix": ["a.b"]}, {"suffix": ["x", "a.b"]}], ids=["prefix", "suffix"])
async def test_dotted_labels_in_namespace_listing_are_400(
    scripted: ScriptedEnv, body: dict[str, Any]
) -> None:
    async with await scripted.harness.tenant() as c:
        error_of(await c.post("/store/namespaces", json=body), 400)
