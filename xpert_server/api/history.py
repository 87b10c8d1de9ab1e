"""A thread's checkpoints: its state at one of them, their metadata, its history, copies
(runs/threadstate.py); and context usage."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator

from xpert_server.api.deps import PrincipalDep, ServicesDep
from xpert_server.api.storable import Storable
from xpert_server.api.threads import load_thread
from xpert_server.api.wire.threads import (
    ContextUsage,
    StateUpdated,
    Thread,
    ThreadState,
    state_json,
    state_updated_json,
    thread_json,
)
from xpert_server.encoding import loads, ts
from xpert_server.errors import BadRequest
from xpert_server.runs import threadstate

router = APIRouter(prefix="/threads/{thread_id}", tags=["threads"])


# The checkpointers match metadata keys as JSON paths (SQLite builds the path into its SQL and refuses other
# characters with an error), so a key is a plain name.
METADATA_KEY = re.compile(r"^[A-Za-z0-9_.-]+$")


def _plain_metadata_keys(value: dict[str, Any] | None) -> dict[str, Any] | None:
    bad = [k for k in value or {} if not METADATA_KEY.match(k)]
    if bad:
        raise ValueError(
            f"keys may hold only letters, digits, '_', '.' and '-' (not {', '.join(map(repr, bad))})"
        )
    return value


class HistoryQuery(BaseModel):
    limit: int = Field(default=10, ge=1, le=1000)
    before: str | dict[str, Any] | None = None
    metadata: Annotated[dict[str, Any] | None, Storable] = None
    checkpoint: dict[str, Any] | None = None

    _keys = field_validator("metadata")(_plain_metadata_keys)


class CheckpointRef(BaseModel):
    """LangGraph's checkpoint object (`threads.getState(id, checkpoint)`); its `thread_id` is the path's."""

    model_config = ConfigDict(extra="ignore")
    thread_id: str | None = None
    checkpoint_ns: str = Field(default="", max_length=512)
    checkpoint_id: str | None = Field(default=None, max_length=128)


class StateAtCheckpoint(BaseModel):
    checkpoint: CheckpointRef
    subgraphs: bool | None = None  # accepted; a state's `tasks` are not expanded into subgraph states


class StatePatch(BaseModel):
    """`threads.patchState(id, metadata)`: keys merged into the metadata of the latest (or named) checkpoint.
    Keys are plain names, so `POST /history {"metadata": …}` can find them."""

    metadata: Annotated[dict[str, Any], Storable]
    checkpoint_id: str | None = Field(default=None, max_length=128)
    checkpoint: CheckpointRef | None = None

    _keys = field_validator("metadata")(_plain_metadata_keys)


def _checkpoint_id(value: str | dict[str, Any] | None) -> str | None:
    if isinstance(value, dict):
        inner = value.get("configurable", value)
        return inner.get("checkpoint_id") if isinstance(inner, dict) else None
    return value


@router.post("/history", summary="The thread's checkpoints, newest first", response_model=list[ThreadState])
async def history(
    thread_id: str, body: HistoryQuery, services: ServicesDep, p: PrincipalDep
) -> list[dict[str, Any]]:
    thread = await load_thread(services, p, thread_id)
    before_id = _checkpoint_id(body.before)
    if before_id is not None and (not isinstance(before_id, str) or "\x00" in before_id):
        raise BadRequest("before: not a checkpoint id.")
    tuples = await threadstate.history(
        services.checkpointer, thread.id, limit=body.limit, before_id=before_id, metadata=body.metadata
    )
    return [state_json(thread_id, tup) for tup in tuples]


@router.get(
    "/state/{checkpoint_id}", summary="The thread's state at a checkpoint", response_model=ThreadState
)
async def state_at(
    thread_id: str, checkpoint_id: str, services: ServicesDep, p: PrincipalDep, subgraphs: bool = False
) -> dict[str, Any]:
    thread = await load_thread(services, p, thread_id)
    return state_json(
        thread_id, await threadstate.read_state(services.checkpointer, thread.id, checkpoint_id)
    )


@router.post(
    "/state/checkpoint",
    summary="The thread's state at a checkpoint, named by LangGraph's checkpoint object",
    response_model=ThreadState,
)
async def state_at_checkpoint(
    thread_id: str, body: StateAtCheckpoint, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread = await load_thread(services, p, thread_id)
    ref = body.checkpoint
    tup = await threadstate.read_state(services.checkpointer, thread.id, ref.checkpoint_id, ref.checkpoint_ns)
    return state_json(thread_id, tup)


@router.patch(
    "/state", summary="Merge keys into the metadata of the thread's state", response_model=StateUpdated
)
async def patch_state(
    thread_id: str, body: StatePatch, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread = await load_thread(services, p, thread_id)
    ref = body.checkpoint or CheckpointRef()
    configurable = await threadstate.patch_metadata(
        services.checkpointer,
        thread.id,
        body.metadata,
        body.checkpoint_id or ref.checkpoint_id,
        ref.checkpoint_ns,
    )
    return state_updated_json(thread_id, configurable)


@router.post(
    "/copy",
    status_code=201,
    summary="Copy a thread: metadata, conversation and state history",
    response_model=Thread,
)
async def copy_thread(thread_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    source = await load_thread(services, p, thread_id)
    copy = await services.storage.copy_thread(p, source)
    await threadstate.copy_checkpoints(services.checkpointer, source.id, copy.id)
    return thread_json(copy)


@router.get(
    "/context-usage",
    summary="Token usage of the thread's latest run, and of all its runs",
    response_model=ContextUsage,
)
async def context_usage(
    thread_id: str, services: ServicesDep, p: PrincipalDep, agentKey: str | None = None
) -> dict[str, Any]:
    thread = await load_thread(services, p, thread_id)
    runs_done, spent_in, spent_out = await services.storage.thread_usage(thread.id)
    totals = {
        "runs": runs_done,
        "input_tokens": spent_in,
        "output_tokens": spent_out,
        "total_tokens": spent_in + spent_out,
    }
    runs = await services.storage.list_runs(p, thread.id, limit=20)
    for run in runs:
        for _, _, data in reversed(await services.storage.read_events(run.id)):
            payload = loads(data)
            if payload.get("event") != "on_agent_end":
                continue
            d = payload.get("data") or {}
            if agentKey and d.get("agentKey") != agentKey:
                continue
            inp, outp = int(d.get("inputTokens") or 0), int(d.get("outputTokens") or 0)
            return {
                "thread_id": thread_id,
                "agent_key": d.get("agentKey"),
                "run_id": run.id,
                "updated_at": ts(run.updated_at),
                "usage": {
                    "context_tokens": inp + outp,
                    "input_tokens": inp,
                    "output_tokens": outp,
                    "total_tokens": inp + outp,
                    "embed_tokens": 0,
                    "total_price": 0,
                    "currency": None,
                },
                "thread_usage": totals,
            }
    return {
        "thread_id": thread_id,
        "agent_key": agentKey,
        "run_id": None,
        "updated_at": None,
        "usage": {
            "context_tokens": 0,
            "input_tokens": 0,
            "output_tokens": 0,
            "total_tokens": 0,
            "embed_tokens": 0,
            "total_price": 0,
            "currency": None,
        },
        "thread_usage": totals,
    }
