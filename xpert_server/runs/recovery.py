"""Restart safety and retention: nothing stays `running` forever; old frames, expired keys and threads past
their ttl go away on schedule."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from xpert_server.auth.principal import Principal
from xpert_server.clock import Clock, system_clock
from xpert_server.encoding import dumps
from xpert_server.runs import frames
from xpert_server.runs.checkpoint import Checkpointer
from xpert_server.runs.eventlog import COMPLETE, EventLog
from xpert_server.runs.protocol import is_langgraph
from xpert_server.runs.reply import reply_from_frames
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import RunRecord

log = logging.getLogger("xpert.runs")

ORPHAN_REASON = "The server stopped while this run was in progress (it was not finished)."
ORPHAN_KIND = "RunError"  # XpertAI's frames of such a run carry no `errorKind`, which `__error__` reads so
IDEMPOTENCY_TTL = 24 * 3600.0


async def recover_orphaned_runs(
    storage: SQLStorage, events: EventLog, is_alive: Callable[[Any], bool] | None = None
) -> int:
    """Runs a dead process left pending/running end `error`; their streams get end frames so every
    replay (and any client still following) finishes instead of waiting forever. `is_alive` (a
    `workers` row → bool) spares the runs of processes still alive (runs/processes.py)."""
    orphans = await storage.recover_orphaned_runs(ORPHAN_REASON, is_alive)
    await close_streams(storage, events, orphans, ORPHAN_REASON)
    if orphans:
        log.warning(
            "ended %d run(s) orphaned by a previous process: %s",
            len(orphans),
            ", ".join(r.id for r, _, _ in orphans[:10]),
        )
    return len(orphans)


async def close_streams(
    storage: SQLStorage, events: EventLog, ended: list[tuple[RunRecord, str | None, str | None]], reason: str
) -> None:
    """The end frames of runs ended without their executor: (run, AI message id, conversation id), in the
    run's protocol. Their AI messages first get the reply their stored frames streamed (the executor would
    have)."""
    for run, ai_message_id, conversation_id in ended:
        if ai_message_id is not None:
            await keep_streamed_reply(storage, run.id)
        events.open(run.id, await storage.last_event_seq(run.id))
        if is_langgraph(run.kwargs):
            # LangGraph's ending: an `error` event (its readers and `runs/wait`'s `__error__` read it).
            events.append(run.id, dumps({"error": ORPHAN_KIND, "message": reason}), "error")
            events.append(run.id, dumps(frames.COMPLETE), COMPLETE)
            continue
        for payload in (
            frames.event(
                "on_agent_end",
                {"id": run.id, "status": "error", "error": reason, "xpertId": run.assistant_id},
            ),
            frames.event(
                "on_message_end",
                {
                    "id": ai_message_id,
                    "conversationId": conversation_id,
                    "executionId": run.id,
                    "role": "ai",
                    "status": "error",
                    "error": reason,
                },
            ),
            frames.event("on_conversation_end", {"id": conversation_id, "status": "error", "error": reason}),
        ):
            events.append(run.id, dumps(payload))
        events.append(run.id, dumps(frames.COMPLETE), COMPLETE)
    if ended:
        await events.sync()


async def keep_streamed_reply(storage: SQLStorage, run_id: str) -> None:
    """Rebuild a run's reply from its stored frames onto its AI message: a client that read twenty
    tokens before the crash finds them in the conversation afterwards."""
    frames: list[tuple[int, str | None, bytes]] = []
    after = 0
    while page := await storage.read_events(run_id, after):
        frames.extend(page)
        after = page[-1][0]
    reply = reply_from_frames(frames)
    if reply.blocks:
        await storage.keep_streamed_reply(run_id, reply.content, reply.reasoning)


class Sweeper:
    """Retention, in every process: deletes stored frames older than the retention period, expired
    Idempotency-Keys, and threads whose `ttl` ran out (`delete`: the thread and its state; `keep_latest`: all
    but its latest checkpoint). Several processes sweeping at once do the same idempotent work. `clock`: the
    injected one (tests move it instead of waiting)."""

    def __init__(
        self,
        storage: SQLStorage,
        retention: float,
        interval: float = 3600.0,
        *,
        clock: Clock = system_clock,
        checkpointer: Checkpointer | None = None,
    ):
        self.storage = storage
        self.retention = retention
        self.interval = interval
        self.clock = clock
        self.checkpointer = checkpointer
        self._task: asyncio.Task[None] | None = None

    async def sweep_once(self) -> tuple[int, int]:
        now = self.clock()
        frames_gone = await self.storage.delete_events_before(now - self.retention)
        keys_gone = await self.storage.delete_idempotency_before(now - IDEMPOTENCY_TTL)
        threads = await self.sweep_threads(now)
        if frames_gone or keys_gone or threads:
            log.info(
                "retention: removed %d stored frame(s), %d idempotency key(s); %d thread(s) past their ttl",
                frames_gone,
                keys_gone,
                threads,
            )
        return frames_gone, keys_gone

    async def sweep_threads(self, now: float) -> int:
        """Threads idle past their ttl: deleted, or pruned to their latest checkpoint. Returns how many."""
        swept = 0
        for thread_id, org_id, strategy, updated_at in await self.storage.expired_threads(now):
            if strategy == "delete":
                if await self.storage.delete_thread(Principal.system(org_id), thread_id):
                    if self.checkpointer is not None:
                        await self.checkpointer.delete_thread(thread_id)
            elif self.checkpointer is not None:
                await self.checkpointer.keep_latest(thread_id)
                await self.storage.mark_thread_pruned(thread_id, updated_at)
            swept += 1
        return swept

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
