"""Executing a claimed run of the durable queue (scaled mode): start to end, under its lease.

A worker in any process rebuilds the run's job from the database (run row, thread, xpert, input, the AI
message id stored in the run's kwargs at acceptance, attachments), so the process that accepted the run
needs to hold nothing. A re-queued attempt (its worker died) continues the run's frame ids, sends no
second set of start frames, and resumes the graph from the run's own last checkpoint when there is one.

The lease is the fence: the executor's final write (`finish_run`) first confirms that this worker still
holds this attempt's lease, so a worker that stalled past its lease can never end a run another attempt
now owns; its frames are dropped too (RedisEventLog.fence).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from xpert_server.agents.provider import GraphProvider
from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.errors import NotFound
from xpert_server.runs.broker import Signals
from xpert_server.runs.checkpoint import Checkpointer
from xpert_server.runs.executor import Executor, RunJob
from xpert_server.runs.input import AttachmentResolver, ChatInput, normalise_input, run_input
from xpert_server.runs.opening import opening_messages, title_of
from xpert_server.runs.recovery import close_streams
from xpert_server.runs.redis_events import RedisEventLog
from xpert_server.runs.store import current_org
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import MessageRecord, RunRecord, TokenUsage
from xpert_server.storage.sql.queue import Claim
from xpert_server.telemetry import Tracing

log = logging.getLogger("xpert.scale")

UNSTARTABLE = "The run could not start: {}"


class LeaseLost(RuntimeError):
    """This worker no longer holds the run (its lease expired and another attempt took it, or it handed
    the run back): nothing more of this attempt may be written."""


class LeasedWriter:
    """What a worker's executor writes through (a RunWriter): SQLStorage's, but a run's end is fenced by
    its lease, so a worker that stalled past its lease cannot end a run another attempt owns."""

    def __init__(self, storage: SQLStorage, worker_id: str, lease_seconds: float):
        self._storage = storage
        self.worker_id = worker_id
        self.lease_seconds = lease_seconds
        self.attempts: dict[str, int] = {}  # run id → the attempt this process holds
        self.abandoned: set[str] = set()

    async def holds(self, run_id: str) -> bool:
        attempt = self.attempts.get(run_id)
        if attempt is None or run_id in self.abandoned:
            return False
        return await self._storage.confirm_lease(
            run_id, self.worker_id, attempt, time.time() + self.lease_seconds
        )

    async def set_run_status(self, run_id: str, status: str, error: str | None = None) -> None:
        await self._storage.set_run_status(run_id, status, error)

    async def written_messages(self, thread_id: str) -> list[MessageRecord]:
        return await self._storage.written_messages(thread_id)

    async def finish_run(
        self,
        run: RunRecord,
        *,
        status: str,
        thread_status: str,
        error: str | None = None,
        messages: Sequence[MessageRecord] = (),
        usage: Sequence[TokenUsage] = (),
    ) -> None:
        # The lease is checked (and its row locked) in the transaction that ends the run.
        attempt = self.attempts.get(run.id)
        if attempt is None or run.id in self.abandoned:
            raise LeaseLost(run.id)
        if not await self._storage.finish_leased_run(
            run,
            self.worker_id,
            attempt,
            status=status,
            thread_status=thread_status,
            error=error,
            messages=messages,
            usage=usage,
        ):
            raise LeaseLost(run.id)
        # Ended and committed (its queue row went with it): from here on, a renewal that no longer finds
        # the lease is no loss, and its last frames (`complete`) must not be fenced.
        self.attempts.pop(run.id, None)


async def effective_chat(storage: SQLStorage, run: RunRecord) -> ChatInput:
    """The run's input as the executor takes it: a `retry` re-sends its source execution's message."""
    chat = run_input(run.input, run.kwargs)
    if chat.action == "retry" and chat.execution_id:
        source = await storage.get_run_by_id(chat.execution_id)
        if source is not None:
            return normalise_input(source.input)
    return chat


async def promote_waiting(storage: SQLStorage, signals: Signals, thread_id: str) -> None:
    """Make the thread's next queued run (multitask_strategy `enqueue`) claimable if the thread is free."""
    while True:
        run = await storage.next_waiting(thread_id)
        if run is None:
            return
        chat = await effective_chat(storage, run)
        ai_id = str(run.kwargs.get("ai_message_id") or new_id())
        outcome = await storage.activate_waiting(
            run, title=title_of(chat), messages=opening_messages(thread_id, run, chat, ai_id)
        )
        if outcome == "ready":
            await signals.wake()
            return
        if outcome == "busy":
            return  # the thread's current run promotes it when it ends
        # "gone": cancelled meanwhile; look at the next one


