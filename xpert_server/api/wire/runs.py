"""Runs: the run object, a waited run's reply, a cancel's answer."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from xpert_server.api.wire.base import Json, OpenWire, Wire
from xpert_server.encoding import ts
from xpert_server.storage.records import RunRecord


class Run(Wire):
    run_id: str
    thread_id: str
    assistant_id: str
    created_at: str | None
    updated_at: str | None
    status: str
    metadata: Json
    multitask_strategy: str


class RunError(OpenWire):
    error: str
    message: str


class RunReply(OpenWire):
    """`runs/wait`'s and `join`'s answer. `__error__` only when the run failed (XpertAI's and LangGraph's
    SDKs raise on its presence, so it is never sent as null)."""

    role: str
    content: Any
    error: RunError | None = Field(default=None, alias="__error__")


class Cancelled(Wire):
    canceledExecutionIds: list[str]


def run_json(r: RunRecord, thread_id: str) -> dict[str, Any]:
    """`thread_id`: the thread's public id (the run row holds its internal one)."""
    return {
        "run_id": r.id,
        "thread_id": thread_id,
        "assistant_id": r.assistant_id,
        "created_at": ts(r.created_at),
        "updated_at": ts(r.updated_at),
        "status": r.status,
        "metadata": r.metadata,
        "multitask_strategy": r.kwargs.get("multitask_strategy") or "reject",
    }
