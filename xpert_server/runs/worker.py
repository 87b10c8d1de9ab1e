"""A worker: claims runs from the durable queue and executes them, at most `concurrency` at once.

It claims when woken through Redis (a run became ready, a run ended here) and at least every second
(the fallback when Redis is down). It renews its leases every third of the lease and, in the same
round, reaps the leases other workers let expire: every worker is also a reaper, so there is no single
one to lose. Cancels arrive by pub/sub (milliseconds) and, as a fallback, with each lease renewal.

Shutdown (SIGTERM) stops claiming, lets the runs in flight finish for `drain_seconds`, then hands the
rest back: each is stopped here without writing its end, and put back to `ready` for another worker,
which continues it (frame ids, checkpoint) as if this worker had died, only sooner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from xpert_server.config import Settings
from xpert_server.runs.broker import Signals, stop_task
from xpert_server.runs.recovery import close_streams
from xpert_server.runs.runner import Runner, promote_waiting
from xpert_server.storage import SQLStorage
from xpert_server.storage.sql.queue import Claim

log = logging.getLogger("xpert.scale")

POLL = 1.0
REAPED = "The run's worker stopped responding, and its last attempt ran out (max attempts reached)."
RECENT_CANCELS = 120.0


@dataclass
class _InFlight:
    task: asyncio.Task[None]
    attempt: int


class Worker:
    def __init__(self, storage: SQLStorage, runner: Runner, signals: Signals, settings: Settings):
        self.storage = storage
        self.runner = runner
        self.signals = signals
        self.id = runner.worker_id
        self.concurrency = max(1, settings.worker_concurrency)
        self.lease = settings.lease_seconds
        self.max_attempts = max(1, settings.max_attempts)
        self.drain = settings.drain_seconds
        self.queue = settings.redis_prefix  # this deployment's runs only (several may share a database)
        self._inflight: dict[str, _InFlight] = {}
        self._recent_cancels: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._renewed = time.monotonic()

    async def start(self) -> None:
        self.signals.listen(self._wake.set, self._on_cancel)
        self._tasks = [
            asyncio.create_task(self._claim_loop(), name="worker-claim"),
            asyncio.create_task(self._lease_loop(), name="worker-leases"),
        ]
        log.info("worker %s: up to %d runs at once, lease %.0f s", self.id, self.concurrency, self.lease)

    async def stop(self) -> None:
        """Drain, then hand back what is still running."""
        self._stopping = True
        self._wake.set()
        if self._inflight:
            log.info(
                "worker %s: finishing %d run(s) (up to %.0f s)", self.id, len(self._inflight), self.drain
            )
            await asyncio.wait([f.task for f in self._inflight.values()], timeout=self.drain)
        left = [(r, f) for r, f in self._inflight.items() if self.runner.holding(r)]
        for run_id, flight in left:
            self.runner.abandon(run_id)
            flight.task.cancel()
        if self._inflight:
            await asyncio.wait([f.task for f in self._inflight.values()], timeout=10)
        if left:
            for run_id, _ in left:
                with contextlib.suppress(Exception):
                    await self.storage.release_run(run_id, self.id)
            log.info("worker %s: handed back %d run(s)", self.id, len(left))
            await self.signals.wake()
        for task in self._tasks:
            await stop_task(task)
        await self.signals.close()

    # ---- claiming ---------------------------------------------------------------------------------
    async def _claim_loop(self) -> None:
        while not self._stopping:
            self._wake.clear()  # before claiming: a wake that lands during the claim is not lost
            free = self.concurrency - len(self._inflight)
            if free > 0:
                try:
                    claims = await self.storage.claim_runs(
                        self.id, free, time.time() + self.lease, queue=self.queue
                    )
                except Exception:
                    log.exception("claiming runs failed")
                    claims = []
                for claim in claims:
                    self._start(claim)
                if claims and len(claims) < free:
                    continue  # there may be more than one wake's worth
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL)

    def _start(self, claim: Claim) -> None:
        run_id = claim.run.id
        cancelled = claim.cancel or run_id in self._recent_cancels

        async def go() -> None:
            try:
                await self.runner.run(claim, cancelled=cancelled)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("run %s crashed in its worker", run_id)
            finally:
                self._inflight.pop(run_id, None)
                self._wake.set()  # a slot is free

        self._inflight[run_id] = _InFlight(asyncio.create_task(go(), name=f"run-{run_id}"), claim.attempt)

    # ---- cancelling -------------------------------------------------------------------------------
    def _on_cancel(self, run_id: str) -> None:
        if run_id in self._inflight:
            self.runner.executor.stop(run_id)  # the one way a run is stopped where it executes
            return
        # Not (yet) ours: claimed a moment ago and not registered, or some other worker's. Remembered a
        # while, so a claim that raced the cancel still ends the run without running it.
        now = time.monotonic()
        self._recent_cancels[run_id] = now
        if len(self._recent_cancels) > 10_000:
            self._recent_cancels = {r: t for r, t in self._recent_cancels.items() if now - t < RECENT_CANCELS}

    # ---- leases and the reaper --------------------------------------------------------------------
    async def _lease_loop(self) -> None:
        interval = max(0.2, min(10.0, self.lease / 3))
        while True:
            await asyncio.sleep(interval)
            try:
                await self._renew()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("renewing leases failed")
            if self._inflight and time.monotonic() - self._renewed > self.lease * 0.6:
                # We cannot prove we still hold these runs; another worker may take them soon: stop writing.
                log.error(
                    "worker %s: leases not renewed for %.1f s; stopping its runs",
                    self.id,
                    time.monotonic() - self._renewed,
                )
                for run_id in list(self._inflight):
                    self._lose(run_id)
            try:
                await self._reap()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reaping expired leases failed")

    async def _renew(self) -> None:
        ids = list(self._inflight)
        renewal = await self.storage.heartbeat(self.id, len(ids), ids, time.time() + self.lease)
        self._renewed = time.monotonic()
        if renewal is None:
            return  # our process row was pruned; ProcessRegistry registers it again
        for run_id in ids:
            if run_id not in renewal.owned and self.runner.holding(run_id):  # (not: ended meanwhile)
                log.warning("worker %s: lost the lease of run %s", self.id, run_id)
                self._lose(run_id)
        for run_id in renewal.cancelled:
            if run_id in self._inflight:
                self.runner.executor.stop(run_id)

    def _lose(self, run_id: str) -> None:
        flight = self._inflight.get(run_id)
        if flight is not None and self.runner.holding(run_id):
            self.runner.abandon(run_id)
            flight.task.cancel()

    async def _reap(self) -> None:
        again, ended = await self.storage.reap_expired(time.time(), self.max_attempts, REAPED)
        if again:
            log.warning("re-queued %d run(s) whose worker stopped: %s", len(again), ", ".join(again[:10]))
            await self.signals.wake()
        if ended:
            await close_streams(self.storage, self.runner.events, ended, REAPED)
            for run, _, _ in ended:
                await promote_waiting(self.storage, self.signals, run.thread_id)
