"""Every stream mode, as langgraph-sdk reads it, for a custom graph and for a YAML xpert (the demo, on the
offline model): LangGraph's event names and payloads, `metadata` first, several modes at once, subgraphs."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from langgraph_sdk.client import LangGraphClient

HI = {"messages": [{"role": "user", "content": "hi"}]}


async def collect(parts: Any) -> list[tuple[str, Any]]:
    return [(p.event, p.data) async for p in parts]


def names(events: list[tuple[str, Any]]) -> list[str]:
    return [e for e, _ in events]


async def test_default_mode_is_values(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    events = await collect(client.runs.stream(thread["thread_id"], "greeter", input=HI))
    assert names(events)[0] == "metadata"
    assert set(names(events)[1:]) == {"values"}
    run_id = events[0][1]["run_id"]
    assert (await client.runs.get(thread["thread_id"], run_id))["status"] == "success"
    first, *_, last = [d for e, d in events if e == "values"]
    assert [m["type"] for m in first["messages"]] == ["human"]
    assert [m["type"] for m in last["messages"]] == ["human", "ai"]
    assert last["messages"][-1]["content"] == "Hello nobody you said hi"
    assert last["step"] == 2


async def test_updates(client: LangGraphClient) -> None:
    events = await collect(client.runs.stream(None, "greeter", input=HI, stream_mode="updates"))
    updates = [d for e, d in events if e == "updates"]
    assert names(events) == ["metadata", "updates", "updates"]
    assert list(updates[0]) == ["greet"] and updates[0]["greet"]["step"] == 1
    assert updates[1] == {"finish": {"step": 2}}


async def test_messages_tuple(client: LangGraphClient) -> None:
    events = await collect(client.runs.stream(None, "greeter", input=HI, stream_mode="messages-tuple"))
    chunks = [d for e, d in events if e == "messages"]
    assert len(chunks) > 3  # token by token
    text = "".join(message["content"] for message, _meta in chunks)
    assert text == "Hello nobody you said hi"
    message, meta = chunks[0]
    assert message["type"] == "AIMessageChunk" and meta["langgraph_node"] == "greet"


async def test_messages_partial_and_complete(client: LangGraphClient) -> None:
    events = await collect(client.runs.stream(None, "greeter", input=HI, stream_mode="messages"))
    kinds = names(events)
    assert kinds[:3] == ["metadata", "messages/metadata", "messages/partial"]
    partials = [d[0]["content"] for e, d in events if e == "messages/partial"]
    assert partials[-1] == "Hello nobody you said hi"
    assert all(b.startswith(a) for a, b in zip(partials, partials[1:], strict=False))  # accumulated
    (complete,) = [d for e, d in events if e == "messages/complete"]
    assert complete[0]["type"] == "ai" and complete[0]["content"] == "Hello nobody you said hi"


async def test_custom(client: LangGraphClient) -> None:
    events = await collect(
        client.runs.stream(None, "greeter", input=HI, stream_mode="custom", context={"user_name": "Ada"})
    )
    assert events[1:] == [("custom", {"progress": "greeting", "user": "Ada"})]


@pytest.mark.parametrize("mode", ["debug", "tasks", "checkpoints"])
async def test_debug_tasks_checkpoints(client: LangGraphClient, mode: str) -> None:
    events = await collect(client.runs.stream(None, "greeter", input=HI, stream_mode=mode))
    assert set(names(events)[1:]) == {mode}
    payloads = [d for _, d in events[1:]]
    if mode == "checkpoints":
        assert payloads[-1]["values"]["step"] == 2 and "next" in payloads[-1]
    elif mode == "tasks":
        assert {p["name"] for p in payloads} == {"greet", "finish"}
        assert any("result" in p for p in payloads) and any("input" in p for p in payloads)
    else:
        assert {p["type"] for p in payloads} >= {"checkpoint", "task", "task_result"}


async def test_events(client: LangGraphClient) -> None:
    events = await collect(client.runs.stream(None, "greeter", input=HI, stream_mode="events"))
    kinds = {d["event"] for e, d in events if e == "events"}
    assert {"on_chain_start", "on_chain_end", "on_chat_model_stream"} <= kinds
    assert set(names(events)) == {"metadata", "events"}


async def test_several_modes_at_once(client: LangGraphClient) -> None:
    events = await collect(
        client.runs.stream(
            None, "greeter", input=HI, stream_mode=["values", "updates", "messages-tuple", "custom"]
        )
    )
    assert names(events)[0] == "metadata"
    assert set(names(events)) == {"metadata", "values", "updates", "messages", "custom"}


async def test_subgraphs(client: LangGraphClient) -> None:
    flat = await collect(client.runs.stream(None, "nested", input=HI, stream_mode="updates"))
    assert names(flat) == ["metadata", "updates"]
    deep = await collect(
        client.runs.stream(None, "nested", input=HI, stream_mode="updates", stream_subgraphs=True)
    )
    inner = [e for e in names(deep) if e.startswith("updates|")]
    assert len(inner) == 1 and inner[0].startswith("updates|child:")
    assert names(deep)[-1] == "updates"


@pytest.mark.parametrize("mode", ["values", "updates", "messages", "messages-tuple", "events", "debug"])
async def test_yaml_xpert_modes(demo_client: LangGraphClient, mode: str) -> None:
    """The demo xpert (built-in agent graph, offline model) in every mode, with a tool call."""
    ask = {"messages": [{"role": "user", "content": "what is 12*7"}]}
    events = await collect(demo_client.runs.stream(None, "demo", input=ask, stream_mode=mode))
    assert names(events)[0] == "metadata"
    rest = set(names(events)[1:])
    expected = {
        "values": {"values"},
        "updates": {"updates"},
        "messages": {"messages/metadata", "messages/partial", "messages/complete"},
        "messages-tuple": {"messages"},
        "events": {"events"},
        "debug": {"debug"},
    }[mode]
    assert rest == expected
    if mode == "values":
        final = events[-1][1]["messages"]
        assert [m["type"] for m in final] == ["human", "ai", "tool", "ai"]
        assert "84" in final[-1]["content"]
    if mode == "updates":
        assert [next(iter(d)) for _, d in events[1:]] == ["agent", "tools", "agent"]


async def test_xpertai_input_still_gets_xpertai_frames(demo_client: LangGraphClient) -> None:
    """No stream_mode, no command, chat input: XpertAI's frames (raw HTTP, as XpertAI's clients send it)."""
    http = demo_client.http.client
    thread = await demo_client.threads.create()
    resp = await http.post(
        f"/threads/{thread['thread_id']}/runs/stream",
        json={"assistant_id": "demo", "input": {"input": {"input": "hello"}}},
    )
    assert resp.status_code == 200
    blocks = [b.split("\n") for b in resp.text.strip().split("\n\n")]
    named = [line for b in blocks for line in b if line.startswith("event:")]
    assert named == ["event: complete"]  # data-only frames, then `complete`: XpertAI's stream
    first = json.loads(blocks[0][-1].removeprefix("data: "))
    assert first["type"] == "event" and first["event"] == "on_conversation_start"
    runs = await demo_client.runs.list(thread["thread_id"])
    assert resp.headers["content-location"] == f"/threads/{thread['thread_id']}/runs/{runs[0]['run_id']}"
    assert "location" not in resp.headers


async def test_payloads_name_the_public_thread_and_no_server_keys(client: LangGraphClient) -> None:
    """A thread made with a chosen id has an internal id of its own: events name the one callers know,
    and checkpoint configs carry none of the server's configurable keys (org, user, files)."""
    chosen = str(uuid.uuid4())
    await client.threads.create(thread_id=chosen)
    events = await collect(
        client.runs.stream(
            chosen, "greeter", input=HI, stream_mode=["checkpoints", "messages-tuple", "debug"]
        )
    )
    checkpoints = [d for e, d in events if e == "checkpoints"]
    assert {c["config"]["configurable"]["thread_id"] for c in checkpoints} == {chosen}
    assert {meta["thread_id"] for e, (_, meta) in ((e, d) for e, d in events if e == "messages")} == {chosen}
    for c in checkpoints:
        assert not [k for k in c["config"]["configurable"] if k.startswith(("xpert_", "__"))]
    assert "xpert_org_id" not in json.dumps([d for _, d in events])
