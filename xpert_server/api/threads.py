"""Threads: create (with LangGraph's `ttl` and `supersteps`), get, patch, delete (202), search (200), count,
prune (LangGraph's)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from xpert_server.api.deps import PrincipalDep, ServicesDep, load_assistant, require_storable_id
from xpert_server.api.openapi import EMPTY_202
from xpert_server.api.storable import INT64_MAX, Storable
from xpert_server.api.wire.threads import Pruned, Thread, ThreadWithValues, thread_json
from xpert_server.errors import BadRequest, NotFound
from xpert_server.runs import threadstate
from xpert_server.storage.records import AssistantRecord, ThreadRecord

router = APIRouter(prefix="/threads", tags=["threads"])

ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
ThreadSortBy = Literal["thread_id", "status", "created_at", "updated_at"]
ThreadId = Field(default=None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
Metadata = Annotated[dict[str, Any] | None, Storable]
MAX_TTL_MINUTES = 100 * 365 * 24 * 60.0


class ThreadTTL(BaseModel):
    """LangGraph's thread `ttl`: minutes of inactivity after which the retention sweeper deletes the thread
    (`delete`) or keeps only its latest checkpoint (`keep_latest`)."""

    ttl: float = Field(gt=0, le=MAX_TTL_MINUTES, allow_inf_nan=False)
    strategy: Literal["delete", "keep_latest"] = "delete"


class SuperstepUpdate(BaseModel):
    values: Annotated[Any, Storable] = None
    command: dict[str, Any] | None = None
    as_node: str = Field(min_length=1, max_length=256)


class Superstep(BaseModel):
    updates: list[SuperstepUpdate] = Field(min_length=1, max_length=100)


class ThreadCreate(BaseModel):
    thread_id: str | None = ThreadId
    assistant_id: Annotated[str | None, Storable] = Field(default=None, min_length=1, max_length=128)
    metadata: Metadata = None
    if_exists: Literal["raise", "do_nothing"] | None = None
    ttl: ThreadTTL | None = None
    supersteps: list[Superstep] | None = Field(default=None, max_length=1000)


class ThreadPatch(BaseModel):
    metadata: Metadata = None
    ttl: ThreadTTL | None = None


class ThreadPrune(BaseModel):
    thread_ids: Annotated[list[str], Storable] = Field(max_length=1000)
    strategy: Literal["delete", "keep_latest"] = "delete"


class ThreadSearch(BaseModel):
    metadata: Metadata = None
    status: ThreadStatus | None = None
    ids: Annotated[list[str] | None, Storable] = Field(default=None, max_length=1000)
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=INT64_MAX)
    sort_by: ThreadSortBy | None = None
    sort_order: Literal["asc", "desc"] | None = None


class ThreadCount(BaseModel):
    metadata: Metadata = None
    status: ThreadStatus | None = None


async def load_thread(services: ServicesDep, p: PrincipalDep, thread_id: str) -> ThreadRecord:
    """The thread if this caller may see it; 404 otherwise (never 403: that would leak existence)."""
    require_storable_id("Thread", thread_id)
    record = await services.storage.get_thread(p, thread_id)
    if record is None:
        raise NotFound(f"Thread '{thread_id}' not found.")
    return record


@router.post("", status_code=201, summary="Create a thread", response_model=Thread)
async def create_thread(body: ThreadCreate, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    assistant = None
    if body.assistant_id is not None:
        assistant = await load_assistant(services, p, body.assistant_id)
    if body.supersteps:
        assistant = assistant or await _graph_of(services, p, body.metadata)
    record = await services.storage.create_thread(
        p,
        thread_id=body.thread_id,
        assistant_id=body.assistant_id,
        metadata=body.metadata,
        if_exists=body.if_exists or "raise",
    )
    if body.supersteps and assistant is not None:
        steps: list[list[tuple[Any, str | None]]] = []
        for step in body.supersteps:
            if any(u.command is not None for u in step.updates):
                await services.delete_thread(p, record.id)
                raise BadRequest(
                    "supersteps: `command` updates are not served; send `values` with `as_node`."
                )
            steps.append([(u.values, u.as_node) for u in step.updates])
        try:
            async with services.graphs.reading(assistant, "threads.update") as graph:
                await threadstate.apply_supersteps(graph, record.id, steps)
        except BaseException:
            await services.delete_thread(p, record.id)
            raise
    if body.ttl is not None:
        await services.storage.set_thread_ttl(record.id, p.org_id, body.ttl.ttl * 60, body.ttl.strategy)
    return thread_json(record)


async def _graph_of(
    services: ServicesDep, p: PrincipalDep, metadata: dict[str, Any] | None
) -> AssistantRecord:
    """Which graph's state `supersteps` write: `metadata.graph_id` (langgraph-sdk's `graph_id`)."""
    graph_id = (metadata or {}).get("graph_id")
    if not isinstance(graph_id, str) or not graph_id:
        raise BadRequest("supersteps: name the graph, with assistant_id or metadata.graph_id")
    return await load_assistant(services, p, graph_id)


@router.post(
    "/prune",
    status_code=200,
    summary="Delete threads, or keep only their latest state",
    response_model=Pruned,
)
async def prune_threads(body: ThreadPrune, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    """LangGraph's `threads.prune`: `delete` removes each thread (as `DELETE /threads/{id}`); `keep_latest`
    drops all but each thread's latest checkpoint. Ids the caller cannot see are not counted."""
    pruned = 0
    for thread_id in dict.fromkeys(body.thread_ids):
        require_storable_id("Thread", thread_id)
        record = await services.storage.get_thread(p, thread_id)
        if record is None:
            continue
        if body.strategy == "delete":
            pruned += await services.delete_thread(p, record.id)
        else:
            await services.checkpointer.keep_latest(record.id)
            pruned += 1
    return {"pruned_count": pruned}


