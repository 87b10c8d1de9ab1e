"""The agent graph's tools node: approvals, client tools, execution, and each call's component frames.

LangGraph re-runs a node from its start when a run resumes, so everything that waits for a person
(approval, then client tools) happens before any tool runs: nothing runs twice. Each call then shows
as one component going `running` → `success | fail`, emitted here in the run that settles it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolCall, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.errors import GraphBubbleUp
from langgraph.types import interrupt

from xpert_server.agents import approval
from xpert_server.agents.stream import content_pieces, emit_component
from xpert_server.agents.toolbox import RunTools, Toolbox, ToolEntry
from xpert_server.encoding import iso, utcnow

# What a component shows of a tool's output (the model gets it whole).
MAX_COMPONENT_OUTPUT = 10_000


def iso_now() -> str:
    return str(iso(utcnow()))


def pending_calls(messages: Sequence[BaseMessage]) -> tuple[AIMessage | None, list[ToolCall]]:
    """The last AI message and its tool calls that have no ToolMessage yet."""
    answered: set[str] = set()
    for m in reversed(messages):
        if isinstance(m, ToolMessage):
            answered.add(m.tool_call_id)
        elif isinstance(m, AIMessage):
            return m, [c for c in m.tool_calls if c.get("id") and c["id"] not in answered]
        else:
            break
    return None, []


def make_tools_node(toolbox: Toolbox) -> Any:
    async def tools(state: dict[str, Any], config: RunnableConfig) -> dict[str, list[BaseMessage]]:
        ai, calls = pending_calls(state["messages"])
        if ai is None or not calls:
            return {"messages": []}
        run_tools = await toolbox.for_run(config)
        decisions = {str(c["id"]): approval.Decision("run", dict(c["args"])) for c in calls}

        needs_ok = [c for c in calls if (e := _entry(run_tools, c)) is not None and e.approval]
        if needs_ok:
            titles = {c["name"]: run_tools.entries[c["name"]].title for c in needs_ok}
            decisions.update(
                approval.read_approval(interrupt(approval.approval_request(needs_ok, titles)), needs_ok)
            )

        client_calls = [
            c for c in calls if _kind(run_tools, c) == "client" and decisions[str(c["id"])].action == "run"
        ]
        client_results: dict[str, ToolMessage] = {}
        refused_by_client = False
        if client_calls:
            answer = interrupt(approval.client_request(client_calls))
            decision, payload, _ = approval.resume_parts(answer)
            refused_by_client = decision == "reject"
            client_results = approval.client_messages(payload, client_calls)

        started = iso_now()
        for call in calls:
            d = decisions[str(call["id"])]
            entry = _entry(run_tools, call)
            emit_component(
                str(call["id"]),
                {
                    "category": "Tool",
                    "tool": call["name"],
                    "toolset": entry.toolset if entry else None,
                    "title": entry.title if entry else call["name"],
                    "status": "running",
                    "input": d.args,
                    "created_date": started,
                },
            )

        async def settle(call: ToolCall) -> ToolMessage:
            call_id = str(call["id"])
            d = decisions[call_id]
            entry = _entry(run_tools, call)
            if d.action == "reject":
                note = f" Reason: {d.message}" if d.message else ""
                msg = ToolMessage(
                    f"The user refused to run `{call['name']}`; it was not run.{note}",
                    tool_call_id=call_id,
                    name=call["name"],
                    status="error",
                )
            elif d.action == "respond":
                msg = ToolMessage(d.message or "", tool_call_id=call_id, name=call["name"])
            elif entry is None:
                msg = ToolMessage(
                    f"Error: there is no tool named `{call['name']}`.",
                    tool_call_id=call_id,
                    name=call["name"],
                    status="error",
                )
            elif entry.kind == "client":
                msg = client_results.get(call_id) or ToolMessage(
                    "The client declined to run this tool."
                    if refused_by_client
                    else "Error: the client returned no result for this tool call.",
                    tool_call_id=call_id,
                    name=call["name"],
                    status="error",
                )
            else:
                msg = await _run(entry, call, d.args, config)
            _emit_end(call_id, msg, refused=d.action == "reject")
            return msg

        results = await asyncio.gather(*(settle(c) for c in calls))
        out: list[BaseMessage] = []
        if any(d.patched for d in decisions.values()):
            # The AI message keeps its id, so this replaces it: the thread shows the arguments that ran.
            out.append(
                ai.model_copy(
                    update={
                        "tool_calls": [
                            {**c, "args": decisions[str(c["id"])].args} if str(c["id"]) in decisions else c
                            for c in ai.tool_calls
                        ]
                    }
                )
            )
        out.extend(results)
        return {"messages": out}

    return tools


def _entry(run_tools: RunTools, call: ToolCall) -> ToolEntry | None:
    return run_tools.get(call["name"])


def _kind(run_tools: RunTools, call: ToolCall) -> str | None:
    entry = run_tools.get(call["name"])
    return entry.kind if entry else None


async def _run(entry: ToolEntry, call: ToolCall, args: dict[str, Any], config: RunnableConfig) -> ToolMessage:
    assert entry.tool is not None
    call_id = str(call["id"])
    try:
        result = await entry.tool.ainvoke(
            {"type": "tool_call", "id": call_id, "name": call["name"], "args": args}, config
        )
    except GraphBubbleUp:
        raise
    except Exception as e:  # noqa: BLE001 - any tool failure goes back to the model as an error result
        reason = str(e) or type(e).__name__
        return ToolMessage(f"Error: {reason}", tool_call_id=call_id, name=call["name"], status="error")
    if isinstance(result, ToolMessage):
        blocks = result.content
        if isinstance(blocks, list) and all(
            isinstance(b, str) or isinstance(b, dict) and b.get("type") == "text" for b in blocks
        ):
            # MCP results are lists of text blocks; plain text suits every OpenAI-compatible server.
            result.content = output_text(result)
        return result
    return ToolMessage(_as_text(result), tool_call_id=call_id, name=call["name"])


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def output_text(message: ToolMessage) -> str:
    pieces = content_pieces(message.content)
    if pieces:
        return "".join(p for _k, p in pieces)
    return _as_text(message.content) if message.content else ""


def _emit_end(call_id: str, message: ToolMessage, refused: bool) -> None:
    text = output_text(message)
    if len(text) > MAX_COMPONENT_OUTPUT:
        text = text[:MAX_COMPONENT_OUTPUT] + "\n[… truncated]"
    data: dict[str, Any] = {
        "status": "fail" if message.status == "error" else "success",
        "output": text,
        "end_date": iso_now(),
    }
    if message.status == "error":
        data["error"] = "Refused by the user" if refused else text
    emit_component(call_id, data)
