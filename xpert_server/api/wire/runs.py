"""Runs: the run object, a waited run's reply, a cancel's answer."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from xpert_server.api.storable import check_storable
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


class StateValues(OpenWire):
    """`runs/wait`'s and `join`'s answer for a LangGraph run: the thread's state values (any keys), with
    `__interrupt__` when it stopped at one and `__error__` when it failed."""

    interrupts: list[Any] | None = Field(default=None, alias="__interrupt__")
    error: RunError | None = Field(default=None, alias="__error__")


# XpertAI's reply when it is one (a LangGraph run's values have no `role`), else the state values.
WaitReply = Annotated[RunReply | StateValues, Field(union_mode="left_to_right")]


class Cancelled(Wire):
    """A cancel's answer: `canceledExecutionIds` (the run when this request is what stopped it, else []);
    for a LangGraph run also the run as it is now (what LangGraph's clients read)."""

    canceledExecutionIds: list[str]
    run_id: str | None = None
    thread_id: str | None = None
    assistant_id: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    status: str | None = None
    metadata: Json | None = None
    multitask_strategy: str | None = None


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


StreamMode = Literal[
    "values", "updates", "messages", "messages-tuple", "custom", "events", "debug", "tasks", "checkpoints"
]
NodeNames = Literal["*"] | list[str]


class LangGraphRunFields(BaseModel):
    """The fields of LangGraph's run body (langgraph-sdk's `runs.stream/create/wait`) this server takes;
    `protocol` picks XpertAI's frames or LangGraph's events explicitly (runs/protocol.py has the rule)."""

    protocol: Literal["xpertai", "langgraph"] | None = None
    stream_mode: StreamMode | list[StreamMode] | None = None
    stream_subgraphs: bool | None = None
    stream_resumable: bool | None = None
    command: dict[str, Any] | None = None
    checkpoint: dict[str, Any] | None = None
    interrupt_before: NodeNames | None = None
    interrupt_after: NodeNames | None = None
    durability: Literal["sync", "async", "exit"] | None = None
    if_not_exists: Literal["create", "reject"] | None = None

    @model_validator(mode="after")
    def _storable(self) -> LangGraphRunFields:
        # The whole body (extra keys too) is stored with the run: 400 for what no database can hold.
        check_storable(self.model_dump(exclude_none=True))
        return self
