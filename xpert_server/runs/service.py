"""Accept runs, hand them to the run queue, stream their frames, cancel them — in every mode alike.

Where an accepted run executes is the `RunQueue`'s business (runs/queue.py): in this process as it is
accepted (embedded), or by a worker that claims it from the database (scaled). Frames come from the
event log either way: live stream, join and replay are one `follow()`.

A busy thread follows the run's `multitask_strategy`: `reject` (409), `interrupt` (the running run
ends `interrupted`, the new one continues from its last checkpoint), `rollback` (the running run is
cancelled and erased: state, messages and frames), `enqueue` (starts when the thread is free).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from xpert_server.auth.principal import Principal
from xpert_server.encoding import dumps, loads, new_id
from xpert_server.errors import BadRequest, Conflict, Forbidden, NotFound
from xpert_server.runs.checkpoint import Checkpointer
from xpert_server.runs.eventlog import EventLog
from xpert_server.runs.executor import RunJob
from xpert_server.runs.forks import checkpoint_before
from xpert_server.runs.input import AttachmentResolver, ChatInput, normalise_input, run_input
from xpert_server.runs.opening import opening_messages, title_of
from xpert_server.runs.queue import AfterRun, RunQueue
from xpert_server.runs.sse import Frame
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import (
    TERMINAL_RUN_STATUSES,
    AssistantRecord,
    IdempotencyMismatch,
    NothingToResume,
    RunRecord,
    ThreadBound,
    ThreadBusy,
    ThreadRecord,
)
from xpert_server.telemetry import Tracing

# Body keys that are not replayed to the executor.
# `trace` is the server's own (the accepting request's trace context), never a client's.
_NOT_KWARGS = ("input", "metadata", "assistant_id", "xpert_id", "trace")


@dataclass
class Accepted:
    """A run POST's outcome: the run, and whether it is a repeat of an earlier Idempotency-Key."""

    run: RunRecord
    repeated: bool = False


