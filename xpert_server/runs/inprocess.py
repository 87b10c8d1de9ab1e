"""The embedded run queue: a run executes in this process, as an asyncio task, the moment it is accepted.

Runs queued behind a busy thread (multitask_strategy `enqueue`) wait here, in memory, and start when
the thread's current run ends. Every run's `run_queue` row is `local` to this process, so another
process on the same database leaves it alone while this one lives (runs/processes.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from xpert_server.encoding import dumps
from xpert_server.runs.eventlog import COMPLETE, EventLog
from xpert_server.runs.executor import Executor, RunJob
from xpert_server.runs.opening import opening_messages, title_of
from xpert_server.runs.queue import AfterRun
from xpert_server.runs.store import current_org
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import QueuePlacement, RunRecord

log = logging.getLogger("xpert.runs")

HALT_TIMEOUT = 30.0


class InProcessQueue:
    def __init__(
        self,
        storage: SQLStorage,
        events: EventLog,
        executor: Executor,
        *,
        process_id: str,
        max_concurrency: int = 1000,
    ):
        self.storage = storage
        self.events = events
        self.executor = executor
        self._placement = QueuePlacement("local", process_id)
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._waiting: dict[str, deque[RunJob]] = {}  # thread id → runs queued behind its current one
        self._after: dict[str, list[AfterRun]] = {}
        self._slots = asyncio.Semaphore(max_concurrency)

    @property
    def placement(self) -> QueuePlacement:
        return self._placement

    async def submit(self, job: RunJob, *, queued: bool) -> None:
        self.events.open(job.run.id)
        if queued:
            self._waiting.setdefault(job.run.thread_id, deque()).append(job)
            # The blocking run may have ended while we were queuing: try now (a no-op while busy).
            await self._promote(job.run.thread_id)
        else:
            self._start(job)

    def _start(self, job: RunJob) -> None:
        async def go() -> None:
            current_org.set(job.run.org_id)  # the Store graphs see is this org's
            async with self._slots:
                try:
                    await self.executor.execute(job)
                except Exception:  # the executor reports graph errors itself; this is a bug guard
                    log.exception("run %s crashed", job.run.id)
            self._tasks.pop(job.run.id, None)
            for callback in self._after.pop(job.run.id, []):
                try:
                    await callback(job.run)
                except Exception:
                    log.exception("after-run callback for %s failed", job.run.id)
            await self._promote(job.run.thread_id)

        self._tasks[job.run.id] = asyncio.create_task(go(), name=f"run-{job.run.id}")

    async def _promote(self, thread_id: str) -> None:
        """Start the next run queued behind a thread that just became free (the durable queue's enqueue
        path, `activate_waiting`, with the run kept `local` to this process)."""
        waiting = self._waiting.get(thread_id)
        while waiting:
            job = waiting[0]
            messages = opening_messages(thread_id, job.run, job.chat, job.ai_message_id)
            outcome = await self.storage.activate_waiting(
                job.run, title=title_of(job.chat), messages=messages, local_to=self._placement.worker_id
            )
            if outcome == "busy":
                return  # another run took the thread first; we go when it ends
            waiting.popleft()
            if outcome == "ready":
                # What the activation wrote, without reading the row back (its start frames show them).
                job.thread.status, job.thread.error = "busy", None
                job.thread.title = job.thread.title or title_of(job.chat)
                self._start(job)
                break
            # "gone": ended meanwhile (cancelled); look at the next one
        if waiting is not None and not waiting:
            self._waiting.pop(thread_id, None)

    async def cancel(self, run: RunRecord) -> bool:
        if run.id in self._tasks:
            return self.executor.stop(run.id)
        waiting = self._waiting.get(run.thread_id)
        for job in list(waiting or ()):
            if job.run.id == run.id:
                assert waiting is not None
                waiting.remove(job)
                await self.storage.cancel_waiting(job.run.id)
                self.events.append(run.id, dumps({"type": "complete"}), COMPLETE)
                await self.events.sync()
                return True
        return False

    async def halt(self, run: RunRecord) -> None:
        task = self._tasks.get(run.id)
        if task is not None:
            self.executor.stop(run.id)
            await asyncio.wait({task}, timeout=HALT_TIMEOUT)

    def after(self, run_id: str, callback: AfterRun) -> None:
        self._after.setdefault(run_id, []).append(callback)

    def running(self) -> int:
        return len(self._tasks)

    async def shutdown(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)
