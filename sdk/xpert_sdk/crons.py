"""`client.crons`: schedules that start runs (LangGraph's crons, the same routes and shapes).

A cron is a run body plus a schedule: a cron expression (`"0 9 * * 1-5"`), read in `timezone` (IANA; UTC
by default), until `end_time`. Each tick starts an ordinary run whose `metadata.cron_id` names the cron: on
the thread (`create_for_thread`) or on a new thread each time (`create`; deleted after its run unless
`on_run_completed="keep"`). Ticks missed while no server ran are skipped, not made up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, cast

from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact, path
from xpert_sdk.types import Cron, Deleted, MultitaskStrategy, SortOrder

__all__ = ["AsyncCrons", "Crons"]

OnRunCompleted = Literal["delete", "keep"]
CronSortBy = Literal[
    "cron_id", "assistant_id", "thread_id", "created_at", "updated_at", "next_run_date", "end_time"
]
_Crons = list[Cron]


def _when(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _body(
    assistant_id: str,
    schedule: str,
    input: Any,
    timezone: str | None,
    end_time: datetime | str | None,
    enabled: bool | None,
    metadata: Mapping[str, Any] | None,
    config: Mapping[str, Any] | None,
    context: Mapping[str, Any] | None,
    multitask_strategy: MultitaskStrategy | None,
    more: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return {"assistant_id": assistant_id, "schedule": schedule, **dict(more or {})} | compact(
        input=input,
        timezone=timezone,
        end_time=_when(end_time),
        enabled=enabled,
        metadata=metadata,
        config=config,
        context=context,
        multitask_strategy=multitask_strategy,
    )


def _update(
    cron_id: str,
    schedule: str | None,
    timezone: str | None,
    end_time: datetime | str | None,
    clear_end_time: bool,
    enabled: bool | None,
    input: Any,
    metadata: Mapping[str, Any] | None,
    on_run_completed: OnRunCompleted | None,
) -> Call:
    body = compact(
        schedule=schedule,
        timezone=timezone,
        end_time=_when(end_time),
        enabled=enabled,
        input=input,
        metadata=metadata,
        on_run_completed=on_run_completed,
    )
    if clear_end_time:
        body["end_time"] = None
    return Call("PATCH", path("/runs/crons/{}", cron_id), json=body)


def _search(
    assistant_id: str | None,
    thread_id: str | None,
    enabled: bool | None,
    metadata: Mapping[str, Any] | None,
    limit: int,
    offset: int,
    sort_by: CronSortBy | None,
    sort_order: SortOrder | None,
    select: Sequence[str] | None,
) -> Call:
    body = {"limit": limit, "offset": offset} | compact(
        assistant_id=assistant_id,
        thread_id=thread_id,
        enabled=enabled,
        metadata=metadata,
        sort_by=sort_by,
        sort_order=sort_order,
        select=list(select) if select is not None else None,
    )
    return Call("POST", "/runs/crons/search", json=body)


def _count(assistant_id: str | None, thread_id: str | None, metadata: Mapping[str, Any] | None) -> Call:
    body = compact(assistant_id=assistant_id, thread_id=thread_id, metadata=metadata)
    return Call("POST", "/runs/crons/count", json=body)


class Crons:
    """Schedule runs, find and change schedules."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def create_for_thread(
        self,
        thread_id: str,
        assistant_id: str,
        schedule: str,
        input: Any = None,
        *,
        timezone: str | None = None,
        end_time: datetime | str | None = None,
        enabled: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        run: Mapping[str, Any] | None = None,
    ) -> Cron:
        """Run `assistant_id` on the thread at each tick of `schedule`; `run`: more fields of the run body.

        Example: ``client.crons.create_for_thread(tid, "digest", "0 9 * * *", chat_input("Today?"))``
        """
        body = _body(
            assistant_id,
            schedule,
            input,
            timezone,
            end_time,
            enabled,
            metadata,
            config,
            context,
            multitask_strategy,
            run,
        )
        call = Call("POST", path("/threads/{}/runs/crons", thread_id), json=body, idempotent=False)
        return cast(Cron, self._http.request(call))

    def create(
        self,
        assistant_id: str,
        schedule: str,
        input: Any = None,
        *,
        timezone: str | None = None,
        end_time: datetime | str | None = None,
        enabled: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        run: Mapping[str, Any] | None = None,
        on_run_completed: OnRunCompleted | None = None,
    ) -> Cron:
        """Run `assistant_id` on a new thread at each tick (deleted after the run unless `"keep"`).

        Example: ``client.crons.create("digest", "*/30 * * * *", timezone="Europe/Paris")``
        """
        body = _body(
            assistant_id,
            schedule,
            input,
            timezone,
            end_time,
            enabled,
            metadata,
            config,
            context,
            multitask_strategy,
            run,
        ) | compact(on_run_completed=on_run_completed)
        return cast(Cron, self._http.request(Call("POST", "/runs/crons", json=body, idempotent=False)))

    def update(
        self,
        cron_id: str,
        *,
        schedule: str | None = None,
        timezone: str | None = None,
        end_time: datetime | str | None = None,
        clear_end_time: bool = False,
        enabled: bool | None = None,
        input: Any = None,
        metadata: Mapping[str, Any] | None = None,
        on_run_completed: OnRunCompleted | None = None,
    ) -> Cron:
        """Change what is given; the next tick is then counted from now.

        Example: ``client.crons.update(cron_id, enabled=False)``
        """
        call = _update(
            cron_id, schedule, timezone, end_time, clear_end_time, enabled, input, metadata, on_run_completed
        )
        return cast(Cron, self._http.request(call))

    def delete(self, cron_id: str) -> Deleted:
        """Delete a cron (its runs stay).

        Example: ``client.crons.delete(cron_id)``
        """
        return cast(Deleted, self._http.request(Call("DELETE", path("/runs/crons/{}", cron_id))))

    def search(
        self,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        enabled: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: CronSortBy | None = None,
        sort_order: SortOrder | None = None,
        select: Sequence[str] | None = None,
    ) -> _Crons:
        """Crons the caller may see, newest first unless sorted otherwise.

        Example: ``crons = client.crons.search(thread_id=tid)``
        """
        call = _search(assistant_id, thread_id, enabled, metadata, limit, offset, sort_by, sort_order, select)
        return cast(_Crons, self._http.request(call))

    def count(
        self,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> int:
        """How many crons match.

        Example: ``n = client.crons.count(assistant_id="digest")``
        """
        return cast(int, self._http.request(_count(assistant_id, thread_id, metadata)))


class AsyncCrons:
    """Schedule runs, find and change schedules (asyncio)."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def create_for_thread(
        self,
        thread_id: str,
        assistant_id: str,
        schedule: str,
        input: Any = None,
        *,
        timezone: str | None = None,
        end_time: datetime | str | None = None,
        enabled: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        run: Mapping[str, Any] | None = None,
    ) -> Cron:
        """Run `assistant_id` on the thread at each tick of `schedule`; `run`: more fields of the run body.

        Example: ``await client.crons.create_for_thread(tid, "digest", "0 9 * * *")``
        """
        body = _body(
            assistant_id,
            schedule,
            input,
            timezone,
            end_time,
            enabled,
            metadata,
            config,
            context,
            multitask_strategy,
            run,
        )
        call = Call("POST", path("/threads/{}/runs/crons", thread_id), json=body, idempotent=False)
        return cast(Cron, await self._http.request(call))

    async def create(
        self,
        assistant_id: str,
        schedule: str,
        input: Any = None,
        *,
        timezone: str | None = None,
        end_time: datetime | str | None = None,
        enabled: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
        config: Mapping[str, Any] | None = None,
        context: Mapping[str, Any] | None = None,
        multitask_strategy: MultitaskStrategy | None = None,
        run: Mapping[str, Any] | None = None,
        on_run_completed: OnRunCompleted | None = None,
    ) -> Cron:
        """Run `assistant_id` on a new thread at each tick (deleted after the run unless `"keep"`).

        Example: ``await client.crons.create("digest", "*/30 * * * *")``
        """
        body = _body(
            assistant_id,
            schedule,
            input,
            timezone,
            end_time,
            enabled,
            metadata,
            config,
            context,
            multitask_strategy,
            run,
        ) | compact(on_run_completed=on_run_completed)
        return cast(Cron, await self._http.request(Call("POST", "/runs/crons", json=body, idempotent=False)))

    async def update(
        self,
        cron_id: str,
        *,
        schedule: str | None = None,
        timezone: str | None = None,
        end_time: datetime | str | None = None,
        clear_end_time: bool = False,
        enabled: bool | None = None,
        input: Any = None,
        metadata: Mapping[str, Any] | None = None,
        on_run_completed: OnRunCompleted | None = None,
    ) -> Cron:
        """Change what is given; the next tick is then counted from now.

        Example: ``await client.crons.update(cron_id, enabled=False)``
        """
        call = _update(
            cron_id, schedule, timezone, end_time, clear_end_time, enabled, input, metadata, on_run_completed
        )
        return cast(Cron, await self._http.request(call))

    async def delete(self, cron_id: str) -> Deleted:
        """Delete a cron (its runs stay).

        Example: ``await client.crons.delete(cron_id)``
        """
        return cast(Deleted, await self._http.request(Call("DELETE", path("/runs/crons/{}", cron_id))))

    async def search(
        self,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        enabled: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: CronSortBy | None = None,
        sort_order: SortOrder | None = None,
        select: Sequence[str] | None = None,
    ) -> _Crons:
        """Crons the caller may see, newest first unless sorted otherwise.

        Example: ``crons = await client.crons.search(thread_id=tid)``
        """
        call = _search(assistant_id, thread_id, enabled, metadata, limit, offset, sort_by, sort_order, select)
        return cast(_Crons, await self._http.request(call))

    async def count(
        self,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> int:
        """How many crons match.

        Example: ``n = await client.crons.count(assistant_id="digest")``
        """
        return cast(int, await self._http.request(_count(assistant_id, thread_id, metadata)))
