"""`Idempotency-Key` on run POSTs (one run, the same result or stream) and a double resume (409)."""

from __future__ import annotations

import asyncio
import secrets

import httpx

from tests.harness.chat import resume, run_body, send
from tests.harness.scripted import LONG, QUICK, ScriptedEnv, state_messages, thread_status
from tests.runs.common import (
    assert_lifecycle,
    error_of,
    event_data,
    list_runs,
    new_thread,
    ok,
    run_id_of,
    run_status,
)
from tests.runs.sse import SseFrame, parse

DONE = ("success", "error", "interrupted", "timeout")


def idem() -> dict[str, str]:
    return {"Idempotency-Key": f"k-{secrets.token_hex(8)}"}


async def _asked(c: httpx.AsyncClient, xpert: str, text: str) -> tuple[str, list[SseFrame]]:
    """A new thread where `xpert` (asker, twice) was sent `text` and stopped at its interrupt: (thread id,
    the run's frames)."""
    tid = (await new_thread(c))["thread_id"]
    resp = await c.post(f"/threads/{tid}/runs/stream", json={"assistant_id": xpert, "input": send(text)})
    return tid, parse(resp.text)


async def _cancel_all(c: httpx.AsyncClient, tid: str) -> None:
    """Cancel every run of the thread and wait until each has ended (the tests leave nothing running)."""
    for r in await list_runs(c, tid):
        await c.post(f"/threads/{tid}/runs/{r['run_id']}/cancel")
    for r in await list_runs(c, tid):
        await run_status(c, tid, r["run_id"], DONE)


