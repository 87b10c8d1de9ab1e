"""Human approval of tool calls, and client tools: interrupt, then resume (v2 and legacy shapes)."""

from __future__ import annotations

from typing import Any

from tests.agents.common import (
    component_frames,
    components,
    event,
    events,
    get_run,
    get_thread,
    run,
    run_id,
    single_call,
    text,
    thread,
)
from tests.agents.conftest import AgentsEnv
from tests.harness.chat import resume, send
from tests.runs.common import ok

NOTIFY = 'call send_notification {"message": "hi"}'


async def interrupted(
    agents: AgentsEnv,
    c: Any,
    tid: str,
    message: str = NOTIFY,
    slug: str = "toolbot",
    context: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Send `message`, check the run stops for a decision; returns (run id, the interrupt's value)."""
    frames = await run(c, tid, agents.ids[slug], send(message), context)
    assert component_frames(frames) == []  # nothing ran
    operation = event(frames, "on_interrupt")
    (task,) = operation["tasks"]
    # The fields ChatKit checks before it treats this as an interrupt it can answer.
    assert (
        isinstance(task["id"], str) and task["name"] == "tools" and task["path"] == ["__pregel_pull", "tools"]
    )
    (intr,) = task["interrupts"]
    assert isinstance(intr["id"], str) and intr["id"]
    end = event(frames, "on_conversation_end")
    assert end["status"] == "interrupted" and end["operation"] == operation
    assert event(frames, "on_agent_end")["status"] == "interrupted"
    rid = run_id(frames)
    assert (await get_run(c, tid, rid))["status"] == "interrupted"
    assert (await get_thread(c, tid))["status"] == "interrupted"
    return rid, intr["value"]


async def test_approval_confirm(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        rid, value = await interrupted(agents, c, tid)
        (call,) = value["toolCalls"]
        assert call["name"] == "send_notification" and call["args"] == {"message": "hi"}
        assert call["type"] == "tool_call" and call["id"].startswith("call_")
        # LangChain's HITL shape too, which ChatKit renders as approve / edit / reject.
        assert value["actionRequests"][0]["name"] == "send_notification"
        (config,) = value["reviewConfigs"]
        # XpertAI's keys, unchanged (LangChain's snake_case spellings ride along: tests/langgraph/test_hitl.py).
        assert {k: config[k] for k in ("actionName", "allowedDecisions")} == {
            "actionName": "send_notification",
            "allowedDecisions": ["approve", "edit", "reject"],
        }

        frames = await run(c, tid, agents.ids["toolbot"], resume(rid))
        call_id, start, end = single_call(frames)
        assert call_id == call["id"]
        assert start["tool"] == "send_notification" and start["input"] == {"message": "hi"}
        assert end["status"] == "success" and end["output"] == "Notification sent: hi"
        assert text(frames) == "Tool said: Notification sent: hi"
        assert event(frames, "on_conversation_end")["status"] == "idle"
        assert events(frames, "on_interrupt") == []
        assert (await get_thread(c, tid))["status"] == "idle"
        assert (await get_run(c, tid, run_id(frames)))["status"] == "success"


async def test_approval_reject(agents: AgentsEnv) -> None:
    before = len(agents.fake.requests)
    async with await agents.client() as c:
        tid = await thread(c)
        rid, _ = await interrupted(agents, c, tid)
        frames = await run(c, tid, agents.ids["toolbot"], resume(rid, "reject"))
    _id, start, end = single_call(frames)
    assert start["tool"] == "send_notification"
    assert end["status"] == "fail" and end["error"] == "Refused by the user"
    # The model is told, and answers.
    refusal = agents.fake.requests[-1]["messages"][-1]
    assert refusal["role"] == "tool" and "refused" in refusal["content"]
    assert text(frames) == f"Tool said: {refusal['content']}"
    assert len(agents.fake.requests) - before == 2


async def test_approval_patch_and_hitl_decisions(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        rid, value = await interrupted(agents, c, tid)
        call_id = value["toolCalls"][0]["id"]
        frames = await run(
            c,
            tid,
            agents.ids["toolbot"],
            resume(rid, patch={"toolCalls": [{"id": call_id, "args": {"message": "patched"}}]}),
        )
        _id, start, end = single_call(frames)
        assert start["input"] == {"message": "patched"}
        assert end["output"] == "Notification sent: patched"
        # The thread keeps the arguments that ran.
        state = ok(await c.get(f"/threads/{tid}/state"))
        ai = [m for m in state["values"]["messages"] if m.get("tool_calls")][-1]
        assert ai["tool_calls"][0]["args"] == {"message": "patched"}

        # ChatKit's HITL answer: confirm with per-call decisions (here: edit).
        rid, value = await interrupted(agents, c, tid)
        edit = {
            "decisions": [
                {
                    "type": "edit",
                    "editedAction": {"name": "send_notification", "args": {"message": "edited", "to": "Ann"}},
                }
            ]
        }
        frames = await run(c, tid, agents.ids["toolbot"], resume(rid, payload=edit))
        _id, start, end = single_call(frames)
        assert end["output"] == "Notification sent to Ann: edited"

        # …or reject with a reason.
        rid, value = await interrupted(agents, c, tid)
        no = {"decisions": [{"type": "reject", "message": "not now"}]}
        frames = await run(c, tid, agents.ids["toolbot"], resume(rid, payload=no))
        _id, _start, end = single_call(frames)
        assert end["status"] == "fail" and "Reason: not now" in end["output"]


async def test_legacy_confirm_shape(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        rid, _ = await interrupted(agents, c, tid)
        frames = await run(c, tid, agents.ids["toolbot"], {"confirm": True, "executionId": rid})
        _id, _start, end = single_call(frames)
        assert end["output"] == "Notification sent: hi"


async def test_resume_without_a_pending_interrupt_is_refused(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["toolbot"], send("hello"))
        body = {"assistant_id": agents.ids["toolbot"], "input": resume(run_id(frames))}
        resp = await c.post(f"/threads/{tid}/runs/stream", json=body)
        assert resp.status_code == 409, resp.text
        # …and the thread still works.
        frames = await run(c, tid, agents.ids["toolbot"], send("again"))
        assert text(frames) == "You said: again"


async def test_new_message_instead_of_a_decision(agents: AgentsEnv) -> None:
    """Ignoring an approval and writing again: the pending call is closed as not run, the model answers."""
    async with await agents.client() as c:
        tid = await thread(c)
        await interrupted(agents, c, tid)
        frames = await run(c, tid, agents.ids["toolbot"], send("never mind"))
    assert text(frames) == "You said: never mind"
    sent = agents.fake.requests[-1]["messages"]
    assert sent[-2]["role"] == "tool" and "not run" in sent[-2]["content"]


CLIENT_TOOLS = {
    "clientTools": [
        {
            "name": "get_location",
            "description": "The user's city",
            "parameters": {"type": "object", "properties": {"precise": {"type": "boolean"}}},
        }
    ]
}


async def test_client_tool_legacy_resume(agents: AgentsEnv) -> None:
    before = len(agents.fake.requests)
    async with await agents.client() as c:
        tid = await thread(c)
        rid, value = await interrupted(
            agents, c, tid, 'call get_location {"precise": true}', context=CLIENT_TOOLS
        )
        assert "toolCalls" not in value
        (call,) = value["clientToolCalls"]
        assert (
            call["name"] == "get_location"
            and call["args"] == {"precise": True}
            and call["type"] == "tool_call"
        )
        offered = {t["function"]["name"]: t["function"] for t in agents.fake.requests[before]["tools"]}
        assert offered["get_location"]["parameters"] == CLIENT_TOOLS["clientTools"][0]["parameters"]

        # ChatKit's frame answers with the legacy shape.
        legacy = {
            "input": {},
            "command": {
                "resume": {
                    "toolMessages": [
                        {
                            "tool_call_id": call["id"],
                            "name": "get_location",
                            "content": "Paris",
                            "status": "success",
                        }
                    ]
                }
            },
            "executionId": rid,
        }
        frames = await run(c, tid, agents.ids["toolbot"], legacy, context=CLIENT_TOOLS)
        call_id, start, end = single_call(frames)
        assert call_id == call["id"] and start["toolset"] == "client" and start["input"] == {"precise": True}
        assert end["status"] == "success" and end["output"] == "Paris"
        assert text(frames) == "Tool said: Paris"
        assert (await get_thread(c, tid))["status"] == "idle"


async def test_client_tool_decision_payload_resume(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        rid, value = await interrupted(agents, c, tid, "call get_location {}", context=CLIENT_TOOLS)
        call = value["clientToolCalls"][0]
        # The xpert CLI's shape: decision payload with toolMessages; an error result is a failed call.
        payload = {
            "toolMessages": [
                {
                    "tool_call_id": call["id"],
                    "name": "get_location",
                    "content": {"error": "GPS off"},
                    "status": "error",
                }
            ]
        }
        frames = await run(c, tid, agents.ids["toolbot"], resume(rid, payload=payload), context=CLIENT_TOOLS)
    _id, _start, end = single_call(frames)
    assert end["status"] == "fail" and end["output"] == '{"error": "GPS off"}'


async def test_approval_then_client_tool_in_one_step(agents: AgentsEnv) -> None:
    """Two kinds of waiting in one model step: approval first, then the client's results; each tool runs once."""
    async with await agents.client() as c:
        tid = await thread(c)
        both = 'call send_notification {"message": "x"} && call get_location {}'
        rid, value = await interrupted(agents, c, tid, both, context=CLIENT_TOOLS)
        assert [t["name"] for t in value["toolCalls"]] == ["send_notification"]
        frames = await run(c, tid, agents.ids["toolbot"], resume(rid), context=CLIENT_TOOLS)
        value = event(frames, "on_interrupt")["tasks"][0]["interrupts"][0]["value"]
        assert [t["name"] for t in value["clientToolCalls"]] == ["get_location"]
        assert component_frames(frames) == []
        call = value["clientToolCalls"][0]
        payload = {"toolMessages": [{"tool_call_id": call["id"], "content": "Oslo"}]}
        frames = await run(
            c, tid, agents.ids["toolbot"], resume(run_id(frames), payload=payload), context=CLIENT_TOOLS
        )
    comps = components(frames)
    assert sorted(d[-1]["output"] for d in comps.values()) == ["Notification sent: x", "Oslo"]
    assert all([x["status"] for x in d] == ["running", "success"] for d in comps.values())
    assert text(frames) == "Tool said: Notification sent: x | Oslo"
