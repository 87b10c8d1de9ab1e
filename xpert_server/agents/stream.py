"""How graph code adds its own frames to a run's stream (tool steps, knowledge retrieval...).

Inside any node or tool: `emit_component(call_id, {"category": "Tool", ...})`. It travels on
LangGraph's `custom` stream mode; the run executor turns it into XpertAI's `component` message (and
keeps it in the stored AI message), so graphs never touch the SSE layer.
"""

from __future__ import annotations

from typing import Any

from langgraph.config import get_stream_writer

FRAME_KEY = "xpert_frame"
EVENT_KEY = "xpert_event"


def emit_component(call_id: str, data: dict[str, Any], agent_key: str | None = None) -> None:
    """Start or update a component (merged by `call_id` on the client): status running → success|fail."""
    body: dict[str, Any] = {"type": "component", "id": call_id, "data": data}
    if agent_key:
        body["agentKey"] = agent_key
    get_stream_writer()({FRAME_KEY: body})


def emit_text(block_id: str, text: str, agent_key: str | None = None) -> None:
    """A text delta outside a model call (e.g. a sub-agent's words, tagged with its agentKey)."""
    body: dict[str, Any] = {"type": "text", "id": block_id, "text": text}
    if agent_key:
        body["agentKey"] = agent_key
    get_stream_writer()({FRAME_KEY: body})


def emit_event(name: str, data: dict[str, Any]) -> None:
    """A transient XpertAI event (`on_chat_event`, `on_client_effect`, ...)."""
    get_stream_writer()({EVENT_KEY: {"event": name, "data": data}})


def content_pieces(content: Any) -> list[tuple[str, str]]:
    """A message's content as ("text" | "reasoning", piece) pairs: strings, text blocks, reasoning blocks."""
    if isinstance(content, str):
        return [("text", content)] if content else []
    pieces: list[tuple[str, str]] = []
    if isinstance(content, list):
        for block in content:
            if isinstance(block, str) and block:
                pieces.append(("text", block))
            elif isinstance(block, dict):
                kind = block.get("type")
                if kind == "text" and block.get("text"):
                    pieces.append(("text", str(block["text"])))
                elif kind in ("reasoning", "thinking"):
                    value = block.get("reasoning") or block.get("thinking") or block.get("text")
                    if value:
                        pieces.append(("reasoning", str(value)))
    return pieces
