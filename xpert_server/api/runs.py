"""Runs on a thread: stream (SSE), wait, background, get, list, join, cancel, delete; the thread's stream
(every run of it, runs/threadstream.py); and thread state (runs/threadstate.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.responses import StreamingResponse

from xpert_server.api.deps import PrincipalDep, ServicesDep, load_assistant
from xpert_server.api.joins import (
    JoinAs,
    LastEventId,
    LastEventIdQuery,
    ServicesJoinSource,
    in_protocol,
    join_as,
    join_response,
    last_event_id_of,
)
from xpert_server.api.lgruns import (
    created_status,
    langgraph_created,
    langgraph_payload,
    run_locations,
    run_result,
    thread_for_run,
)
from xpert_server.api.sse import sse_response
from xpert_server.api.storable import INT64_MAX
from xpert_server.api.threads import load_thread
from xpert_server.api.webhooks import check_target
from xpert_server.api.wire.base import SSE_SCHEMA, Deleted
from xpert_server.api.wire.runs import Cancelled, LangGraphRunFields, Run, WaitReply, run_json
from xpert_server.api.wire.threads import StateUpdated, ThreadState, state_json, state_updated_json
from xpert_server.auth.principal import Principal
from xpert_server.errors import BadRequest, Forbidden, NotFound
from xpert_server.limits.streams import follower_slot, stream_slot, until_disconnected
from xpert_server.runs import threadstate, threadstream
from xpert_server.runs.lgstream import encode as lgstream_encode
from xpert_server.runs.lgstream import renderer
from xpert_server.runs.protocol import is_langgraph
from xpert_server.runs.service import Accepted
from xpert_server.runs.sse import MEDIA_TYPE, Frame
from xpert_server.services import Services
from xpert_server.storage.records import RunRecord, ThreadRecord

router = APIRouter(prefix="/threads/{thread_id}", tags=["runs"])

MAX_AFTER_SECONDS = 365 * 24 * 3600.0
WEBHOOK_NEEDS_KEY = (
    "A client secret cannot set a run's webhook: a back end sets it with an API key (docs/integrations.md)."
)


class RunCreate(LangGraphRunFields):
    """A run request. `assistant_id` (XpertAI's clients) or `xpert_id` (the integration guide); LangGraph's
    fields (api/wire/runs.py) pick its protocol (runs/protocol.py)."""

    model_config = ConfigDict(extra="allow")
    assistant_id: str | None = Field(default=None, min_length=1, max_length=128)
    xpert_id: str | None = Field(default=None, min_length=1, max_length=128)
    input: Any = None
    metadata: dict[str, Any] | None = None
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    multitask_strategy: Literal["reject", "interrupt", "rollback", "enqueue"] | None = None
    on_disconnect: Literal["continue", "cancel"] | None = None
    checkpoint_id: str | None = Field(default=None, max_length=128)
    on_completion: Literal["delete", "keep"] | None = None
    # LangGraph's delayed start. Not scheduled here (runs start at once), but bounded like every number
    # a client sends, so no value of it reaches storage unchecked.
    after_seconds: float | None = Field(default=None, ge=0, le=MAX_AFTER_SECONDS, allow_inf_nan=False)
    # LangGraph's per-run webhook: told when the run ends (API keys only; docs/integrations.md).
    webhook: str | None = Field(default=None, min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _assistant(self) -> RunCreate:
        if not (self.assistant_id or self.xpert_id):
            raise ValueError("assistant_id (or xpert_id) is required")
        return self

    @property
    def target(self) -> str:
        return str(self.assistant_id or self.xpert_id)


class StateUpdate(BaseModel):
    values: Any = None
    as_node: str | None = None
    checkpoint_id: str | None = None


IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=256)]


async def start_run(
    services: Services,
    p: Principal,
    thread: ThreadRecord,
    body: RunCreate,
    idempotency_key: str | None,
    path: str,
) -> Accepted:
    assistant = await load_assistant(services, p, body.target)
    if body.webhook is not None:
        if p.kind == "secret":
            raise Forbidden(WEBHOOK_NEEDS_KEY)
        await check_target(services, p.org_id, body.webhook)
    payload = await langgraph_payload(services, thread, body.model_dump(exclude_none=True))
    return await services.runs.create(
        p, thread, assistant, payload, idempotency_key=idempotency_key, request_path=path
    )


async def _start(
    services: Services,
    p: PrincipalDep,
    thread_id: str,
    body: RunCreate,
    idempotency_key: str | None,
    path: str,
) -> Accepted:
    thread = await thread_for_run(services, p, thread_id, body.if_not_exists)
    return await start_run(services, p, thread, body, idempotency_key, path)


def stream_accepted(
    services: Services,
    accepted: Accepted,
    body: RunCreate,
    release: Callable[[], None] = lambda: None,
    request: Request | None = None,
) -> StreamingResponse:
    run = accepted.run
    cancel = None
    if body.on_disconnect == "cancel" and not accepted.repeated:

        async def cancel() -> None:
            await services.runs.cancel(run)

    headers = run_locations(request, run, services.settings.api_prefix) if request is not None else {}
    if not is_langgraph(run.kwargs):
        return sse_response(services.runs.follow_batches(run.id), cancel, release, headers=headers)
    return sse_response(services.runs.follow_batches(run.id), cancel, release, renderer(None), headers)


async def _load_run(services: Services, p: PrincipalDep, thread_id: str, run_id: str) -> RunRecord:
    thread = await load_thread(services, p, thread_id)
    run = await services.storage.get_run(p, thread.id, run_id)
    if run is None:
        raise NotFound(f"Run '{run_id}' not found.")
    return run


@router.post(
    "/runs/stream",
    summary="Start a run and stream its events (SSE)",
    response_class=StreamingResponse,
    responses={200: {"content": {MEDIA_TYPE: {"schema": SSE_SCHEMA}}}},
)
async def stream_run(
    thread_id: str,
    body: RunCreate,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> StreamingResponse:
    release = stream_slot(
        request, p
    )  # 429 before anything starts when this credential's streams are all open
    try:
        accepted = await _start(services, p, thread_id, body, idempotency_key, request.url.path)
        return stream_accepted(services, accepted, body, release, request)
    except BaseException:
        release()
        raise


@router.post(
    "/runs/wait",
    status_code=201,
    summary="Start a run and wait for its reply",
    response_model=WaitReply,
    responses=langgraph_created(WaitReply),
)
async def wait_run(
    thread_id: str,
    body: RunCreate,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    async with follower_slot(request, p):  # 429 before anything starts, as for a stream
        accepted = await _start(services, p, thread_id, body, idempotency_key, request.url.path)
        response.headers.update(run_locations(request, accepted.run, services.settings.api_prefix))
        response.status_code = created_status([accepted.run])
        return await until_disconnected(request, run_result(services, p, accepted.run))


@router.post(
    "/runs",
    status_code=201,
    summary="Start a run in the background",
    response_model=Run,
    responses=langgraph_created(Run),
)
async def create_run(
    thread_id: str,
    body: RunCreate,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    accepted = await _start(services, p, thread_id, body, idempotency_key, request.url.path)
    response.headers.update(run_locations(request, accepted.run, services.settings.api_prefix))
    response.status_code = created_status([accepted.run])
    return run_json(accepted.run, thread_id)


@router.get("/runs", summary="List a thread's runs, newest first", response_model=list[Run])
async def list_runs(
    thread_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
    status: str | None = None,
) -> list[dict[str, Any]]:
    thread = await load_thread(services, p, thread_id)
    runs = await services.storage.list_runs(p, thread.id, limit=limit, offset=offset, status=status)
    return [run_json(r, thread_id) for r in runs]


@router.get("/runs/{run_id}", summary="Get a run", response_model=Run)
async def get_run(thread_id: str, run_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return run_json(await _load_run(services, p, thread_id, run_id), thread_id)


@router.get(
    "/runs/{run_id}/stream",
    summary="Join a run's stream (replays after Last-Event-ID, then follows; either protocol)",
    response_class=StreamingResponse,
    responses={200: {"content": {MEDIA_TYPE: {"schema": SSE_SCHEMA}}}},
)
async def join_stream(
    thread_id: str,
    run_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    wanted: Annotated[JoinAs, Depends(join_as)],
    last_event_id: LastEventId = None,
    last_event_id_q: LastEventIdQuery = None,
) -> StreamingResponse:
    run = await _load_run(services, p, thread_id, run_id)
    after = last_event_id_of(last_event_id, last_event_id_q)
    return join_response(services, p, request, run, after, wanted)


@router.get(
    "/runs/{run_id}/join", summary="Wait for a run to finish and return its reply", response_model=WaitReply
)
async def join_run(
    thread_id: str, run_id: str, services: ServicesDep, p: PrincipalDep, request: Request
) -> dict[str, Any]:
    run = await _load_run(services, p, thread_id, run_id)
    async with follower_slot(request, p):
        return await until_disconnected(request, run_result(services, p, run))


@router.post(
    "/runs/{run_id}/cancel",
    status_code=201,
    summary="Cancel a run",
    response_model=Cancelled,
    response_model_exclude_unset=True,
    responses=langgraph_created(Cancelled),
)
async def cancel_run(
    thread_id: str,
    run_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    response: Response,
    wait: bool = False,
) -> dict[str, Any]:
    """An XpertAI run's cancel answers as XpertAI's server does: 201, `{canceledExecutionIds}`, at once
    (its server ignores the query). A LangGraph run's answers 200 with the run as it is now, plus the same
    `canceledExecutionIds` (so either SDK reads it), and honours `?wait=1`: the answer comes when the run
    has ended."""
    run = await _load_run(services, p, thread_id, run_id)
    cancelled = await services.runs.cancel(run)
    if not is_langgraph(run.kwargs):
        return {"canceledExecutionIds": cancelled}
    response.status_code = created_status([run])
    if wait:
        async with follower_slot(request, p):
            await until_disconnected(request, services.runs.ended(run.id))
    now = await services.storage.get_run(p, run.thread_id, run.id) or run
    return {**run_json(now, thread_id), "canceledExecutionIds": cancelled}


@router.delete("/runs/{run_id}", summary="Delete a finished run", response_model=Deleted)
async def delete_run(thread_id: str, run_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    """The run's record and its stored frames go; the messages it wrote and the checkpoints it made stay (they
    are the thread's conversation and state). A run that has not finished is refused: cancel it first."""
    run = await _load_run(services, p, thread_id, run_id)
    await services.runs.delete(p, run, thread_id)
    return {"id": run_id, "deleted": True, "affected": 1}


@router.get(
    "/stream",
    summary="Follow every run of the thread (SSE; event ids '<run_id>:<seq>', resumes after Last-Event-ID)",
    response_class=StreamingResponse,
    responses={200: {"content": {MEDIA_TYPE: {"schema": SSE_SCHEMA}}}},
)
async def join_thread_stream(
    thread_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    wanted: Annotated[JoinAs, Depends(join_as)],
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=256)] = None,
    last_event_id_q: Annotated[str | None, Query(alias="last_event_id", max_length=256)] = None,
) -> StreamingResponse:
    thread = await load_thread(services, p, thread_id)
    raw = last_event_id if last_event_id is not None else last_event_id_q
    start = await threadstream.start_position(services.storage, p, thread.id, raw)
    source = ServicesJoinSource(services, p)

    def reframe(
        run: RunRecord, frames: AsyncIterator[Frame | None], after: int
    ) -> AsyncIterator[Frame | None]:
        return in_protocol(source, wanted, run, frames, after)

    frames = threadstream.follow_thread(services.storage, services.runs, p, thread.id, start, reframe)
    # Asked for no protocol: each run's frames as its protocol stored them (a LangGraph subgraph event gets
    # its full name back).
    render = lgstream_encode if wanted.protocol is None else wanted.render()
    return sse_response(frames, release=stream_slot(request, p), render=render)


@router.get(
    "/state", summary="The thread's current state (or at ?checkpoint_id=)", response_model=ThreadState
)
async def get_state(
    thread_id: str, services: ServicesDep, p: PrincipalDep, checkpoint_id: str | None = None
) -> dict[str, Any]:
    thread = await load_thread(services, p, thread_id)
    return state_json(
        thread_id, await threadstate.read_state(services.checkpointer, thread.id, checkpoint_id)
    )


@router.post("/state", status_code=201, summary="Update the thread's state", response_model=StateUpdated)
async def update_state(
    thread_id: str, body: StateUpdate, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread = await load_thread(services, p, thread_id)
    if thread.assistant_id is None:
        raise BadRequest("This thread has no assistant yet: run it once before updating its state.")
    assistant = await load_assistant(services, p, thread.assistant_id)
    async with services.graphs.reading(assistant, "threads.update") as graph:
        configurable = await threadstate.update_state(
            services.checkpointer, graph, thread.id, body.values, body.as_node, body.checkpoint_id
        )
    return state_updated_json(thread_id, configurable)
