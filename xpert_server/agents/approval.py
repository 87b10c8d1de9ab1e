"""Human decisions on tool calls: what an interrupt asks, and how a resume's answer is read.

A run that reaches tool calls needing approval interrupts with

    {"toolCalls": [...], "actionRequests": [...], "reviewConfigs": [...],
     "action_requests": [...], "review_configs": [...]}

(`toolCalls` is XpertAI's shape; `actionRequests`/`reviewConfigs` (`actionName`, `allowedDecisions`) is
the HITL request as XpertAI's clients and ChatKit read it, rendered as approve/edit/reject buttons;
`action_requests`/`review_configs` (`action_name`, `allowed_decisions`) is the same request as LangChain's
`HumanInTheLoopMiddleware` writes it (`HITLRequest`), which agent-chat-ui's inbox renders. One value
carries both, so neither kind of client loses a key; each review config has both spellings of its keys,
see `review_config`.) Calls of client tools interrupt with
`{"clientToolCalls": [...]}`, which ChatKit and the xpert CLI answer with `toolMessages`.

The executor resumes the agent graph with `{"decision": "confirm"|"reject", "payload": ..., "patch": ...}`:
- `decision: reject` refuses every pending call; `confirm` runs them;
- `payload.decisions: [{type: approve|edit|reject|respond, ...}]` decides call by call (ChatKit's HITL);
  LangChain's resume, `{"decisions": [...]}` as the whole value (`command.resume`), is that payload;
- `patch.toolCalls` (or `payload.toolCalls`) `[{id, args}]` replaces the arguments of those calls;
- `payload.toolMessages: [{tool_call_id, name, content, status}]` are the results of client tools.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import ToolCall, ToolMessage

Action = Literal["run", "reject", "respond"]
ALLOWED_DECISIONS = ["approve", "edit", "reject"]


@dataclass
class Decision:
    action: Action
    args: dict[str, Any]
    message: str | None = None
    patched: bool = field(default=False)


def call_json(call: ToolCall) -> dict[str, Any]:
    return {"name": call["name"], "args": call["args"], "id": call["id"], "type": "tool_call"}


def approval_request(calls: list[ToolCall], titles: dict[str, str]) -> dict[str, Any]:
    actions = [
        {
            "name": c["name"],
            "args": c["args"],
            "description": f"{titles.get(c['name'], c['name'])} needs your approval before it runs.",
        }
        for c in calls
    ]
    configs = [review_config(c["name"]) for c in calls]
    return {
        "toolCalls": [call_json(c) for c in calls],
        "actionRequests": actions,
        "reviewConfigs": configs,
        "action_requests": [dict(a) for a in actions],
        "review_configs": [dict(c) for c in configs],
    }


def review_config(name: str) -> dict[str, Any]:
    """One tool's review config under both spellings. Both lists carry both: LangGraph's JS SDK (1.15)
    hands a UI `reviewConfigs` under both list names when both are present, so agent-chat-ui, which
    checks `review_configs[].action_name`, reads XpertAI's list and needs the snake_case keys in it."""
    return {
        "actionName": name,
        "allowedDecisions": list(ALLOWED_DECISIONS),
        "action_name": name,
        "allowed_decisions": list(ALLOWED_DECISIONS),
    }


def client_request(calls: list[ToolCall]) -> dict[str, Any]:
    return {"clientToolCalls": [call_json(c) for c in calls]}


def resume_parts(answer: Any) -> tuple[str, Any, dict[str, Any] | None]:
    """(decision, payload, patch) of a resume value; a bare value (another client's style) means confirm."""
    if isinstance(answer, dict) and "decision" in answer and set(answer) <= {"decision", "payload", "patch"}:
        patch = answer.get("patch")
        return (
            str(answer.get("decision") or "confirm"),
            answer.get("payload"),
            patch if isinstance(patch, dict) else None,
        )
    return "confirm", answer, None


