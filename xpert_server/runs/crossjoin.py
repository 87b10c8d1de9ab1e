"""Joins in the other protocol: an XpertAI run read as LangGraph events, a LangGraph run as XpertAI frames.

A run stores one rendering, its own protocol's (runs/lgstream.py, runs/executor.py): nothing more per event.
A join in the other protocol rebuilds what it can, from the stored frames as they come and from what the
run left behind (its checkpoints, its run record and AI message):

- **LangGraph events of an XpertAI run**: `metadata` first; `messages-tuple`/`messages` live, from its text
  frames; `values`, `updates` and `checkpoints` from the checkpoints the run wrote, once it has ended (its
  state history, oldest first: values, then the next step's updates); `error` when it failed. `custom`,
  `events`, `debug` and `tasks` are not rebuilt (a join asking only for them gets `metadata` alone).
- **XpertAI frames of a LangGraph run**: the start frames; the reply's text live from the run's `messages`
  events when it asked for a messages mode, else (once the run has ended) its AI message's stored text; the
  end frames from the ended run's record; `complete`. Tool-call components and an interrupt's `operation`
  are not rebuilt (the thread's state has them).

Event ids are the stored frames' (`Last-Event-ID` resumes as on the run's own stream); what is rebuilt at
the end carries the id of the frame that ended the run.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.messages import AIMessageChunk

from xpert_server.encoding import dumps, loads, ts
from xpert_server.runs import frames
from xpert_server.runs.lgstream import COMPLETE, Renderer, requested_modes, text_chunks
from xpert_server.runs.service import run_error
from xpert_server.runs.sse import Frame
from xpert_server.storage.records import RunRecord

# What a LangGraph join of an XpertAI run can rebuild; asked for nothing, it gets LangGraph's default.
REBUILT = ("values", "updates", "checkpoints", "messages", "messages-tuple")
DEFAULT_MODES = ("values",)
_TEXT_MODES = frozenset({"messages", "messages-tuple"})


@dataclass(frozen=True)
class Opening:
    """What an XpertAI reader's start frames name."""

    conversation_id: str
    title: str | None
    thread_ids: tuple[str, str]  # (internal, public)
    created_at: float
    xpert_id: str
    agent_key: str


@dataclass(frozen=True)
class Ending:
    """How the run ended, for XpertAI's end frames."""

    status: str
    error: str | None
    thread_status: str
    text: str  # its AI message's stored text


class JoinSource(Protocol):
    """What a join reads besides the run's frames (the API layer's, with the caller's principal)."""

    async def snapshots(self, run: RunRecord) -> list[Any]:
        """The StateSnapshots the run wrote, oldest first."""
        ...

    async def opening(self, run: RunRecord) -> Opening: ...

    async def ending(self, run: RunRecord) -> Ending: ...


# ---- LangGraph events of an XpertAI run -----------------------------------------------------------------
async def langgraph_events(
    run: RunRecord,
    stored: AsyncIterator[Frame | None],
    modes: Sequence[str] | None,
    after: int,
    source: JoinSource,
) -> AsyncIterator[Frame | None]:
    wanted = requested_modes(list(modes or DEFAULT_MODES))
    out: list[tuple[bytes, str]] = []
    thread_ids = (await source.opening(run)).thread_ids
    lg = Renderer(
        [m for m in wanted if m in REBUILT], False, lambda data, name: out.append((data, name)), thread_ids
    )
    if after == 0:
        lg.metadata(run.id)
        for data, name in _drain(out):
            yield Frame(0, name, data)
    async for frame in stored:
        if frame is None:
            yield None
            continue
        if frame.event is not None:  # the log's `complete`: a LangGraph stream just ends
            continue
        payload = loads(frame.data)
        if payload.get("type") == "message":
            text = _text_of(payload.get("data"))
            if text is not None:
                block_id, chunk, agent_key = text
                meta = {"run_id": run.id, "langgraph_node": agent_key}
                lg.part((), "messages", (AIMessageChunk(content=chunk, id=block_id), meta))
        elif payload.get("type") == "event" and payload.get("event") == "on_conversation_end":
            for snapshot in await source.snapshots(run):
                _replay_step(lg, snapshot)
            failed = run_error(payload.get("data"))
            if failed is not None:
                lg.error(failed["error"], failed["message"])
        for data, name in _drain(out):
            yield Frame(frame.seq, name, data)


def _replay_step(lg: Renderer, snapshot: Any) -> None:
    """One checkpoint of the run, as LangGraph streams it: its values (not the input's), the checkpoint,
    then the updates of the step it led to."""
    if (snapshot.metadata or {}).get("source") != "input":
        lg.part((), "values", snapshot.values)
    lg.part((), "checkpoints", _checkpoint(snapshot))
    for task in snapshot.tasks:
        if task.interrupts:
            lg.part((), "updates", {"__interrupt__": list(task.interrupts)})
        elif task.result is not None and not task.name.startswith("__"):
            lg.part((), "updates", {task.name: task.result})


