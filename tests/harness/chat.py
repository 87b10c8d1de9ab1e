"""XpertAI's chat request bodies, written once for every suite."""

from __future__ import annotations

from typing import Any


def send(text: str, files: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """XpertAI's v2 chat input: a human message (with attached `files` when given)."""
    human: dict[str, Any] = {"input": text}
    if files:
        human["files"] = files
    return {"action": "send", "message": {"input": human}}


def resume(run_id: str, decision: str = "confirm", payload: Any = None, patch: Any = None) -> dict[str, Any]:
    """The chat input that resumes an interrupted run with a decision (and its payload or state patch)."""
    body: dict[str, Any] = {
        "action": "resume",
        "target": {"executionId": run_id},
        "decision": {"type": decision},
    }
    if payload is not None:
        body["decision"]["payload"] = payload
    if patch is not None:
        body["patch"] = patch
    return body


def run_body(assistant: str, text: str, context: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    """A run request sending `text` to `assistant` (with the run `context` when given)."""
    body: dict[str, Any] = {"assistant_id": assistant, "input": send(text), **more}
    if context is not None:
        body["context"] = context
    return body
