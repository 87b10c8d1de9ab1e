"""Joining a run's stream: replay after `Last-Event-ID` (stored frames, any process), live follow, and two
clients on one run."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.graphs_scripted import TICKER_CHUNKS, TICKER_TEXT
from tests.harness.app import open_harness
from tests.harness.chat import send
from tests.runs.common import (
    SEED_QUESTION,
    RunsEnv,
    assert_framing,
    assert_lifecycle,
    error_of,
    list_runs,
    new_thread,
    run_id_of,
    stream,
    text_of,
)
from tests.runs.sse import FrameReader, SseFrame, parse


def wire(frames: list[SseFrame]) -> list[tuple[str | None, str | None, str]]:
    """What a client can compare byte for byte: id, event and the raw data text."""
    return [(f.id, f.event, f.raw) for f in frames]


async def test_last_event_id_replays_exactly_the_rest_after_the_run_ended(env: RunsEnv) -> None:
    async with await env.asgi("default") as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        _, full = await stream(c, tid, {"xpert_id": env.ids["demo"], "input": send(SEED_QUESTION)})
        rid = run_id_of(full)
        last = full[-1].seq
        # No id: everything again.
        whole = await c.get(f"/threads/{tid}/runs/{rid}/stream")
        assert whole.status_code == 200 and whole.headers["content-type"].startswith("text/event-stream")
        assert wire(parse(whole.text)) == wire(full)
        for k in (1, 3, 4, last - 4, last - 1):
            resp = await c.get(f"/threads/{tid}/runs/{rid}/stream", headers={"Last-Event-ID": str(k)})
            assert resp.status_code == 200
            assert wire(parse(resp.text)) == wire(full[k:]), k
            # The query form says the same.
            resp = await c.get(f"/threads/{tid}/runs/{rid}/stream", params={"last_event_id": str(k)})
            assert wire(parse(resp.text)) == wire(full[k:]), k
        # After the last frame there is nothing left: the response ends at once, empty.
        resp = await c.get(f"/threads/{tid}/runs/{rid}/stream", headers={"Last-Event-ID": str(last)})
        assert resp.status_code == 200 and parse(resp.text) == []


async def test_replay_from_storage_in_another_api_process(env: RunsEnv) -> None:
    """A second app on the same database has none of the run in memory: it serves the stored frames."""
    async with await env.asgi("default") as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        _, full = await stream(c, tid, {"xpert_id": env.ids["demo"], "input": send("hello")})
    rid = run_id_of(full)
    key = await env.key("default")
    other_dir = env.data_dir / "second-process"
    other_dir.mkdir(exist_ok=True)
    async with open_harness(other_dir, env.database_url, xperts_dir=env.xperts_dir) as other:
        assert not other.services.events.is_live(rid)
        async with other.client(key) as c2:
            resp = await c2.get(f"/threads/{tid}/runs/{rid}/stream")
            assert wire(parse(resp.text)) == wire(full)
            for k in (2, 7, full[-1].seq - 1):
                resp = await c2.get(f"/threads/{tid}/runs/{rid}/stream", headers={"Last-Event-ID": str(k)})
                assert resp.status_code == 200
                assert wire(parse(resp.text)) == wire(full[k:]), k
            joined = (await c2.get(f"/threads/{tid}/runs/{rid}/join")).json()
            assert joined == {"role": "ai", "content": text_of(full)}


@pytest.mark.parametrize("form", ["header", "query"])
async def test_last_event_id_while_the_run_is_live(env: RunsEnv, form: str) -> None:
    async with await env.http() as a, await env.http() as b:
        thread = await new_thread(a)
        tid = thread["thread_id"]
        body = {"assistant_id": env.ids["ticker"], "input": send("tick")}
        async with a.stream("POST", f"/threads/{tid}/runs/stream", json=body) as resp_a:
            assert resp_a.status_code == 200
            reader_a = FrameReader(resp_a)
            # Three text deltas in (frames 1..6), with ~27 more to come.
            seen = 0
            while seen < 3:
                frame = await reader_a.next()
                assert frame is not None
                seen += frame.kind == "message:text"
            rid = run_id_of(reader_a.frames)
            k = reader_a.frames[-1].seq
            assert env.harness.services.events.is_live(rid), "the run ended before the join: ticker too fast?"
            headers = {"Last-Event-ID": str(k)} if form == "header" else {}
            params = {"last_event_id": str(k)} if form == "query" else {}
            async with b.stream(
                "GET", f"/threads/{tid}/runs/{rid}/stream", headers=headers, params=params
            ) as resp_b:
                assert resp_b.status_code == 200
                rest_b = await FrameReader(resp_b).rest()
            await reader_a.rest()
    full = reader_a.frames
    assert_lifecycle(full, min_deltas=TICKER_CHUNKS)
    assert text_of(full) == TICKER_TEXT
    # Exactly k+1..end: no duplicate, no gap, ending with complete.
    assert [f.seq for f in rest_b] == list(range(k + 1, full[-1].seq + 1))
    assert wire(rest_b) == wire(full[k:])
    assert rest_b[-1].event == "complete"


async def test_two_clients_streaming_one_run_see_the_same_frames(env: RunsEnv) -> None:
    async with await env.http() as a, await env.http() as b:
        thread = await new_thread(a)
        tid = thread["thread_id"]
        body = {"assistant_id": env.ids["ticker"], "input": send("together")}
        async with a.stream("POST", f"/threads/{tid}/runs/stream", json=body) as resp_a:
            reader_a = FrameReader(resp_a)
            await reader_a.until(lambda f: f.kind == "on_message_start")
            rid = run_id_of(reader_a.frames)

            async def watch() -> list[SseFrame]:
                async with b.stream("GET", f"/threads/{tid}/runs/{rid}/stream") as resp_b:
                    assert resp_b.status_code == 200
                    return await FrameReader(resp_b).rest()

            frames_b, _ = await asyncio.gather(watch(), reader_a.rest())
            # The channel ends once `complete` is committed; in scaled mode a reader may get it from Redis a
            # moment before the writer's own channel is marked done.
            deadline = time.monotonic() + 2
            while env.harness.services.events.is_live(rid):
                assert time.monotonic() < deadline, "the run's channel stayed live after `complete`"
                await asyncio.sleep(0.01)
    frames_a = reader_a.frames
    assert_framing(frames_a)
    assert wire(frames_a) == wire(frames_b)
    assert text_of(frames_b) == TICKER_TEXT


async def test_bad_last_event_id_is_400(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        await stream(c, tid, {"assistant_id": env.ids["echo"], "input": send("x")})
        (run,) = await list_runs(c, tid)
        path = f"/threads/{tid}/runs/{run['run_id']}/stream"
        assert "Last-Event-ID" in error_of(await c.get(path, headers={"Last-Event-ID": "abc"}), 400)
        assert "Last-Event-ID" in error_of(
            await c.get(path, headers={"Last-Event-ID": "1732520000001-0"}), 400
        )
        assert "Last-Event-ID" in error_of(await c.get(path, params={"last_event_id": "x1"}), 400)
        assert "Last-Event-ID" in error_of(await c.get(path, headers={"Last-Event-ID": "-1"}), 400)
        # An empty header means "from the start".
        assert_lifecycle(parse((await c.get(path, headers={"Last-Event-ID": ""})).text))


async def test_live_join_from_another_api_process_gets_the_whole_stream(
    env: RunsEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second app on the same database follows a live run through storage. The run's last batch of frames
    (with `complete`) is committed a moment after the run's status (a slow database makes it 0.5 s)."""
    storage = env.harness.services.storage
    append = storage.append_events

    async def slow_last_batch(rows: Any) -> None:
        if any(event == "complete" for _, _, event, _ in rows):
            await asyncio.sleep(0.5)
        await append(rows)

    monkeypatch.setattr(storage, "append_events", slow_last_batch)
    key = await env.key()
    other_dir = env.data_dir / "second-process-live"
    other_dir.mkdir(exist_ok=True)
    async with open_harness(other_dir, env.database_url, xperts_dir=env.xperts_dir) as other:
        async with env.harness.client(key) as c, other.client(key) as c2:
            thread = await new_thread(c)
            tid = thread["thread_id"]
            body = {"assistant_id": env.ids["ticker"], "input": send("from afar")}
            rid = (await c.post(f"/threads/{tid}/runs", json=body)).json()["run_id"]
            resp = await asyncio.wait_for(c2.get(f"/threads/{tid}/runs/{rid}/stream"), 5)
            full = parse((await c.get(f"/threads/{tid}/runs/{rid}/stream")).text)
            assert_lifecycle(full, min_deltas=TICKER_CHUNKS)
            assert wire(parse(resp.text)) == wire(full)
