"""`runs/stream` (the seed's call and XpertAI's input shapes), `runs/wait`, and background runs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.graphs_scripted import TICKER_TEXT
from tests.harness.chat import send
from tests.runs.common import (
    SEED_QUESTION,
    RunsEnv,
    assert_lifecycle,
    event_data,
    list_runs,
    new_thread,
    ok,
    run_status,
    stream,
    text_of,
)
from tests.runs.sse import parse

# (id field, input, the text the human message carries)
SHAPES = {
    "seed-xpert_id": ("xpert_id", send(SEED_QUESTION), SEED_QUESTION),
    "assistant_id": ("assistant_id", send(SEED_QUESTION), SEED_QUESTION),
    "legacy-string": ("assistant_id", {"input": "hi"}, "hi"),
    "plain-string": ("assistant_id", "hello there", "hello there"),
    "no-action": ("assistant_id", {"message": {"input": {"input": "x"}}}, "x"),
}


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_seed_stream_with_the_demo_xpert(env: RunsEnv, shape: str) -> None:
    id_key, run_input, human_text = SHAPES[shape]
    async with await env.asgi("default") as c:
        thread = await new_thread(c)
        tid, conversation_id = thread["thread_id"], thread["metadata"]["id"]
        resp, frames = await stream(c, tid, {id_key: env.ids["demo"], "input": run_input})

        assert resp.headers["content-type"].split(";")[0] == "text/event-stream"
        assert resp.headers["cache-control"] == "no-cache"
        assert resp.headers["x-accel-buffering"] == "no"
        # Nothing after the complete frame: the body ends with it.
        assert resp.text.endswith(f'id: {frames[-1].seq}\ndata: {{"type":"complete"}}\n\n')
        assert_lifecycle(frames)
        # Data-only frames (`id` then `data`), `event:` only on the last one.
        assert all(f.fields == ["id", "data"] for f in frames[:-1])
        assert frames[-1].fields == ["event", "id", "data"]

        (run,) = await list_runs(c, tid)
        rid = run["run_id"]
        assert run["status"] == "success" and run["assistant_id"] == env.ids["demo"]

        start = event_data(frames, "on_conversation_start")
        assert start["id"] == conversation_id and start["status"] == "busy"
        assert start["title"] == human_text and start["createdAt"] and start["updatedAt"]
        message = event_data(frames, "on_message_start")
        assert message["executionId"] == rid and message["role"] == "ai" and message["status"] == "thinking"
        assert message["conversationId"] == conversation_id and message["content"] == "" and message["id"]
        agent = event_data(frames, "on_agent_start")
        assert agent["id"] == rid and agent["status"] == "running"
        assert agent["threadId"] == tid and agent["xpertId"] == env.ids["demo"] and agent["agentKey"]

        deltas = [f.data for f in frames if f.kind == "message:text"]
        assert all(set(d) == {"type", "data"} for d in deltas)
        assert all(d["data"]["id"] and isinstance(d["data"]["text"], str) for d in deltas)
        assert text_of(frames).strip()

        end = event_data(frames, "on_agent_end")
        assert end["id"] == rid and end["status"] == "success" and "error" not in end
        assert end["xpertId"] == env.ids["demo"] and end["agentKey"] == agent["agentKey"]
        assert isinstance(end["elapsedTime"], int) and end["elapsedTime"] >= 0
        for k in ("inputTokens", "outputTokens", "totalTokens"):
            assert isinstance(end[k], int) and end[k] >= 0
        assert end["totalTokens"] == end["inputTokens"] + end["outputTokens"]
        message_end = event_data(frames, "on_message_end")
        assert message_end == {
            "id": message["id"],
            "conversationId": conversation_id,
            "executionId": rid,
            "role": "ai",
            "status": "success",
        }
        conversation_end = event_data(frames, "on_conversation_end")
        assert conversation_end == {"id": conversation_id, "title": human_text, "status": "idle"}

        after = ok(await c.get(f"/threads/{tid}"))
        assert after["status"] == "idle" and after["metadata"]["assistant_id"] == env.ids["demo"]
        assert after["metadata"]["title"] == human_text


async def test_stream_of_a_custom_graph_carries_every_chunk(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        _, frames = await stream(
            c, thread["thread_id"], {"assistant_id": env.ids["ticker"], "input": send("go")}
        )
    assert_lifecycle(frames, min_deltas=30)
    assert text_of(frames) == TICKER_TEXT
    # The ids are exactly 1..n: nothing skipped.
    assert [f.seq for f in frames] == list(range(1, len(frames) + 1))


async def test_wait_returns_the_streamed_text(env: RunsEnv) -> None:
    async with await env.asgi("default") as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        resp = await c.post(
            f"/threads/{tid}/runs/wait", json={"xpert_id": env.ids["demo"], "input": send(SEED_QUESTION)}
        )
        assert resp.status_code == 201, resp.text
        reply = resp.json()
        assert set(reply) == {"role", "content"} and reply["role"] == "ai"
        assert isinstance(reply["content"], str) and reply["content"].strip()

        (run,) = await list_runs(c, tid)
        assert run["status"] == "success"
        # The same run's stream, replayed: its text deltas concatenate to the wait reply.
        replay = await c.get(f"/threads/{tid}/runs/{run['run_id']}/stream")
        assert replay.status_code == 200
        frames = parse(replay.text)
        assert_lifecycle(frames)
        assert text_of(frames) == reply["content"]

        # A fresh thread streaming the same question says the same (the offline model is deterministic).
        other = await new_thread(c)
        _, streamed = await stream(
            c, other["thread_id"], {"xpert_id": env.ids["demo"], "input": send(SEED_QUESTION)}
        )
        assert text_of(streamed) == reply["content"]


RUN_KEYS = {"run_id", "thread_id", "assistant_id", "created_at", "updated_at", "status", "metadata"}


async def test_background_run_get_list_and_join(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        body: dict[str, Any] = {
            "assistant_id": env.ids["echo"],
            "input": send("in the background"),
            "metadata": {"source": "test"},
        }
        run = ok(await c.post(f"/threads/{tid}/runs", json=body), 201)
        assert set(run) >= RUN_KEYS
        assert run["thread_id"] == tid and run["assistant_id"] == env.ids["echo"]
        assert run["status"] in ("pending", "running", "success")
        assert run["metadata"] == {"source": "test"}
        assert run["created_at"].endswith("Z") and run["updated_at"].endswith("Z")
        rid = run["run_id"]

        done = await run_status(c, tid, rid, ("success", "error", "interrupted", "timeout"))
        assert done["status"] == "success"
        assert set(done) >= RUN_KEYS and done["run_id"] == rid and done["created_at"] == run["created_at"]

        listed = await list_runs(c, tid)
        assert [r["run_id"] for r in listed] == [rid]
        assert listed[0] == done

        joined = ok(await c.get(f"/threads/{tid}/runs/{rid}/join"))
        assert joined == {"role": "ai", "content": "in the background"}

        # Unknown run ids, and this run under another thread, are 404 on every per-run route.
        other = await new_thread(c)
        for prefix in (f"/threads/{tid}/runs/no-such-run", f"/threads/{other['thread_id']}/runs/{rid}"):
            for path in ("", "/join", "/stream"):
                resp = await c.get(prefix + path)
                assert resp.status_code == 404, (prefix, path, resp.text)
            assert (await c.post(prefix + "/cancel")).status_code == 404


async def test_runs_are_listed_newest_first(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        thread = await new_thread(c)
        tid = thread["thread_id"]
        ids = []
        for text in ("one", "two", "three"):
            await stream(c, tid, {"assistant_id": env.ids["echo"], "input": send(text)})
            ids.append((await list_runs(c, tid))[0]["run_id"])
        assert [r["run_id"] for r in await list_runs(c, tid)] == ids[::-1]
        page = ok(await c.get(f"/threads/{tid}/runs", params={"limit": 1, "offset": 1}))
        assert [r["run_id"] for r in page] == [ids[1]]
