"""Thread history (checkpoints, newest first, paginated), copies, a fork from a middle checkpoint, retry,
and context usage, on threads of three turns."""

from __future__ import annotations

from typing import Any

import httpx

from tests.graphs_scripted import slow_reply_head
from tests.harness.chat import run_body
from tests.harness.scripted import LONG, QUICK, ScriptedEnv, conversation, state_messages
from tests.runs.common import (
    assert_lifecycle,
    error_of,
    list_runs,
    messages_of,
    new_thread,
    ok,
    run_id_of,
    run_status,
    text_of,
)
from tests.runs.sse import parse


async def turn(c: httpx.AsyncClient, tid: str, body: dict[str, Any]) -> tuple[str, str]:
    """One streamed run; returns (run id, reply text)."""
    resp = await c.post(f"/threads/{tid}/runs/stream", json=body)
    assert resp.status_code == 200, resp.text
    frames = parse(resp.text)
    assert_lifecycle(frames)
    return run_id_of(frames), text_of(frames)


async def three_turns(
    scripted: ScriptedEnv, c: httpx.AsyncClient
) -> tuple[dict[str, Any], list[str], list[str]]:
    thread = await new_thread(c)
    rids, replies = [], []
    for text in ("one", "two", "three"):
        rid, reply = await turn(c, thread["thread_id"], run_body(scripted.ids["slow"], text, QUICK))
        rids.append(rid)
        replies.append(reply)
    for i, reply in enumerate(replies):
        assert reply.startswith(slow_reply_head(("one", "two", "three")[i], 2 * i + 1))
    return thread, rids, replies


