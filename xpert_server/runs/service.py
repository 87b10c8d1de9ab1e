"""Accept runs, hand them to the executor, stream their frames, cancel them.

Embedded mode dispatches a run as an asyncio task the moment it is accepted (no polling); the queue
seam (`submit`/`cancel`) is where a durable PostgreSQL queue plugs in for scaled mode.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from xpert_server.auth.principal import Principal
from xpert_server.encoding import loads, new_id
from xpert_server.errors import Conflict, Forbidden, NotFound
from xpert_server.runs.eventlog import LocalEventLog
from xpert_server.runs.executor import Executor, RunJob
from xpert_server.runs.input import ChatInput, normalise_input
from xpert_server.runs.sse import Frame
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import (
    TERMINAL_RUN_STATUSES,
    AssistantRecord,
    MessageRecord,
    RunRecord,
    ThreadBound,
    ThreadBusy,
    ThreadRecord,
)

log = logging.getLogger("xpert.runs")

AttachmentResolver = Callable[[Principal, list[dict[str, Any]]], Awaitable[list[dict[str, Any]]]]

TITLE_LENGTH = 60


class RunService:
    def __init__(self, storage: SQLStorage, events: LocalEventLog, executor: Executor, keepalive: float = 15.0,
                 max_concurrency: int = 1000):
        self.storage = storage
        self.events = events
        self.executor = executor
        self.keepalive = keepalive
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # Resolves a run's attached files to documents ({name, content}) for the model: set by the
        # files component; None means attachments are passed through unread.
        self.attachments: AttachmentResolver | None = None
        self._slots = asyncio.Semaphore(max_concurrency)

    async def create(
        self, p: Principal, thread: ThreadRecord, assistant: AssistantRecord, body: dict[str, Any]
    ) -> RunRecord:
        chat = normalise_input(body.get("input"))
        if chat.files and self.attachments is not None:
            chat.documents = await self.attachments(p, chat.files)
        now = time.time()
        kwargs = {k: v for k, v in body.items() if k not in ("input", "metadata", "assistant_id", "xpert_id")}
        run = RunRecord(
            id=new_id(), org_id=p.org_id, thread_id=thread.id, assistant_id=assistant.id, status="pending",
            input=body.get("input"), kwargs=kwargs, metadata=body.get("metadata") or {}, created_by=p.user_id,
            error=None, created_at=now, updated_at=now,
        )
        ai_message_id = new_id()
        messages = _opening_messages(thread.id, run, chat, ai_message_id)
        try:
            thread = await self.storage.start_run(p, run, title=_title(chat), messages=messages)
        except LookupError as e:
            raise NotFound(f"Thread '{thread.id}' not found.") from e
        except ThreadBound as e:
            raise Forbidden("This thread belongs to another assistant.") from e
        except ThreadBusy as e:
            raise Conflict("Thread is busy with another run; wait for it, cancel it, or choose a "
                           "multitask_strategy.") from e
        self.events.open(run.id)
        self._dispatch(RunJob(run=run, thread=thread, assistant=assistant, chat=chat, ai_message_id=ai_message_id))
        return run

    def _dispatch(self, job: RunJob) -> None:
        async def go() -> None:
            async with self._slots:
                try:
                    await self.executor.execute(job)
                except Exception:  # the executor reports graph errors itself; this is a bug guard
                    log.exception("run %s crashed", job.run.id)
                finally:
                    self._tasks.pop(job.run.id, None)

        self._tasks[job.run.id] = asyncio.create_task(go(), name=f"run-{job.run.id}")

    async def cancel(self, run: RunRecord) -> list[str]:
        if run.status in TERMINAL_RUN_STATUSES:
            return []
        task = self._tasks.get(run.id)
        if task is None:
            return []
        task.cancel()
        return [run.id]

    async def follow(self, run_id: str, after: int = 0) -> AsyncIterator[Frame | None]:
        async for frame in self.events.follow(run_id, after, self.keepalive):
            yield frame

    async def result(self, run_id: str) -> dict[str, Any]:
        """`runs/wait`'s answer: the reply's text, read from the same frames a stream sees."""
        parts: list[str] = []
        async for frame in self.events.follow(run_id, 0, self.keepalive):
            if frame is None or frame.event is not None:
                continue
            payload = loads(frame.data)
            if payload.get("type") != "message":
                continue
            data = payload.get("data")
            if isinstance(data, str):
                parts.append(data)
            elif isinstance(data, dict) and data.get("type") == "text":
                parts.append(str(data.get("text", "")))
        return {"role": "ai", "content": "".join(parts)}

    async def shutdown(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)


def _title(chat: ChatInput) -> str | None:
    text = " ".join(chat.text.split())
    if not text:
        return None
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1] + "…"


def _opening_messages(thread_id: str, run: RunRecord, chat: ChatInput, ai_id: str) -> list[MessageRecord]:
    out: list[MessageRecord] = []
    if chat.action in ("send", "follow_up", "passthrough"):
        text = chat.text if chat.action != "passthrough" else _passthrough_text(chat.raw)
        out.append(MessageRecord(id=new_id(), thread_id=thread_id, role="human", content=text,
                                 files=chat.files or None, status="success", execution_id=run.id,
                                 created_at=run.created_at, updated_at=run.created_at))
    # The AI message exists from the start (status thinking), so a reloaded page finds the run in flight.
    out.append(MessageRecord(id=ai_id, thread_id=thread_id, role="ai", content=[], status="thinking",
                             execution_id=run.id, created_at=run.created_at + 1e-6,
                             updated_at=run.created_at + 1e-6))
    return out


def _passthrough_text(raw: Any) -> str:
    messages = raw.get("messages") if isinstance(raw, dict) else None
    if isinstance(messages, list) and messages:
        last = messages[-1]
        if isinstance(last, dict):
            content = last.get("content")
            return content if isinstance(content, str) else ""
    return ""
