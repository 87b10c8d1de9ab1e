"""Accept runs, hand them to the executor, stream their frames, cancel them.

Embedded mode dispatches a run as an asyncio task the moment it is accepted (no polling); the queue
seam (`_dispatch`/`cancel`) is where a durable PostgreSQL queue plugs in for scaled mode.

A busy thread follows the run's `multitask_strategy`: `reject` (409), `interrupt` (the running run
ends `interrupted`, the new one continues from its last checkpoint), `rollback` (the running run is
cancelled and erased: state, messages and frames), `enqueue` (starts when the thread is free).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from xpert_server.auth.principal import Principal
from xpert_server.encoding import dumps, loads, new_id
from xpert_server.errors import BadRequest, Conflict, Forbidden, NotFound
from xpert_server.runs.checkpoint import Checkpointer
from xpert_server.runs.eventlog import LocalEventLog
from xpert_server.runs.executor import Executor, RunJob
from xpert_server.runs.forks import checkpoint_before
from xpert_server.runs.input import ChatInput, normalise_input
from xpert_server.runs.memory import current_org
from xpert_server.runs.sse import Frame
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import (
    TERMINAL_RUN_STATUSES,
    AssistantRecord,
    IdempotencyMismatch,
    MessageRecord,
    NothingToResume,
    QueuePlacement,
    RunRecord,
    ThreadBound,
    ThreadBusy,
    ThreadRecord,
)

log = logging.getLogger("xpert.runs")

AttachmentResolver = Callable[[Principal, list[dict[str, Any]]], Awaitable[list[dict[str, Any]]]]
AfterRun = Callable[[RunRecord], Awaitable[None]]

TITLE_LENGTH = 60
# Body keys that are not replayed to the executor.
_NOT_KWARGS = ("input", "metadata", "assistant_id", "xpert_id")


@dataclass
class Accepted:
    """A run POST's outcome: the run, and whether it is a repeat of an earlier Idempotency-Key."""

    run: RunRecord
    repeated: bool = False


