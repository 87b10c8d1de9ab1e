"""Joins by thread and by run id alone, and deleting a run: `GET /threads/{id}/stream` (every run of the
thread, resumable across runs), `GET /runs/{run_id}/stream` (a stateless run's join) and
`DELETE /threads/{id}/runs/{run_id}` (a finished run goes; a live one is refused until cancelled)."""

from __future__ import annotations

from tests.graphs_for_tests import TICKER_TEXT
from tests.harness.chat import send
from tests.runs.common import (
    RunsEnv,
    assert_lifecycle,
    error_of,
    list_runs,
    messages_of,
    new_thread,
    ok,
    run_status,
    text_of,
)
from tests.runs.sse import SseFrame, parse


def by_run(frames: list[SseFrame]) -> list[tuple[str, list[SseFrame]]]:
    """A thread stream's frames grouped by the run their id names (`<run_id>:<seq>`), in order."""
    groups: list[tuple[str, list[SseFrame]]] = []
    for f in frames:
        assert f.id is not None and ":" in f.id, f.id
        run_id, seq = f.id.rsplit(":", 1)
        if not groups or groups[-1][0] != run_id:
            groups.append((run_id, []))
        groups[-1][1].append(SseFrame(id=seq, event=f.event, raw=f.raw, fields=f.fields))
    return groups


def wire(frames: list[SseFrame]) -> list[tuple[str | None, str | None, str]]:
    return [(f.id, f.event, f.raw) for f in frames]


