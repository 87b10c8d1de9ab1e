"""Joining a run's stream — `GET /threads/{id}/runs/{run_id}/stream`, `/runs/{run_id}/stream` and, run after
run, `/threads/{id}/stream` — in the protocol the join asks for (runs/protocol.py `join_protocol_of`),
whichever one started the run (runs/crossjoin.py rebuilds the other one's events)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Header, Query, Request
from starlette.responses import StreamingResponse

from xpert_server.api.deps import load_assistant
from xpert_server.api.sse import sse_response
from xpert_server.api.storable import INT64_MAX
from xpert_server.auth.principal import Principal
from xpert_server.errors import ApiError, BadRequest
from xpert_server.limits.streams import stream_slot
from xpert_server.runs.crossjoin import Ending, Opening, langgraph_events, xpertai_frames
from xpert_server.runs.lgstream import MODES, content_text, join_modes, renderer
from xpert_server.runs.protocol import Protocol, is_langgraph, join_protocol_of
from xpert_server.runs.sse import Frame
from xpert_server.services import Services
from xpert_server.storage.records import AssistantRecord, RunRecord


@dataclass(frozen=True)
class JoinAs:
    """What a join asks for: a protocol (None: each run's own) and, for LangGraph's, modes (None: all)."""

    protocol: Protocol | None
    modes: list[str] | None

    def render(self) -> Callable[[Frame], bytes | None]:
        if self.protocol == "langgraph":
            return renderer(self.modes)
        return _encode


def _encode(frame: Frame) -> bytes:
    return frame.encode()  # a thread stream's frames name their run in their ids


def join_as(
    stream_mode: Annotated[list[str] | None, Query(max_length=len(MODES))] = None,
    protocol: Annotated[Literal["xpertai", "langgraph"] | None, Query()] = None,
) -> JoinAs:
    """The query of a join: `stream_mode` (langgraph-sdk sends it, empty when its caller names none) asks
    for LangGraph's events, `protocol` picks one explicitly."""
    return JoinAs(join_protocol_of(protocol, stream_mode), join_modes(stream_mode))


LastEventId = Annotated[str | None, Header(alias="Last-Event-ID")]
LastEventIdQuery = Annotated[str | None, Query(alias="last_event_id")]


class ServicesJoinSource:
    """What rebuilding the other protocol reads (runs/crossjoin.py `JoinSource`), as this caller."""

    def __init__(self, services: Services, p: Principal):
        self.services = services
        self.p = p

    async def _assistant(self, run: RunRecord) -> AssistantRecord | None:
        try:
            return await load_assistant(self.services, self.p, run.assistant_id)
        except ApiError:  # deleted since, or no longer this caller's: what its graph wrote cannot be read
            return None

    async def snapshots(self, run: RunRecord) -> list[Any]:
        assistant = await self._assistant(run)
        if assistant is None:
            return []
        config: Any = {"configurable": {"thread_id": run.thread_id, "checkpoint_ns": ""}}
        async with self.services.graphs.reading(assistant) as graph:
            found = [s async for s in graph.aget_state_history(config, filter={"run_id": run.id})]
        return found[::-1]

    async def opening(self, run: RunRecord) -> Opening:
        thread = await self.services.storage.get_thread_by_internal_id(self.p, run.thread_id)
        assistant = await self._assistant(run)
        return Opening(
            conversation_id=thread.conversation_id if thread else "",
            title=thread.title if thread else None,
            thread_ids=(run.thread_id, (thread.public_id or thread.id) if thread else run.thread_id),
            created_at=thread.created_at if thread else run.created_at,
            xpert_id=run.assistant_id,
            agent_key=(assistant.slug or assistant.public_id) if assistant else run.assistant_id,
        )

    async def ending(self, run: RunRecord) -> Ending:
        storage = self.services.storage
        ended = await storage.get_run_by_id(run.id) or run
        thread = await storage.get_thread_by_internal_id(self.p, run.thread_id)
        message_id = str(run.kwargs.get("ai_message_id") or "")
        message = await storage.get_message(self.p, run.thread_id, message_id) if message_id else None
        return Ending(
            status=ended.status,
            error=ended.error,
            # As the executor ends an XpertAI run: a failure is the conversation's; else the thread tells
            # whether it waits on an interrupt.
            thread_status="error"
            if ended.status in ("error", "timeout")
            else ("interrupted" if thread and thread.status == "interrupted" else "idle"),
            text=content_text(message.content) if message else "",
        )


def in_protocol(
    source: ServicesJoinSource,
    wanted: JoinAs,
    run: RunRecord,
    stored: AsyncIterator[Frame | None],
    after: int,
) -> AsyncIterator[Frame | None]:
    """A run's stored frames as the join asked for them: as stored when that is the run's protocol."""
    if wanted.protocol == "langgraph" and not is_langgraph(run.kwargs):
        return langgraph_events(run, stored, wanted.modes, after, source)
    if wanted.protocol == "xpertai" and is_langgraph(run.kwargs):
        return xpertai_frames(run, stored, source)
    return stored


def last_event_id_of(header: str | None, query: str | None) -> int:
    raw = header if header is not None else query
    if raw is None or raw == "":
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest("Last-Event-ID: must be an event id from this run's stream") from None
    if value < 0:
        raise BadRequest("Last-Event-ID: must not be negative")
    if value > INT64_MAX:
        raise BadRequest("Last-Event-ID: must be an event id from this run's stream")
    return value


def join_response(
    services: Services, p: Principal, request: Request, run: RunRecord, after: int, wanted: JoinAs
) -> StreamingResponse:
    """One run's join: its frames after `after` (Last-Event-ID), live until it ends, in the protocol asked."""
    if wanted.protocol is None:
        wanted = JoinAs("langgraph" if is_langgraph(run.kwargs) else "xpertai", wanted.modes)
    source = ServicesJoinSource(services, p)
    frames = in_protocol(source, wanted, run, services.runs.follow(run.id, after), after)
    return sse_response(frames, release=stream_slot(request, p), render=wanted.render())