class RunService:
    def __init__(self, storage: SQLStorage, events: LocalEventLog, executor: Executor,
                 checkpointer: Checkpointer | None = None, keepalive: float = 15.0, max_concurrency: int = 1000):
        self.storage = storage
        self.events = events
        self.executor = executor
        self.checkpointer = checkpointer
        self.keepalive = keepalive
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._queued: dict[str, deque[RunJob]] = {}
        self._after: dict[str, list[AfterRun]] = {}
        # Resolves a run's attached files to documents ({name, content}) for the model: set by the
        # files component; None means attachments are passed through unread.
        self.attachments: AttachmentResolver | None = None
        # The run_queue row each accepted run gets (scale-out): `local` to this process in embedded mode,
        # so another process starting on the same database leaves it alone (runs/processes.py).
        self.placement: QueuePlacement | None = None
        self._slots = asyncio.Semaphore(max_concurrency)

    # ---- accepting ------------------------------------------------------------------------------
    async def create(
        self,
        p: Principal,
        thread: ThreadRecord,
        assistant: AssistantRecord,
        body: dict[str, Any],
        *,
        idempotency_key: str | None = None,
        request_path: str = "",
    ) -> Accepted:
        chat = normalise_input(body.get("input"))
        kwargs = {k: v for k, v in body.items() if k not in _NOT_KWARGS}
        idem = None
        if idempotency_key:
            digest = hashlib.sha256(request_path.encode() + b"\n" + dumps(body)).hexdigest()
            idem = (_idempotency_scope(p), idempotency_key, digest)
            try:
                # Before anything with side effects (interrupting or rolling back a run): a repeat
                # must leave the first request's run alone.
                first = await self.storage.find_idempotent_run(*idem)
            except IdempotencyMismatch as e:
                raise Conflict("This Idempotency-Key was used with a different request.") from e
            if first is not None:
                return Accepted(first, repeated=True)
        if body.get("checkpoint_id") and self.checkpointer is not None:
            if await self.checkpointer.latest(thread.id, body["checkpoint_id"]) is None:
                raise NotFound(f"Checkpoint '{body['checkpoint_id']}' not found in this thread.")
        if chat.action == "retry":
            chat, kwargs["checkpoint_id"] = await self._retry_source(p, thread, chat)
        if chat.files and self.attachments is not None:
            chat.documents = await self.attachments(p, chat.files)
        strategy = body.get("multitask_strategy") or "reject"
        if strategy in ("interrupt", "rollback"):
            fork = await self._stop_active(thread.id, rollback=strategy == "rollback")
            if fork is not None and "checkpoint_id" not in kwargs:
                kwargs["checkpoint_id"] = fork
        now = time.time()
        ai_message_id = new_id()
        kwargs["ai_message_id"] = ai_message_id  # a worker in another process rebuilds the job from the row
        kwargs["run_timeout"] = self.executor.run_timeout  # ...and honours this process's time limit
        run = RunRecord(
            id=new_id(), org_id=p.org_id, thread_id=thread.id, assistant_id=assistant.public_id, status="pending",
            input=body.get("input"), kwargs=kwargs, metadata=body.get("metadata") or {}, created_by=p.user_id,
            error=None, created_at=now, updated_at=now,
        )
        messages = _opening_messages(thread.id, run, chat, ai_message_id)
        try:
            result = await self.storage.start_run(
                p, run, title=_title(chat), messages=messages, enqueue=strategy == "enqueue",
                resume=chat.action == "resume", resume_target=chat.execution_id, idempotency=idem,
                placement=self.placement,
            )
        except LookupError as e:
            raise NotFound(f"Thread '{thread.public_id}' not found.") from e
        except ThreadBound as e:
            raise Forbidden("This thread belongs to another assistant.") from e
        except ThreadBusy as e:
            raise Conflict("Thread is busy with another run; wait for it, cancel it, or choose a "
                           "multitask_strategy (interrupt, rollback, enqueue).") from e
        except NothingToResume as e:
            raise Conflict("There is no interrupted run waiting on this thread (was it resumed already?).") from e
        except IdempotencyMismatch as e:
            raise Conflict("This Idempotency-Key was used with a different request.") from e
        if result.existing_run is not None:
            return Accepted(result.existing_run, repeated=True)
        assert result.thread is not None
        job = RunJob(run=run, thread=result.thread, assistant=assistant, chat=chat, ai_message_id=ai_message_id)
        await self._submit(job, queued=result.queued)
        return Accepted(run)

    async def _submit(self, job: RunJob, *, queued: bool) -> None:
        """Hand an accepted run to execution: here, as a task (scaled mode: runs/scaled.py)."""
        self.events.open(job.run.id)
        if queued:
            self._queued.setdefault(job.run.thread_id, deque()).append(job)
            # The blocking run may have ended while we were queuing: try now (a no-op while busy).
            await self._advance(job.run.thread_id)
        else:
            self._dispatch(job)

    async def _retry_source(self, p: Principal, thread: ThreadRecord, chat: ChatInput) -> tuple[ChatInput, str]:
        """`retry` re-sends the source execution's message from the state before that execution."""
        if not chat.execution_id:
            raise BadRequest("input.source.executionId: Required")
        source = await self.storage.get_run(p, thread.id, chat.execution_id)
        if source is None:
            raise NotFound(f"Execution '{chat.execution_id}' not found in this thread.")
        original = normalise_input(source.input)
        fork = None
        if self.checkpointer is not None:
            fork = await checkpoint_before(self.checkpointer.saver, thread.id, source.id)
        if fork is None:
            raise Conflict("That execution left no state to retry from.")
        return original, fork

    async def _stop_active(self, thread_id: str, *, rollback: bool) -> str | None:
        """Cancel the thread's running run(s) and wait for them; for rollback, erase them too.
        Returns the checkpoint to continue from (rollback), else None (continue from the latest)."""
        fork = None
        for run in await self.storage.active_runs(thread_id):
            await self._halt(run)
            if rollback:
                if self.checkpointer is not None:
                    fork = await checkpoint_before(self.checkpointer.saver, thread_id, run.id) or fork
                await self.storage.rollback_run(run.id, title=_title(normalise_input(run.input)))
        return fork

    async def _halt(self, run: RunRecord) -> None:
        """Cancel a run and wait (a while) for it to end."""
        task = self._tasks.get(run.id)
        if task is not None:
            if not self.executor.cancel(run.id):
                self.executor.request_cancel_before_start(run.id)
            await asyncio.wait({task}, timeout=30)

    # ---- executing ------------------------------------------------------------------------------
    def _dispatch(self, job: RunJob) -> None:
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
            await self._advance(job.run.thread_id)

        self._tasks[job.run.id] = asyncio.create_task(go(), name=f"run-{job.run.id}")

    async def _advance(self, thread_id: str) -> None:
        """Start the next queued run of a thread that just became free."""
        queue = self._queued.get(thread_id)
        while queue:
            job = queue[0]
            messages = _opening_messages(thread_id, job.run, job.chat, job.ai_message_id)
            thread = await self.storage.activate_queued_run(job.run, title=_title(job.chat), messages=messages)
            if thread is None:
                return  # another run took the thread first; we go when it ends
            queue.popleft()
            job.thread = thread
            self._dispatch(job)
            break
        if queue is not None and not queue:
            self._queued.pop(thread_id, None)

    def after(self, run_id: str, callback: AfterRun) -> None:
        """Call `callback(run)` once the run has ended (e.g. to delete a stateless run's thread)."""
        self._after.setdefault(run_id, []).append(callback)

    async def cancel(self, run: RunRecord) -> list[str]:
        if run.status in TERMINAL_RUN_STATUSES:
            return []
        if run.id in self._tasks:
            if self.executor.cancel(run.id):
                return [run.id]
            if not self.executor.is_working(run.id) and not self.executor.is_finishing(run.id):
                # Accepted and dispatched, but its graph has not started: it will end without running.
                self.executor.request_cancel_before_start(run.id)
                return [run.id]
            return []
        queue = self._queued.get(run.thread_id)
        if queue is not None:
            for job in list(queue):
                if job.run.id == run.id:
                    queue.remove(job)
                    await self.storage.finish_queued_as_cancelled(job.run)
                    self.events.append(run.id, dumps({"type": "complete"}), "complete")
                    await self.events.sync()
                    return [run.id]
        return []

    # ---- reading --------------------------------------------------------------------------------
    async def follow(self, run_id: str, after: int = 0) -> AsyncIterator[Frame | None]:
        async for frame in self.events.follow(run_id, after, self.keepalive):
            yield frame

    async def result(self, run_id: str) -> dict[str, Any]:
        """`runs/wait`'s answer: the reply's text, read from the same frames a stream sees; a run that
        failed adds `__error__` (the field XpertAI's and LangGraph's SDKs raise on)."""
        parts: list[str] = []
        error: dict[str, str] | None = None
        async for frame in self.events.follow(run_id, 0, self.keepalive):
            if frame is None or frame.event is not None:
                continue
            payload = loads(frame.data)
            if payload.get("type") == "event" and payload.get("event") == "on_conversation_end":
                error = run_error(payload.get("data")) or error
            if payload.get("type") != "message":
                continue
            data = payload.get("data")
            if isinstance(data, str):
                parts.append(data)
            elif isinstance(data, dict) and data.get("type") == "text":
                parts.append(str(data.get("text", "")))
        reply: dict[str, Any] = {"role": "ai", "content": "".join(parts)}
        if error is not None:
            reply["__error__"] = error
        return reply

    def is_running_here(self, run_id: str) -> bool:
        return run_id in self._tasks

    async def shutdown(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)


