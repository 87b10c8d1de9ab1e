"""Processes die; runs do not. A SIGKILLed worker's run is re-queued when its lease expires and finished by
another worker, and the client streaming it sees one story; a SIGKILLed API process's client reconnects to
another with Last-Event-ID and loses nothing; a worker told to stop (SIGTERM) hands its run back."""

from __future__ import annotations

import asyncio
import signal
import time

import httpx
import psycopg

from tests.harness.cluster import Cluster, Proc
from tests.runs.sse import FrameReader, parse
from tests.scale.common import assert_one_story, assistant, body, read_until, step_texts

STEPS = 30


def holder(cluster: Cluster, run_id: str) -> int | None:
    """The pid of the process holding the run's lease (None when nobody does)."""
    with psycopg.connect(cluster.database_url) as conn:
        row = conn.execute(
            "SELECT w.pid FROM run_queue q JOIN workers w ON w.id = q.worker_id "
            "WHERE q.run_id = %s AND q.state = 'lease'",
            (run_id,),
        ).fetchone()
    return None if row is None else int(row[0])


async def wait_for_holder(cluster: Cluster, run_id: str) -> int:
    deadline = time.monotonic() + 20
    while (pid := holder(cluster, run_id)) is None:
        assert time.monotonic() < deadline, "nobody took the run"
        await asyncio.sleep(0.05)
    return pid


def assert_all_steps(frames: list, n: int = STEPS) -> None:  # type: ignore[type-arg]
    """Every step's chunk arrived, in order; the step the dead worker was on may come twice (it re-ran)."""
    texts = step_texts(frames)
    firsts = []
    for t in texts:
        if t not in firsts:
            firsts.append(t)
    assert firsts == [f"s{i} " for i in range(n)], texts
    assert len(texts) <= n + 3, texts


async def test_a_killed_workers_run_is_requeued_and_its_stream_goes_on(cluster: Cluster) -> None:
    api = await cluster.api()
    workers: dict[int, Proc] = {w.popen.pid: w for w in await cluster.workers(2, via=api)}
    async with api.client() as c:
        steps = await assistant(c, "steps")
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        async with c.stream(
            "POST", f"/threads/{tid}/runs/stream", json=body(steps, n=STEPS, delay=0.1)
        ) as resp:
            reader = FrameReader(resp)
            await read_until(reader, 8)  # the start frames and a few steps
            run_id = (await c.get(f"/threads/{tid}/runs")).json()[0]["run_id"]
            first = await wait_for_holder(cluster, run_id)
            workers[first].kill(signal.SIGKILL)
            killed_at = time.monotonic()
            await reader.rest()
        resumed_after = time.monotonic() - killed_at
        frames = reader.frames
        assert_one_story(frames)
        assert_all_steps(frames)
        run = (await c.get(f"/threads/{tid}/runs/{run_id}")).json()
        assert run["status"] == "success"
        # The stored story is the streamed one, frame for frame.
        replay = parse((await c.get(f"/threads/{tid}/runs/{run_id}/stream")).text)
        assert [(f.id, f.raw) for f in replay] == [(f.id, f.raw) for f in frames]
        # The conversation's reply is whole, and the thread is free.
        thread = (await c.get(f"/threads/{tid}")).json()
        assert thread["status"] == "idle"
        items = (await c.get(f"/conversations/{thread['metadata']['id']}/messages")).json()["items"]
        assert [m["role"] for m in items] == ["human", "ai"] and items[1]["status"] == "success"
    # Re-queued after the 2 s lease, not at once and not never.
    assert resumed_after < 20, resumed_after
    assert workers[first].popen.wait(5) == -signal.SIGKILL


async def test_a_killed_api_process_loses_its_clients_nothing(cluster: Cluster) -> None:
    a, b = await cluster.apis(2)
    await cluster.worker(via=b)
    async with a.client() as ca, b.client() as cb:
        steps = await assistant(cb, "steps")
        tid = (await cb.post("/threads", json={})).json()["thread_id"]
        seen = []
        try:
            async with ca.stream(
                "POST", f"/threads/{tid}/runs/stream", json=body(steps, n=STEPS, delay=0.05)
            ) as resp:
                reader = FrameReader(resp)
                await read_until(reader, 10)
                a.kill(signal.SIGKILL)
                seen = list(reader.frames)
                while await reader.next() is not None:
                    seen = list(reader.frames)
        except httpx.HTTPError:  # the connection breaks: that is the point
            pass
        assert len(seen) >= 10
        run_id = (await cb.get(f"/threads/{tid}/runs")).json()[0]["run_id"]
        async with cb.stream(
            "GET", f"/threads/{tid}/runs/{run_id}/stream", headers={"Last-Event-ID": str(seen[-1].seq)}
        ) as resp:
            rest = await FrameReader(resp).rest()
    frames = seen + rest
    assert_one_story(frames)
    assert_all_steps(frames)
    assert step_texts(frames) == [f"s{i} " for i in range(STEPS)]  # nobody died but the API: nothing re-ran


async def test_a_stopping_worker_hands_its_run_back(cluster: Cluster) -> None:
    api = await cluster.api()
    quitter = await cluster.worker(env={"XPERT_DRAIN_SECONDS": "0.3"}, via=api)
    async with api.client() as c:
        steps = await assistant(c, "steps")
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        async with c.stream(
            "POST", f"/threads/{tid}/runs/stream", json=body(steps, n=STEPS, delay=0.1)
        ) as resp:
            reader = FrameReader(resp)
            await read_until(reader, 6)
            run_id = (await c.get(f"/threads/{tid}/runs")).json()[0]["run_id"]
            assert await wait_for_holder(cluster, run_id) == quitter.popen.pid
            quitter.kill(signal.SIGTERM)
            assert quitter.popen.wait(20) == 0, quitter.output()
            # Handed back at once (no lease to wait for): queued again, and nobody holds it.
            with psycopg.connect(cluster.database_url) as conn:
                state = conn.execute(
                    "SELECT state, attempt FROM run_queue WHERE run_id = %s", (run_id,)
                ).fetchone()
            assert state == ("ready", 0), state
            await cluster.worker(via=api)
            await reader.rest()
    assert_one_story(reader.frames)
    assert_all_steps(reader.frames)
