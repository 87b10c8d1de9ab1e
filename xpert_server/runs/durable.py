"""The durable run queue (scaled mode): accepting a run stores its `run_queue` row, never runs it here.

The row is `ready` (or `wait`, behind a busy thread) from the transaction that accepts the run; a
worker in any process claims it (runs/worker.py, runs/runner.py). Redis only signals: `wake` (a run
became claimable) and `cancel`; workers also poll the database, so a lost signal costs latency.
- `cancel`: recorded on the queue row (first request wins, so a double click is False the second time),
  then published; a run nobody has claimed yet is claimed and ended right here.
- `after`: callbacks (a stateless run's thread deletion) run when a watcher here sees the run end.
"""

from __future__ import annotations

import asyncio
import logging
import time

from xpert_server.encoding import dumps
from xpert_server.runs.broker import Signals, stop_task
from xpert_server.runs.eventlog import COMPLETE
from xpert_server.runs.executor import RunJob
from xpert_server.runs.queue import AfterRun
from xpert_server.runs.redis_events import RedisEventLog
from xpert_server.runs.runner import Runner, promote_waiting
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import TERMINAL_RUN_STATUSES, QueuePlacement, RunRecord

log = logging.getLogger("xpert.scale")

WATCH_INTERVAL = 0.25
HALT_TIMEOUT = 30.0


class DurableQueue:
    def __init__(
        self, storage: SQLStorage, events: RedisEventLog, runner: Runner, signals: Signals, *, queue: str = ""
    ):
        self.storage = storage
        self.events = events
        self.runner = runner
        self.signals = signals
        self._placement = QueuePlacement(
            "ready", queue=queue
        )  # this deployment's runs (several may share a database)
        self._watched: dict[str, list[AfterRun]] = {}
        self._watcher: asyncio.Task[None] | None = None

    @property
    def placement(self) -> QueuePlacement:
        return self._placement

    async def submit(self, job: RunJob, *, queued: bool) -> None:
        if queued:
            # The thread's run may have ended while this one was being queued: promote it now if so.
            await promote_waiting(self.storage, self.signals, job.run.thread_id)
        else:
            await self.signals.wake()

    async def cancel(self, run: RunRecord) -> bool:
        state = await self.storage.request_cancel(run.id)
        if state is None:
            return False  # ended meanwhile, or cancelled already
        if state == "wait" and await self.storage.cancel_waiting(run.id):
            self.events.open(run.id, await self.events.last_seq(run.id))
            self.events.append(run.id, dumps({"type": "complete"}), COMPLETE)
            await self.events.sync()
            return True
        # Not claimed yet: take it and end it here (start and end frames, `interrupted`), no worker needed.
        claims = await self.storage.claim_runs(
            self.runner.worker_id, 1, time.time() + self.runner.lease_seconds, run_id=run.id
        )
        if claims:
            await self.runner.run(claims[0], cancelled=True)
        else:
            await self.signals.cancel(run.id)  # its worker stops it (a worker polls the flag as a fallback)
        return True

    async def halt(self, run: RunRecord) -> None:
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

    def running(self) -> int:
        return self.runner.held()

    async def shutdown(self) -> None:
        if self._watcher is not None:
            await stop_task(self._watcher)
