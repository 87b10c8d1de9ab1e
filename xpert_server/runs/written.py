"""Messages written over the API (`POST/PATCH/DELETE /conversations/{id}/messages…`) in the model's history.

The model's memory of a thread is its LangGraph state (the checkpoints: `messages`); the messages table is
the chat record XpertAI's clients read. XpertAI's message handlers only store the record, so an API-written
message would never reach the model. Here it does, at the start of the thread's next run:
`state_changes` compares the API-written records with the state that run starts from and returns what
brings the state in line — the new or changed messages (under the record's id, so LangGraph's
`add_messages` appends or replaces them) and a `RemoveMessage` for each one deleted since — which the
run's input carries ahead of its own question.

Why at the run's start and not when written: a write needs no graph (a conversation may have no xpert
yet, and its thread may never have run), never races a running run for the checkpoint, and is never lost
by a fork — a rollback, retry or interrupt starts from an older checkpoint, and the comparison against
that checkpoint puts the messages back. A message written during a run reaches the model at the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, RemoveMessage, SystemMessage

from xpert_server.storage.records import MessageRecord

# Marks a state message as an API-written one, with the thread it was written on (a copied thread's
# checkpoints hold the source's, which its own records no longer name: those are left alone).
TAG = "xpert_written_on"

_KINDS: dict[str, type[BaseMessage]] = {
    "human": HumanMessage,
    "user": HumanMessage,
    "ai": AIMessage,
    "assistant": AIMessage,
    "system": SystemMessage,
}


def text_of(content: Any) -> str:
    """What the model reads of a message's content: the text, or the text blocks of XpertAI's list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict) and block.get("type", "text") == "text":
                text = block.get("text")
                if isinstance(text, str):
                    parts.append(text)
        return "".join(parts)
    return ""


def as_langchain(record: MessageRecord) -> BaseMessage:
    kind = _KINDS.get(record.role, HumanMessage)
    return kind(content=text_of(record.content), id=record.id, additional_kwargs={TAG: record.thread_id})


def state_changes(
    state_messages: Sequence[Any], records: Sequence[MessageRecord], thread_id: str
) -> list[BaseMessage]:
    """What the state needs so its API-written messages match `records` (the thread's, oldest first)."""
    wanted = {r.id for r in records}
    in_state: dict[str, BaseMessage] = {}
    out: list[BaseMessage] = []
    for m in state_messages:
        if not isinstance(m, BaseMessage) or not m.id:
            continue
        in_state[m.id] = m
        if m.additional_kwargs.get(TAG) == thread_id and m.id not in wanted:
            out.append(RemoveMessage(id=m.id))
    for record in records:
        message = as_langchain(record)
        current = in_state.get(message.id or "")
        if current is None or current.type != message.type or current.content != message.content:
            out.append(message)
    return out
