"""`on_disconnect`: a client that leaves a live stream (real HTTP) cancels the run, or by default does not."""

from __future__ import annotations

from tests.harness.chat import run_body
from tests.harness.scripted import ScriptedEnv, state_messages, thread_status
from tests.runs.common import eventually, list_runs, messages_of, new_thread, ok, run_status
from tests.runs.sse import FrameReader

SLOW = {"chunks": 40, "delay": 0.03}  # ~1.2 s: long enough to leave, short enough to wait for
LONGER = {"chunks": 200, "delay": 0.03}  # ~6 s: cancelled long before its end


async def _leave_after_a_few_frames(scripted: ScriptedEnv, tid: str, body: dict) -> str:  # type: ignore[type-arg]
    """POST runs/stream over real HTTP, read until 3 text deltas, close the connection; returns the run id."""
    async with await scripted.http() as h, h.stream("POST", f"/threads/{tid}/runs/stream", json=body) as resp:
        assert resp.status_code == 200
        reader = FrameReader(resp)
        start = await reader.until(lambda f: f.kind == "on_message_start")
        run_id = str(start.data["data"]["executionId"])
        for _ in range(3):
            await reader.until(lambda f: f.kind == "message:text")
    return run_id


async def test_cancel_on_disconnect(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        rid = await _leave_after_a_few_frames(
            scripted, tid, run_body(scripted.ids["slow"], "bye", LONGER, on_disconnect="cancel")
        )
        run = await run_status(c, tid, rid, ("interrupted", "success", "error"), 5)
        assert run["status"] == "interrupted"

        async def idle() -> bool:
            return await thread_status(c, tid) == "idle"

        await eventually(idle, 5, "the thread to be idle")
        # The stored stream ends like any cancelled run, and the partial reply is kept as interrupted.
        msgs = await messages_of(c, thread)
        assert [m["role"] for m in msgs] == ["human", "ai"] and msgs[1]["status"] == "interrupted"
        text = (
            "".join(p.get("text", "") for p in msgs[1]["content"])
            if isinstance(msgs[1]["content"], list)
            else msgs[1]["content"]
        )
        assert text.startswith("<bye|seen=1>") and not text.endswith(f"t{LONGER['chunks'] - 1} ")
        # The thread takes a new run.
        reply = ok(
            await c.post(f"/threads/{tid}/runs/wait", json=run_body(scripted.ids["slow"], "again")), 201
        )
        assert reply["content"].startswith("<again|seen=2>")


async def test_continue_is_the_default(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        rid = await _leave_after_a_few_frames(scripted, tid, run_body(scripted.ids["slow"], "stay", SLOW))
        run = await run_status(c, tid, rid, ("success", "interrupted", "error"), 10)
        assert run["status"] == "success"
        (only,) = await list_runs(c, tid)
        assert only["run_id"] == rid
        msgs = await state_messages(c, tid)
        assert msgs[-1][1].endswith(f"t{SLOW['chunks'] - 1} ")
        assert await thread_status(c, tid) == "idle"


async def test_explicit_continue_and_a_join_that_leaves(scripted: ScriptedEnv) -> None:
    """Leaving a join (GET …/stream) never cancels, whatever the run was started with."""
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        run = ok(
            await c.post(
                f"/threads/{tid}/runs",
                json=run_body(scripted.ids["slow"], "joined", SLOW, on_disconnect="continue"),
            ),
            201,
        )
        async with (
            await scripted.http() as h,
            h.stream("GET", f"/threads/{tid}/runs/{run['run_id']}/stream") as resp,
        ):
            reader = FrameReader(resp)
            await reader.until(lambda f: f.kind == "message:text")
        assert (await run_status(c, tid, run["run_id"], ("success", "interrupted", "error"), 10))[
            "status"
        ] == "success"
