"""Input and control in LangGraph's protocol, driven by langgraph-sdk: interrupt → `command.resume` →
completion, `command.update`/`goto`, interrupt_before/after, forks from a checkpoint, `if_not_exists`,
`runs/wait`'s state values and `__error__`, joins (with Last-Event-ID and a subset of modes)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import BadRequestError

HI = {"messages": [{"role": "user", "content": "hi"}]}


async def collect(parts: Any) -> list[tuple[str, Any]]:
    return [(p.event, p.data) async for p in parts]


def texts(values: dict[str, Any]) -> list[str]:
    return [str(m["content"]) for m in values.get("messages", [])]


async def test_interrupt_then_command_resume(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    tid = thread["thread_id"]
    events = await collect(client.runs.stream(tid, "asker", input=HI, stream_mode="updates"))
    (interrupt,) = [d["__interrupt__"] for e, d in events if e == "updates" and "__interrupt__" in d]
    assert interrupt[0]["value"] == {"question": "Which colour?"} and interrupt[0]["id"]
    assert (await client.threads.get(tid))["status"] == "interrupted"
    # The thread's state names the waiting node and its interrupt, which useStream shows (and answers).
    state = await client.threads.get_state(tid)
    assert state["next"] == ["ask"]
    (task,) = state["tasks"]
    assert task["name"] == "ask" and task["interrupts"] == [
        {"value": {"question": "Which colour?"}, "id": interrupt[0]["id"]}
    ]
    (head, *_) = await client.threads.get_history(tid)
    assert head["tasks"] == state["tasks"]

    events = await collect(client.runs.stream(tid, "asker", command={"resume": "blue"}, stream_mode="values"))
    assert names(events)[0] == "metadata"
    assert texts(events[-1][1]) == ["hi", "You chose blue"]
    assert (await client.threads.get(tid))["status"] == "idle"


async def test_a_command_beside_an_empty_input_resumes(client: LangGraphClient) -> None:
    """`useStream`'s submit (agent-chat-ui's approve button) sends `input: {}` with `command.resume`."""
    thread = await client.threads.create()
    tid = thread["thread_id"]
    await client.runs.wait(tid, "asker", input=HI)
    with pytest.raises(httpx.HTTPStatusError, match="not both") as refused:
        await client.runs.wait(tid, "asker", input=HI, command={"resume": "red"})
    assert refused.value.response.status_code == 400
    values = await client.runs.wait(tid, "asker", input={}, command={"resume": "red"})
    assert texts(values) == ["hi", "You chose red"]


async def test_resume_without_an_interrupt_is_refused(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "steps", input=HI)
    with pytest.raises(httpx.HTTPStatusError, match="no interrupted run") as refused:
        await client.runs.wait(thread["thread_id"], "steps", command={"resume": "x"})
    assert refused.value.response.status_code == 409


async def test_wait_returns_values_and_interrupts(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    values = await client.runs.wait(thread["thread_id"], "asker", input=HI)
    assert texts(values) == ["hi"]
    assert values["__interrupt__"][0]["value"] == {"question": "Which colour?"}
    values = await client.runs.wait(thread["thread_id"], "asker", command={"resume": "red"})
    assert texts(values) == ["hi", "You chose red"] and "__interrupt__" not in values


async def test_command_update_and_goto(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "steps", input=HI)
    values = await client.runs.wait(
        thread["thread_id"],
        "steps",
        command={"update": {"messages": [{"role": "user", "content": "again"}]}, "goto": "second"},
    )
    assert texts(values) == ["hi", "first", "second", "again", "second"]


async def test_bad_command_is_a_clear_400(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    with pytest.raises(httpx.HTTPStatusError, match="command: Expected an object") as refused:
        await client.runs.wait(thread["thread_id"], "steps", command={"jump": "x"})  # type: ignore[typeddict-unknown-key]
    assert refused.value.response.status_code == 400
    with pytest.raises(BadRequestError, match="stream_mode"):
        await collect(client.runs.stream(thread["thread_id"], "steps", input=HI, stream_mode="everything"))  # type: ignore[arg-type]
    assert await client.runs.list(thread["thread_id"]) == []


async def test_interrupt_before_and_after(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    values = await client.runs.wait(thread["thread_id"], "steps", input=HI, interrupt_before=["second"])
    assert texts(values) == ["hi", "first"]
    state = await client.threads.get_state(thread["thread_id"])
    assert state["next"] == ["second"]
    # A breakpoint, not an interrupt: the task is listed (as LangGraph lists it) with no interrupts.
    assert [(t["name"], t["interrupts"]) for t in state["tasks"]] == [("second", [])]
    values = await client.runs.wait(thread["thread_id"], "steps", input=None)
    assert texts(values) == ["hi", "first", "second"]

    other = await client.threads.create()
    values = await client.runs.wait(other["thread_id"], "steps", input=HI, interrupt_after=["first"])
    assert texts(values) == ["hi", "first"]


async def test_fork_from_a_checkpoint(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    tid = thread["thread_id"]
    await client.runs.wait(tid, "steps", input=HI)
    history = await client.threads.get_history(tid)
    assert [h["next"] for h in history] == [[], ["second"], ["first"], ["__start__"]]
    assert all(set(h["values"]) <= {"messages"} for h in history)  # no LangGraph channels
    after_first = next(h for h in history if texts(h["values"]) == ["hi", "first"])
    values = await client.runs.wait(
        tid, "steps", input=None, checkpoint={"checkpoint_id": after_first["checkpoint"]["checkpoint_id"]}
    )
    assert texts(values) == ["hi", "first", "second"]
    start = next(h for h in reversed(history) if texts(h["values"]) == ["hi"])
    values = await client.runs.wait(
        tid,
        "steps",
        input={"messages": [{"role": "user", "content": "other"}]},
        checkpoint_id=start["checkpoint"]["checkpoint_id"],
    )
    assert texts(values) == ["hi", "other", "first", "second"]


async def test_if_not_exists_create(client: LangGraphClient) -> None:
    import uuid

    tid = str(uuid.uuid4())
    values = await client.runs.wait(tid, "steps", input=HI, if_not_exists="create")
    assert texts(values) == ["hi", "first", "second"]
    assert (await client.threads.get(tid))["thread_id"] == tid


async def test_failure_is_error_event_and_wait_error(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    events = await collect(client.runs.stream(thread["thread_id"], "broken", input=HI))
    assert events[-1] == ("error", {"error": "ValueError", "message": "ValueError: no luck today"})
    with pytest.raises(Exception, match="ValueError: ValueError: no luck today"):
        await client.runs.wait(thread["thread_id"], "broken", input=HI)
    reply = await client.runs.wait(thread["thread_id"], "broken", input=HI, raise_error=False)
    assert reply["__error__"]["error"] == "ValueError"


async def test_on_run_created_and_join(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    created: list[Any] = []
    events = await collect(
        client.runs.stream(
            thread["thread_id"],
            "greeter",
            input=HI,
            stream_mode=["values", "updates"],
            on_run_created=created.append,
        )
    )
    run_id = events[0][1]["run_id"]
    assert created == [{"run_id": run_id, "thread_id": thread["thread_id"]}]
    joined = await client.runs.join(thread["thread_id"], run_id)
    assert texts(joined) == ["hi", "Hello nobody you said hi"]


async def test_join_stream_replays_after_last_event_id_and_filters_modes(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    tid = thread["thread_id"]
    run = await client.runs.create(tid, "greeter", input=HI, stream_mode=["values", "updates", "custom"])
    await client.runs.join(tid, run["run_id"])
    parts = [p async for p in client.runs.join_stream(tid, run["run_id"])]
    assert [p.event for p in parts][0] == "metadata"
    assert {p.event for p in parts} == {"metadata", "values", "updates", "custom"}
    cut = parts[3].id
    assert cut is not None
    tail = [p async for p in client.runs.join_stream(tid, run["run_id"], last_event_id=cut)]
    assert [(p.event, p.data) for p in tail] == [(p.event, p.data) for p in parts[4:]]
    only = [p async for p in client.runs.join_stream(tid, run["run_id"], stream_mode="updates")]
    assert [p.event for p in only] == ["metadata", "updates", "updates"]


def names(events: list[tuple[str, Any]]) -> list[str]:
    return [e for e, _ in events]


async def test_yaml_xpert_approval_resumed_by_command(demo_client: LangGraphClient) -> None:
    """The demo xpert's tool that needs approval: an interrupt, then LangGraph's `command.resume`."""
    ask = {"messages": [{"role": "user", "content": '/tool send_notification {"message": "hi"}'}]}
    for answer, outcome in (({"decision": "confirm"}, "success"), ({"decision": "reject"}, "error")):
        thread = await demo_client.threads.create()
        tid = thread["thread_id"]
        events = await collect(demo_client.runs.stream(tid, "demo", input=ask, stream_mode="updates"))
        (pending,) = [d["__interrupt__"] for e, d in events if e == "updates" and "__interrupt__" in d]
        assert pending and (await demo_client.threads.get(tid))["status"] == "interrupted"
        values = await demo_client.runs.wait(tid, "demo", command={"resume": answer})
        tool = next(m for m in values["messages"] if m["type"] == "tool")
        assert tool["name"] == "send_notification" and tool["status"] == outcome, tool
        assert values["messages"][-1]["type"] == "ai" and "__interrupt__" not in values
        assert (await demo_client.threads.get(tid))["status"] == "idle"


async def test_conversation_keeps_what_a_langgraph_run_said(client: LangGraphClient) -> None:
    """The thread's XpertAI conversation (ChatKit's history) records LangGraph runs too: the human message
    (content blocks included, as agent-chat-ui sends them), the reply; a run with no input adds no message."""
    thread = await client.threads.create()
    tid = thread["thread_id"]
    blocks = {"messages": [{"role": "user", "content": [{"type": "text", "text": "in blocks"}]}]}
    await client.runs.wait(tid, "steps", input=blocks, interrupt_before=["second"])
    await client.runs.wait(tid, "steps", input=None)
    conversation = (await client.threads.get(tid))["metadata"]["id"]
    page = (await client.http.client.get(f"/conversations/{conversation}/messages")).json()
    said = [(m["role"], m["content"] if isinstance(m["content"], str) else "") for m in page["items"]]
    assert said[0] == ("human", "in blocks")
    assert [role for role, _ in said] == ["human", "ai", "ai"]