async def test_wait_twice_is_one_run_with_the_same_result(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        h = idem()
        body = run_body(scripted.ids["slow"], "hello", QUICK)
        first = ok(await c.post(f"/threads/{tid}/runs/wait", json=body, headers=h), 201)
        second = ok(await c.post(f"/threads/{tid}/runs/wait", json=body, headers=h), 201)
        assert first == second and first["content"].startswith("<hello|seen=1>")
        (run,) = await list_runs(c, tid)
        assert run["status"] == "success"
        assert len(await state_messages(c, tid)) == 2
        # Without the header the same body is a new run.
        ok(await c.post(f"/threads/{tid}/runs/wait", json=body), 201)
        assert len(await list_runs(c, tid)) == 2


async def test_stream_twice_replays_the_same_frames(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        h = idem()
        body = run_body(scripted.ids["slow"], "streamed", {"chunks": 4, "delay": 0.005})
        a = await c.post(f"/threads/{tid}/runs/stream", json=body, headers=h)
        b = await c.post(f"/threads/{tid}/runs/stream", json=body, headers=h)
        assert a.status_code == b.status_code == 200, (a.text, b.text)
        fa, fb = parse(a.text), parse(b.text)
        assert_lifecycle(fa)
        assert [(f.id, f.event, f.raw) for f in fa] == [(f.id, f.event, f.raw) for f in fb]
        (run,) = await list_runs(c, tid)
        assert run["run_id"] == run_id_of(fa)


async def test_background_twice_is_the_same_run(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        h = idem()
        body = run_body(scripted.ids["slow"], "bg", {"chunks": 10, "delay": 0.01})
        first = ok(await c.post(f"/threads/{tid}/runs", json=body, headers=h), 201)
        again = ok(await c.post(f"/threads/{tid}/runs", json=body, headers=h), 201)  # while it runs: no 409
        assert again["run_id"] == first["run_id"]
        await run_status(c, tid, first["run_id"], ("success",))
        later = ok(await c.post(f"/threads/{tid}/runs", json=body, headers=h), 201)  # after it ended
        assert later["run_id"] == first["run_id"] and later["status"] == "success"
        assert len(await list_runs(c, tid)) == 1


async def test_concurrent_double_click_is_one_run(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        h = idem()
        body = run_body(scripted.ids["slow"], "click", QUICK)
        a, b = await asyncio.gather(*(c.post(f"/threads/{tid}/runs", json=body, headers=h) for _ in range(2)))
        assert ok(a, 201)["run_id"] == ok(b, 201)["run_id"]
        await run_status(c, tid, a.json()["run_id"], ("success",))
        assert len(await list_runs(c, tid)) == 1


async def test_same_key_other_body_is_409(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        h = idem()
        ok(
            await c.post(
                f"/threads/{tid}/runs/wait", json=run_body(scripted.ids["slow"], "one", QUICK), headers=h
            ),
            201,
        )
        msg = error_of(
            await c.post(
                f"/threads/{tid}/runs/wait", json=run_body(scripted.ids["slow"], "two", QUICK), headers=h
            ),
            409,
        )
        assert "Idempotency-Key" in msg
        # Another endpoint with the same key and body is another request, too.
        error_of(
            await c.post(
                f"/threads/{tid}/runs", json=run_body(scripted.ids["slow"], "one", QUICK), headers=h
            ),
            409,
        )
        assert len(await list_runs(c, tid)) == 1


async def test_same_key_other_credential_is_another_run(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c1, await scripted.asgi() as c2:  # two keys of the same org
        tid = (await new_thread(c1))["thread_id"]
        h = idem()
        body = run_body(scripted.ids["slow"], "mine", QUICK)
        ok(await c1.post(f"/threads/{tid}/runs/wait", json=body, headers=h), 201)
        ok(await c2.post(f"/threads/{tid}/runs/wait", json=body, headers=h), 201)
        runs = await list_runs(c1, tid)
        assert len(runs) == 2 and len({r["run_id"] for r in runs}) == 2
        # Each credential's repeat still returns its own run.
        ok(await c2.post(f"/threads/{tid}/runs/wait", json=body, headers=h), 201)
        assert len(await list_runs(c1, tid)) == 2


async def test_stateless_background_twice_is_the_same_run(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        h = idem()
        body = run_body(scripted.ids["slow"], "stateless", QUICK)
        first = ok(await c.post("/runs", json=body, headers=h), 201)
        again = ok(await c.post("/runs", json=body, headers=h), 201)
        assert again["run_id"] == first["run_id"] and again["thread_id"] == first["thread_id"]
        await run_status(c, first["thread_id"], first["run_id"], ("success",))
        # The repeat's own thread was removed: the org has only the first request's thread.
        threads = ok(await c.post("/threads/search", json={"metadata": {"stateless": True}}))
        assert [t["thread_id"] for t in threads] == [first["thread_id"]]


async def test_repeat_with_interrupt_strategy_leaves_the_first_run_alone(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        h = idem()
        body = run_body(scripted.ids["slow"], "once", LONG, multitask_strategy="interrupt")
        first = ok(await c.post(f"/threads/{tid}/runs", json=body, headers=h), 201)
        await run_status(c, tid, first["run_id"], ("running",))
        try:
            again = ok(await c.post(f"/threads/{tid}/runs", json=body, headers=h), 201)
            assert again["run_id"] == first["run_id"]
            run = ok(await c.get(f"/threads/{tid}/runs/{first['run_id']}"))
            assert run["status"] == "running", run
        finally:
            await _cancel_all(c, tid)


async def test_repeat_with_rollback_strategy_returns_the_first_run(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        h = idem()
        body = run_body(scripted.ids["slow"], "once", LONG, multitask_strategy="rollback")
        first = ok(await c.post(f"/threads/{tid}/runs", json=body, headers=h), 201)
        await run_status(c, tid, first["run_id"], ("running",))
        resp = await c.post(f"/threads/{tid}/runs", json=body, headers=h)
        try:
            assert resp.status_code == 201, resp.text
            assert resp.json()["run_id"] == first["run_id"]
            assert ok(await c.get(f"/threads/{tid}/runs/{first['run_id']}"))["status"] == "running"
        finally:
            await _cancel_all(c, tid)


async def test_double_resume_is_409(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid, frames = await _asked(c, scripted.ids["asker"], "may I?")
        rid = run_id_of(frames)
        end = event_data(frames, "on_conversation_end")
        assert end["status"] == "interrupted"
        interrupt = event_data(frames, "on_interrupt")
        assert interrupt["tasks"][0]["interrupts"][0]["value"] == {"question": "May I go on?"}
        assert await thread_status(c, tid) == "interrupted"
        assert ok(await c.get(f"/threads/{tid}/runs/{rid}"))["status"] == "interrupted"

        body = {"assistant_id": scripted.ids["asker"], "input": resume(rid)}
        reply = ok(await c.post(f"/threads/{tid}/runs/wait", json=body), 201)
        assert reply["content"].startswith("resumed: ") and "confirm" in reply["content"], reply
        assert await thread_status(c, tid) == "idle"
        msg = error_of(await c.post(f"/threads/{tid}/runs/wait", json=body), 409)
        assert "resumed already" in msg or "interrupt" in msg
        runs = await list_runs(c, tid)
        assert [r["status"] for r in runs] == ["success", "interrupted"]
        assert await thread_status(c, tid) == "idle"


async def test_two_concurrent_resumes_one_wins(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid, frames = await _asked(c, scripted.ids["asker"], "may I?")
        body = {"assistant_id": scripted.ids["asker"], "input": resume(run_id_of(frames))}
        a, b = await asyncio.gather(*(c.post(f"/threads/{tid}/runs", json=body) for _ in range(2)))
        assert sorted([a.status_code, b.status_code]) == [201, 409], (a.text, b.text)
        won = a if a.status_code == 201 else b
        await run_status(c, tid, won.json()["run_id"], ("success",))
        assert len(await list_runs(c, tid)) == 2


async def test_repeat_of_a_request_whose_run_was_rolled_back(scripted: ScriptedEnv) -> None:
    """The first request's run was erased by another request's rollback; its client retries (same key)."""
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        h = idem()
        body = run_body(scripted.ids["slow"], "erased", LONG)
        doomed = ok(await c.post(f"/threads/{tid}/runs", json=body, headers=h), 201)
        await run_status(c, tid, doomed["run_id"], ("running",))
        ok(
            await c.post(
                f"/threads/{tid}/runs/wait",
                json=run_body(scripted.ids["slow"], "winner", QUICK, multitask_strategy="rollback"),
            ),
            201,
        )
        assert (await c.get(f"/threads/{tid}/runs/{doomed['run_id']}")).status_code == 404
        resp = await c.post(f"/threads/{tid}/runs", json=body, headers=h)
        try:
            # Either a clear refusal, or a new run: never a server error.
            assert resp.status_code in (201, 409, 410), resp.text
        finally:
            await _cancel_all(c, tid)


async def test_a_duplicate_resume_does_not_answer_the_next_interrupt(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid, frames = await _asked(c, scripted.ids["twice"], "go")
        first = run_id_of(frames)
        assert event_data(frames, "on_interrupt")["tasks"][0]["interrupts"][0]["value"] == {
            "question": "first?"
        }
        body = {"assistant_id": scripted.ids["twice"], "input": resume(first)}
        frames = parse((await c.post(f"/threads/{tid}/runs/stream", json=body)).text)
        assert event_data(frames, "on_interrupt")["tasks"][0]["interrupts"][0]["value"] == {
            "question": "second?"
        }
        assert await thread_status(c, tid) == "interrupted"
        # The same resume again (a double click that arrived late): the first interrupt was answered already.
        error_of(await c.post(f"/threads/{tid}/runs/wait", json=body), 409)
        assert await thread_status(c, tid) == "interrupted"


async def test_resume_of_an_unknown_execution_is_refused(scripted: ScriptedEnv) -> None:
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        ok(
            await c.post(
                f"/threads/{tid}/runs/wait", json={"assistant_id": scripted.ids["twice"], "input": send("go")}
            ),
            201,
        )
        resp = await c.post(
            f"/threads/{tid}/runs/wait",
            json={"assistant_id": scripted.ids["twice"], "input": resume("no-such-execution")},
        )
        assert resp.status_code in (404, 409), resp.text
        assert await thread_status(c, tid) == "interrupted"


async def test_same_key_other_principal_is_another_run(scripted: ScriptedEnv) -> None:
    """One credential acting for two end users: B's request with A's Idempotency-Key is B's own run."""
    key = await scripted.key()
    h = idem()
    body = run_body(scripted.ids["slow"], "each their own", QUICK)
    async with (
        scripted.harness.client(key, x_principal_user_id="user-a") as a,
        scripted.harness.client(key, x_principal_user_id="user-b") as b,
    ):
        first = ok(await a.post("/runs", json=body, headers=h), 201)
        second = ok(await b.post("/runs", json=body, headers=h), 201)
        assert second["run_id"] != first["run_id"] and second["thread_id"] != first["thread_id"]
        await run_status(b, second["thread_id"], second["run_id"], ("success",))
        # Each principal's repeat still returns its own run.
        assert ok(await a.post("/runs", json=body, headers=h), 201)["run_id"] == first["run_id"]
        assert ok(await b.post("/runs", json=body, headers=h), 201)["run_id"] == second["run_id"]
