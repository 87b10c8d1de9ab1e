"""LangGraph's stream modes, rendered from the same execution that makes XpertAI's frames.

A LangGraph run (runs/protocol.py) stores LangGraph's events in its event log instead of XpertAI frames:
each event's SSE name is the mode (`values`, `updates`, `messages/partial`, `custom`, `events`, …, with
`|ns…` for subgraphs when `stream_subgraphs`), its data LangGraph's JSON. Only the modes the run asked for
are rendered and stored (one rendering per event, none for modes nobody asked for); a join renders a
subset of them, as LangGraph's server allows. `metadata` comes first, `error` on failure; the log's
`complete` frame (shared with XpertAI runs) is not sent: the stream just ends, as LangGraph's does.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessageChunk, BaseMessage, BaseMessageChunk
from pydantic import BaseModel

from xpert_server.agents.stream import EVENT_KEY, FRAME_KEY
from xpert_server.encoding import dumps, loads
from xpert_server.errors import BadRequest
from xpert_server.runs.sse import Frame

# What a client may ask for (LangGraph's StreamMode), and the graph stream mode each one needs.
MODES: dict[str, str | None] = {
    "values": "values",
    "updates": "updates",
    "messages": "messages",
    "messages-tuple": "messages",
    "custom": "custom",
    "events": None,  # astream_events: every callback event
    "debug": "debug",
    "tasks": "tasks",
    "checkpoints": "checkpoints",
}
# Events every reader gets, whatever modes it asked for.
ALWAYS = frozenset({"metadata", "error"})
COMPLETE = "complete"


def requested_modes(value: Any) -> list[str]:
    """`stream_mode` as sent (a string or a list; absent: LangGraph's default, `values`), checked."""
    if value is None:
        return ["values"]
    modes = [value] if isinstance(value, str) else value
    if not isinstance(modes, list) or not modes or not all(isinstance(m, str) for m in modes):
        raise BadRequest("stream_mode: Expected a stream mode or a list of them")
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise BadRequest(f"stream_mode: unknown mode {unknown[0]!r} (one of: {', '.join(MODES)})")
    return list(dict.fromkeys(modes))


def join_modes(values: list[str] | None) -> list[str] | None:
    """A join's `stream_mode` query (repeated; empty when langgraph-sdk sends none): None means every
    mode the run stored."""
    given: list[str] = []
    for v in values or ():
        if v.startswith("["):  # XpertAI's JS SDK sends a list as one JSON-encoded value (`["values"]`)
            try:
                decoded = json.loads(v)
            except ValueError:
                raise BadRequest(f"stream_mode: {v!r} is not a JSON list of modes") from None
            if not isinstance(decoded, list) or not all(isinstance(m, str) for m in decoded):
                raise BadRequest(f"stream_mode: {v!r} is not a JSON list of modes")
            given.extend(m for m in decoded if m)
        elif v:
            given.append(v)
    return requested_modes(given) if given else None


def event_mode(event: str) -> str:
    """The mode an event belongs to: `messages/partial|agent:1` → `messages`."""
    return event.split("|", 1)[0].split("/", 1)[0]


def wants(event: str, modes: Iterable[str]) -> bool:
    mode = event_mode(event)
    if mode in ALWAYS:
        return True
    for m in modes:
        if m == mode or (m == "messages-tuple" and mode == "messages"):
            return True
    return False


def renderer(modes: Sequence[str] | None) -> Callable[[Frame], bytes | None]:
    """How a reader of a LangGraph run encodes each stored frame: its events (those of `modes`, all when
    None), nothing for the log's `complete` or XpertAI frames a recovery or a cancel wrote."""

    def render(frame: Frame) -> bytes | None:
        if frame.event is None or frame.event == COMPLETE:
            return None
        if modes is not None and not wants(frame.event, modes):
            return None
        return encode(frame)

    return render


# A stored subgraph event: event `mode|`, data `["ns", …]` NS_SEP `json` (JSON escapes NS_SEP inside strings).
NS_MARK = "|"
NS_SEP = b"\x1f"


def encode(frame: Frame) -> bytes:
    """A stored LangGraph event as SSE: a subgraph's gets its `mode|ns…` name back (line breaks, which an
    SSE event name cannot hold, become spaces)."""
    if frame.event is None or not frame.event.endswith(NS_MARK):
        return frame.encode()
    ns, _, data = frame.data.partition(NS_SEP)
    names = [" ".join(str(n).splitlines()) for n in loads(ns)]
    return dataclasses.replace(frame, event=frame.event + NS_MARK.join(names), data=data).encode()


def jsonable(value: Any) -> Any:
    """LangGraph's JSON for stream payloads: messages and pydantic models dumped, dataclasses (Interrupt,
    Send, StateSnapshot's parts) as objects, tuples as lists; what JSON cannot hold as text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, BaseMessage | BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: jsonable(v) for k, v in value._asdict().items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return str(value)


Emit = Callable[[bytes, str], object]


class Renderer:
    """One run's LangGraph events, from the parts of its graph stream (and, for `events`, its callbacks)."""

    def __init__(
        self, modes: Sequence[str], subgraphs: bool, emit: Emit, thread_ids: tuple[str, str] = ("", "")
    ):
        self.modes = set(modes)
        self.subgraphs = subgraphs
        self._emit = emit
        # (internal, public): LangGraph's payloads name the checkpointer's thread id; callers know the public
        # one (they differ for a thread created with a chosen id).
        internal, public = thread_ids
        self._swap = (
            (internal.encode(), public.encode()) if internal and public and internal != public else None
        )
        self._partial: dict[str, BaseMessageChunk] = {}  # `messages`: chunks so far, per message id
        self._completed: set[str] = set()

    @property
    def graph_modes(self) -> list[str]:
        """The graph stream modes these events need (the executor adds the ones XpertAI frames need)."""
        out = [m for mode in self.modes if (m := MODES[mode]) is not None]
        if "messages" in self.modes:
            out.append("updates")  # a streamed message is complete when its node's update arrives
        return out

    @property
    def with_events(self) -> bool:
        return "events" in self.modes

    def emit(self, name: str, data: Any, ns: Sequence[str] = ()) -> None:
        data = dumps(jsonable(data))
        if self._swap is not None and self._swap[0] in data:
            data = data.replace(*self._swap)
        if ns and self.subgraphs:
            # A subgraph's event is named `mode|ns…` on the wire; the log's event names are short, so the
            # namespace is stored ahead of the data (see `encode`).
            name, data = name + NS_MARK, dumps(list(ns)) + NS_SEP + data
        self._emit(data, name)

    def metadata(self, run_id: str) -> None:
        self.emit("metadata", {"run_id": run_id, "attempt": 1})

    def error(self, kind: str, message: str) -> None:
        self.emit("error", {"error": kind, "message": message})

    def part(self, ns: Sequence[str], mode: str, payload: Any) -> None:
        """One part of the graph stream. Subgraph parts (ns) only when the run asked for subgraphs."""
        if ns and not self.subgraphs:
            return
        if mode == "messages":
            self._message(ns, payload)
        elif mode == "updates":
            if "updates" in self.modes:
                self.emit("updates", payload, ns)
            if "messages" in self.modes and isinstance(payload, dict):
                self._complete_from(ns, payload)
        elif mode == "custom":
            if "custom" in self.modes and not _internal(payload):
                self.emit("custom", payload, ns)
        elif mode in self.modes:  # values, debug, tasks, checkpoints
            self.emit(
                mode, _without_server_keys(payload) if mode in ("debug", "checkpoints") else payload, ns
            )

    def event(self, ev: Mapping[str, Any]) -> None:
        """One callback event (`astream_events` v2), for the `events` mode."""
        if ev.get("event") == "on_custom_event" and _internal(ev.get("data")):
            return
        self.emit(
            "events",
            {k: ev.get(k) for k in ("event", "name", "run_id", "tags", "metadata", "data", "parent_ids")},
        )

    def _message(self, ns: Sequence[str], payload: Any) -> None:
        message, meta = payload
        if "messages-tuple" in self.modes:
            self.emit("messages", [message, meta], ns)
        if "messages" not in self.modes:
            return
        mid = message.id or ""
        if isinstance(message, BaseMessageChunk):
            first = mid not in self._partial
            merged = message if first else self._partial[mid] + message
            self._partial[mid] = merged
            if first:
                self.emit("messages/metadata", {mid: {"metadata": meta}}, ns)
            self.emit("messages/partial", [_as_message(merged)], ns)
        elif mid not in self._completed:  # a whole message (a tool's, or a model that did not stream)
            self._completed.add(mid)
            self.emit("messages/metadata", {mid: {"metadata": meta}}, ns)
            self.emit("messages/complete", [message], ns)

    def _complete_from(self, ns: Sequence[str], update: dict[str, Any]) -> None:
        for value in update.values():
            messages = value.get("messages") if isinstance(value, dict) else None
            for m in messages if isinstance(messages, list) else []:
                mid = getattr(m, "id", None)
                if isinstance(m, BaseMessage) and mid in self._partial and mid not in self._completed:
                    self._completed.add(mid)
                    self._partial.pop(mid, None)
                    self.emit("messages/complete", [m], ns)


def _as_message(chunk: BaseMessageChunk) -> Any:
    """A partial message as LangGraph sends it: the message so far (`ai`, not `AIMessageChunk`)."""
    if isinstance(chunk, AIMessageChunk):
        data = chunk.model_dump(mode="json")
        data["type"] = "ai"
        data.pop("tool_call_chunks", None)
        data.pop("chunk_position", None)
        return data
    return chunk


def _without_server_keys(value: Any) -> Any:
    """Checkpoint configs without the server's own configurable keys (`xpert_*`: the caller's org and user,
    attached files' text) and LangGraph's internal ones (`__*`)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "configurable" and isinstance(v, dict):
                v = {ck: cv for ck, cv in v.items() if not str(ck).startswith(("xpert_", "__"))}
            out[k] = _without_server_keys(v)
        return out
    if isinstance(value, list):
        return [_without_server_keys(v) for v in value]
    return value


def _internal(payload: Any) -> bool:
    """XpertAI's own frames that graph code streams (agents/stream.py): not the graph's custom data."""
    return isinstance(payload, dict) and (FRAME_KEY in payload or EVENT_KEY in payload)


def text_chunks(event: str, data: Any, so_far: dict[str, str]) -> list[tuple[str, str]]:
    """The new text of an AI message in a `messages` (tuple) or `messages/partial` event (subgraphs' are
    named `…|ns` and not taken: their text is not the reply's)."""
    message = data[0] if isinstance(data, list) and data else None
    if not isinstance(message, dict) or message.get("type") not in ("ai", "AIMessageChunk"):
        return []
    text = content_text(message.get("content"))
    mid = str(message.get("id") or "")
    if event == "messages/partial":
        before = so_far.get(mid, "")
        so_far[mid] = text
        text = text[len(before) :] if text.startswith(before) else text
    return [(mid, text)] if text else []


def content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(b.get("text", "")) for b in content if isinstance(b, dict) and b.get("type") == "text"
        )
    return ""


async def run_error(frames: AsyncIterator[Frame | None]) -> Any:
    """Follow a LangGraph run to its end; its `error` event's data (None when it did not fail)."""
    error: Any = None
    async for frame in frames:
        if frame is not None and frame.event == "error":
            error = loads(frame.data)
    return error


async def final_values(graph: Any, thread_id: str, error: Any) -> dict[str, Any]:
    """`runs/wait` (and `join`) for a LangGraph run that ended: the thread's state values, with
    `__interrupt__` when it stopped at an interrupt and `__error__` when it failed (both SDKs raise on it)."""
    out: dict[str, Any] = {}
    try:
        state = await graph.aget_state({"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}})
    except Exception:  # noqa: BLE001 - a graph that cannot read its state: the error alone
        state = None
    if state is not None:
        values = state.values
        out = jsonable(values) if isinstance(values, dict) else {"__values__": jsonable(values)}
        if state.interrupts:
            out["__interrupt__"] = jsonable(list(state.interrupts))
    if error is not None:
        out["__error__"] = error
    return out
