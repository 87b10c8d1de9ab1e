"""The cron loop, in every process that serves the API (app.py starts it; embedded and scaled alike).

Every `cron_interval` seconds it reads the due crons (`next_run_date` ≤ now, by the injected clock) and, for
each, claims the tick: a compare-and-set moving `next_run_date` to the cron's next tick after *now*. Only the
process whose update moved it fires that tick, so a tick fires once however many processes look (SQLite or
PostgreSQL alike). A tick found more than `cron_grace` seconds late was missed (no process ran then): it is
claimed the same way but not fired — missed ticks are skipped, never replayed in a burst, and the next run is
the first tick after the scheduler saw it. A claim is made before the run starts: a process that dies between
the two loses that one tick (at most once, never twice).

A fired run is an ordinary run, started the way `POST /threads/{id}/runs` (or `POST /runs`) starts one
(`start_run`: api/crons.start_cron_run → api/runs.start_run → RunService.create): visible, streamable and cancellable, with `cron_id` in its
metadata. It acts for whoever made the cron (its org, end user and xpert binding).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from xpert_server.auth.principal import Principal
from xpert_server.crons.schedule import next_tick
from xpert_server.errors import ApiError
from xpert_server.storage.records import CronRecord, RunRecord, ThreadRecord

if TYPE_CHECKING:
    from xpert_server.services import Services

log = logging.getLogger("xpert.crons")


def cron_principal(cron: CronRecord) -> Principal:
    """Who a cron's runs act for: its maker (an API key; a client secret cannot make crons)."""
    return Principal(
        org_id=cron.org_id, kind="key", key_id=cron.key_id, user_id=cron.user_id, xpert_id=cron.xpert_binding
    )


def following_tick(cron: CronRecord, now: float) -> float | None:
    """The cron's first tick after `now`; None past its `end_time` (it has ended)."""
    tick = next_tick(cron.schedule, cron.timezone, now)
    if cron.end_time is not None and tick > cron.end_time:
        return None
    return tick


# How a fired tick starts its run: as `POST /threads/{id}/runs` would (api/crons.start_cron_run, given by
# the composition root, app.py: the engine does not import the API layer).
RunStarter = Callable[["Services", Principal, ThreadRecord, dict[str, Any]], Awaitable[RunRecord]]


class CronScheduler:
    def __init__(self, services: Services, start_run: RunStarter):
        self.services = services
        self.start_run = start_run
        self.interval = services.settings.cron_interval
        self.grace = services.settings.cron_grace
        self._task: asyncio.Task[None] | None = None

    async def tick_once(self) -> list[str]:
        """Claim every due tick; fire the ones on time. Returns the ids of the runs started."""
        storage, now = self.services.storage, self.services.clock()
        started: list[str] = []
        for cron in await storage.due_crons(now):
            due = cron.next_run_date
            assert due is not None
            if not await storage.claim_tick(cron.id, due, following_tick(cron, now)):
                continue  # another process has this tick
            if now - due > self.grace:
                log.info("cron %s: skipped the tick of %.0f, missed by %.0f s", cron.id, due, now - due)
                continue
            if cron.end_time is not None and due > cron.end_time:
                continue
            run = await self._fire(cron)
            if run is not None:
                started.append(run.id)
        return started

    async def _fire(self, cron: CronRecord) -> RunRecord | None:
        services = self.services
        p = cron_principal(cron)
        payload = dict(cron.payload)
        metadata = {**(payload.pop("metadata", None) or {}), "cron_id": cron.id}
        body = {**payload, "assistant_id": cron.assistant_id, "metadata": metadata}
        try:
            if cron.thread_id is not None:
                thread = await services.storage.get_thread_by_internal_id(p, cron.thread_id)
                if thread is None:
                    log.warning("cron %s: its thread is gone; nothing to run on", cron.id)
                    return None
                return await self.start_run(services, p, thread, body)
            thread = await services.storage.create_thread(p, metadata={"cron_id": cron.id})
            try:
                run = await self.start_run(services, p, thread, body)
            except BaseException:
                await services.delete_thread(p, thread.id)
                raise
            if (cron.on_run_completed or "delete") == "delete":

                async def cleanup(ended: RunRecord) -> None:
                    await services.delete_thread(p, ended.thread_id)

                services.runs.after(run.id, cleanup)
            return run
        except (ApiError, ValueError) as e:  # the assistant is gone, the thread busy (reject), …
            log.warning("cron %s: its run was not started: %s", cron.id, e)
            return None

    def start(self) -> None:
        async def loop() -> None:
            while True:
                try:
                    await self.tick_once()
                except Exception:
                    log.exception("cron tick failed")
                await asyncio.sleep(self.interval)

        self._task = asyncio.create_task(loop(), name="cron-scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
