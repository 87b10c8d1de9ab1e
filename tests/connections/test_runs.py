"""Xperts made over the API use connections by name: an org's model endpoint and MCP server (with their
secrets), and the operator's model and stdio MCP server, which any org may name."""

from __future__ import annotations

from typing import Any

import httpx

from tests.agents.common import run, single_call, text, thread
from tests.connections.conftest import PRIVATE_ORG, ConnEnv, model_body, unique
from tests.harness.chat import send
from xpert_server.auth.principal import Principal


async def create_xpert(c: httpx.AsyncClient, **definition: Any) -> str:
    slug = unique("x")
    resp = await c.post("/assistants", json={"name": slug, "slug": slug, **definition})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["assistant_id"])


async def test_an_api_xpert_streams_from_its_orgs_model_connection(conn: ConnEnv) -> None:
    c, _ = await conn.admin(PRIVATE_ORG)
    name, key = unique("llm"), f"sk-org-{unique('k')}"
    async with c:
        made = await c.post("/connections", json=model_body(name, conn.model_url, key))
        assert made.status_code == 201, made.text
        xpert = await create_xpert(c, model={"connection": name})
        before = len(conn.fake.requests)
        frames = await run(c, await thread(c), xpert, send("hello over a connection"))
    assert text(frames) == "You said: hello over a connection"
    assert conn.fake.requests[before]["model"] == "tool-bot"  # the connection's default model
    assert conn.fake.authorizations[before] == f"Bearer {key}"


async def test_an_api_xpert_calls_a_tool_of_its_orgs_mcp_connection(conn: ConnEnv) -> None:
    c, _ = await conn.admin(PRIVATE_ORG)
    llm, weather, token = unique("llm"), unique("weather"), f"mcp-token-{unique('t')}"
    async with c:
        assert (await c.post("/connections", json=model_body(llm, conn.model_url))).status_code == 201
        made = await c.post(
            "/connections",
            json={
                "name": weather,
                "kind": "mcp",
                "url": conn.mcp_url,
                "headers": {"Authorization": f"Bearer {token}"},
            },
        )
        assert made.status_code == 201, made.text
        assert made.json()["hint"] == "headers: Authorization"
        xpert = await create_xpert(c, model={"connection": llm, "name": "tool-bot"}, mcp=[weather])
        seen = len(conn.mcp_headers)
        frames = await run(c, await thread(c), xpert, send('call forecast {"city": "Lyon"}'))
    _id, start, end = single_call(frames)
    assert start["tool"] == "forecast" and start["toolset"] == weather
    assert end["status"] == "success" and end["output"] == "Sunny in Lyon"
    assert text(frames) == "Tool said: Sunny in Lyon"
    assert conn.mcp_headers[seen:] and set(conn.mcp_headers[seen:]) == {f"Bearer {token}"}


async def test_any_org_may_name_the_operators_model_and_stdio_mcp_server(conn: ConnEnv) -> None:
    c, _ = await conn.admin()  # an org the operator did not allow private addresses: its own are public only
    async with c:
        listed = {x["name"]: x for x in (await c.get("/connections")).json()}
        assert listed["house"]["scope"] == "server" and listed["house"]["models"] == ["tool-bot", "thinker"]
        assert listed["house"]["url"] is None and listed["math"]["transport"] == "stdio"
        xpert = await create_xpert(c, model={"connection": "house"}, mcp=[{"connection": "math"}])
        frames = await run(c, await thread(c), xpert, send('call add {"a": 2, "b": 3}'))
    _id, start, end = single_call(frames)
    assert start["toolset"] == "math" and end["output"] == "5"
    assert text(frames) == "Tool said: 5"


async def test_a_new_key_takes_effect_at_the_next_run(conn: ConnEnv) -> None:
    c, _ = await conn.admin(PRIVATE_ORG)
    name = unique("llm")
    async with c:
        await c.post("/connections", json=model_body(name, conn.model_url, "sk-first-key-0000000000"))
        xpert = await create_xpert(c, model={"connection": name})
        tid = await thread(c)
        await run(c, tid, xpert, send("one"))
        assert conn.fake.authorizations[-1] == "Bearer sk-first-key-0000000000"
        patched = await c.patch(f"/connections/{name}", json={"api_key": "sk-second-key-111111111"})
        assert patched.status_code == 200 and patched.json()["hint"] == "…1111"
        await run(c, tid, xpert, send("two"))
        assert conn.fake.authorizations[-1] == "Bearer sk-second-key-111111111"


async def test_a_model_name_the_connection_does_not_offer_is_refused(conn: ConnEnv) -> None:
    c, _ = await conn.admin()
    async with c:
        resp = await c.post(
            "/assistants",
            json={"name": "n", "slug": unique("n"), "model": {"connection": "house", "name": "gpt-5"}},
        )
        assert resp.status_code == 400
        assert "connection 'house' offers tool-bot, thinker, not 'gpt-5'" in resp.json()["message"]
        wrong_kind = await c.post("/assistants", json={"name": "n", "slug": unique("n"), "mcp": ["house"]})
        assert (
            wrong_kind.status_code == 400 and "'house' is a model connection" in wrong_kind.json()["message"]
        )


async def test_raw_endpoints_stay_operator_only_beside_connections(conn: ConnEnv) -> None:
    c, _ = await conn.admin()
    async with c:
        for definition in (
            {"model": {"base_url": conn.model_url, "name": "tool-bot"}},
            {"mcp": [{"name": "w", "transport": "http", "url": conn.mcp_url}]},
        ):
            resp = await c.post("/assistants", json={"name": "n", "slug": unique("n"), **definition})
            assert resp.status_code == 403, resp.text
        mixed = await c.post(
            "/assistants",
            json={
                "name": "n",
                "slug": unique("n"),
                "model": {"connection": "house", "base_url": conn.model_url},
            },
        )
        assert mixed.status_code in (400, 403) and "base_url" in mixed.json()["message"]


async def test_a_run_of_an_xpert_whose_connection_is_gone_fails_saying_so(conn: ConnEnv) -> None:
    """An xpert loaded by the operator may name a connection nobody defined: the run ends in an error."""
    c, org = await conn.admin()
    async with c:
        xpert = await create_xpert(c, model={"connection": "house"})
    storage = conn.harness.services.storage
    record = await storage.get_assistant(Principal.system(org), xpert)
    assert record is not None
    await storage.update_assistant(
        Principal.system(org),
        xpert,
        {"definition": {**record.definition, "model": {"connection": "nowhere"}}},
    )
    async with conn.harness.client((await conn.harness.mint_key(org))[0]) as c2:
        resp = await c2.post(
            f"/threads/{await thread(c2)}/runs/wait", json={"assistant_id": xpert, "input": send("hi")}
        )
    assert "model connection 'nowhere' is not defined" in resp.text, resp.text