class RunService:
    def __init__(
        self,
        storage: SQLStorage,
        events: EventLog,
        queue: RunQueue,
        *,
        run_timeout: float,
        checkpointer: Checkpointer | None = None,
        attachments: AttachmentResolver | None = None,
        keepalive: float = 15.0,
        tracing: Tracing | None = None,
    ):
        self.storage = storage
        self.events = events
        self.queue = queue
        self.run_timeout = run_timeout
        self.checkpointer = checkpointer
        self.attachments = attachments
        self.keepalive = keepalive
        self.tracing = tracing or Tracing()

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
        chat = run_input(body.get("input"), body)
        if chat.conversation_id is not None and chat.conversation_id != thread.conversation_id:
            raise BadRequest(
                f"input.conversationId '{chat.conversation_id}' is not this thread's conversation "
                f"('{thread.conversation_id}'): run on that conversation's thread (its threadId), or leave "
                "conversationId out."
            )
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
        kwargs["run_timeout"] = self.run_timeout  # ...and honours this process's time limit
        if carrier := self.tracing.carrier():
            kwargs["trace"] = carrier  # the executing process's run span continues this request's trace
        run = RunRecord(
            id=new_id(),
            org_id=p.org_id,
            thread_id=thread.id,
            assistant_id=assistant.public_id,
            status="pending",
            input=body.get("input"),
            kwargs=kwargs,
            metadata=body.get("metadata") or {},
            created_by=p.user_id,
            error=None,
            created_at=now,
            updated_at=now,
        )
        messages = opening_messages(thread.id, run, chat, ai_message_id)
        try:
            result = await self.storage.start_run(
                p,
                run,
                title=title_of(chat),
                messages=messages,
                enqueue=strategy == "enqueue",
                resume=chat.action == "resume",
                resume_target=chat.execution_id,
                idempotency=idem,
                placement=self.queue.placement,
            )
        except LookupError as e:
            raise NotFound(f"Thread '{thread.public_id}' not found.") from e
        except ThreadBound as e:
            raise Forbidden("This thread belongs to another assistant.") from e
        except ThreadBusy as e:
            raise Conflict(
                "Thread is busy with another run; wait for it, cancel it, or choose a "
                "multitask_strategy (interrupt, rollback, enqueue)."
            ) from e
        except NothingToResume as e:
            raise Conflict(
                "There is no interrupted run waiting on this thread (was it resumed already?)."
            ) from e
        except IdempotencyMismatch as e:
            raise Conflict("This Idempotency-Key was used with a different request.") from e
        if result.existing_run is not None:
            return Accepted(result.existing_run, repeated=True)
        assert result.thread is not None
        job = RunJob(
            run=run, thread=result.thread, assistant=assistant, chat=chat, ai_message_id=ai_message_id
        )
        await self.queue.submit(job, queued=result.queued)
        return Accepted(run)

    async def _retry_source(
        self, p: Principal, thread: ThreadRecord, chat: ChatInput
    ) -> tuple[ChatInput, str]:
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
            await self.queue.halt(run)
            if rollback:
                if self.checkpointer is not None:
                    fork = await checkpoint_before(self.checkpointer.saver, thread_id, run.id) or fork
                await self.storage.rollback_run(run.id, title=title_of(run_input(run.input, run.kwargs)))
        return fork

    # ---- after and cancel --------------------------------------------------------------------------
    def after(self, run_id: str, callback: AfterRun) -> None:
        """Call `callback(run)` once the run has ended (e.g. to delete a stateless run's thread)."""
        self.queue.after(run_id, callback)

    async def delete(self, p: Principal, run: RunRecord, thread_public_id: str) -> None:
        """Delete a finished run: its record and stored frames (its messages and checkpoints are the thread's
        and stay). Conflict while it is pending or running — LangGraph's server deletes a live run outright,
        which here would leave its executor writing to a run that is gone — and NotFound if it went meanwhile."""
        if run.status in TERMINAL_RUN_STATUSES and await self.storage.delete_run(p, run.thread_id, run.id):
            return
        if await self.storage.get_run(p, run.thread_id, run.id) is None:
            raise NotFound(f"Run '{run.id}' not found.")
        raise Conflict(
            f"Run '{run.id}' has not finished: cancel it first "
            f"(POST /threads/{thread_public_id}/runs/{run.id}/cancel), then delete it."
        )

    async def cancel(self, run: RunRecord) -> list[str]:
        """`canceledExecutionIds`: the run when this request is what stops it (a double click: [])."""
        if run.status in TERMINAL_RUN_STATUSES:
            return []
        return [run.id] if await self.queue.cancel(run) else []

    # ---- reading --------------------------------------------------------------------------------
    def follow(self, run_id: str, after: int = 0) -> AsyncIterator[Frame | None]:
        # The log's own iterator, not a generator around it: one hop less per frame per follower.
        return self.events.follow(run_id, after, self.keepalive)

    def follow_batches(self, run_id: str, after: int = 0) -> AsyncIterator[list[Frame] | None]:
        """`follow`, the frames readable at once in one list (a stream writes each list as one chunk)."""
        return self.events.follow_batches(run_id, after, self.keepalive)

    async def ended(self, run_id: str) -> None:
        """Return once the run has ended (its log's `complete` frame is stored)."""
        async for _ in self.events.follow(run_id, 0, self.keepalive):
            pass

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

    async def shutdown(self) -> None:
        await self.queue.shutdown()


def run_error(end: Any) -> dict[str, str] | None:
    """`__error__` from the run's `on_conversation_end` data: None unless the run failed (error, timeout).
    Frames written by recovery carry no `errorKind`: the run ended because its process stopped."""
    if not isinstance(end, dict) or end.get("status") != "error":
        return None
    return {
        "error": str(end.get("errorKind") or "RunError"),
        "message": str(end.get("error") or "The run failed."),
    }


def _idempotency_scope(p: Principal) -> str:
    """Whose Idempotency-Keys these are: the credential and the end user it acts for, so one backend key
    serving many users never hands one user's run to another."""
    credential = p.key_id or p.secret_id or p.org_id
    if p.user_id is None:
        return credential  # the scope keys stored before principals were part of it still match
    user = hashlib.sha256(p.user_id.encode()).hexdigest()[
        :32
    ]  # fits the column whatever the user id's length
    return f"{credential}/{user}"
