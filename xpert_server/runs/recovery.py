"""Restart safety and retention: nothing stays `running` forever, old frames go away on schedule."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from xpert_server.encoding import dumps
from xpert_server.runs import frames
from xpert_server.runs.eventlog import COMPLETE, LocalEventLog
from xpert_server.storage import SQLStorage

log = logging.getLogger("xpert.runs")

ORPHAN_REASON = "The server stopped while this run was in progress (it was not finished)."
IDEMPOTENCY_TTL = 24 * 3600.0


async def recover_orphaned_runs(storage: SQLStorage, events: LocalEventLog) -> int:
    """Runs a dead process left pending/running end `error`; their streams get end frames so every
    replay (and any client still following) finishes instead of waiting forever."""
    runs = await storage.recover_orphaned_runs(ORPHAN_REASON)
    for run in runs:
        events.open(run.id, await storage.last_event_seq(run.id))
        for payload in (
            frames.event("on_agent_end", {"id": run.id, "status": "error", "error": ORPHAN_REASON,
                                          "xpertId": run.assistant_id}),
            frames.event("on_conversation_end", {"status": "error", "error": ORPHAN_REASON}),
        ):
            events.append(run.id, dumps(payload))
        events.append(run.id, dumps(frames.COMPLETE), COMPLETE)
    if runs:
        await events.sync()
        log.warning("ended %d run(s) orphaned by a previous process: %s", len(runs),
                    ", ".join(r.id for r in runs[:10]))
    return len(runs)


class Sweeper:
    """Deletes stored frames older than the retention period and expired Idempotency-Keys."""

    def __init__(self, storage: SQLStorage, retention: float, interval: float = 3600.0):
        self.storage = storage
        self.retention = retention
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    async def sweep_once(self) -> tuple[int, int]:
        now = time.time()
        frames_gone = await self.storage.delete_events_before(now - self.retention)
        keys_gone = await self.storage.delete_idempotency_before(now - IDEMPOTENCY_TTL)
        if frames_gone or keys_gone:
            log.info("retention: removed %d stored frame(s), %d idempotency key(s)", frames_gone, keys_gone)
        return frames_gone, keys_gone

    def start(self) -> None:
        async def loop() -> None:
            while True:
                try:
                    await self.sweep_once()
                except Exception:
                    log.exception("retention sweep failed")
                await asyncio.sleep(self.interval)

        self._task = asyncio.create_task(loop(), name="retention-sweeper")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
