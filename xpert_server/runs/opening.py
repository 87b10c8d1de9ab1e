"""What a run writes when it starts: its thread's title and its opening messages.

Written where the run starts, which is not always where it was accepted: a run queued behind a busy
thread (`enqueue`) stores its messages only when the thread frees (runs/inprocess.py, runs/durable.py).
"""

from __future__ import annotations

import time
from typing import Any

from xpert_server.encoding import new_id
from xpert_server.runs.input import ChatInput
from xpert_server.storage.records import MessageRecord, RunRecord

TITLE_LENGTH = 60


def title_of(chat: ChatInput) -> str | None:
    """A thread's title from its first message: the text on one line, cut at TITLE_LENGTH."""
    text = " ".join(chat.text.split())
    if not text:
        return None
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


def opening_messages(thread_id: str, run: RunRecord, chat: ChatInput, ai_id: str) -> list[MessageRecord]:
    out: list[MessageRecord] = []
    now = time.time()
    text = chat.text if chat.action != "passthrough" else _passthrough_text(chat.raw)
    # Graph state without a message (LangGraph's "continue", a custom state) adds no human message.
    if chat.action in ("send", "follow_up", "retry") or chat.action == "passthrough" and text:
        out.append(
            MessageRecord(
                id=new_id(),
                thread_id=thread_id,
                role="human",
                content=text,
                files=chat.files or None,
                status="success",
                execution_id=run.id,
                created_at=now,
                updated_at=now,
            )
        )
    # The AI message exists from the start (status thinking), so a reloaded page finds the run in flight.
    out.append(
        MessageRecord(
            id=ai_id,
            thread_id=thread_id,
            role="ai",
            content=[],
            status="thinking",
            execution_id=run.id,
            created_at=now + 1e-6,
            updated_at=now + 1e-6,
        )
    )
    return out


def _passthrough_text(raw: Any) -> str:
    messages = raw.get("messages") if isinstance(raw, dict) else None
    if isinstance(messages, list) and messages:
        last = messages[-1]
        if isinstance(last, dict):
            content = last.get("content")
            if isinstance(content, list):  # content blocks (agent-chat-ui sends `[{type: "text", text}]`)
                return "".join(
                    str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text"
                )
            return content if isinstance(content, str) else ""
    return ""
