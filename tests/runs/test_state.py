"""Thread `values` and `/state` after runs, on SQLite and PostgreSQL; deleting a thread after runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.app import ApiHarness, open_harness
from tests.harness.chat import send
from tests.runs.common import (
    RUNS_ORG,
    RunsEnv,
    assistant_id,
    error_of,
    list_runs,
    messages_of,
    new_thread,
    ok,
    write_xperts,
)


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ApiHarness]:
    """A harness with the test xperts on each backend (PostgreSQL: the session's database)."""
    if request.param == "postgres":
        url = str(request.getfixturevalue("pg_url"))
    else:
        url = f"sqlite:///{tmp_path / 'state.db'}"
    async with open_harness(tmp_path / "data", url, xperts_dir=write_xperts(tmp_path / "xperts")) as harness:
        yield harness


def contents(messages: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [(m["type"], m["content"]) for m in messages]


async def test_values_and_state_after_two_turns(backend: ApiHarness) -> None:
    key, _ = await backend.mint_key(RUNS_ORG)
    async with backend.client(key) as c:
        echo = await assistant_id(c, "echo")
        thread = await new_thread(c)
        tid = thread["thread_id"]
        # Before any run: no values, no checkpoint.
        empty = ok(await c.get(f"/threads/{tid}/state"))
        assert empty["values"] == {} and empty["checkpoint"] is None
        for text in ("first", "second"):
            ok(
                await c.post(f"/threads/{tid}/runs/wait", json={"assistant_id": echo, "input": send(text)}),
                201,
            )

        expected = [("human", "first"), ("ai", "first"), ("human", "second"), ("ai", "second")]
        got = ok(await c.get(f"/threads/{tid}"))
        assert contents(got["values"]["messages"]) == expected
        assert all(m["id"] for m in got["values"]["messages"])

        state = ok(await c.get(f"/threads/{tid}/state"))
        assert contents(state["values"]["messages"]) == expected
        checkpoint = state["checkpoint"]
        assert checkpoint["thread_id"] == tid and checkpoint["checkpoint_id"]
        assert state["parent_checkpoint"]["thread_id"] == tid
        assert state["created_at"]

        resp = await c.post(
            f"/threads/{tid}/state", json={"values": {"messages": [{"type": "human", "content": "added"}]}}
        )
        assert resp.status_code == 201, resp.text
        assert resp.json()["checkpoint"]["checkpoint_id"] != checkpoint["checkpoint_id"]

        updated = ok(await c.get(f"/threads/{tid}/state"))
        assert contents(updated["values"]["messages"]) == [*expected, ("human", "added")]
        assert updated["checkpoint"]["checkpoint_id"] == resp.json()["checkpoint"]["checkpoint_id"]
        assert updated["parent_checkpoint"]["checkpoint_id"] == checkpoint["checkpoint_id"]
        assert len(ok(await c.get(f"/threads/{tid}"))["values"]["messages"]) == 5

        # Older checkpoints stay readable.
        older = ok(
            await c.get(f"/threads/{tid}/state", params={"checkpoint_id": checkpoint["checkpoint_id"]})
        )
        assert older["checkpoint"]["checkpoint_id"] == checkpoint["checkpoint_id"]
        assert contents(older["values"]["messages"]) == expected
        parent_id = state["parent_checkpoint"]["checkpoint_id"]
        oldest = ok(await c.get(f"/threads/{tid}/state", params={"checkpoint_id": parent_id}))
        assert oldest["checkpoint"]["checkpoint_id"] == parent_id
        assert contents(oldest["values"]["messages"]) == expected[: len(oldest["values"]["messages"])]
        assert len(oldest["values"]["messages"]) < 4
        error_of(await c.get(f"/threads/{tid}/state", params={"checkpoint_id": "no-such-checkpoint"}), 404)

        # The next run continues from the updated state.
        ok(
            await c.post(f"/threads/{tid}/runs/wait", json={"assistant_id": echo, "input": send("third")}),
            201,
        )
        final = ok(await c.get(f"/threads/{tid}"))["values"]["messages"]
        assert contents(final) == [*expected, ("human", "added"), ("human", "third"), ("ai", "third")]


async def test_delete_thread_after_runs(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        for text in ("one", "two"):
            ok(
                await c.post(
                    f"/threads/{tid}/runs/wait", json={"assistant_id": env.ids["echo"], "input": send(text)}
                ),
                201,
            )
        run_ids = [r["run_id"] for r in await list_runs(c, tid)]
        assert len(run_ids) == 2
        assert await env.harness.services.checkpointer.latest(tid) is not None

        resp = await c.delete(f"/threads/{tid}")
        assert resp.status_code == 202 and resp.content == b""
        for rid in run_ids:
            error_of(await c.get(f"/threads/{tid}/runs/{rid}"), 404)
            error_of(await c.get(f"/threads/{tid}/runs/{rid}/stream"), 404)
            error_of(await c.get(f"/threads/{tid}/runs/{rid}/join"), 404)
        error_of(await c.get(f"/threads/{tid}/runs"), 404)
        error_of(await c.get(f"/threads/{tid}/state"), 404)
        error_of(await c.get(f"/threads/{tid}"), 404)
        error_of(await c.delete(f"/threads/{tid}"), 404)
        assert await env.harness.services.checkpointer.latest(tid) is None
        for rid in run_ids:
            assert await env.harness.services.storage.read_events(rid) == []

        # The same id again is a new, empty thread.
        again = await new_thread(c, thread_id=tid)
        assert again["thread_id"] == tid and again["metadata"]["id"] != thread["metadata"]["id"]
        state = ok(await c.get(f"/threads/{tid}/state"))
        assert state["values"] == {} and state["checkpoint"] is None
        assert ok(await c.get(f"/threads/{tid}"))["values"] == {}
        assert await list_runs(c, tid) == [] and await messages_of(c, again) == []


async def test_state_at_a_checkpoint_by_path_or_object_and_patched_metadata(backend: ApiHarness) -> None:
    key, _ = await backend.mint_key(RUNS_ORG)
    async with backend.client(key) as c:
        echo = await assistant_id(c, "echo")
        tid = (await new_thread(c))["thread_id"]
        # No state yet: nothing to patch (and nothing is written).
        message = error_of(await c.patch(f"/threads/{tid}/state", json={"metadata": {"tag": "x"}}), 400)
        assert "no state yet" in message
        for text in ("first", "second"):
            body = {"assistant_id": echo, "input": send(text)}
            ok(await c.post(f"/threads/{tid}/runs/wait", json=body), 201)
        latest = ok(await c.get(f"/threads/{tid}/state"))
        older_id = latest["parent_checkpoint"]["checkpoint_id"]
        older = ok(await c.get(f"/threads/{tid}/state", params={"checkpoint_id": older_id}))

        # The path form and LangGraph's checkpoint object answer what the query form does.
        assert ok(await c.get(f"/threads/{tid}/state/{older_id}")) == older
        by_object = await c.post(
            f"/threads/{tid}/state/checkpoint",
            json={"checkpoint": {"thread_id": tid, "checkpoint_ns": "", "checkpoint_id": older_id}},
        )
        assert ok(by_object) == older
        assert ok(await c.post(f"/threads/{tid}/state/checkpoint", json={"checkpoint": {}})) == latest
        error_of(await c.get(f"/threads/{tid}/state/no-such-checkpoint"), 404)
        error_of(
            await c.post(f"/threads/{tid}/state/checkpoint", json={"checkpoint": {"checkpoint_id": "nope"}}),
            404,
        )
        error_of(await c.post(f"/threads/{tid}/state/checkpoint", json={}), 400)
        error_of(await c.get("/threads/no-such-thread/state/x"), 404)

        checkpoints = len(ok(await c.post(f"/threads/{tid}/history", json={"limit": 100})))
        # PATCH merges keys into the latest checkpoint's metadata: same checkpoint, same parent, same values.
        patched = ok(
            await c.patch(f"/threads/{tid}/state", json={"metadata": {"reviewed": True, "by": "qa"}})
        )
        assert patched["checkpoint"]["checkpoint_id"] == latest["checkpoint"]["checkpoint_id"]
        assert patched["checkpoint"]["thread_id"] == tid
        after = ok(await c.get(f"/threads/{tid}/state"))
        assert after["metadata"] == {**latest["metadata"], "reviewed": True, "by": "qa"}
        assert (after["values"], after["checkpoint"], after["parent_checkpoint"]) == (
            latest["values"],
            latest["checkpoint"],
            latest["parent_checkpoint"],
        )
        # An older checkpoint, named: only it changes; the history finds it by the new key.
        ok(
            await c.patch(
                f"/threads/{tid}/state",
                json={"metadata": {"by": "older"}, "checkpoint": {"checkpoint_id": older_id}},
            )
        )
        assert ok(await c.get(f"/threads/{tid}/state/{older_id}"))["metadata"]["by"] == "older"
        assert ok(await c.get(f"/threads/{tid}/state"))["metadata"]["by"] == "qa"
        found = ok(await c.post(f"/threads/{tid}/history", json={"metadata": {"by": "older"}}))
        assert [s["checkpoint"]["checkpoint_id"] for s in found] == [older_id]
        # Patching writes no checkpoint: the history is as long as before.
        assert len(ok(await c.post(f"/threads/{tid}/history", json={"limit": 100}))) == checkpoints
        # Bad input changes nothing.
        for bad in ({"metadata": {"a b": 1}}, {"metadata": "x"}, {}):
            error_of(await c.patch(f"/threads/{tid}/state", json=bad), 400)
        error_of(
            await c.patch(f"/threads/{tid}/state", json={"metadata": {"x": 1}, "checkpoint_id": "nope"}), 404
        )
        assert ok(await c.get(f"/threads/{tid}/state")) == after

        # The next run goes on from the patched checkpoint.
        ok(
            await c.post(f"/threads/{tid}/runs/wait", json={"assistant_id": echo, "input": send("third")}),
            201,
        )
        final = ok(await c.get(f"/threads/{tid}/state"))
        assert contents(final["values"]["messages"])[-2:] == [("human", "third"), ("ai", "third")]