@router.post("/search", status_code=200, summary="Search threads", response_model=list[Thread])
async def search_threads(body: ThreadSearch, services: ServicesDep, p: PrincipalDep) -> list[dict[str, Any]]:
    records = await services.storage.search_threads(
        p,
        metadata=body.metadata,
        status=body.status,
        ids=body.ids,
        limit=body.limit,
        offset=body.offset,
        sort_by=body.sort_by or "created_at",
        sort_order=body.sort_order or "desc",
    )
    return [thread_json(r) for r in records]


@router.post("/count", status_code=201, summary="Count threads")
async def count_threads(body: ThreadCount, services: ServicesDep, p: PrincipalDep) -> int:
    return await services.storage.count_threads(p, metadata=body.metadata, status=body.status)


@router.get("/{thread_id}", summary="Get a thread with its values", response_model=ThreadWithValues)
async def get_thread(thread_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    record = await load_thread(services, p, thread_id)
    values = await services.thread_values(record)
    return thread_json(record, values=values, with_values=True)


@router.patch("/{thread_id}", summary="Update a thread's metadata", response_model=Thread)
async def patch_thread(
    thread_id: str, body: ThreadPatch, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    found = await load_thread(services, p, thread_id)
    record = await services.storage.update_thread(p, found.id, metadata=body.metadata)
    if record is None:
        raise NotFound(f"Thread '{thread_id}' not found.")
    if body.ttl is not None:
        await services.storage.set_thread_ttl(record.id, p.org_id, body.ttl.ttl * 60, body.ttl.strategy)
    return thread_json(record)


@router.delete(
    "/{thread_id}",
    status_code=202,
    summary="Delete a thread, its runs and its state",
    response_class=Response,
    responses=EMPTY_202,
)
async def delete_thread(thread_id: str, services: ServicesDep, p: PrincipalDep) -> Response:
    record = await load_thread(services, p, thread_id)
    await services.delete_thread(p, record.id)
    return Response(status_code=202)
