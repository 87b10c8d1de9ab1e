"""Stateless runs: `POST /runs/wait`, `/runs/stream`, `/runs` and `/runs/batch`."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.harness.chat import run_body
from tests.harness.scripted import QUICK, ScriptedEnv
from tests.runs.common import (
    assert_lifecycle,
    error_of,
    event_data,
    eventually,
    list_runs,
    ok,
    run_status,
    text_of,
)
from tests.runs.sse import parse


async def _threads(c: httpx.AsyncClient) -> list[dict]:  # type: ignore[type-arg]
    found: list[dict] = ok(await c.post("/threads/search", json={"limit": 100}))  # type: ignore[type-arg]
    return found


async def _gone(c: httpx.AsyncClient, thread_id: str) -> bool:
    return (await c.get(f"/threads/{thread_id}")).status_code == 404


async def test_wait_replies_and_leaves_no_thread(scripted: ScriptedEnv) -> None:
    async with await scripted.alone() as c:
        reply = ok(await c.post("/runs/wait", json=run_body(scripted.ids["slow"], "alone", QUICK)), 201)
        assert reply == {"role": "ai", "content": "<alone|seen=1> t0 t1 "}

        async def no_threads() -> bool:
            return await _threads(c) == []

        await eventually(no_threads, 10, "the stateless thread to be deleted")


async def test_stream_completes_and_its_thread_goes(scripted: ScriptedEnv) -> None:
    async with await scripted.alone() as c:
        resp = await c.post("/runs/stream", json=run_body(scripted.ids["slow"], "streamed", QUICK))
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
        frames = parse(resp.text)
        assert_lifecycle(frames)
        assert frames[-1].event == "complete"
        assert text_of(frames) == "<streamed|seen=1> t0 t1 "
        tid = event_data(frames, "on_agent_start")["threadId"]
        await eventually(lambda: _gone(c, tid), 10, "the stateless thread to be deleted")


async def test_stream_keep_keeps_the_thread(scripted: ScriptedEnv) -> None:
    async with await scripted.alone() as c:
        frames = parse(
            (
                await c.post(
                    "/runs/stream", json=run_body(scripted.ids["slow"], "kept", QUICK, on_completion="keep")
                )
            ).text
        )
        assert_lifecycle(frames)
        tid = event_data(frames, "on_agent_start")["threadId"]
        rid = event_data(frames, "on_message_start")["executionId"]
        assert ok(await c.get(f"/threads/{tid}/runs/{rid}"))["status"] == "success"
        assert ok(await c.get(f"/threads/{tid}"))["status"] == "idle"


async def test_background_keeps_its_thread(scripted: ScriptedEnv) -> None:
    async with await scripted.alone() as c:
        run = ok(
            await c.post("/runs", json=run_body(scripted.ids["slow"], "bg", {"chunks": 5, "delay": 0.01})),
            201,
        )
        tid, rid = run["thread_id"], run["run_id"]
        assert run["status"] in ("pending", "running") and run["assistant_id"] == scripted.ids["slow"]
        done = await run_status(c, tid, rid, ("success",))
        assert done["run_id"] == rid
        assert ok(await c.get(f"/threads/{tid}/runs/{rid}/join")) == {
            "role": "ai",
            "content": "<bg|seen=1> t0 t1 t2 t3 t4 ",
        }
        thread = ok(await c.get(f"/threads/{tid}"))
        assert thread["status"] == "idle" and thread["metadata"]["assistant_id"] == scripted.ids["slow"]
        assert [r["run_id"] for r in await list_runs(c, tid)] == [rid]


async def test_background_delete_on_completion(scripted: ScriptedEnv) -> None:
    async with await scripted.alone() as c:
        run = ok(
            await c.post("/runs", json=run_body(scripted.ids["slow"], "bye", QUICK, on_completion="delete")),
            201,
        )
        await eventually(lambda: _gone(c, run["thread_id"]), 10, "the thread to be deleted")


async def test_batch_starts_one_run_per_item(scripted: ScriptedEnv) -> None:
    async with await scripted.alone() as c:
        items = [run_body(scripted.ids["slow"], text, QUICK) for text in ("a", "b")]
        runs = ok(await c.post("/runs/batch", json=items), 201)
        assert (
            len(runs) == 2
            and len({r["thread_id"] for r in runs}) == 2
            and len({r["run_id"] for r in runs}) == 2
        )
        for r, text in zip(runs, ("a", "b"), strict=True):
            await run_status(c, r["thread_id"], r["run_id"], ("success",))
            assert ok(await c.get(f"/threads/{r['thread_id']}/runs/{r['run_id']}/join"))[
                "content"
            ].startswith(f"<{text}|seen=1>")
        assert len(await _threads(c)) == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"input": {"action": "bogus"}},  # an input no run accepts
        {"assistant_id": "no-such-assistant"},  # an assistant this org does not have
        {"assistant_id": None, "xpert_id": None},  # no assistant at all (a validation error)
        {"multitask_strategy": "sometimes"},
    ],
    ids=["bad-input", "unknown-assistant", "no-assistant", "bad-strategy"],
)
async def test_batch_with_one_bad_item_creates_nothing(scripted: ScriptedEnv, bad: dict) -> None:  # type: ignore[type-arg]
    async with await scripted.alone() as c:
        good = run_body(scripted.ids["slow"], "fine", QUICK)
        item = {**run_body(scripted.ids["slow"], "bad", QUICK), **bad}
        item = {k: v for k, v in item.items() if v is not None}
        resp = await c.post("/runs/batch", json=[good, item])
        expected = 404 if bad.get("assistant_id") == "no-such-assistant" else 400
        error_of(resp, expected)
        assert await _threads(c) == []


async def test_batch_must_not_be_empty(scripted: ScriptedEnv) -> None:
    async with await scripted.alone() as c:
        error_of(await c.post("/runs/batch", json=[]), 400)
        error_of(await c.post("/runs/batch", json={"assistant_id": scripted.ids["slow"]}), 400)


async def test_stateless_unknown_assistant_creates_nothing(scripted: ScriptedEnv) -> None:
    async with await scripted.alone() as c:
        for path in ("/runs", "/runs/wait", "/runs/stream"):
            error_of(await c.post(path, json=run_body("nope", "x", QUICK)), 404)
        error_of(
            await c.post(
                "/runs", json=run_body(scripted.ids["slow"], "x", QUICK) | {"input": {"action": "?"}}
            ),
            400,
        )
        assert await _threads(c) == []


async def test_stateless_wait_repeat_after_its_thread_was_deleted(scripted: ScriptedEnv) -> None:
    """A retried stateless `runs/wait` (same Idempotency-Key) after the first one's thread went away."""
    async with await scripted.alone() as c:
        h = {"Idempotency-Key": f"k-{secrets.token_hex(8)}"}
        body = run_body(scripted.ids["slow"], "again", QUICK)
        first = ok(await c.post("/runs/wait", json=body, headers=h), 201)

        async def no_threads() -> bool:
            return await _threads(c) == []

        await eventually(no_threads, 10, "the stateless thread to be deleted")
        resp = await c.post("/runs/wait", json=body, headers=h)
        assert resp.status_code in (201, 409, 410), resp.text
        if resp.status_code == 201:
            assert resp.json() == first