async def history(c: httpx.AsyncClient, tid: str, **body: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = ok(await c.post(f"/threads/{tid}/history", json=body))
    return found


def cid(state: dict[str, Any]) -> str:
    return str(state["checkpoint"]["checkpoint_id"])


def after_run(states: list[dict[str, Any]], run_id: str) -> dict[str, Any]:
    """The newest checkpoint `run_id` wrote: the thread's state right after that run."""
    return next(s for s in states if s["metadata"].get("run_id") == run_id)


async def test_history_newest_first_with_limit_and_before(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        thread, rids, replies = await three_turns(scripted, c)
        tid = thread["thread_id"]
        full = await history(c, tid, limit=1000)
        assert len(full) >= 3
        assert await history(c, tid) == full[:10]  # the default limit is 10
        # Newest first: the first is the thread's current state, each one's parent is the next one.
        current = ok(await c.get(f"/threads/{tid}/state"))
        assert cid(full[0]) == cid(current) and full[0]["values"] == current["values"]
        for newer, older in zip(full, full[1:], strict=False):
            assert newer["parent_checkpoint"]["checkpoint_id"] == cid(older)
            assert newer["created_at"] >= older["created_at"]
            assert newer["metadata"]["step"] > older["metadata"]["step"] or newer["metadata"].get(
                "run_id"
            ) != older["metadata"].get("run_id")
        assert full[-1]["parent_checkpoint"] is None
        assert {s["checkpoint"]["thread_id"] for s in full} == {tid}
        # Every run wrote checkpoints, newest run first.
        order = [s["metadata"].get("run_id") for s in full]
        assert [r for i, r in enumerate(order) if r not in order[:i]] == rids[::-1]
        # The state after each turn holds exactly the turns so far.
        texts = ["one", "two", "three"]
        for i, rid in enumerate(rids):
            msgs = [(m["type"], m["content"]) for m in after_run(full, rid)["values"]["messages"]]
            assert msgs == [pair for j in range(i + 1) for pair in (("human", texts[j]), ("ai", replies[j]))]
        # limit and before (an id, or a config as LangGraph's SDK sends it).
        assert await history(c, tid, limit=2) == full[:2]
        assert await history(c, tid, limit=3, before=cid(full[1])) == full[2:5]
        assert (
            await history(c, tid, limit=1000, before={"configurable": {"checkpoint_id": cid(full[3])}})
            == full[4:]
        )
        assert await history(c, tid, before=cid(full[-1])) == []
        # A metadata filter: only the second run's checkpoints.
        mine = await history(c, tid, limit=1000, metadata={"run_id": rids[1]})
        assert mine and mine == [s for s in full if s["metadata"].get("run_id") == rids[1]]
        error_of(await c.post(f"/threads/{tid}/history", json={"limit": 0}), 400)


async def test_history_of_a_new_thread_and_of_nothing(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        assert await history(c, tid) == []
        error_of(await c.post("/threads/no-such-thread/history", json={}), 404)
        error_of(await c.post("/threads/no-such-thread/copy"), 404)
    async with await scripted.asgi("scripted-stranger") as other:
        error_of(await other.post(f"/threads/{tid}/history", json={}), 404)
        error_of(await other.post(f"/threads/{tid}/copy"), 404)


async def test_copy_has_the_same_state_and_conversation(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        source, _, _ = await three_turns(scripted, c)
        sid = source["thread_id"]
        copy = ok(await c.post(f"/threads/{sid}/copy"), 201)
        cid_ = copy["thread_id"]
        assert cid_ != sid and copy["metadata"]["id"] != source["metadata"]["id"]
        assert copy["status"] == "idle"
        source_state = ok(await c.get(f"/threads/{sid}/state"))
        copy_state = ok(await c.get(f"/threads/{cid_}/state"))
        assert copy_state["values"] == source_state["values"] and len(copy_state["values"]["messages"]) == 6
        assert ok(await c.get(f"/threads/{cid_}"))["values"] == ok(await c.get(f"/threads/{sid}"))["values"]
        source_msgs = conversation(await messages_of(c, source))
        assert conversation(await messages_of(c, copy)) == source_msgs and len(source_msgs) == 6
        assert len(await history(c, cid_, limit=1000)) == len(await history(c, sid, limit=1000))

        # A run on the copy continues the copy only.
        _, reply = await turn(c, cid_, run_body(scripted.ids["slow"], "four", QUICK))
        assert reply.startswith(slow_reply_head("four", 7))
        assert len(await state_messages(c, cid_)) == 8
        assert ok(await c.get(f"/threads/{sid}/state"))["values"] == source_state["values"]
        assert conversation(await messages_of(c, source)) == source_msgs
        assert conversation(await messages_of(c, copy)) == [*source_msgs, ("human", "four"), ("ai", reply)]
        assert len(await list_runs(c, sid)) == 3
        # And a run on the source does not reach the copy.
        await turn(c, sid, run_body(scripted.ids["slow"], "five", QUICK))
        assert len(await state_messages(c, cid_)) == 8


async def test_fork_from_a_middle_checkpoint(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        thread, rids, replies = await three_turns(scripted, c)
        tid = thread["thread_id"]
        after_one = after_run(await history(c, tid, limit=1000), rids[0])
        _, reply = await turn(
            c, tid, run_body(scripted.ids["slow"], "fork", QUICK, checkpoint_id=cid(after_one))
        )
        assert reply.startswith(slow_reply_head("fork", 3))
        assert await state_messages(c, tid) == [
            ("human", "one"),
            ("ai", replies[0]),
            ("human", "fork"),
            ("ai", reply),
        ]
        # The fork's first checkpoint hangs off the checkpoint it started from; the old branch stays in history.
        full = await history(c, tid, limit=1000)
        fork_run = full[0]["metadata"]["run_id"]
        fork_states = [s for s in full if s["metadata"].get("run_id") == fork_run]
        assert fork_states[-1]["parent_checkpoint"]["checkpoint_id"] == cid(after_one)
        assert any(s["metadata"].get("run_id") == rids[2] for s in full)
        # The state at the old checkpoint is still readable.
        old = ok(await c.get(f"/threads/{tid}/state", params={"checkpoint_id": cid(after_one)}))
        assert len(old["values"]["messages"]) == 2
        error_of(await c.get(f"/threads/{tid}/state", params={"checkpoint_id": "nope"}), 404)


async def test_retry_replaces_the_last_turn(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        thread, rids, replies = await three_turns(scripted, c)
        tid = thread["thread_id"]
        body = {
            "assistant_id": scripted.ids["slow"],
            "input": {"action": "retry", "source": {"executionId": rids[2]}},
            "context": QUICK,
        }
        rid, reply = await turn(c, tid, body)
        assert rid not in rids
        assert reply.startswith(slow_reply_head("three", 5))
        assert await state_messages(c, tid) == [
            ("human", "one"),
            ("ai", replies[0]),
            ("human", "two"),
            ("ai", replies[1]),
            ("human", "three"),
            ("ai", reply),
        ]
        # Retrying a middle turn drops the turns after it.
        body["input"]["source"]["executionId"] = rids[1]
        _, again = await turn(c, tid, body)
        assert await state_messages(c, tid) == [
            ("human", "one"),
            ("ai", replies[0]),
            ("human", "two"),
            ("ai", again),
        ]
        assert len(await list_runs(c, tid)) == 5


async def test_retry_errors(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        retry = {"assistant_id": scripted.ids["slow"], "input": {"action": "retry", "source": {}}}
        error_of(await c.post(f"/threads/{tid}/runs/wait", json=retry), 400)
        retry["input"]["source"]["executionId"] = "no-such-run"
        error_of(await c.post(f"/threads/{tid}/runs/wait", json=retry), 404)
        assert ok(await c.get(f"/threads/{tid}"))["status"] == "idle"


async def test_context_usage(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        empty = ok(await c.get(f"/threads/{tid}/context-usage"))
        assert empty["run_id"] is None and empty["usage"]["total_tokens"] == 0
        rid, _ = await turn(c, tid, run_body(scripted.ids["slow"], "count me", QUICK))
        usage = ok(await c.get(f"/threads/{tid}/context-usage"))
        assert usage["thread_id"] == tid and usage["run_id"] == rid and usage["agent_key"] == "slow"
        assert set(usage["usage"]) >= {"context_tokens", "input_tokens", "output_tokens", "total_tokens"}
        error_of(await c.get("/threads/no-such-thread/context-usage"), 404)


async def test_fork_from_an_unknown_checkpoint_is_refused(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        _, reply = await turn(c, tid, run_body(scripted.ids["slow"], "one", QUICK))
        resp = await c.post(
            f"/threads/{tid}/runs/wait",
            json=run_body(scripted.ids["slow"], "two", QUICK, checkpoint_id="no-such-checkpoint"),
        )
        assert await state_messages(c, tid) == [("human", "one"), ("ai", reply)]
        error_of(resp, 404)


async def test_copy_of_a_busy_thread_has_no_reply_stuck_thinking(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        run = ok(await c.post(f"/threads/{tid}/runs", json=run_body(scripted.ids["slow"], "busy", LONG)), 201)
        await run_status(c, tid, run["run_id"], ("running",))
        copy = ok(await c.post(f"/threads/{tid}/copy"), 201)
        assert copy["status"] == "idle"
        ok(await c.post(f"/threads/{tid}/runs/{run['run_id']}/cancel"), 201)
        await run_status(c, tid, run["run_id"], ("interrupted",))
        statuses = [m["status"] for m in await messages_of(c, copy)]
        assert "thinking" not in statuses, statuses
