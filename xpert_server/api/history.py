"""A thread's checkpoint history, copies, and context usage."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field, field_validator

from xpert_server.api.deps import PrincipalDep, ServicesDep
from xpert_server.api.limits import Storable
from xpert_server.api.shapes import thread_json, ts
from xpert_server.api.threads import load_thread
from xpert_server.encoding import loads
from xpert_server.errors import BadRequest
from xpert_server.runs.state import state_json

router = APIRouter(prefix="/threads/{thread_id}", tags=["threads"])


# The checkpointers match metadata keys as JSON paths (SQLite builds the path into its SQL and refuses other
# characters with an error), so a key is a plain name.
METADATA_KEY = re.compile(r"^[A-Za-z0-9_.-]+$")


class HistoryQuery(BaseModel):
    limit: int = Field(default=10, ge=1, le=1000)
    before: str | dict[str, Any] | None = None
    metadata: Annotated[dict[str, Any] | None, Storable] = None
    checkpoint: dict[str, Any] | None = None

    @field_validator("metadata")
    @classmethod
    def _plain_keys(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        bad = [k for k in value or {} if not METADATA_KEY.match(k)]
        if bad:
            raise ValueError(f"keys may hold only letters, digits, '_', '.' and '-' (not {', '.join(map(repr, bad))})")
        return value


def _checkpoint_id(value: str | dict[str, Any] | None) -> str | None:
    if isinstance(value, dict):
        inner = value.get("configurable", value)
        return inner.get("checkpoint_id") if isinstance(inner, dict) else None
    return value


@router.post("/history", summary="The thread's checkpoints, newest first")
async def history(thread_id: str, body: HistoryQuery, services: ServicesDep, p: PrincipalDep) -> list[dict[str, Any]]:
    thread = await load_thread(services, p, thread_id)
    config: Any = {"configurable": {"thread_id": thread.id, "checkpoint_ns": ""}}
    before_id = _checkpoint_id(body.before)
    if before_id is not None and (not isinstance(before_id, str) or "\x00" in before_id):
        raise BadRequest("before: not a checkpoint id.")
    before: Any = {"configurable": {"thread_id": thread.id, "checkpoint_ns": "", "checkpoint_id": before_id}} \
        if before_id else None
    out = []
    async for tup in services.checkpointer.saver.alist(config, filter=body.metadata or None, before=before,
                                                        limit=body.limit):
        out.append(state_json(thread_id, tup))
    return out


@router.post("/copy", status_code=201, summary="Copy a thread: metadata, conversation and state history")
async def copy_thread(thread_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    source = await load_thread(services, p, thread_id)
    copy = await services.storage.copy_thread(p, source)
    saver = services.checkpointer.saver
    tuples = [t async for t in saver.alist({"configurable": {"thread_id": source.id, "checkpoint_ns": ""}})]
    for tup in reversed(tuples):  # oldest first, so each parent exists before its children
        parent = tup.parent_config["configurable"]["checkpoint_id"] if tup.parent_config else None
        target: Any = {"configurable": {"thread_id": copy.id, "checkpoint_ns": "", "checkpoint_id": parent}}
        new_config = await saver.aput(target, tup.checkpoint, tup.metadata, tup.checkpoint["channel_versions"])
        if tup.pending_writes:
            await saver.aput_writes(new_config, [(c, v) for _, c, v in tup.pending_writes], task_id="copy")
    return thread_json(copy)


@router.get("/context-usage", summary="Token usage of the thread's latest run")
async def context_usage(
    thread_id: str, services: ServicesDep, p: PrincipalDep, agentKey: str | None = None
) -> dict[str, Any]:
    thread = await load_thread(services, p, thread_id)
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
            return {"thread_id": thread_id, "agent_key": d.get("agentKey"), "run_id": run.id,
                    "updated_at": ts(run.updated_at),
                    "usage": {"context_tokens": inp + outp, "input_tokens": inp, "output_tokens": outp,
                              "total_tokens": inp + outp, "embed_tokens": 0, "total_price": 0, "currency": None}}
    return {"thread_id": thread_id, "agent_key": agentKey, "run_id": None, "updated_at": None,
            "usage": {"context_tokens": 0, "input_tokens": 0, "output_tokens": 0, "total_tokens": 0,
                      "embed_tokens": 0, "total_price": 0, "currency": None}}
