"""Normalise a run's `input` (XpertAI's ChatRequest, its legacy shape, or LangGraph-style) into one form.

Accepted:
- `{action: "send", message: {input: {input, files}}}` (and without `action`: send is implied)
- `{action: "resume", target: {executionId}, decision: {type: confirm|reject, payload}, patch?}`
- `{action: "retry", source: {executionId}}`, `{action: "follow_up", mode, message}`
- legacy `{input: {input, files}}` / `{input: "hi"}`, `{confirm, command: {resume}, executionId}`
- LangGraph-style `{messages: [...]}`, passed through to custom graphs untouched
- a plain string: a message to send
- LangGraph's protocol (runs/protocol.py decides it): any graph state, none at all, or a `command`
  (`resume`, `update`, `goto`) beside the input — see `run_input`
Any of the object shapes may name the conversation it continues (`conversationId`, as XpertAI's
ChatRequest does): a run on a thread must name that thread's own; a run without a thread runs on it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from xpert_server.auth.principal import Principal
from xpert_server.errors import BadRequest

Action = Literal["send", "resume", "retry", "follow_up", "passthrough", "command"]
MAX_TEXT = 200_000

# Resolves a run's attached `files` to documents ({name, content}) for the model (the files component's
# FileService.attachments); without one, attachments are passed through unread.
AttachmentResolver = Callable[[Principal, list[dict[str, Any]]], Awaitable[list[dict[str, Any]]]]


@dataclass
class ChatInput:
    action: Action
    text: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)
    # resume: the decision and what it targets
    execution_id: str | None = None
    decision: str | None = None  # "confirm" | "reject"
    payload: Any = None
    patch: dict[str, Any] | None = None
    follow_up_mode: str | None = None
    # passthrough: the LangGraph-style input as given
    raw: Any = None
    # LangGraph's `command` ({resume, update, goto}) as given; a resume also sets action "resume"
    command: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Extracted text of the attached files ({name, content}), filled in when the run is accepted.
    documents: list[dict[str, Any]] = field(default_factory=list)
    # The conversation the request says it continues (`conversationId`), if it names one.
    conversation_id: str | None = None


def _human(value: Any, path: str) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """A ChatRequestHuman `{input, files, ...}` (or a bare string) → (text, files, passthrough keys)."""
    if isinstance(value, str):
        return _text(value, path), [], {}
    if not isinstance(value, dict):
        raise BadRequest(f"{path}: Expected object or string")
    text = value.get("input", "")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise BadRequest(f"{path}.input: Expected string")
    files = value.get("files") or []
    if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
        raise BadRequest(f"{path}.files: Expected an array of file objects")
    extra = {k: v for k, v in value.items() if k not in ("input", "files")}
    return _text(text, f"{path}.input"), files, extra


def _text(value: str, path: str) -> str:
    if len(value) > MAX_TEXT:
        raise BadRequest(f"{path}: String must contain at most {MAX_TEXT} character(s)")
    return value


def _execution_id(value: Any, path: str) -> str | None:
    """An execution (run) id names a run: a string, or absent."""
    if value is None or isinstance(value, str):
        return value
    raise BadRequest(f"{path}: Expected string")


def normalise_input(value: Any) -> ChatInput:
    chat = _normalise(value)
    if isinstance(value, dict) and value.get("conversationId") is not None:
        conversation_id = value["conversationId"]
        if not isinstance(conversation_id, str) or not conversation_id or len(conversation_id) > 128:
            raise BadRequest("input.conversationId: Expected a conversation id (string)")
        chat.conversation_id = conversation_id
    return chat


def conversation_of(value: Any) -> str | None:
    """The `conversationId` a run's input names (validated), or None."""
    return normalise_input(value).conversation_id if isinstance(value, dict) else None


