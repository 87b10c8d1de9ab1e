"""Ids are per org: an id another org uses is, from here, indistinguishable from an unused one.

Client-chosen ids (`thread_id`, `assistant_id`) are scoped to the org: org B may create the id org A
already uses and gets its own object (201), while A's stays untouched; both then run side by side with
their own state, runs and history, and every answer names the object by the id its client chose.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.harness.app import ApiHarness
from tests.harness.chat import send
from tests.harness.responses import ok


async def test_a_thread_id_of_another_org_can_be_created_here(api: ApiHarness) -> None:
    async with await api.tenant() as a, await api.tenant() as b:
        mine = ok(
            await a.post("/threads", json={"thread_id": "shared-thread", "metadata": {"owner": "a"}}), 201
        )
        taken = ok(await a.post("/threads", json={}), 201)["thread_id"]
        # B sees exactly what it sees for an unused id: 201, its own thread, under the id it chose.
        for tid in ("shared-thread", taken, "never-used-thread"):
            theirs = ok(await b.post("/threads", json={"thread_id": tid, "metadata": {"owner": "b"}}), 201)
            assert theirs["thread_id"] == tid and theirs["metadata"]["owner"] == "b"
            assert theirs["metadata"]["id"] != mine["metadata"]["id"]  # its own conversation
        # A clash inside one org is still a clash.
        assert (await b.post("/threads", json={"thread_id": "shared-thread"})).status_code == 409
        again = ok(await b.post("/threads", json={"thread_id": taken, "if_exists": "do_nothing"}), 201)
        assert again["metadata"]["owner"] == "b"
        assert [
            t["thread_id"] for t in ok(await b.post("/threads/search", json={"ids": ["shared-thread"]}))
        ] == ["shared-thread"]
        assert (
            ok(await b.patch("/threads/shared-thread", json={"metadata": {"x": 1}}))["metadata"]["owner"]
            == "b"
        )
        assert (await b.delete("/threads/shared-thread")).status_code == 202
        # A's thread is untouched by all of it.
        got = ok(await a.get("/threads/shared-thread"))
        assert got["metadata"]["owner"] == "a" and "x" not in got["metadata"]
        assert got["metadata"]["id"] == mine["metadata"]["id"]
        assert ok(await a.get(f"/threads/{taken}"))["metadata"].get("owner") is None
        assert ok(await a.post("/threads/count", json={}), 201) == 2


async def test_an_assistant_id_of_another_org_can_be_created_here(api: ApiHarness) -> None:
    async with await api.tenant() as a, await api.tenant() as b:
        ok(await a.post("/assistants", json={"assistant_id": "shared-bot", "name": "A's bot"}), 201)
        generated = ok(await a.post("/assistants", json={"name": "A's other bot"}), 201)["assistant_id"]
        for aid in ("shared-bot", generated):
            theirs = ok(await b.post("/assistants", json={"assistant_id": aid, "name": "B's bot"}), 201)
            assert theirs["assistant_id"] == aid and theirs["name"] == "B's bot"
        assert (
            await b.post("/assistants", json={"assistant_id": "shared-bot", "name": "again"})
        ).status_code == 409
        ok(await b.patch("/assistants/shared-bot", json={"description": "B's words"}))
        versions = ok(await b.post("/assistants/shared-bot/versions", json={}), 201)
        assert {v["assistant_id"] for v in versions} == {"shared-bot"} and len(versions) == 2
        thread = ok(await b.post("/threads", json={"assistant_id": "shared-bot"}), 201)
        assert thread["metadata"]["assistant_id"] == "shared-bot"
        assert (await b.delete("/assistants/shared-bot")).status_code == 200
        got = ok(await a.get("/assistants/shared-bot"))
        assert got["name"] == "A's bot" and got["description"] is None and got["version"] == 1
        assert ok(await a.get(f"/assistants/{generated}"))["name"] == "A's other bot"


async def _run_twice(c: httpx.AsyncClient, text: str) -> dict[str, Any]:
    """Create bot + thread under fixed ids, run once (wait) and once (stream); return what was seen."""
    bot = {"assistant_id": "bot", "name": "Bot", "model": {"provider": "offline"}}
    ok(await c.post("/assistants", json=bot), 201)
    ok(await c.post("/threads", json={"thread_id": "t-1"}), 201)
    ok(await c.post("/threads/t-1/runs/wait", json={"assistant_id": "bot", "input": send(text)}), 201)
    streamed = await c.post(
        "/threads/t-1/runs/stream", json={"assistant_id": "bot", "input": send(text + "?")}
    )
    assert streamed.status_code == 200
    return {"stream": streamed.text}


async def test_the_same_ids_in_two_orgs_run_apart(api: ApiHarness) -> None:
    async with await api.tenant() as a, await api.tenant() as b:
        seen_a = await _run_twice(a, "apples")
        seen_b = await _run_twice(b, "bananas")
        for c, seen, mine, other in ((a, seen_a, "apples", "bananas"), (b, seen_b, "bananas", "apples")):
            assert '"threadId":"t-1"' in seen["stream"].replace(" ", "")
            assert '"xpertId":"bot"' in seen["stream"].replace(" ", "")
            runs = ok(await c.get("/threads/t-1/runs"))
            assert len(runs) == 2
            assert {r["thread_id"] for r in runs} == {"t-1"} and {r["assistant_id"] for r in runs} == {"bot"}
            run = ok(await c.get(f"/threads/t-1/runs/{runs[0]['run_id']}"))
            assert run["thread_id"] == "t-1"
            state = ok(await c.get("/threads/t-1/state"))
            assert state["checkpoint"]["thread_id"] == "t-1"
            text = str(state["values"])
            assert mine in text and other not in text
            history = ok(await c.post("/threads/t-1/history", json={}))
            assert history and {h["checkpoint"]["thread_id"] for h in history} == {"t-1"}
            assert other not in str(history)
            values = ok(await c.get("/threads/t-1"))["values"]
            assert mine in str(values) and other not in str(values)
            conversation = ok(await c.post("/conversations/search", json={"where": {"threadId": "t-1"}}))
            (item,) = conversation["items"]
            assert item["threadId"] == "t-1" and item["xpertId"] == "bot"
            messages = ok(await c.get(f"/conversations/{item['id']}/messages"))
            assert mine in str(messages) and other not in str(messages)
        # Deleting B's thread leaves A's state alone.
        assert (await b.delete("/threads/t-1")).status_code == 202
        assert "apples" in str(ok(await a.get("/threads/t-1/state"))["values"])
        # Each org's own copy of the id: a run of A's thread on B's assistant id is A's assistant.
        ok(
            await a.post("/threads/t-1/runs/wait", json={"assistant_id": "bot", "input": send("cherries")}),
            201,
        )