def _checkpoint(snapshot: Any) -> dict[str, Any]:
    """LangGraph's `checkpoints` event payload, from a snapshot."""
    return {
        "config": snapshot.config,
        "parent_config": snapshot.parent_config,
        "values": snapshot.values,
        "metadata": snapshot.metadata,
        "next": list(snapshot.next),
        "tasks": [
            {"id": t.id, "name": t.name, "interrupts": list(t.interrupts), "state": None}
            for t in snapshot.tasks
        ],
    }


def _text_of(body: Any) -> tuple[str, str, str] | None:
    """(block id, text, agent key) of an XpertAI text frame's payload; None for anything else."""
    if isinstance(body, str):
        return "", body, ""
    if isinstance(body, dict) and body.get("type") == "text" and isinstance(body.get("text"), str):
        return str(body.get("id") or ""), body["text"], str(body.get("agentKey") or "")
    return None


def _drain(out: list[tuple[bytes, str]]) -> list[tuple[bytes, str]]:
    taken = out[:]
    out.clear()
    return taken


# ---- XpertAI frames of a LangGraph run ------------------------------------------------------------------
async def xpertai_frames(
    run: RunRecord, stored: AsyncIterator[Frame | None], source: JoinSource
) -> AsyncIterator[Frame | None]:
    opening = await source.opening(run)
    message_id = str(run.kwargs.get("ai_message_id") or "")
    live_text = bool(_TEXT_MODES & set(requested_modes(run.kwargs.get("stream_mode"))))
    so_far: dict[str, str] = {}  # `messages/partial`: each message's text sent so far
    kind: str | None = None  # what failed, from the run's `error` event
    async for frame in stored:
        if frame is None:
            yield None
            continue
        event = frame.event or ""
        if event == "metadata":
            for payload in _start_frames(run, opening, message_id):
                yield Frame(frame.seq, None, dumps(payload))
        elif event in ("messages", "messages/partial") and live_text:
            for block_id, chunk in text_chunks(event, loads(frame.data), so_far):
                yield Frame(frame.seq, None, dumps(frames.text(block_id, chunk, opening.agent_key)))
        elif event == "error":
            kind = str(loads(frame.data).get("error") or "") or None
        elif event == COMPLETE:
            ending = await source.ending(run)
            if not live_text and ending.text:
                yield Frame(frame.seq, None, dumps(frames.text(message_id, ending.text, opening.agent_key)))
            for payload in _end_frames(run, opening, message_id, ending, kind):
                yield Frame(frame.seq, None, dumps(payload))
            yield Frame(frame.seq, COMPLETE, dumps(frames.COMPLETE))


def _start_frames(run: RunRecord, o: Opening, message_id: str) -> list[dict[str, Any]]:
    return [
        frames.event(
            "on_conversation_start",
            {
                "id": o.conversation_id,
                "title": o.title,
                "status": "busy",
                "createdAt": ts(o.created_at),
                "updatedAt": ts(run.created_at),
            },
        ),
        frames.event(
            "on_message_start",
            {
                "id": message_id,
                "role": "ai",
                "content": "",
                "executionId": run.id,
                "conversationId": o.conversation_id,
                "status": "thinking",
            },
        ),
        frames.event(
            "on_agent_start",
            {
                "id": run.id,
                "agentKey": o.agent_key,
                "status": "running",
                "threadId": o.thread_ids[1],
                "xpertId": o.xpert_id,
            },
        ),
    ]


def _end_frames(
    run: RunRecord, o: Opening, message_id: str, e: Ending, kind: str | None
) -> list[dict[str, Any]]:
    failed = {"errorKind": kind} if kind and e.thread_status == "error" else {}
    return [
        frames.event(
            "on_agent_end",
            {
                "id": run.id,
                "agentKey": o.agent_key,
                "status": e.status,
                "error": e.error,
                "xpertId": o.xpert_id,
            },
        ),
        frames.event(
            "on_message_end",
            {
                "id": message_id,
                "conversationId": o.conversation_id,
                "executionId": run.id,
                "role": "ai",
                "status": e.status,
                "error": e.error,
            },
        ),
        frames.event(
            "on_conversation_end",
            {
                "id": o.conversation_id,
                "title": o.title,
                "status": e.thread_status,
                "error": e.error,
                **failed,
            },
        ),
    ]


__all__ = ["Ending", "JoinSource", "Opening", "langgraph_events", "xpertai_frames"]
