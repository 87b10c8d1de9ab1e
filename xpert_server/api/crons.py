"""Crons, with LangGraph's routes and shapes: `POST /threads/{id}/runs/crons` (each tick runs on that thread),
`POST /runs/crons` (each tick on a new thread, deleted after its run unless `on_run_completed: "keep"`),
`POST /runs/crons/search`, `POST /runs/crons/count`, `PATCH` and `DELETE /runs/crons/{cron_id}`.

The body is a run's body (api/runs.RunCreate: what each fired run is started with) plus the schedule:
`schedule` (a cron expression), `timezone` (IANA; UTC by default), `end_time`, `enabled`, and for a
stateless cron `on_run_completed`. crons/scheduler.py fires them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from xpert_server.api.deps import PrincipalDep, ServicesDep, load_assistant, require_storable_id
from xpert_server.api.lgruns import thread_for_run
from xpert_server.api.runs import WEBHOOK_NEEDS_KEY, RunCreate, start_run
from xpert_server.api.storable import INT64_MAX, Storable
from xpert_server.api.webhooks import check_target
from xpert_server.api.wire.base import Deleted
from xpert_server.api.wire.crons import CRON_FIELDS, Cron, cron_json
from xpert_server.auth.principal import Principal
from xpert_server.crons.schedule import check
from xpert_server.crons.scheduler import following_tick
from xpert_server.encoding import new_id
from xpert_server.errors import BadRequest, Forbidden, NotFound
from xpert_server.services import Services
from xpert_server.storage.records import CronRecord, RunRecord, ThreadRecord

router = APIRouter(tags=["crons"])

Schedule = Field(min_length=1, max_length=256)
TimeZone = Field(default=None, min_length=1, max_length=64)
CronSortBy = Literal[
    "cron_id", "assistant_id", "thread_id", "created_at", "updated_at", "next_run_date", "end_time"
]
Metadata = Annotated[dict[str, Any] | None, Storable]
# The keys of a cron body that are the schedule's, not the run's.
_SCHEDULE_KEYS = (
    "schedule",
    "timezone",
    "end_time",
    "enabled",
    "on_run_completed",
    "assistant_id",
    "xpert_id",
)


class CronCreate(RunCreate):
    schedule: str = Schedule
    timezone: str | None = TimeZone
    end_time: datetime | None = None
    enabled: bool | None = None
    on_run_completed: Literal["delete", "keep"] | None = None


class CronPatch(BaseModel):
    """LangGraph's `crons.update`: each given field replaces the cron's; `end_time: null` clears it."""

    schedule: str | None = Field(default=None, min_length=1, max_length=256)
    timezone: str | None = TimeZone
    end_time: datetime | None = None
    enabled: bool | None = None
    on_run_completed: Literal["delete", "keep"] | None = None
    input: Any = None
    metadata: Metadata = None
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    webhook: str | None = Field(default=None, min_length=1, max_length=2000)
    interrupt_before: Literal["*"] | list[str] | None = None
    interrupt_after: Literal["*"] | list[str] | None = None
    stream_mode: Any = None
    stream_subgraphs: bool | None = None
    stream_resumable: bool | None = None
    durability: Literal["sync", "async", "exit"] | None = None


class CronSearch(BaseModel):
    assistant_id: str | None = Field(default=None, min_length=1, max_length=128)
    thread_id: str | None = Field(default=None, min_length=1, max_length=128)
    enabled: bool | None = None
    metadata: Metadata = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=INT64_MAX)
    sort_by: CronSortBy | None = None
    sort_order: Literal["asc", "desc"] | None = None
    select: list[Literal[CRON_FIELDS]] | None = Field(default=None, max_length=len(CRON_FIELDS))  # type: ignore[valid-type]


class CronCount(BaseModel):
    assistant_id: str | None = Field(default=None, min_length=1, max_length=128)
    thread_id: str | None = Field(default=None, min_length=1, max_length=128)
    metadata: Metadata = None


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


async def _check_webhook(services: Services, p: Principal, webhook: str | None) -> None:
    if webhook is not None:
        if p.kind == "secret":
            raise Forbidden(WEBHOOK_NEEDS_KEY)
        await check_target(services, p.org_id, webhook)


async def _create(
    services: Services, p: Principal, body: CronCreate, thread: ThreadRecord | None
) -> dict[str, Any]:
    assistant = await load_assistant(services, p, body.target)
    if thread is not None and thread.assistant_id not in (None, assistant.public_id):
        raise Forbidden("This thread belongs to another assistant.")
    check(body.schedule, body.timezone)
    await _check_webhook(services, p, body.webhook)
    fields = body.model_dump(exclude_none=True)
    payload = {k: v for k, v in fields.items() if k not in _SCHEDULE_KEYS}
    now = services.clock()
    cron = CronRecord(
        id=new_id(),
        org_id=p.org_id,
        assistant_id=assistant.public_id,
        thread_id=None if thread is None else thread.id,
        thread_public_id=None if thread is None else thread.public_id,
        user_id=p.user_id,
        key_id=p.key_id,
        xpert_binding=p.xpert_id,
        schedule=body.schedule,
        timezone=body.timezone,
        end_time=_epoch(body.end_time),
        payload=payload,
        metadata=body.metadata or {},
        on_run_completed=None if thread is not None else (body.on_run_completed or "delete"),
        enabled=body.enabled is not False,
        next_run_date=None,
        created_at=now,
        updated_at=now,
    )
    cron.next_run_date = following_tick(cron, now)
    return cron_json(await services.storage.create_cron(p, cron))


async def start_cron_run(
    services: Services, p: Principal, thread: ThreadRecord, body: dict[str, Any]
) -> RunRecord:
    """A fired tick's run, started as `POST /threads/{id}/runs` starts one (crons/scheduler.py)."""
    return (await start_run(services, p, thread, RunCreate.model_validate(body), None, "/cron")).run


