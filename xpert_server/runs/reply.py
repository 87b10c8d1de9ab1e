"""What one run says: content blocks merged by id, the plain text (for `runs/wait`), token usage."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xpert_server.encoding import loads
from xpert_server.runs.lgstream import text_chunks
from xpert_server.storage.records import TokenUsage


@dataclass
class Reply:
    blocks: list[dict[str, Any]] = field(default_factory=list)
    _by_id: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    # Per model (a run may call several: sub-agents, a router): model → [input, output].
    by_model: dict[str, list[int]] = field(default_factory=dict)
    model: str = "unknown"  # the model the chunks now streaming come from

    def add_text(self, block_id: str, chunk: str, kind: str = "text") -> None:
        key = (kind, block_id)
        block = self._by_id.get(key)
        if block is None:
            block = {"type": kind, "id": block_id, "text": ""}
            self._by_id[key] = block
            self.blocks.append(block)
        block["text"] += chunk

    def add_component(self, call_id: str, data: dict[str, Any]) -> None:
        key = ("component", call_id)
        block = self._by_id.get(key)
        if block is None:
            block = {"type": "component", "id": call_id, "data": {}}
            self._by_id[key] = block
            self.blocks.append(block)
        block["data"].update(data)

    def add_usage(self, usage: dict[str, Any] | None) -> None:
        if usage:
            spent_in, spent_out = int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0)
            self.input_tokens += spent_in
            self.output_tokens += spent_out
            counts = self.by_model.setdefault(self.model, [0, 0])
            counts[0] += spent_in
            counts[1] += spent_out

    def usage(self) -> list[TokenUsage]:
        """What the run spent, per model (the models that reported nothing left out)."""
        return [TokenUsage(m, i, o) for m, (i, o) in self.by_model.items() if i or o]

    @property
    def text(self) -> str:
        return "".join(b["text"] for b in self.blocks if b["type"] == "text")

    @property
    def reasoning(self) -> str | None:
        parts = [b["text"] for b in self.blocks if b["type"] == "reasoning"]
        return "".join(parts) if parts else None

    @property
    def content(self) -> list[dict[str, Any]]:
        return [b for b in self.blocks if b["type"] != "reasoning"]

    def add_frame(self, data: bytes) -> None:
        """Take in one stored frame's payload (frames the executor emitted: text, reasoning, components)."""
        payload = loads(data)
        body = payload.get("data") if isinstance(payload, dict) and payload.get("type") == "message" else None
        if not isinstance(body, dict):
            return
        kind, block_id = body.get("type"), str(body.get("id"))
        if kind in ("text", "reasoning") and isinstance(body.get("text"), str):
            self.add_text(block_id, body["text"], kind)
        elif kind == "component" and isinstance(body.get("data"), dict):
            self.add_component(block_id, body["data"])


def reply_from_frames(frames: Iterable[tuple[int, str | None, bytes]]) -> Reply:
    """The reply as a run's stored frames tell it: what a client saw, for a run whose executor is gone.
    A LangGraph run's frames are its events: the text of its `messages` ones (when it asked for a messages
    mode; without, its reply is only in its checkpoints)."""
    reply = Reply()
    so_far: dict[str, str] = {}
    for _seq, event, data in frames:
        if event is None:  # XpertAI's `complete` and `error` frames carry no reply
            reply.add_frame(data)
        elif event in ("messages", "messages/partial"):
            for block_id, chunk in text_chunks(event, loads(data), so_far):
                reply.add_text(block_id, chunk)
    return reply
