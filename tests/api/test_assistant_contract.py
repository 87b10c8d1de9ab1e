"""Assistants, the rest of the contract: runtime-capabilities, graph, schemas, versions, latest."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.harness.scripted import ORG, ScriptedEnv
from tests.runs.common import assistant_id, error_of, ok


@asynccontextmanager
async def _demo(scripted: ScriptedEnv) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    """A client of the default org and the demo xpert's id."""
    async with await scripted.asgi("default") as c:
        yield c, await assistant_id(c, "demo")


async def test_runtime_capabilities_of_the_demo(scripted: ScriptedEnv) -> None:
    async with _demo(scripted) as (c, demo):
        caps = ok(await c.get(f"/assistants/{demo}/runtime-capabilities"))
        assert set(caps) >= {"skills", "plugins", "subAgents", "knowledgebases"}
        skills = {s["name"]: s for s in caps["skills"]}
        assert set(skills) == {"current_time", "calculator", "send_notification"}
        assert skills["send_notification"]["requiresApproval"] is True
        assert skills["calculator"]["requiresApproval"] is False
        assert all(s["description"] is None or isinstance(s["description"], str) for s in skills.values())
        assert caps["plugins"] == [] and caps["subAgents"] == [] and caps["knowledgebases"] == []
        error_of(await c.get("/assistants/no-such-xpert/runtime-capabilities"), 404)


async def test_runtime_capabilities_of_a_custom_graph(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        caps = ok(await c.get(f"/assistants/{scripted.ids['slow']}/runtime-capabilities"))
        assert caps["skills"] == [] and caps["subAgents"] == []


def _graph_ids(graph: dict[str, Any]) -> tuple[set[str], set[tuple[str, str]]]:
    nodes = {str(n["id"]) for n in graph["nodes"]}
    edges = {(str(e["source"]), str(e["target"])) for e in graph["edges"]}
    return nodes, edges


async def test_graph_nodes_and_edges(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        graph = ok(await c.get(f"/assistants/{scripted.ids['slow']}/graph"))
        nodes, edges = _graph_ids(graph)
        assert {"__start__", "slow"} <= nodes
        assert ("__start__", "slow") in edges
        assert all(src in nodes and dst in nodes for src, dst in edges)
        assert ok(await c.get(f"/assistants/{scripted.ids['slow']}/graph", params={"xray": "true"}))["nodes"]
        error_of(await c.get("/assistants/no-such-xpert/graph"), 404)
    async with _demo(scripted) as (c, demo):
        nodes, edges = _graph_ids(ok(await c.get(f"/assistants/{demo}/graph")))
        assert "__start__" in nodes and len(nodes) >= 3 and edges


async def test_schemas(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        schemas = ok(await c.get(f"/assistants/{scripted.ids['slow']}/schemas"))
        assert schemas["graph_id"] == "slow"  # a custom graph is named by its xpert's slug, as in LangGraph
        assert set(schemas) >= {"input_schema", "output_schema", "state_schema", "config_schema"}
        for name in ("input_schema", "output_schema", "state_schema"):
            assert "messages" in schemas[name]["properties"], (name, schemas[name])
        error_of(await c.get("/assistants/no-such-xpert/schemas"), 404)
    async with _demo(scripted) as (c, demo):
        demo_schemas = ok(await c.get(f"/assistants/{demo}/schemas"))
        assert "messages" in demo_schemas["input_schema"]["properties"]


async def test_versions_and_latest(scripted: ScriptedEnv) -> None:
    async with await scripted.harness.tenant() as c:
        created = ok(await c.post("/assistants", json={"name": "First name", "description": "one"}), 201)
        aid = created["assistant_id"]
        assert created["version"] == 1
        v2 = ok(await c.patch(f"/assistants/{aid}", json={"name": "Second name", "description": "two"}))
        assert v2["version"] == 2 and v2["name"] == "Second name"
        versions = ok(await c.get(f"/assistants/{aid}/versions"))
        assert [v["version"] for v in versions] == [2, 1]
        assert [v["name"] for v in versions] == ["Second name", "First name"]
        assert all(v["assistant_id"] == aid for v in versions)
        assert ok(await c.post(f"/assistants/{aid}/versions", json={}), 201) == versions
        assert [
            v["version"] for v in ok(await c.post(f"/assistants/{aid}/versions", json={"limit": 1}), 201)
        ] == [2]
        assert [
            v["version"]
            for v in ok(await c.get(f"/assistants/{aid}/versions", params={"limit": 1, "offset": 1}))
        ] == [1]

        restored = ok(await c.post(f"/assistants/{aid}/latest", json={"version": 1}), 201)
        assert restored["assistant_id"] == aid
        assert restored["name"] == "First name" and restored["description"] == "one"
        now = ok(await c.get(f"/assistants/{aid}"))
        assert now["name"] == "First name" and now["version"] == restored["version"]
        error_of(await c.post(f"/assistants/{aid}/latest", json={"version": 99}), 404)
        error_of(await c.post(f"/assistants/{aid}/latest", json={"version": 0}), 400)
        error_of(await c.post(f"/assistants/{aid}/latest", json={}), 400)
        error_of(await c.get("/assistants/no-such-xpert/versions"), 404)
        error_of(await c.post("/assistants/no-such-xpert/latest", json={"version": 1}), 404)
    # Another org sees none of it.
    async with await scripted.harness.tenant() as other:
        error_of(await other.get(f"/assistants/{aid}/versions"), 404)
        error_of(await other.post(f"/assistants/{aid}/latest", json={"version": 1}), 404)
        error_of(await other.get(f"/assistants/{aid}/graph"), 404)


async def test_latest_is_refused_to_a_key_bound_to_one_xpert(scripted: ScriptedEnv) -> None:
    key, _ = await scripted.harness.mint_key(ORG, xpert_id=scripted.ids["slow"])
    async with scripted.harness.client(key) as c:
        error_of(await c.post(f"/assistants/{scripted.ids['slow']}/latest", json={"version": 1}), 403)
        # Reading its own xpert is fine; another xpert of the org is not.
        ok(await c.get(f"/assistants/{scripted.ids['slow']}/graph"))
        error_of(await c.get(f"/assistants/{scripted.ids['asker']}/graph"), 403)


async def test_latest_makes_that_version_the_active_one(scripted: ScriptedEnv) -> None:
    async with await scripted.harness.tenant() as c:
        aid = ok(await c.post("/assistants", json={"name": "One"}), 201)["assistant_id"]
        ok(await c.patch(f"/assistants/{aid}", json={"name": "Two"}))
        restored = ok(await c.post(f"/assistants/{aid}/latest", json={"version": 1}), 201)
        assert restored["version"] == 1 and restored["name"] == "One"
        assert [v["version"] for v in ok(await c.get(f"/assistants/{aid}/versions"))] == [2, 1]
