"""Any API process streams, joins and cancels any run: a run started through A is streamed there, joined
mid-way through B with Last-Event-ID, and cancelled through B; the worker (a third process) stops it."""

from __future__ import annotations

import asyncio
import time

from tests.harness.cluster import Cluster
from tests.runs.sse import FrameReader, parse
from tests.scale.common import assert_one_story, assistant, body, read_until


async def test_started_on_a_joined_and_cancelled_on_b(cluster: Cluster) -> None:
    a, b = await cluster.apis(2)
    await cluster.worker(via=a)
    async with a.client() as ca, b.client() as cb:
        steps = await assistant(ca, "steps")
        tid = (await ca.post("/threads", json={})).json()["thread_id"]
        async with ca.stream(
            "POST", f"/threads/{tid}/runs/stream", json=body(steps, n=200, delay=0.05)
        ) as resp:
            assert resp.status_code == 200
            on_a = FrameReader(resp)
            await read_until(on_a, 8)
            runs = (await cb.get(f"/threads/{tid}/runs")).json()
            assert [r["status"] for r in runs] == ["running"], runs
            run_id = runs[0]["run_id"]
            # Join through B from the 5th frame: B replays 6.. and follows live.
            async with cb.stream(
                "GET", f"/threads/{tid}/runs/{run_id}/stream", headers={"Last-Event-ID": "5"}
            ) as joined:
                on_b = FrameReader(joined)
                await read_until(on_b, 6)
                assert on_b.frames[0].seq == 6
                started = time.perf_counter()
                cancel = await cb.post(f"/threads/{tid}/runs/{run_id}/cancel")
                assert cancel.status_code == 201 and cancel.json() == {"canceledExecutionIds": [run_id]}
                end = await on_a.until(lambda f: f.kind == "on_agent_end")
                stopped_after = time.perf_counter() - started
                await on_a.rest()
                await on_b.rest()
        # Both saw one story, ending `interrupted`; B's is A's from frame 6 on.
        assert end.data["data"]["status"] == "interrupted"
        assert_one_story(on_a.frames, status="interrupted")
        assert [(f.id, f.raw) for f in on_b.frames] == [(f.id, f.raw) for f in on_a.frames[5:]]
        # The cancel reached the worker through Redis at once: the graph (a step every 50 ms) stopped
        # well before its next few steps, end frames included.
        assert stopped_after < 0.5, stopped_after
        run = (await ca.get(f"/threads/{tid}/runs/{run_id}")).json()
        assert run["status"] == "interrupted"
        assert (await ca.get(f"/threads/{tid}")).json()["status"] == "idle"
        # A second cancel (a double click, through either process) stops nothing.
        again = await ca.post(f"/threads/{tid}/runs/{run_id}/cancel")
        assert again.json() == {"canceledExecutionIds": []}
        # A replay from a third angle (B, from the start) is the same story.
        replay = parse((await cb.get(f"/threads/{tid}/runs/{run_id}/stream")).text)
        assert [(f.id, f.raw) for f in replay] == [(f.id, f.raw) for f in on_a.frames]


async def test_a_queued_run_is_cancelled_before_any_worker_takes_it(cluster: Cluster) -> None:
    """No worker at all: the API process that receives the cancel ends the run itself."""
    a = await cluster.api()
    async with a.client() as c:
        once = await assistant(c, "once")
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        run = (await c.post(f"/threads/{tid}/runs", json=body(once))).json()
        assert run["status"] == "pending"
        info = (await c.get("/info")).json()
        assert info["mode"] == "scaled" and info["queueDepth"] == 1 and info["workersAlive"] == 0
        cancel = await c.post(f"/threads/{tid}/runs/{run['run_id']}/cancel")
        assert cancel.json() == {"canceledExecutionIds": [run["run_id"]]}
        frames = parse((await c.get(f"/threads/{tid}/runs/{run['run_id']}/stream")).text)
        assert_one_story(frames, status="interrupted")
        assert (await c.get(f"/threads/{tid}/runs/{run['run_id']}")).json()["status"] == "interrupted"
        assert (await c.get("/info")).json()["queueDepth"] == 0


async def test_enqueued_runs_follow_each_other_across_processes(cluster: Cluster) -> None:
    """multitask_strategy `enqueue`: the thread's busy flag and queue live in the database, so a run
    accepted by B waits for the run accepted by A (executed by some worker), then runs."""
    a, b = await cluster.apis(2)
    await cluster.workers(2, via=a)
    async with a.client() as ca, b.client() as cb:
        steps = await assistant(ca, "steps")
        tid = (await ca.post("/threads", json={})).json()["thread_id"]
        first = (await ca.post(f"/threads/{tid}/runs", json=body(steps, "one", n=5, delay=0.1))).json()
        queued = []
        for i in range(3):
            target = cb if i % 2 else ca
            queued.append(
                (
                    await target.post(
                        f"/threads/{tid}/runs",
                        json={**body(steps, f"next{i}", n=2, delay=0.01), "multitask_strategy": "enqueue"},
                    )
                ).json()
            )
        deadline = time.monotonic() + 30
        while True:
            runs = (await cb.get(f"/threads/{tid}/runs", params={"limit": 10})).json()
            if all(r["status"] == "success" for r in runs) and len(runs) == 4:
                break
            assert time.monotonic() < deadline, runs
            await asyncio.sleep(0.1)
        # One at a time, in order: each run's messages were stored when it was let through.
        for rid in [first["run_id"]] + [q["run_id"] for q in queued]:
            assert_one_story(parse((await ca.get(f"/threads/{tid}/runs/{rid}/stream")).text))
        thread = (await ca.get(f"/threads/{tid}")).json()
        items = (await cb.get(f"/conversations/{thread['metadata']['id']}/messages")).json()["items"]
        assert [m["role"] for m in items] == ["human", "ai"] * 4
        assert [m["content"] for m in items if m["role"] == "human"] == ["one", "next0", "next1", "next2"]
        assert thread["status"] == "idle"