class Runner:
    """Runs claimed runs in this process (a worker's, or the API's when it ends a cancelled queued run)."""

    def __init__(
        self,
        storage: SQLStorage,
        events: RedisEventLog,
        graphs: GraphProvider,
        checkpointer: Checkpointer | None,
        signals: Signals,
        *,
        worker_id: str,
        lease_seconds: float,
        run_timeout: float,
        attachments: AttachmentResolver | None = None,
        tracing: Tracing | None = None,
    ):
        self.storage = storage
        self.events = events
        self.checkpointer = checkpointer
        self.signals = signals
        self.worker_id = worker_id
        self.lease_seconds = lease_seconds
        self.attachments = attachments
        self.leased = LeasedWriter(storage, worker_id, lease_seconds)
        self.executor = Executor(self.leased, events, graphs, run_timeout, tracing=tracing)

    async def run(self, claim: Claim, *, cancelled: bool = False) -> None:
        run = claim.run
        self.leased.attempts[run.id] = claim.attempt
        try:
            try:
                job = await self.build(claim)
            except (
                LookupError,
                NotFound,
            ) as e:  # a deleted thread, xpert or file: end it, retrying cannot help
                log.warning("run %s cannot start: %s", run.id, e)
                await self._end(run, UNSTARTABLE.format(e))
                return
            if cancelled:
                self.executor.stop_before_start(run.id)
            current_org.set(run.org_id)  # the Store graphs see is this org's
            try:
                await self.executor.execute(job)
            except LeaseLost:
                log.warning("run %s: lease lost (attempt %d); another attempt owns it", run.id, claim.attempt)
                return
            await promote_waiting(self.storage, self.signals, run.thread_id)
        finally:
            self.leased.attempts.pop(run.id, None)
            self.leased.abandoned.discard(run.id)

    async def build(self, claim: Claim) -> RunJob:
        run = claim.run
        p = Principal.system(run.org_id)
        # Independent reads, side by side on the reader pool: a claimed run starts one read's time later.
        thread, assistant, last = await asyncio.gather(
            self.storage.get_thread_by_internal_id(p, run.thread_id),
            self.storage.get_assistant(p, run.assistant_id),
            self.events.last_seq(run.id, stored=claim.last_seq, attempt=claim.attempt),
        )
        if thread is None or assistant is None:
            raise LookupError("its thread or its xpert was deleted")
        chat = await effective_chat(self.storage, run)
        if chat.files and self.attachments is not None:
            chat.documents = await self.attachments(p, chat.files)
        from_checkpoint = False
        if last > 0 and self.checkpointer is not None:
            latest = await self.checkpointer.latest(thread.id)
            from_checkpoint = latest is not None and (latest.metadata or {}).get("run_id") == run.id
        self.events.open(run.id, last)
        ai_id = str(run.kwargs.get("ai_message_id") or new_id())
        timeout = run.kwargs.get("run_timeout")
        return RunJob(
            run=run,
            thread=thread,
            assistant=assistant,
            chat=chat,
            ai_message_id=ai_id,
            resumed=last > 0,
            from_checkpoint=from_checkpoint,
            timeout=float(timeout) if isinstance(timeout, int | float) and timeout > 0 else None,
        )

    def holding(self, run_id: str) -> bool:
        """True while this process executes the run and has not yet committed its end."""
        return run_id in self.leased.attempts

    def held(self) -> int:
        """How many runs this process executes now."""
        return len(self.leased.attempts)

    def abandon(self, run_id: str) -> None:
        """Stop writing this run from here (lease lost, or handed back): frames and its end are dropped."""
        self.leased.abandoned.add(run_id)
        self.events.fence(run_id)

    async def _end(self, run: RunRecord, reason: str) -> None:
        if not await self.leased.holds(run.id):
            return
        ended = await self.storage.end_runs([run.id], reason)
        await close_streams(self.storage, self.events, ended, reason)
        await promote_waiting(self.storage, self.signals, run.thread_id)
