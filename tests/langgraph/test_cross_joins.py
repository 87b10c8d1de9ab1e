"""Joins in the other protocol (runs/crossjoin.py): an XpertAI run joined by langgraph-sdk gets LangGraph's
events (messages from its frames, values/updates/checkpoints from its checkpoints), a LangGraph run joined
with `?protocol=xpertai` gets XpertAI's frames — on the run's join, the stateless join and the thread's
stream."""

from __future__ import annotations

from typing import Any

from langgraph_sdk.client import LangGraphClient

from tests.harness.chat import send
from tests.runs.sse import SseFrame, parse

HI = {"messages": [{"role": "user", "content": "hi"}]}
# What XpertAI's client reads of a run, start to end (its text deltas counted once).
XPERTAI_STORY = [
    "on_conversation_start",
    "on_message_start",
    "on_agent_start",
    "message:text",
    "on_agent_end",
    "on_message_end",
    "on_conversation_end",
    "complete",
]


async def xpertai_run(client: LangGraphClient, graph: str, text: str = "hi") -> tuple[str, str]:
    """A finished run started by an XpertAI client (chat input, XpertAI frames): (thread id, run id)."""
    tid = (await client.threads.create())["thread_id"]
    answer = await client.http.client.post(
        f"/threads/{tid}/runs/wait", json={"assistant_id": graph, "input": send(text)}
    )
    assert answer.status_code == 201 and "role" in answer.json(), answer.text
    (run,) = await client.runs.list(tid)
    return tid, run["run_id"]


def story(frames: list[SseFrame]) -> list[str]:
    out: list[str] = []
    for f in frames:
        if not (out and out[-1] == f.kind == "message:text"):
            out.append(f.kind)
    return out


def text_of(frames: list[SseFrame]) -> str:
    return "".join(
        f.data["data"]["text"]
        for f in frames
        if f.kind == "message:text" and f.data["data"]["type"] == "text"
    )


async def test_an_xpertai_run_joined_by_langgraph_sdk(client: LangGraphClient) -> None:
    tid, rid = await xpertai_run(client, "greeter", "hi")
    parts = [
        (p.event, p.data)
        async for p in client.runs.join_stream(tid, rid, stream_mode=["values", "updates", "messages-tuple"])
    ]
    names = [e for e, _ in parts]
    assert names[0] == "metadata" and parts[0][1]["run_id"] == rid
    tokens = "".join(d[0]["content"] for e, d in parts if e == "messages")
    assert tokens == "Hello nobody you said hi"
    updates = [d for e, d in parts if e == "updates"]
    assert [next(iter(u)) for u in updates] == ["greet", "finish"]
    assert updates[0]["greet"]["messages"][0]["content"] == "Hello nobody you said hi"
    values = [d for e, d in parts if e == "values"]
    assert [m["content"] for m in values[-1]["messages"]] == ["hi", "Hello nobody you said hi"]
    assert values[-1]["step"] == 2
    # Messages while the run streamed, then its steps: LangGraph's events are in the order they are rebuilt.
    assert names.index("updates") > max(i for i, e in enumerate(names) if e == "messages")


async def test_a_join_with_no_modes_gets_langgraphs_default_values(client: LangGraphClient) -> None:
    tid, rid = await xpertai_run(client, "steps")
    parts = [(p.event, p.data) async for p in client.runs.join_stream(tid, rid)]  # sends `stream_mode=`
    assert {e for e, _ in parts} == {"metadata", "values"}
    assert [m["content"] for m in parts[-1][1]["messages"]] == ["hi", "first", "second"]


async def test_checkpoints_of_an_xpertai_run_name_its_public_thread(client: LangGraphClient) -> None:
    tid, rid = await xpertai_run(client, "steps")
    parts = [p.data async for p in client.runs.join_stream(tid, rid, stream_mode="checkpoints")]
    checkpoints = parts[1:]
    assert checkpoints and all(c["config"]["configurable"]["thread_id"] == tid for c in checkpoints)
    assert [c["next"] for c in checkpoints] == [["__start__"], ["first"], ["second"], []]


async def test_a_failed_xpertai_run_joined_by_langgraph_ends_with_its_error(client: LangGraphClient) -> None:
    tid, rid = await xpertai_run(client, "broken")
    parts = [(p.event, p.data) async for p in client.runs.join_stream(tid, rid, stream_mode="values")]
    assert parts[0][0] == "metadata" and parts[-1][0] == "error"
    assert parts[-1][1]["error"] and parts[-1][1]["message"]


