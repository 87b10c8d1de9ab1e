"""Run requests refused before anything starts: bad bodies, unknown ids, busy and bound threads."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.graphs_scripted import TICKER_TEXT
from tests.harness.chat import send
from tests.runs.common import RunsEnv, error_of, list_runs, messages_of, new_thread, ok, stream

ENDPOINTS = ["runs/stream", "runs/wait", "runs"]

# name → (body without the assistant id, whether to add it, the field path the message must name)
BAD_BODIES: dict[str, tuple[dict[str, Any], bool, str]] = {
    "missing-assistant": ({"input": send("x")}, False, "assistant_id"),
    "empty-assistant": ({"assistant_id": "", "input": send("x")}, False, "assistant_id"),
    "bad-multitask": ({"input": send("x"), "multitask_strategy": "sometimes"}, True, "multitask_strategy"),
    "input-number": ({"input": 5}, True, "input"),
    "input-missing": ({}, True, "input"),
    "input-list": ({"input": ["hi"]}, True, "input"),
    "send-without-message": ({"input": {"action": "send"}}, True, "input.message"),
    "text-not-string": (
        {"input": {"action": "send", "message": {"input": {"input": 5}}}},
        True,
        "input.message.input.input",
    ),
    "unknown-action": ({"input": {"action": "dance"}}, True, "input.action"),
    "legacy-text-not-string": ({"input": {"input": {"input": ["a"]}}}, True, "input.input.input"),
    "metadata-not-object": ({"input": send("x"), "metadata": "m"}, True, "metadata"),
}


async def snapshot(c: httpx.AsyncClient, thread: dict[str, Any]) -> tuple[Any, ...]:
    """What a refused request must not change: runs, messages, status, binding, title."""
    tid = thread["thread_id"]
    now = ok(await c.get(f"/threads/{tid}"))
    return (
        await list_runs(c, tid),
        await messages_of(c, thread),
        now["status"],
        now["metadata"]["assistant_id"],
        now["metadata"]["title"],
        now["values"],
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_bad_bodies_are_400_naming_the_field_and_create_nothing(env: RunsEnv, endpoint: str) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        before = await snapshot(c, thread)
        for name, (body, with_id, path) in BAD_BODIES.items():
            if with_id:
                body = {"assistant_id": env.ids["echo"], **body}
            message = error_of(await c.post(f"/threads/{tid}/{endpoint}", json=body), 400)
            assert path in message, (name, message)
        # Not JSON at all.
        resp = await c.post(
            f"/threads/{tid}/{endpoint}", content=b"{nope", headers={"content-type": "application/json"}
        )
        error_of(resp, 400)
        assert await snapshot(c, thread) == before
        # The thread was left untouched: it still takes a first run, with any assistant.
        _, frames = await stream(c, tid, {"assistant_id": env.ids["echo"], "input": send("fine")})
        assert frames[-1].event == "complete"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_unknown_ids_are_404_and_create_nothing(env: RunsEnv, endpoint: str) -> None:
    async with await env.asgi() as c, await env.asgi("other-org-runs") as other:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        before = await snapshot(c, thread)
        body = {"assistant_id": "no-such-assistant", "input": send("x")}
        assert "no-such-assistant" in error_of(await c.post(f"/threads/{tid}/{endpoint}", json=body), 404)
        body = {"assistant_id": env.ids["echo"], "input": send("x")}
        assert "no-such-thread" in error_of(
            await c.post(f"/threads/no-such-thread/{endpoint}", json=body), 404
        )
        # The demo xpert lives in org `default`: another org's key cannot see it.
        demo = {"assistant_id": env.ids["demo"], "input": send("x")}
        error_of(await c.post(f"/threads/{tid}/{endpoint}", json=demo), 404)
        assert await snapshot(c, thread) == before

        # A thread of another org is not found (never 403), and gets no run.
        foreign = await new_thread(other)
        foreign_before = await snapshot(other, foreign)
        error_of(await c.post(f"/threads/{foreign['thread_id']}/{endpoint}", json=body), 404)
        assert await snapshot(other, foreign) == foreign_before
        # Nor can the other org read this one's runs.
        assert (await other.get(f"/threads/{tid}/runs")).status_code == 404


async def test_second_run_while_the_first_is_in_flight_is_409(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        body = {"assistant_id": env.ids["ticker"], "input": send("first")}
        first = ok(await c.post(f"/threads/{tid}/runs", json=body), 201)
        assert ok(await c.get(f"/threads/{tid}"))["status"] == "busy"
        second = {"assistant_id": env.ids["ticker"], "input": send("second")}
        for endpoint in ENDPOINTS:
            assert "busy" in error_of(await c.post(f"/threads/{tid}/{endpoint}", json=second), 409)
        explicit = {**second, "multitask_strategy": "reject"}
        error_of(await c.post(f"/threads/{tid}/runs/wait", json=explicit), 409)
        # Only the first run exists, and it finishes untroubled.
        assert [r["run_id"] for r in await list_runs(c, tid)] == [first["run_id"]]
        joined = ok(await c.get(f"/threads/{tid}/runs/{first['run_id']}/join"))
        assert joined == {"role": "ai", "content": TICKER_TEXT}
        assert len(await messages_of(c, thread)) == 2
        # Free again: a new run goes through.
        assert (await c.post(f"/threads/{tid}/runs/wait", json=second)).status_code == 201


async def test_thread_bound_to_another_assistant_is_403(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        await stream(c, tid, {"assistant_id": env.ids["echo"], "input": send("bind me")})
        assert ok(await c.get(f"/threads/{tid}"))["metadata"]["assistant_id"] == env.ids["echo"]
        before = await snapshot(c, thread)
        other = {"assistant_id": env.ids["ticker"], "input": send("switch")}
        for endpoint in ENDPOINTS:
            error_of(await c.post(f"/threads/{tid}/{endpoint}", json=other), 403)
        error_of(
            await c.post(f"/threads/{tid}/runs/wait", json={"xpert_id": env.ids["boom"], "input": "x"}), 403
        )
        assert await snapshot(c, thread) == before
        # The bound assistant still runs.
        reply = ok(
            await c.post(
                f"/threads/{tid}/runs/wait", json={"assistant_id": env.ids["echo"], "input": send("again")}
            ),
            201,
        )
        assert reply == {"role": "ai", "content": "again"}

        # A thread created with an assistant is bound from the start.
        bound = await new_thread(c, assistant_id=env.ids["echo"])
        error_of(await c.post(f"/threads/{bound['thread_id']}/runs/wait", json=other), 403)
        assert await list_runs(c, bound["thread_id"]) == []
