"""`multitask_strategy` on a thread with a run in flight: reject, interrupt, rollback, enqueue."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.graphs_scripted import slow_reply_head
from tests.harness.chat import run_body
from tests.harness.scripted import LONG, QUICK, ScriptedEnv, conversation, state_messages, thread_status
from tests.runs.common import (
    assert_lifecycle,
    event_data,
    eventually,
    list_runs,
    messages_of,
    new_thread,
    ok,
    run_status,
)
from tests.runs.sse import parse


async def _running(c, tid: str, rid: str, human: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the run is running and its human message is in the thread's checkpoint."""
    await run_status(c, tid, rid, ("running",))

    async def checkpointed() -> bool:
        return ("human", human) in await state_messages(c, tid)

    await eventually(checkpointed, 10, f"{human!r} in the checkpoint")


async def _cut_in(  # type: ignore[no-untyped-def]
    c, scripted: ScriptedEnv, tid: str, running: str, then: str, strategy: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start a long run saying `running`, wait until it runs from a checkpoint, then wait for a run saying
    `then` posted with `strategy`: (the long run, the second run's reply)."""
    first = ok(await c.post(f"/threads/{tid}/runs", json=run_body(scripted.ids["slow"], running, LONG)), 201)
    await _running(c, tid, first["run_id"], running)
    reply = ok(
        await c.post(
            f"/threads/{tid}/runs/wait",
            json=run_body(scripted.ids["slow"], then, QUICK, multitask_strategy=strategy),
        ),
        201,
    )
    return first, reply


async def test_reject_two_concurrent_posts(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        a, b = await asyncio.gather(
            c.post(f"/threads/{tid}/runs", json=run_body(scripted.ids["slow"], "one", LONG)),
            c.post(
                f"/threads/{tid}/runs",
                json=run_body(scripted.ids["slow"], "two", LONG, multitask_strategy="reject"),
            ),
        )
        assert sorted([a.status_code, b.status_code]) == [201, 409], (a.text, b.text)
        winner, loser = (a, b) if a.status_code == 201 else (b, a)
        body = loser.json()
        assert body["statusCode"] == 409 and body["error"] == "Conflict" and "busy" in body["message"]
        run = winner.json()
        (only,) = await list_runs(c, tid)
        assert only["run_id"] == run["run_id"]
        # The default strategy is reject too; the refused POSTs left no trace.
        resp = await c.post(f"/threads/{tid}/runs/wait", json=run_body(scripted.ids["slow"], "three", QUICK))
        assert resp.status_code == 409, resp.text
        ok(await c.post(f"/threads/{tid}/runs/{run['run_id']}/cancel"), 201)
        await run_status(c, tid, run["run_id"], ("interrupted",))
        assert len(await list_runs(c, tid)) == 1
        state = await state_messages(c, tid)
        assert len(state) <= 1 and ("human", "three") not in state  # at most the cancelled run's question
        assert await thread_status(c, tid) == "idle"


async def test_interrupt_continues_from_the_last_checkpoint(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        first, reply = await _cut_in(c, scripted, tid, "first", "second", "interrupt")
        # The second run saw the first run's human message and its own: it continued from the checkpoint.
        assert reply["content"].startswith(slow_reply_head("second", 2)), reply
        assert (await run_status(c, tid, first["run_id"], ("interrupted", "success", "error")))[
            "status"
        ] == "interrupted"
        runs = await list_runs(c, tid)
        assert [r["status"] for r in runs] == ["success", "interrupted"]
        assert runs[0]["multitask_strategy"] == "interrupt"
        # The interrupted run's stream ended like a cancelled one.
        frames = parse((await c.get(f"/threads/{tid}/runs/{first['run_id']}/stream")).text)
        assert_lifecycle(frames, status="interrupted", min_deltas=0)
        assert await state_messages(c, tid) == [
            ("human", "first"),
            ("human", "second"),
            ("ai", reply["content"]),
        ]
        assert await thread_status(c, tid) == "idle"
        roles = conversation(await messages_of(c, thread))
        assert [r for r, _ in roles] == ["human", "ai", "human", "ai"]
        assert (
            roles[0] == ("human", "first")
            and roles[2] == ("human", "second")
            and roles[3][1] == reply["content"]
        )


async def test_rollback_erases_the_running_run(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        zero = ok(
            await c.post(f"/threads/{tid}/runs/wait", json=run_body(scripted.ids["slow"], "zero", QUICK)), 201
        )
        doomed, reply = await _cut_in(c, scripted, tid, "doomed", "after", "rollback")
        # It started from the state before the rolled-back run: zero's turn, then its own message.
        assert reply["content"].startswith(slow_reply_head("after", 3)), reply
        assert (await c.get(f"/threads/{tid}/runs/{doomed['run_id']}")).status_code == 404
        assert doomed["run_id"] not in [r["run_id"] for r in await list_runs(c, tid)]
        assert (await c.get(f"/threads/{tid}/runs/{doomed['run_id']}/stream")).status_code == 404
        assert await state_messages(c, tid) == [
            ("human", "zero"),
            ("ai", zero["content"]),
            ("human", "after"),
            ("ai", reply["content"]),
        ]
        msgs = await messages_of(c, thread)
        assert all(m["executionId"] != doomed["run_id"] for m in msgs)
        assert conversation(msgs) == [
            ("human", "zero"),
            ("ai", zero["content"]),
            ("human", "after"),
            ("ai", reply["content"]),
        ]
        assert await thread_status(c, tid) == "idle"


async def test_rollback_of_a_threads_first_run(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        doomed, reply = await _cut_in(c, scripted, tid, "doomed", "fresh", "rollback")
        assert reply["content"].startswith(slow_reply_head("fresh", 1)), reply
        assert (await c.get(f"/threads/{tid}/runs/{doomed['run_id']}")).status_code == 404
        assert await state_messages(c, tid) == [("human", "fresh"), ("ai", reply["content"])]
        assert conversation(await messages_of(c, thread)) == [("human", "fresh"), ("ai", reply["content"])]
        (run,) = await list_runs(c, tid)
        assert run["status"] == "success"


async def test_enqueue_two_concurrent_posts_run_in_order(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        ctx = {"chunks": 8, "delay": 0.02}
        posted = await asyncio.gather(
            *(
                c.post(
                    f"/threads/{tid}/runs",
                    json=run_body(scripted.ids["slow"], text, ctx, multitask_strategy="enqueue"),
                )
                for text in ("one", "two")
            )
        )
        runs = [ok(r, 201) for r in posted]
        assert {r["status"] for r in runs} <= {"pending", "running"}
        done = [
            await run_status(c, tid, r["run_id"], ("success", "error", "interrupted", "timeout"), 20)
            for r in runs
        ]
        assert [d["status"] for d in done] == ["success", "success"]
        # Which POST won the thread is up to the scheduler: order the runs by what they saw.
        state = await state_messages(c, tid)
        assert [t for t, _ in state] == ["human", "ai", "human", "ai"]
        first_text, second_text = state[0][1], state[2][1]
        assert {first_text, second_text} == {"one", "two"}
        # The second run started after the first ended: it saw the first run's reply (3 messages).
        assert state[1][1].startswith(slow_reply_head(first_text, 1))
        assert state[3][1].startswith(slow_reply_head(second_text, 3))
        msgs = await messages_of(c, thread)
        assert conversation(msgs) == [
            ("human", first_text),
            ("ai", state[1][1]),
            ("human", second_text),
            ("ai", state[3][1]),
        ]
        # Each message belongs to its run: human1, ai1 of the first run, human2, ai2 of the second.
        first_id, second_id = msgs[0]["executionId"], msgs[2]["executionId"]
        assert [m["executionId"] for m in msgs] == [first_id, first_id, second_id, second_id]
        assert {first_id, second_id} == {r["run_id"] for r in runs}
        ended = {d["run_id"]: d for d in done}
        # The second run's stream opened (on_conversation_start) after the first run had ended.
        frames = parse((await c.get(f"/threads/{tid}/runs/{second_id}/stream")).text)
        assert_lifecycle(frames)
        assert event_data(frames, "on_conversation_start")["updatedAt"] >= ended[first_id]["updated_at"]
        assert ended[first_id]["updated_at"] <= ended[second_id]["updated_at"]
        assert await thread_status(c, tid) == "idle"


async def test_rollback_of_the_first_run_does_not_keep_its_title(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        await _cut_in(c, scripted, tid, "oops wrong text", "the right text", "rollback")
        assert ok(await c.get(f"/threads/{tid}"))["metadata"]["title"] == "the right text"
        assert ok(await c.get(f"/conversations/{thread['metadata']['id']}"))["title"] == "the right text"