def read_approval(answer: Any, calls: list[ToolCall]) -> dict[str, Decision]:
    """The decision for each call (by id) that waited for approval."""
    decision, payload, patch = resume_parts(answer)
    base: Action = "reject" if decision == "reject" else "run"
    per_call = payload.get("decisions") if isinstance(payload, dict) else None
    out: dict[str, Decision] = {}
    for i, call in enumerate(calls):
        d = Decision(base, dict(call["args"]))
        item = per_call[i] if isinstance(per_call, list) and i < len(per_call) else None
        if isinstance(item, dict):
            d = _hitl_decision(item, d)
        out[str(call["id"])] = d
    for edit in [*_patches(patch), *_patches(payload)]:
        target = _match(edit, calls)
        if target is not None and isinstance(edit.get("args"), dict) and out[target].action == "run":
            out[target].args = dict(edit["args"])
            out[target].patched = True
    # A reply given as a tool message (e.g. a client that answers every interrupt that way) is a "respond".
    for call_id, message in client_messages(payload, calls).items():
        if out[call_id].action == "run":
            out[call_id] = Decision("respond", out[call_id].args, message=str(message.content))
    return out


def _hitl_decision(item: dict[str, Any], default: Decision) -> Decision:
    kind = item.get("type")
    if kind == "approve":
        return Decision("run", default.args)
    if kind == "edit":
        edited = item.get("editedAction") or item.get("edited_action") or {}
        args = edited.get("args") if isinstance(edited, dict) else None
        if isinstance(args, dict):
            return Decision("run", dict(args), patched=True)
        return Decision("run", default.args)
    if kind == "reject":
        message = item.get("message")
        return Decision("reject", default.args, message=str(message) if message else None)
    if kind == "respond":
        return Decision("respond", default.args, message=str(item.get("message") or ""))
    return default


def _patches(value: Any) -> list[dict[str, Any]]:
    calls = value.get("toolCalls") if isinstance(value, dict) else None
    return [c for c in calls if isinstance(c, dict)] if isinstance(calls, list) else []


def _match(edit: dict[str, Any], calls: list[ToolCall]) -> str | None:
    ids = [str(c["id"]) for c in calls]
    if edit.get("id") in ids:
        return str(edit["id"])
    named = [str(c["id"]) for c in calls if c["name"] == edit.get("name")]
    return named[0] if len(named) == 1 and "id" not in edit else None


def client_messages(payload: Any, calls: list[ToolCall]) -> dict[str, ToolMessage]:
    """The caller's results for `calls` (by call id), from `toolMessages` (or a bare list of them)."""
    raw = payload.get("toolMessages") if isinstance(payload, dict) else payload
    if not isinstance(raw, list):
        return {}
    items = [m for m in raw if isinstance(m, dict)]
    out: dict[str, ToolMessage] = {}
    ids = {str(c["id"]) for c in calls}
    loose = []
    for m in items:
        call_id = m.get("tool_call_id") or m.get("toolCallId") or m.get("id")
        if call_id in ids and call_id not in out:
            out[str(call_id)] = _tool_message(m, str(call_id))
        else:
            loose.append(m)
    # Messages without a matching id answer the remaining calls of the same name, in order.
    for call in calls:
        cid = str(call["id"])
        if cid in out:
            continue
        match = next((m for m in loose if m.get("name") == call["name"]), None)
        if match is not None:
            loose.remove(match)
            out[cid] = _tool_message(match, cid)
    return out


def _tool_message(m: dict[str, Any], call_id: str) -> ToolMessage:
    content = m.get("content")
    if not isinstance(content, str):
        content = json.dumps(content, ensure_ascii=False, default=str) if content is not None else ""
    status = "error" if m.get("status") == "error" else "success"
    return ToolMessage(
        content=content, tool_call_id=call_id, name=m.get("name"), status=status, artifact=m.get("artifact")
    )
