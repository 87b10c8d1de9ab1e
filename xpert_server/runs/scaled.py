"""The run service of scaled mode: accepting puts a run in the durable queue, never into this process.

Same API as RunService (handlers do not know the mode); what differs is behind its seams:
- `_submit`: the run's queue row was stored `ready` (or `wait`, behind a busy thread) with the run
  itself; we only wake the workers (Redis), or promote a waiting run if its thread freed meanwhile.
- `cancel`: recorded on the queue row (first request wins, so a double click returns [] the second
  time), then published; a run nobody has claimed yet is claimed and ended right here.
- `after`: callbacks (a stateless run's thread deletion) run when a watcher here sees the run end.
"""

from __future__ import annotations

import asyncio
import logging
import time

from xpert_server.encoding import dumps
from xpert_server.runs.broker import Signals, stop_task
from xpert_server.runs.checkpoint import Checkpointer
from xpert_server.runs.durable import Runner, promote_waiting
from xpert_server.runs.executor import RunJob
from xpert_server.runs.redis_events import RedisEventLog
from xpert_server.runs.service import AfterRun, AttachmentResolver, RunService
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import TERMINAL_RUN_STATUSES, QueuePlacement, RunRecord

log = logging.getLogger("xpert.scale")

WATCH_INTERVAL = 0.25
HALT_TIMEOUT = 30.0


class ScaledRunService(RunService):
    def __init__(self, storage: SQLStorage, events: RedisEventLog, runner: Runner, signals: Signals,
                 checkpointer: Checkpointer | None = None, keepalive: float = 15.0, queue: str = ""):
        self.runner = runner  # before RunService.__init__, which sets `attachments` (forwarded to the runner)
        super().__init__(storage, events, runner.executor, checkpointer, keepalive=keepalive)
        self.signals = signals
        self.placement = QueuePlacement("ready", queue=queue)
        self._redis_events = events
        self._watched: dict[str, list[AfterRun]] = {}
        self._watcher: asyncio.Task[None] | None = None

    @property
    def attachments(self) -> AttachmentResolver | None:
        return self.runner.attachments

    @attachments.setter
    def attachments(self, value: AttachmentResolver | None) -> None:
        self.runner.attachments = value

    async def _submit(self, job: RunJob, *, queued: bool) -> None:
        if queued:
            # The thread's run may have ended while this one was being queued: promote it now if so.
            await promote_waiting(self.storage, self.signals, job.run.thread_id)
        else:
            await self.signals.wake()

    async def cancel(self, run: RunRecord) -> list[str]:
        if run.status in TERMINAL_RUN_STATUSES:
            return []
        state = await self.storage.request_cancel(run.id)
        if state is None:
            return []  # ended meanwhile, or cancelled already
        if state == "wait" and await self.storage.cancel_waiting(run.id):
            events = self._redis_events
            events.open(run.id, await events.last_seq(run.id))
            events.append(run.id, dumps({"type": "complete"}), "complete")
            await events.sync()
            return [run.id]
        # Not claimed yet: take it and end it here (start and end frames, `interrupted`), no worker needed.
        claims = await self.storage.claim_runs(self.runner.worker_id, 1, time.time() + self.runner.lease_seconds,
                                               run_id=run.id)
        if claims:
            await self.runner.run(claims[0], cancelled=True)
        else:
            await self.signals.cancel(run.id)  # its worker stops it (a worker polls the flag as a fallback)
        return [run.id]

    async def _halt(self, run: RunRecord) -> None:
        await self.cancel(run)
        deadline = time.monotonic() + HALT_TIMEOUT
        while time.monotonic() < deadline:
            current = await self.storage.get_run_by_id(run.id)
            if current is None or current.status in TERMINAL_RUN_STATUSES:
                return
            await asyncio.sleep(0.05)

    def after(self, run_id: str, callback: AfterRun) -> None:
        self._watched.setdefault(run_id, []).append(callback)
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.create_task(self._watch(), name="run-end-watcher")

    async def _watch(self) -> None:
        while self._watched:
            await asyncio.sleep(WATCH_INTERVAL)
            for run_id in list(self._watched):
                try:
                    run = await self.storage.get_run_by_id(run_id)
                except Exception:
                    log.exception("watching run %s failed", run_id)
                    continue
                if run is not None and run.status not in TERMINAL_RUN_STATUSES:
                    continue
                for callback in self._watched.pop(run_id, []):
                    try:
                        if run is not None:
                            await callback(run)
                    except Exception:
                        log.exception("after-run callback for %s failed", run_id)

    def is_running_here(self, run_id: str) -> bool:
        return self.runner.holding(run_id)

    async def shutdown(self) -> None:
        if self._watcher is not None:
            await stop_task(self._watcher)