@router.post(
    "/threads/{thread_id}/runs/crons",
    status_code=201,
    summary="Schedule runs on a thread",
    response_model=Cron,
)
async def create_thread_cron(
    thread_id: str, body: CronCreate, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread = await thread_for_run(services, p, thread_id, body.if_not_exists)
    return await _create(services, p, body, thread)


@router.post(
    "/runs/crons", status_code=201, summary="Schedule runs, each on a new thread", response_model=Cron
)
async def create_cron(body: CronCreate, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return await _create(services, p, body, None)


@router.post("/runs/crons/search", status_code=200, summary="Search crons", response_model=list[Cron])
async def search_crons(body: CronSearch, services: ServicesDep, p: PrincipalDep) -> list[dict[str, Any]]:
    found = await services.storage.search_crons(
        p,
        assistant_id=await _assistant_filter(services, p, body.assistant_id),
        thread_id=body.thread_id,
        enabled=body.enabled,
        metadata=body.metadata,
        limit=body.limit,
        offset=body.offset,
        sort_by=body.sort_by or "created_at",
        sort_order=body.sort_order or "desc",
    )
    return [cron_json(c, list(body.select or ())) for c in found]


@router.post("/runs/crons/count", status_code=201, summary="Count crons")
async def count_crons(body: CronCount, services: ServicesDep, p: PrincipalDep) -> int:
    assistant_id = await _assistant_filter(services, p, body.assistant_id)
    return await services.storage.count_crons(
        p, assistant_id=assistant_id, thread_id=body.thread_id, metadata=body.metadata
    )


async def _assistant_filter(services: Services, p: Principal, value: str | None) -> str | None:
    """A search's `assistant_id`: an assistant's id, or a graph's name (its default assistant), as crons
    store the id they resolved to; one that names nothing matches nothing."""
    if value is None:
        return None
    try:
        return (await load_assistant(services, p, value)).public_id
    except NotFound:
        return value


async def _load(services: Services, p: Principal, cron_id: str) -> CronRecord:
    require_storable_id("Cron", cron_id)
    cron = await services.storage.get_cron(p, cron_id)
    if cron is None:
        raise NotFound(f"Cron '{cron_id}' not found.")
    return cron


@router.patch("/runs/crons/{cron_id}", summary="Change a cron", response_model=Cron)
async def patch_cron(cron_id: str, body: CronPatch, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    cron = await _load(services, p, cron_id)
    given = body.model_dump(exclude_unset=True)
    if given.get("schedule") is None and "schedule" in given:
        raise BadRequest("schedule: may not be null")
    cron.schedule = given.get("schedule") or cron.schedule
    cron.timezone = given.get("timezone", cron.timezone)
    check(cron.schedule, cron.timezone)
    await _check_webhook(services, p, body.webhook)
    changes: dict[str, Any] = {"schedule": cron.schedule, "timezone": cron.timezone}
    if "end_time" in given:
        cron.end_time = changes["end_time"] = _epoch(body.end_time)
    if body.enabled is not None:
        cron.enabled = changes["enabled"] = body.enabled
    if body.on_run_completed is not None and cron.thread_id is None:
        changes["on_run_completed"] = body.on_run_completed
    run_fields = {k: v for k, v in given.items() if k not in _SCHEDULE_KEYS and v is not None}
    if run_fields:
        if "metadata" in run_fields:
            changes["metadata"] = run_fields["metadata"]
        payload = {**cron.payload, **run_fields}
        RunCreate.model_validate({**payload, "assistant_id": cron.assistant_id})  # still a valid run body
        changes["payload"] = payload
    # The next tick from now, by the schedule as it now is (also when re-enabled: no catching up).
    changes["next_run_date"] = following_tick(cron, services.clock())
    updated = await services.storage.update_cron(p, cron.id, changes)
    if updated is None:
        raise NotFound(f"Cron '{cron_id}' not found.")
    return cron_json(updated)


@router.delete("/runs/crons/{cron_id}", summary="Delete a cron", response_model=Deleted)
async def delete_cron(cron_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    require_storable_id("Cron", cron_id)
    if not await services.storage.delete_cron(p, cron_id):
        raise NotFound(f"Cron '{cron_id}' not found.")
    return {"id": cron_id, "deleted": True, "affected": 1}
