"""Stateless runs: `POST /runs/stream|wait`, `/runs`, `/runs/batch` — each on a thread of its own,
deleted when the run ends unless `on_completion: "keep"`; or, when the input names a `conversationId`
(XpertAI's ChatRequest), on that conversation's thread, which it continues (and keeps). And their join by
run id alone, `GET /runs/{run_id}/stream`."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import Field, RootModel
from starlette.responses import StreamingResponse

from xpert_server.api.conversations import conversation_thread
from xpert_server.api.deps import PrincipalDep, ServicesDep, load_assistant, require_storable_id
from xpert_server.api.joins import (
    JoinAs,
    LastEventId,
    LastEventIdQuery,
    join_as,
    join_response,
    last_event_id_of,
)
from xpert_server.api.lgruns import created_status, langgraph_created, run_result
from xpert_server.api.runs import IdempotencyKey, RunCreate, start_run, stream_accepted
from xpert_server.api.wire.base import SSE_SCHEMA
from xpert_server.api.wire.runs import Run, WaitReply, run_json
from xpert_server.auth.principal import Principal
from xpert_server.errors import NotFound
from xpert_server.limits.streams import follower_slot, stream_slot, until_disconnected
from xpert_server.runs.input import run_input
from xpert_server.runs.protocol import protocol_of
from xpert_server.runs.service import Accepted
from xpert_server.runs.sse import MEDIA_TYPE
from xpert_server.services import Services
from xpert_server.storage.records import RunRecord

router = APIRouter(prefix="/runs", tags=["runs"])


class RunBatch(RootModel[list[RunCreate]]):
    root: list[RunCreate] = Field(min_length=1, max_length=100)


class Deletion:
    """A stateless run's thread, deleted once everyone holding it is done: the run (when it ends) and a
    `runs/wait` request (once it has read its answer — the final state — from the thread). Whichever is
    last deletes it; neither waits for the other (the queue runs its after-run callbacks one by one)."""

    def __init__(self, services: Services, p: Principal, holders: int = 1):
        self.services, self.p, self.holders = services, p, holders
        self.thread_id: str | None = None  # None: the thread is kept

    def arm(self, thread_id: str) -> None:
        """The thread is to be deleted; the run holds it too."""
        self.thread_id = thread_id
        self.holders += 1

    async def release(self) -> None:
        self.holders -= 1
        if self.holders == 0 and self.thread_id is not None:
            await self.services.delete_thread(self.p, self.thread_id)


async def _start_stateless(
    services: Services,
    p: Principal,
    body: RunCreate,
    idempotency_key: str | None,
    path: str,
    keep_default: bool,
    deletion: Deletion | None = None,
) -> Accepted:
    """`deletion`: the request's own hold on the thread's deletion (`runs/wait` reads its answer from the
    thread), if it is to be deleted."""
    await load_assistant(services, p, body.target)  # 404/403 before creating anything
    continued = await conversation_thread(services, p, body.input)
    if continued is not None:
        return await start_run(services, p, continued, body, idempotency_key, path)
    thread = await services.storage.create_thread(p, metadata={"stateless": True})
    try:
        accepted = await start_run(services, p, thread, body, idempotency_key, path)
    except Exception:
        await services.delete_thread(p, thread.id)
        raise
    if accepted.repeated:
        await services.delete_thread(p, thread.id)  # the first request's thread holds the run
    elif (body.on_completion or ("keep" if keep_default else "delete")) == "delete":
        held = deletion or Deletion(services, p, holders=0)
        held.arm(thread.id)

        async def cleanup(run: RunRecord) -> None:
            await held.release()

        services.runs.after(accepted.run.id, cleanup)
    return accepted


@router.post(
    "/stream",
    summary="Run without a thread and stream its events (SSE)",
    response_class=StreamingResponse,
    responses={200: {"content": {MEDIA_TYPE: {"schema": SSE_SCHEMA}}}},
)
async def stream_stateless(
    body: RunCreate,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> StreamingResponse:
    release = stream_slot(request, p)
    try:
        accepted = await _start_stateless(
            services, p, body, idempotency_key, request.url.path, keep_default=False
        )
        return stream_accepted(services, accepted, body, release, request)
    except BaseException:
        release()
        raise


@router.post(
    "/wait",
    status_code=201,
    summary="Run without a thread and wait for the reply",
    response_model=WaitReply,
    responses=langgraph_created(WaitReply),
)
async def wait_stateless(
    body: RunCreate,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    deletion = Deletion(services, p)  # this request holds the thread until its answer is read from it
    try:
        async with follower_slot(request, p):
            accepted = await _start_stateless(
                services, p, body, idempotency_key, request.url.path, keep_default=False, deletion=deletion
            )
            response.status_code = created_status([accepted.run])
            return await until_disconnected(request, run_result(services, p, accepted.run))
    finally:
        # Read, failed or abandoned by its client: the thread goes now, or when the run ends.
        await asyncio.shield(deletion.release())


@router.post(
    "",
    status_code=201,
    summary="Run without a thread, in the background",
    response_model=Run,
    responses=langgraph_created(Run),
)
async def create_stateless(
    body: RunCreate,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    # Kept by default: the caller will want to read the run (and its thread) afterwards.
    accepted = await _start_stateless(services, p, body, idempotency_key, request.url.path, keep_default=True)
    response.status_code = created_status([accepted.run])
    return run_json(accepted.run, accepted.run.thread_id)  # a generated thread: its public id is its own


@router.post(
    "/batch",
    status_code=201,
    summary="Start several background runs, each on its own thread",
    response_model=list[Run],
    responses=langgraph_created(list[Run]),
)
async def create_batch(
    body: RunBatch, services: ServicesDep, p: PrincipalDep, request: Request, response: Response
) -> list[dict[str, Any]]:
    for item in body.root:  # validate every item before starting any run
        await load_assistant(services, p, item.target)
        fields = item.model_dump(exclude_none=True)
        run_input(item.input, {**fields, "protocol": protocol_of(fields)})
    out, runs = [], []
    for item in body.root:
        accepted = await _start_stateless(services, p, item, None, request.url.path, keep_default=True)
        runs.append(accepted.run)
        out.append(run_json(accepted.run, accepted.run.thread_id))  # generated threads, as above
    response.status_code = created_status(runs)
    return out


@router.get(
    "/{run_id}/stream",
    summary="Join a run's stream by its id alone (a stateless run's; replays after Last-Event-ID, then follows)",
    response_class=StreamingResponse,
    responses={200: {"content": {MEDIA_TYPE: {"schema": SSE_SCHEMA}}}},
)
async def join_stateless_stream(
    run_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    wanted: Annotated[JoinAs, Depends(join_as)],
    last_event_id: LastEventId = None,
    last_event_id_q: LastEventIdQuery = None,
) -> StreamingResponse:
    require_storable_id("Run", run_id)
    # Any run its caller may see (its thread's visibility decides, as for every run); a stateless run's
    # thread goes when the run ends unless it was kept, and the run with it.
    run = await services.storage.find_run(p, run_id)
    if run is None:
        raise NotFound(f"Run '{run_id}' not found.")
    after = last_event_id_of(last_event_id, last_event_id_q)
    return join_response(services, p, request, run, after, wanted)
