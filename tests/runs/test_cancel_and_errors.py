"""Cancelling a run mid-stream, and an exception inside a graph: both end the stream normally."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.graphs_scripted import BOOM_TEXT, TICKER_TEXT
from tests.harness.chat import send
from tests.runs.common import (
    CLOSING,
    RunsEnv,
    assert_framing,
    assert_lifecycle,
    event_data,
    kinds,
    list_runs,
    messages_of,
    new_thread,
    ok,
    run_id_of,
    run_status,
    stream,
    text_of,
)
from tests.runs.sse import FrameReader, SseFrame, parse

TERMINAL = ("success", "error", "interrupted", "timeout")


async def test_cancel_mid_stream(env: RunsEnv) -> None:
    async with await env.http() as a, await env.http() as b:
        thread = await new_thread(a)
        tid = thread["thread_id"]
        body = {"assistant_id": env.ids["ticker"], "input": send("count")}
        async with a.stream("POST", f"/threads/{tid}/runs/stream", json=body) as resp:
            reader = FrameReader(resp)
            seen = 0
            while seen < 3:
                frame = await reader.next()
                assert frame is not None
                seen += frame.kind == "message:text"
            rid = run_id_of(reader.frames)
            cancel = await b.post(f"/threads/{tid}/runs/{rid}/cancel")
            assert cancel.status_code == 201, cancel.text
            assert cancel.json() == {"canceledExecutionIds": [rid]}
            await reader.rest()
        frames = reader.frames
        assert_framing(frames)
        k = kinds(frames)
        assert k[-4:] == CLOSING, k
        partial = text_of(frames)
        assert TICKER_TEXT.startswith(partial) and len(partial) < len(TICKER_TEXT)
        agent_end = event_data(frames, "on_agent_end")
        assert agent_end["status"] == "interrupted" and agent_end["id"] == rid
        assert event_data(frames, "on_message_end")["status"] == "interrupted"
        assert event_data(frames, "on_conversation_end")["status"] == "idle"

        run = ok(await b.get(f"/threads/{tid}/runs/{rid}"))
        assert run["status"] == "interrupted"
        assert ok(await b.get(f"/threads/{tid}"))["status"] == "idle"
        # The AI message keeps what was said before the cancel.
        ai = [m for m in await messages_of(b, thread) if m["role"] == "ai"]
        assert len(ai) == 1 and ai[0]["status"] == "interrupted" and ai[0]["executionId"] == rid
        assert "".join(block["text"] for block in ai[0]["content"]) == partial

        again = await b.post(f"/threads/{tid}/runs/{rid}/cancel")
        assert again.status_code == 201 and again.json() == {"canceledExecutionIds": []}

        # The thread takes a new run.
        resp = await b.post(f"/threads/{tid}/runs/wait", json=body)
        assert resp.status_code == 201, resp.text
        assert resp.json() == {"role": "ai", "content": TICKER_TEXT}
        assert [r["status"] for r in await list_runs(b, tid)] == ["success", "interrupted"]


async def test_cancel_of_a_finished_run_cancels_nothing(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        await stream(c, tid, {"assistant_id": env.ids["echo"], "input": send("done")})
        (run,) = await list_runs(c, tid)
        resp = await c.post(f"/threads/{tid}/runs/{run['run_id']}/cancel")
        assert resp.status_code == 201 and resp.json() == {"canceledExecutionIds": []}
        assert ok(await c.get(f"/threads/{tid}/runs/{run['run_id']}"))["status"] == "success"
        assert (await c.post(f"/threads/{tid}/runs/nope/cancel")).status_code == 404


async def test_exception_inside_a_graph_ends_the_stream_normally(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        body = {"assistant_id": env.ids["boom"], "input": send("explode")}
        _, frames = await stream(c, tid, body)
        assert_lifecycle(frames, status="error", conversation_status="error")
        assert text_of(frames) == BOOM_TEXT
        for name in ("on_agent_end", "on_message_end", "on_conversation_end"):
            data = event_data(frames, name)
            assert data["status"] == "error"
            assert isinstance(data["error"], str) and "kaboom" in data["error"], (name, data)
        rid = run_id_of(frames)

        run = ok(await c.get(f"/threads/{tid}/runs/{rid}"))
        assert run["status"] == "error"
        assert ok(await c.get(f"/threads/{tid}"))["status"] == "error"
        (ai,) = [m for m in await messages_of(c, thread) if m["role"] == "ai"]
        assert ai["status"] == "error" and "kaboom" in ai["error"]
        assert "".join(block["text"] for block in ai["content"]) == BOOM_TEXT
        # `wait` on a failing graph answers with the text said before the error, and the error.
        resp = await c.post(f"/threads/{tid}/runs/wait", json=body)
        assert resp.status_code == 201 and resp.json() == {
            "role": "ai",
            "content": BOOM_TEXT,
            "__error__": {"error": "RuntimeError", "message": "RuntimeError: kaboom"},
        }
        # And the thread still takes runs.
        _, again = await stream(c, tid, body)
        assert_lifecycle(again, status="error", conversation_status="error")
        assert [r["status"] for r in await list_runs(c, tid)] == ["error", "error", "error"]


# ---- cancels that land outside the graph's streaming ------------------------------------------------------
async def _hold(
    env: RunsEnv, monkeypatch: pytest.MonkeyPatch, method: str
) -> tuple[asyncio.Event, asyncio.Event]:
    """Make `storage.<method>` wait (a slow database) until released; returns (entered, release)."""
    storage = env.harness.services.storage
    original: Callable[..., Awaitable[Any]] = getattr(storage, method)
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        await release.wait()
        return await original(*args, **kwargs)

    monkeypatch.setattr(storage, method, slow)
    return entered, release


async def _ends_interrupted(
    c: httpx.AsyncClient, frames: list[SseFrame] | None, tid: str, rid: str, body: dict[str, Any]
) -> None:
    """The run ended like any cancelled run: stream complete, `interrupted`, thread idle, new run accepted."""
    if frames is None:
        try:
            replay = await asyncio.wait_for(c.get(f"/threads/{tid}/runs/{rid}/stream"), 2)
        except TimeoutError:
            pytest.fail("the run's stream never completes")
        frames = parse(replay.text)
    assert kinds(frames)[-4:] == CLOSING
    assert event_data(frames, "on_agent_end")["status"] == "interrupted"
    done = await run_status(c, tid, rid, TERMINAL, timeout=2)
    assert done["status"] == "interrupted"
    assert ok(await c.get(f"/threads/{tid}"))["status"] == "idle"
    assert (await c.post(f"/threads/{tid}/runs/wait", json=body)).status_code == 201


async def test_second_cancel_while_the_run_is_finishing(
    env: RunsEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Scaled mode ends a leased run with its lease check in the same transaction.
    scaled = env.harness.services.settings.scaled
    entered, release = await _hold(env, monkeypatch, "finish_leased_run" if scaled else "finish_run")
    async with await env.http() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        body = {"assistant_id": env.ids["ticker"], "input": send("cancel me twice")}
        async with c.stream("POST", f"/threads/{tid}/runs/stream", json=body) as resp:
            reader = FrameReader(resp)
            await reader.until(lambda f: f.kind == "message:text")  # the graph is streaming
            rid = run_id_of(reader.frames)
            first = await c.post(f"/threads/{tid}/runs/{rid}/cancel")
            assert first.json() == {"canceledExecutionIds": [rid]}
            await asyncio.wait_for(entered.wait(), 5)  # the executor is finishing…
            await c.post(f"/threads/{tid}/runs/{rid}/cancel")  # …when a second cancel comes (a double click)
            release.set()
            monkeypatch.undo()
            try:
                await asyncio.wait_for(reader.rest(), 2)
            except TimeoutError:
                pytest.fail("the stream never completes")
        await _ends_interrupted(c, reader.frames, tid, rid, body)


async def test_cancel_while_the_run_is_starting(env: RunsEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    entered, release = await _hold(env, monkeypatch, "set_run_status")
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        body = {"assistant_id": env.ids["ticker"], "input": send("cancel me early")}
        rid = ok(await c.post(f"/threads/{tid}/runs", json=body), 201)["run_id"]
        await asyncio.wait_for(entered.wait(), 5)
        cancel = await c.post(f"/threads/{tid}/runs/{rid}/cancel")
        assert cancel.json() == {"canceledExecutionIds": [rid]}
        release.set()
        monkeypatch.undo()
        await _ends_interrupted(c, None, tid, rid, body)