async def test_the_thread_stream_replays_every_run_after_last_event_id(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        for text in ("one", "two"):
            body = {"assistant_id": env.ids["echo"], "input": send(text)}
            ok(await c.post(f"/threads/{tid}/runs/wait", json=body), 201)
        first, second = reversed([r["run_id"] for r in await list_runs(c, tid)])
        own = {rid: parse((await c.get(f"/threads/{tid}/runs/{rid}/stream")).text) for rid in (first, second)}

        # An idle thread, no Last-Event-ID: nothing to follow, the response ends at once.
        idle = await c.get(f"/threads/{tid}/stream")
        assert idle.status_code == 200 and idle.headers["content-type"].startswith("text/event-stream")
        assert parse(idle.text) == []

        # From the first run's start: both runs, each exactly as its own stream, ids naming the run.
        whole = await c.get(f"/threads/{tid}/stream", headers={"Last-Event-ID": f"{first}:0"})
        groups = by_run(parse(whole.text))
        assert [rid for rid, _ in groups] == [first, second]
        for rid, frames in groups:
            assert wire(frames) == wire(own[rid])
            assert_lifecycle(frames)
        # Resuming inside the first run: its rest, then the second whole (header or query).
        k = 3
        for resp in (
            await c.get(f"/threads/{tid}/stream", headers={"Last-Event-ID": f"{first}:{k}"}),
            await c.get(f"/threads/{tid}/stream", params={"last_event_id": f"{first}:{k}"}),
        ):
            groups = by_run(parse(resp.text))
            assert [(rid, wire(f)) for rid, f in groups] == [
                (first, wire(own[first][k:])),
                (second, wire(own[second])),
            ]
        # After the last frame of the last run: nothing left.
        last = f"{second}:{own[second][-1].seq}"
        assert parse((await c.get(f"/threads/{tid}/stream", headers={"Last-Event-ID": last})).text) == []

        # Ids that are not this thread's stream's: a 400 that says what an id looks like.
        assert "'<run_id>:<seq>'" in error_of(
            await c.get(f"/threads/{tid}/stream", headers={"Last-Event-ID": "5"}), 400
        )
        other = (await new_thread(c))["thread_id"]
        ok(
            await c.post(
                f"/threads/{other}/runs/wait", json={"assistant_id": env.ids["echo"], "input": send("x")}
            ),
            201,
        )
        (other_run,) = [r["run_id"] for r in await list_runs(c, other)]
        message = error_of(
            await c.get(f"/threads/{tid}/stream", headers={"Last-Event-ID": f"{other_run}:1"}), 400
        )
        assert "not a run of this thread" in message
        error_of(await c.get("/threads/no-such-thread/stream"), 404)


async def test_the_thread_stream_follows_a_live_run_and_the_one_queued_behind_it(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        ticker = {"assistant_id": env.ids["ticker"], "input": send("tick")}
        live = ok(await c.post(f"/threads/{tid}/runs", json=ticker), 201)
        queued = ok(
            await c.post(f"/threads/{tid}/runs", json={**ticker, "multitask_strategy": "enqueue"}), 201
        )
        # Buffered in process: the response is whole once the thread has nothing more to follow.
        resp = await c.get(f"/threads/{tid}/stream")
        assert resp.status_code == 200
        groups = by_run(parse(resp.text))
        assert [rid for rid, _ in groups] == [live["run_id"], queued["run_id"]]
        for _, frames in groups:
            assert_lifecycle(frames, min_deltas=2)
            assert text_of(frames) == TICKER_TEXT
        assert ok(await c.get(f"/threads/{tid}"))["status"] == "idle"


async def test_a_stateless_run_is_joined_by_its_id_alone(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        run = ok(await c.post("/runs", json={"assistant_id": env.ids["echo"], "input": send("alone")}), 201)
        rid, tid = run["run_id"], run["thread_id"]
        joined = await c.get(f"/runs/{rid}/stream")
        assert joined.status_code == 200 and joined.headers["content-type"].startswith("text/event-stream")
        frames = parse(joined.text)
        assert_lifecycle(frames)
        assert text_of(frames) == "alone"
        assert wire(frames) == wire(parse((await c.get(f"/threads/{tid}/runs/{rid}/stream")).text))
        rest = parse((await c.get(f"/runs/{rid}/stream", headers={"Last-Event-ID": "2"})).text)
        assert wire(rest) == wire(frames[2:])
        error_of(await c.get(f"/runs/{rid}/stream", headers={"Last-Event-ID": "x"}), 400)
        error_of(await c.get("/runs/no-such-run/stream"), 404)
    # Another org's key cannot tell the run exists.
    async with await env.asgi("another-org") as other:
        error_of(await other.get(f"/runs/{rid}/stream"), 404)


async def test_deleting_a_run_keeps_the_conversation_and_refuses_a_live_run(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        ok(
            await c.post(
                f"/threads/{tid}/runs/wait", json={"assistant_id": env.ids["echo"], "input": send("kept")}
            ),
            201,
        )
        (run,) = await list_runs(c, tid)
        before = await messages_of(c, thread)
        state = ok(await c.get(f"/threads/{tid}/state"))

        deleted = ok(await c.delete(f"/threads/{tid}/runs/{run['run_id']}"))
        assert deleted == {"id": run["run_id"], "deleted": True, "affected": 1}
        error_of(await c.get(f"/threads/{tid}/runs/{run['run_id']}"), 404)
        error_of(await c.get(f"/threads/{tid}/runs/{run['run_id']}/stream"), 404)
        assert await list_runs(c, tid) == []
        assert await messages_of(c, thread) == before  # the conversation is the thread's
        assert ok(await c.get(f"/threads/{tid}/state"))["checkpoint"] == state["checkpoint"]
        error_of(await c.delete(f"/threads/{tid}/runs/{run['run_id']}"), 404)

        # A live run: refused with what to do, and untouched; once cancelled it may go.
        tid = (await new_thread(c))["thread_id"]
        live = ok(
            await c.post(
                f"/threads/{tid}/runs", json={"assistant_id": env.ids["ticker"], "input": send("t")}
            ),
            201,
        )
        message = error_of(await c.delete(f"/threads/{tid}/runs/{live['run_id']}"), 409)
        assert "cancel it first" in message and f"/threads/{tid}/runs/{live['run_id']}/cancel" in message
        assert ok(await c.get(f"/threads/{tid}/runs/{live['run_id']}"))["status"] in ("pending", "running")
        ok(await c.post(f"/threads/{tid}/runs/{live['run_id']}/cancel"), 201)
        await run_status(c, tid, live["run_id"], ("interrupted", "success", "error"))
        ok(await c.delete(f"/threads/{tid}/runs/{live['run_id']}"))
        error_of(await c.delete(f"/threads/no-such-thread/runs/{live['run_id']}"), 404)
