"""XpertAI's stream payloads (`{"type": "event"|"message", ...}`), built in one place.

Shapes follow XpertAI's server (see the contract, "The SSE stream"); null top-level fields are dropped
from event data as its `serializeRunStreamPayload` does.
"""

from __future__ import annotations

from typing import Any

COMPLETE: dict[str, Any] = {"type": "complete"}


def event(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "event", "event": name, "data": {k: v for k, v in data.items() if v is not None}}


def message(data: dict[str, Any] | str) -> dict[str, Any]:
    return {"type": "message", "data": data}


def text(block_id: str, chunk: str, agent_key: str, kind: str = "text") -> dict[str, Any]:
    return message({"type": kind, "id": block_id, "text": chunk, "agentKey": agent_key})


def component(call_id: str, agent_key: str | None, data: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "component", "id": call_id, "data": data}
    if agent_key:
        body["agentKey"] = agent_key
    return message(body)