def _normalise(value: Any) -> ChatInput:
    if value is None:
        raise BadRequest("input: Required")
    if isinstance(value, str):
        return ChatInput(action="send", text=_text(value, "input"))
    if not isinstance(value, dict):
        raise BadRequest("input: Expected object or string")
    action = value.get("action")
    if action is None:
        return _without_action(value)
    if action == "send":
        message = value.get("message")
        if not isinstance(message, dict) or "input" not in message:
            raise BadRequest("input.message.input: Required")
        text, files, extra = _human(message["input"], "input.message.input")
        return ChatInput(action="send", text=text, files=files, extra=extra)
    if action == "resume":
        target = value.get("target") or {}
        decision = value.get("decision")
        if not isinstance(decision, dict) or decision.get("type") not in ("confirm", "reject"):
            raise BadRequest("input.decision.type: Expected 'confirm' | 'reject'")
        patch = value.get("patch")
        if patch is not None and not isinstance(patch, dict):
            raise BadRequest("input.patch: Expected object")
        return ChatInput(
            action="resume",
            execution_id=_execution_id(target.get("executionId"), "input.target.executionId")
            if isinstance(target, dict)
            else None,
            decision=decision["type"],
            payload=decision.get("payload"),
            patch=patch,
        )
    if action == "retry":
        source = value.get("source")
        if not isinstance(source, dict):
            raise BadRequest("input.source: Required")
        execution_id = _execution_id(source.get("executionId"), "input.source.executionId")
        return ChatInput(action="retry", execution_id=execution_id)
    if action == "follow_up":
        mode = value.get("mode")
        if mode not in ("queue", "steer"):
            raise BadRequest("input.mode: Expected 'queue' | 'steer'")
        message = value.get("message")
        if not isinstance(message, dict) or "input" not in message:
            raise BadRequest("input.message.input: Required")
        text, files, extra = _human(message["input"], "input.message.input")
        return ChatInput(action="follow_up", text=text, files=files, follow_up_mode=mode, extra=extra)
    raise BadRequest("input.action: Expected 'send' | 'resume' | 'retry' | 'follow_up'")


def _without_action(value: dict[str, Any]) -> ChatInput:
    if "messages" in value and "input" not in value:
        if not isinstance(value["messages"], list):
            raise BadRequest("input.messages: Expected array")
        return ChatInput(action="passthrough", raw=value)
    # Legacy v1: `confirm`, `command` or `executionId` mean resume; `retry: true` means retry.
    if value.get("retry") is True:
        return ChatInput(
            action="retry", execution_id=_execution_id(value.get("executionId"), "input.executionId")
        )
    command = value.get("command")
    if "confirm" in value or isinstance(command, dict) and "resume" in command:
        resume = command.get("resume") if isinstance(command, dict) else None
        return ChatInput(
            action="resume",
            execution_id=_execution_id(value.get("executionId"), "input.executionId"),
            decision="reject" if value.get("confirm") is False else "confirm",
            payload=resume,
        )
    if "input" in value:
        text, files, extra = _human(value["input"], "input.input")
        return ChatInput(action="send", text=text, files=files, extra=extra)
    if "message" in value and isinstance(value["message"], dict):
        return _normalise({**value, "action": "send"})
    raise BadRequest("input.input: Required")


# Keys of XpertAI's chat input (current and legacy): an input with one of them is chat input in either
# protocol; any other object is graph state, which only a LangGraph run takes as it is.
CHAT_KEYS = frozenset({"action", "input", "message", "confirm", "executionId", "retry", "command"})
COMMAND_KEYS = frozenset({"resume", "update", "goto"})


def run_input(value: Any, body: Mapping[str, Any]) -> ChatInput:
    """A run's input with the rest of its body (or its stored kwargs): for a LangGraph run (`protocol`),
    `command` and graph state as LangGraph takes them; otherwise `normalise_input`."""
    if body.get("protocol") != "langgraph":
        return normalise_input(value)
    command = body.get("command")
    if command is not None:
        # `useStream` (agent-chat-ui) resumes with `input: {}` beside the command: no input, as on LangGraph's
        # server. Real input beside a command would be dropped, so it is refused.
        if value is not None and value != {}:
            raise BadRequest("command: send either `input` or `command`, not both")
        if not isinstance(command, dict) or not command or not set(command) <= COMMAND_KEYS:
            raise BadRequest("command: Expected an object with `resume`, `update` and/or `goto`")
        goto = command.get("goto")
        if goto is not None and not _is_goto(goto):
            raise BadRequest("command.goto: Expected a node name, a Send ({node, input}) or a list of them")
        if "resume" in command:
            return ChatInput(action="resume", decision="confirm", payload=command["resume"], command=command)
        return ChatInput(action="command", command=command)
    if isinstance(value, dict) and not (CHAT_KEYS & set(value)):
        if "messages" in value and not isinstance(value["messages"], list):
            raise BadRequest("input.messages: Expected array")
        return ChatInput(action="passthrough", raw=value)
    if value is None:
        return ChatInput(action="passthrough", raw=None)  # continue from the thread's checkpoint
    return normalise_input(value)


def _is_goto(goto: Any) -> bool:
    items = goto if isinstance(goto, list) else [goto]
    return all(
        isinstance(g, str)
        or isinstance(g, dict)
        and isinstance(g.get("node"), str)
        and set(g) <= {"node", "input"}
        for g in items
    )
