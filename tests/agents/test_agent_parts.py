"""Pieces of the agent loop on their own: reading decisions, the toolbox, history repair, client tools."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolCall, ToolMessage
from langgraph.graph import MessagesState, StateGraph

from xpert_server.agents.approval import approval_request, client_messages, read_approval, resume_parts
from xpert_server.agents.definition import XpertSpec
from xpert_server.agents.graphs import repair_history, tool_rounds
from xpert_server.agents.toolbox import Toolbox
from xpert_server.agents.tools.client import ClientToolsError, client_tools
from xpert_server.agents.tools.subagent import MAX_DEPTH, SubAgent

CALLS: list[ToolCall] = [
    ToolCall(name="send_notification", args={"message": "a"}, id="c1", type="tool_call"),
    ToolCall(name="send_notification", args={"message": "b"}, id="c2", type="tool_call"),
]


def spec(**fields: Any) -> XpertSpec:
    return XpertSpec.model_validate({"name": "X", "slug": "x", **fields})


def test_confirm_and_reject() -> None:
    ok = read_approval({"decision": "confirm", "payload": None, "patch": None}, CALLS)
    assert [d.action for d in ok.values()] == ["run", "run"]
    no = read_approval({"decision": "reject", "payload": None, "patch": None}, CALLS)
    assert [d.action for d in no.values()] == ["reject", "reject"]
    # A bare value (a client resuming in its own style) is a confirmation.
    assert [d.action for d in read_approval("yes", CALLS).values()] == ["run", "run"]


def test_patch_by_id_and_by_name() -> None:
    by_id = read_approval(
        {
            "decision": "confirm",
            "payload": None,
            "patch": {"toolCalls": [{"id": "c2", "args": {"message": "B"}}]},
        },
        CALLS,
    )
    assert by_id["c1"].args == {"message": "a"} and not by_id["c1"].patched
    assert by_id["c2"].args == {"message": "B"} and by_id["c2"].patched
    # A name matches only when it is unambiguous.
    by_name = read_approval(
        {
            "decision": "confirm",
            "payload": None,
            "patch": {"toolCalls": [{"name": "send_notification", "args": {}}]},
        },
        CALLS,
    )
    assert not any(d.patched for d in by_name.values())
    # A rejected call stays rejected whatever the patch says.
    rejected = read_approval(
        {
            "decision": "reject",
            "payload": None,
            "patch": {"toolCalls": [{"id": "c1", "args": {"message": "z"}}]},
        },
        CALLS,
    )
    assert rejected["c1"].action == "reject" and rejected["c1"].args == {"message": "a"}


def test_hitl_decisions_call_by_call() -> None:
    payload = {"decisions": [{"type": "respond", "message": "done by hand"}, {"type": "reject"}]}
    out = read_approval({"decision": "confirm", "payload": payload, "patch": None}, CALLS)
    assert (out["c1"].action, out["c1"].message) == ("respond", "done by hand")
    assert (out["c2"].action, out["c2"].message) == ("reject", None)


def test_approval_request_shapes() -> None:
    value = approval_request(CALLS[:1], {"send_notification": "Send notification"})
    assert value["toolCalls"] == [
        {"name": "send_notification", "args": {"message": "a"}, "id": "c1", "type": "tool_call"}
    ]
    assert value["actionRequests"][0]["description"].startswith("Send notification needs your approval")


def test_client_messages_match_by_id_then_name() -> None:
    calls = [
        ToolCall(name="where", args={}, id="w1", type="tool_call"),
        ToolCall(name="when", args={}, id="t1", type="tool_call"),
    ]
    got = client_messages(
        {
            "toolMessages": [
                {"name": "when", "content": "now"},
                {"tool_call_id": "w1", "content": {"city": "Oslo"}},
            ]
        },
        calls,
    )
    assert got["w1"].content == '{"city": "Oslo"}' and got["t1"].content == "now"
    assert got["w1"].tool_call_id == "w1" and got["t1"].status == "success"
    assert (
        client_messages([{"tool_call_id": "w1", "content": "x", "status": "error"}], calls)["w1"].status
        == "error"
    )
    assert client_messages(None, calls) == {}
    assert resume_parts({"decision": "reject", "payload": 1}) == ("reject", 1, None)


def test_client_tools_from_context() -> None:
    tools = client_tools(
        {
            "clientTools": [
                {
                    "name": "pick_file",
                    "description": "Pick a file",
                    "schema": {"type": "object", "properties": {}},
                },
                {"name": "beep"},
            ]
        }
    )
    assert [t.name for t in tools] == ["pick_file", "beep"]
    assert tools[1].schema()["function"]["parameters"] == {"type": "object", "properties": {}}
    assert client_tools(None) == [] and client_tools({"other": 1}) == []
    for bad, where in [
        ({"clientTools": {}}, "context.clientTools:"),
        ({"clientTools": [{"name": "has space"}]}, "context.clientTools.0.name"),
        ({"clientTools": [{"name": "ok", "parameters": "x"}]}, "context.clientTools.0.parameters"),
    ]:
        with pytest.raises(ClientToolsError, match=where):
            client_tools(bad)


def test_repair_history_closes_unanswered_calls() -> None:
    ai = AIMessage(
        "", tool_calls=[{"name": "t", "args": {}, "id": "a"}, {"name": "t", "args": {}, "id": "b"}]
    )
    history = [HumanMessage("1"), ai, ToolMessage("ok", tool_call_id="a"), HumanMessage("2")]
    fixed = repair_history(history)
    assert [m.type for m in fixed] == ["human", "ai", "tool", "tool", "human"]
    assert isinstance(fixed[3], ToolMessage) and fixed[3].tool_call_id == "b" and fixed[3].status == "error"
    # Complete histories are left alone, and so is a final AI message whose calls are pending.
    complete = [*history[:3], ToolMessage("ok", tool_call_id="b"), HumanMessage("2")]
    assert repair_history(complete) == complete
    assert repair_history(history[:2]) == history[:2]
    assert tool_rounds([HumanMessage("1"), ai, ToolMessage("", tool_call_id="a"), ai]) == 2


async def test_toolbox_sources_and_precedence() -> None:
    async def resolver(org: str | None, slug: str, depth: int) -> SubAgent | None:
        graph = StateGraph(MessagesState).add_node("n", lambda s: s).set_entry_point("n").compile()
        return None if slug == "ghost" else SubAgent(slug, "Helper", "Helps.", graph)

    box = Toolbox(
        spec(
            tools=["calculator", {"name": "send_notification", "require_approval": True}],
            agents=["helper", "ghost"],
            approvals=["helper"],
        ),
        resolver,
    )
    context = {"clientTools": [{"name": "calculator"}, {"name": "beep"}]}
    tools = await box.for_run({"configurable": {"xpert_org_id": "o", "xpert_context": context}})
    assert list(tools.entries) == ["calculator", "send_notification", "helper", "beep"]
    assert tools.entries["calculator"].kind == "builtin"  # a client tool cannot shadow a server tool
    assert tools.entries["send_notification"].approval and tools.entries["helper"].approval
    assert tools.entries["helper"].toolset == "agents" and tools.entries["beep"].toolset == "client"

    # As a sub-agent: nothing that would wait for a person.
    sub = Toolbox(
        spec(tools=["calculator", {"name": "send_notification", "require_approval": True}]),
        resolver,
        sub_agent=True,
    )
    tools = await sub.for_run({"configurable": {"xpert_context": context}})
    assert list(tools.entries) == ["calculator"]

    # Too deep: sub-agents are not offered any more.
    deep = await box.for_run({"configurable": {"xpert_agent_depth": MAX_DEPTH}})
    assert "helper" not in deep.entries


async def test_toolbox_keeps_a_run_s_tools() -> None:
    calls = 0

    async def resolver(org: str | None, slug: str, depth: int) -> SubAgent | None:
        nonlocal calls
        calls += 1
        return None

    box = Toolbox(spec(agents=["a"]), resolver)
    config: Any = {"configurable": {"run_id": "r1"}}
    assert await box.for_run(config) is await box.for_run(config)
    assert calls == 1
