"""Threads' lifetimes, as LangGraph serves them: `ttl` (minutes of inactivity, then `delete` or
`keep_latest`) swept by the retention sweeper on the injected clock; `POST /threads/prune`; `supersteps` on
`POST /threads`."""

from __future__ import annotations

from typing import Any

import httpx

from tests.crons.common import cron_body
from tests.harness.chat import run_body
from tests.harness.clock import manual_clock
from tests.harness.responses import ok
from tests.harness.scripted import QUICK, ScriptedEnv


async def run_twice(env: ScriptedEnv, c: httpx.AsyncClient, tid: str) -> None:
    for text in ("one", "two"):
        ok(await c.post(f"/threads/{tid}/runs/wait", json=run_body(env.ids["slow"], text, QUICK)), 201)


async def history(c: httpx.AsyncClient, tid: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(await c.post(f"/threads/{tid}/history", json={"limit": 100}))
    return found


async def test_a_thread_past_its_ttl_is_deleted_by_the_sweeper(env: ScriptedEnv) -> None:
    services = env.harness.services
    async with await env.alone() as c:
        doomed = ok(await c.post("/threads", json={"ttl": {"ttl": 30, "strategy": "delete"}}), 201)[
            "thread_id"
        ]
        lasting = ok(await c.post("/threads", json={"ttl": {"ttl": 120}}), 201)["thread_id"]
        plain = ok(await c.post("/threads", json={}), 201)["thread_id"]
        cron = ok(await c.post(f"/threads/{doomed}/runs/crons", json=cron_body(env.ids["slow"])), 201)
        with manual_clock(services) as clock:
            clock.advance(29 * 60)
            await services.sweeper.sweep_once()
            assert (await c.get(f"/threads/{doomed}")).status_code == 200  # not yet
            clock.advance(2 * 60)
            await services.sweeper.sweep_once()
            assert (await c.get(f"/threads/{doomed}")).status_code == 404
            assert (await c.get(f"/threads/{lasting}")).status_code == 200
            assert (await c.get(f"/threads/{plain}")).status_code == 200
            # The thread's crons went with it.
            assert ok(await c.post("/runs/crons/search", json={"thread_id": doomed})) == []
            assert cron["cron_id"]
            # Activity restarts the ttl: patched now, `lasting` lives 120 minutes from here.
            ok(await c.patch(f"/threads/{lasting}", json={"metadata": {"seen": 1}}))
            clock.advance(100 * 60)
            await services.sweeper.sweep_once()
            assert (await c.get(f"/threads/{lasting}")).status_code == 200
            clock.advance(30 * 60)
            await services.sweeper.sweep_once()
            assert (await c.get(f"/threads/{lasting}")).status_code == 404


async def test_keep_latest_keeps_the_thread_and_its_state_not_its_history(env: ScriptedEnv) -> None:
    services = env.harness.services
    async with await env.alone() as c:
        tid = ok(await c.post("/threads", json={}), 201)["thread_id"]
        await run_twice(env, c, tid)
        ok(await c.patch(f"/threads/{tid}", json={"ttl": {"ttl": 10, "strategy": "keep_latest"}}))
        before = ok(await c.get(f"/threads/{tid}/state"))
        assert len(await history(c, tid)) > 1
        with manual_clock(services) as clock:
            clock.advance(11 * 60)
            await services.sweeper.sweep_once()
        after = ok(await c.get(f"/threads/{tid}/state"))
        assert after["values"] == before["values"] and len(after["values"]["messages"]) == 4
        assert len(await history(c, tid)) == 1
        ok(await c.post(f"/threads/{tid}/runs/wait", json=run_body(env.ids["slow"], "three", QUICK)), 201)
        assert len(ok(await c.get(f"/threads/{tid}/state"))["values"]["messages"]) == 6  # it goes on


async def test_prune_deletes_or_keeps_the_latest_of_the_callers_threads_only(env: ScriptedEnv) -> None:
    async with await env.alone() as c, await env.alone() as other:
        a, b, kept = [ok(await c.post("/threads", json={}), 201)["thread_id"] for _ in range(3)]
        theirs = ok(await other.post("/threads", json={}), 201)["thread_id"]
        await run_twice(env, c, kept)
        pruned = ok(await c.post("/threads/prune", json={"thread_ids": [a, b, theirs, "nope"]}))
        assert pruned == {"pruned_count": 2}
        assert (await c.get(f"/threads/{a}")).status_code == 404
        assert (await other.get(f"/threads/{theirs}")).status_code == 200
        pruned = ok(await c.post("/threads/prune", json={"thread_ids": [kept], "strategy": "keep_latest"}))
        assert pruned == {"pruned_count": 1} and len(await history(c, kept)) == 1
        assert len(ok(await c.get(f"/threads/{kept}/state"))["values"]["messages"]) == 4
        bad = await c.post("/threads/prune", json={"thread_ids": [kept], "strategy": "shred"})
        assert bad.status_code in (400, 422) and "strategy" in bad.text


async def test_supersteps_write_the_new_threads_state(env: ScriptedEnv) -> None:
    async with await env.alone() as c:
        step = {
            "updates": [{"values": {"messages": [{"type": "human", "content": "copied"}]}, "as_node": "slow"}]
        }
        made = ok(
            await c.post("/threads", json={"metadata": {"graph_id": "slow"}, "supersteps": [step, step]}),
            201,
        )
        state = ok(await c.get(f"/threads/{made['thread_id']}/state"))
        assert [m["content"] for m in state["values"]["messages"]] == ["copied", "copied"]
        bad = await c.post("/threads", json={"supersteps": [step]})
        assert bad.status_code == 400 and "graph" in bad.text
        bad = await c.post(
            "/threads",
            json={
                "metadata": {"graph_id": "slow"},
                "supersteps": [{"updates": [{"values": {}, "as_node": "nope"}]}],
            },
        )
        assert bad.status_code == 400 and "supersteps" in bad.text
        assert (await c.post("/threads", json={"ttl": {"ttl": -1}})).status_code in (400, 422)
