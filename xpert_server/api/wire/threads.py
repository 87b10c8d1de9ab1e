"""Threads, their state and checkpoints, and context usage."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import CheckpointTuple

from xpert_server.api.wire.base import Json, Number, OpenWire, Wire
from xpert_server.encoding import ts
from xpert_server.runs.nexttasks import next_tasks
from xpert_server.runs.state import to_jsonable
from xpert_server.storage.records import ThreadRecord


class Thread(Wire):
    thread_id: str
    status: str
    created_at: str | None
    updated_at: str | None
    created_by: str | None
    updated_by: str | None
    metadata: Json  # the client's, plus the conversation's `id`, `title` and `assistant_id`


class Pruned(Wire):
    pruned_count: int


class ThreadWithValues(Thread):
    values: Any


class Checkpoint(OpenWire):
    """A checkpoint's address; an update's answer carries every `configurable` key LangGraph returned."""

    thread_id: str
    checkpoint_ns: str | None = None
    checkpoint_id: str | None = None


class ThreadState(Wire):
    values: Any
    next: list[str]
    tasks: list[Any]
    checkpoint: Checkpoint | None
    parent_checkpoint: Checkpoint | None
    metadata: Json
    created_at: str | None


class StateUpdated(Wire):
    checkpoint: Checkpoint


class Usage(Wire):
    context_tokens: int
    input_tokens: int
    output_tokens: int
    total_tokens: int
    embed_tokens: int
    total_price: Number
    currency: str | None


class ThreadTotals(Wire):
    """Every run of the thread together (`usage` is its latest run's)."""

    runs: int
    input_tokens: int
    output_tokens: int
    total_tokens: int


class ContextUsage(Wire):
    thread_id: str
    agent_key: str | None
    run_id: str | None
    updated_at: str | None
    usage: Usage
    thread_usage: ThreadTotals


def thread_json(r: ThreadRecord, values: Any = None, with_values: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "thread_id": r.public_id,
        "status": r.status,
        "created_at": ts(r.created_at),
        "updated_at": ts(r.updated_at),
        "created_by": r.created_by,
        "updated_by": r.updated_by,
        "metadata": {**r.metadata, "id": r.conversation_id, "title": r.title, "assistant_id": r.assistant_id},
    }
    if with_values:
        out["values"] = values
    return out


def state_values(channels: dict[str, Any]) -> dict[str, Any]:
    """The state's keys, without LangGraph's own channels (its input `__start__`, its edges `branch:to:…`)."""
    return {k: v for k, v in channels.items() if not k.startswith(("__", "branch:"))}


def state_json(thread_id: str, tup: CheckpointTuple | None) -> dict[str, Any]:
    """A checkpoint as LangGraph's server answers it, named by the thread's public id."""
    if tup is None:
        return {
            "values": {},
            "next": [],
            "tasks": [],
            "checkpoint": None,
            "parent_checkpoint": None,
            "metadata": {},
            "created_at": None,
        }
    cfg = tup.config["configurable"]
    parent = tup.parent_config["configurable"] if tup.parent_config else None
    tasks = next_tasks(tup)
    return {
        "values": to_jsonable(state_values(tup.checkpoint.get("channel_values", {}))),
        "next": [t.name for t in tasks],
        "tasks": [t.json() for t in tasks],
        "checkpoint": {
            "thread_id": thread_id,
            "checkpoint_ns": cfg.get("checkpoint_ns", ""),
            "checkpoint_id": cfg.get("checkpoint_id"),
        },
        "parent_checkpoint": None
        if parent is None
        else {
            "thread_id": thread_id,
            "checkpoint_ns": parent.get("checkpoint_ns", ""),
            "checkpoint_id": parent.get("checkpoint_id"),
        },
        "metadata": to_jsonable(dict(tup.metadata or {})),
        "created_at": tup.checkpoint.get("ts") or ts(None),
    }


def state_updated_json(thread_id: str, configurable: dict[str, Any]) -> dict[str, Any]:
    # Named by the thread's public id, as every answer is (the checkpointer keys on the internal one).
    return {"checkpoint": to_jsonable({**configurable, "thread_id": thread_id})}