async def test_a_langgraph_run_joined_as_xpertai_frames(client: LangGraphClient) -> None:
    tid = (await client.threads.create())["thread_id"]
    streamed = [p async for p in client.runs.stream(tid, "greeter", input=HI, stream_mode="messages-tuple")]
    rid = streamed[0].data["run_id"]
    answer = await client.http.client.get(f"/threads/{tid}/runs/{rid}/stream", params={"protocol": "xpertai"})
    frames = parse(answer.text)
    assert story(frames) == XPERTAI_STORY
    assert text_of(frames) == "Hello nobody you said hi"
    assert frames[2].data["data"]["threadId"] == tid
    end = frames[-2].data["data"]
    assert end["status"] == "idle" and "error" not in end
    # Without asking, the run is joined in its own protocol, as before.
    own = await client.http.client.get(f"/threads/{tid}/runs/{rid}/stream")
    assert [f.event for f in parse(own.text)][0] == "metadata"


async def test_a_langgraph_run_without_messages_gets_its_stored_reply(client: LangGraphClient) -> None:
    tid = (await client.threads.create())["thread_id"]
    run = await client.runs.create(tid, "greeter", input=HI)  # stream_mode: values only
    await client.runs.join(tid, run["run_id"])
    answer = await client.http.client.get(f"/runs/{run['run_id']}/stream", params={"protocol": "xpertai"})
    frames = parse(answer.text)
    assert story(frames) == XPERTAI_STORY
    assert text_of(frames) == "Hello nobody you said hi"


async def test_a_failed_langgraph_run_as_xpertai_frames(client: LangGraphClient) -> None:
    tid = (await client.threads.create())["thread_id"]
    run = await client.runs.create(tid, "broken", input=HI)
    await client.runs.join(tid, run["run_id"])
    answer = await client.http.client.get(
        f"/threads/{tid}/runs/{run['run_id']}/stream", params={"protocol": "xpertai"}
    )
    frames = parse(answer.text)
    end: dict[str, Any] = frames[-2].data["data"]
    assert frames[-1].kind == "complete" and end["status"] == "error" and end["errorKind"]


async def test_the_thread_stream_in_either_protocol(client: LangGraphClient) -> None:
    tid, xpertai_rid = await xpertai_run(client, "steps")
    lg_run = await client.runs.create(tid, "steps", input=HI)
    await client.runs.join(tid, lg_run["run_id"])
    # langgraph-sdk's thread join: both runs as LangGraph events, each with its metadata.
    parts = [
        (p.event, p.data)
        async for p in await client.threads.join_stream(
            tid, stream_mode="values", last_event_id=f"{xpertai_rid}:0"
        )
    ]
    assert [d["run_id"] for e, d in parts if e == "metadata"] == [xpertai_rid, lg_run["run_id"]]
    assert [len(d["messages"]) for e, d in parts if e == "values"][-1] == 6
    # An XpertAI reader: both runs as XpertAI frames.
    answer = await client.http.client.get(
        f"/threads/{tid}/stream",
        params={"protocol": "xpertai"},
        headers={"Last-Event-ID": f"{xpertai_rid}:0"},
    )
    frames = parse(answer.text)
    assert story(frames) == XPERTAI_STORY * 2
    assert {f.id.split(":")[0] for f in frames if f.id} == {xpertai_rid, lg_run["run_id"]}


async def test_rebuilt_steps_match_a_langgraph_runs_own(client: LangGraphClient) -> None:
    """The same graph and input: an XpertAI run joined as values/updates/checkpoints tells the steps a
    LangGraph run of it streams itself, in the same order."""
    modes = ["values", "updates", "checkpoints"]
    tid, rid = await xpertai_run(client, "steps")
    rebuilt = [(p.event, p.data) async for p in client.runs.join_stream(tid, rid, stream_mode=modes)]
    own_thread = (await client.threads.create())["thread_id"]
    own = [
        (p.event, p.data) async for p in client.runs.stream(own_thread, "steps", input=HI, stream_mode=modes)
    ]

    def steps(parts: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for event, data in parts:
            if event == "values":
                out.append((event, [m["content"] for m in data["messages"]]))
            elif event == "updates":
                out.append((event, sorted(data)))
            elif event == "checkpoints":
                out.append((event, data["next"]))
        return out

    assert steps(rebuilt) == steps(own)


async def test_a_join_reads_a_json_list_of_modes(client: LangGraphClient) -> None:
    """XpertAI's JS SDK sends `streamMode: ["values"]` as one JSON-encoded query value."""
    tid, rid = await xpertai_run(client, "steps")
    query = {"stream_mode": '["values","updates"]'}
    answer = await client.http.client.get(f"/threads/{tid}/runs/{rid}/stream", params=query)
    assert answer.status_code == 200, answer.text
    assert {f.event for f in parse(answer.text)} == {"metadata", "values", "updates"}
    bad = await client.http.client.get(f"/threads/{tid}/runs/{rid}/stream", params={"stream_mode": "[1]"})
    assert bad.status_code == 400 and "JSON list of modes" in bad.json()["message"]