def run_error(end: Any) -> dict[str, str] | None:
    """`__error__` from the run's `on_conversation_end` data: None unless the run failed (error, timeout).
    Frames written by recovery carry no `errorKind`: the run ended because its process stopped."""
    if not isinstance(end, dict) or end.get("status") != "error":
        return None
    return {"error": str(end.get("errorKind") or "RunError"), "message": str(end.get("error") or "The run failed.")}


def _idempotency_scope(p: Principal) -> str:
    """Whose Idempotency-Keys these are: the credential and the end user it acts for, so one backend key
    serving many users never hands one user's run to another."""
    credential = p.key_id or p.secret_id or p.org_id
    if p.user_id is None:
        return credential  # the scope keys stored before principals were part of it still match
    user = hashlib.sha256(p.user_id.encode()).hexdigest()[:32]  # fits the column whatever the user id's length
    return f"{credential}/{user}"


def _title(chat: ChatInput) -> str | None:
    text = " ".join(chat.text.split())
    if not text:
        return None
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


def _opening_messages(thread_id: str, run: RunRecord, chat: ChatInput, ai_id: str) -> list[MessageRecord]:
    out: list[MessageRecord] = []
    now = time.time()
    if chat.action in ("send", "follow_up", "passthrough", "retry"):
        text = chat.text if chat.action != "passthrough" else _passthrough_text(chat.raw)
        out.append(MessageRecord(id=new_id(), thread_id=thread_id, role="human", content=text,
                                 files=chat.files or None, status="success", execution_id=run.id,
                                 created_at=now, updated_at=now))
    # The AI message exists from the start (status thinking), so a reloaded page finds the run in flight.
    out.append(MessageRecord(id=ai_id, thread_id=thread_id, role="ai", content=[], status="thinking",
                             execution_id=run.id, created_at=now + 1e-6, updated_at=now + 1e-6))
    return out


def _passthrough_text(raw: Any) -> str:
    messages = raw.get("messages") if isinstance(raw, dict) else None
    if isinstance(messages, list) and messages:
        last = messages[-1]
        if isinstance(last, dict):
            content = last.get("content")
            return content if isinstance(content, str) else ""
    return ""
