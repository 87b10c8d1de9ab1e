"""LangGraph's thread-centric protocol (the SDKs' v2 streaming): one run's stored LangGraph events rendered
as protocol events (`{type: "event", event_id, seq, method, params: {namespace, timestamp, data, node?}}`).

A v2 run is an ordinary LangGraph run (runs/protocol.py) asking for RUN_MODES; its event log holds those
modes' events like any other LangGraph run's, and this module turns them, in order, into the protocol's
channels — as LangGraph's server does from its own stream (langgraph_api/event_streaming/session.py):

- `lifecycle`: the root's `running` when the run starts, and at its end `completed`, `failed` (with the
  error) or `interrupted` (stopped at an interrupt, or cancelled);
- `input.requested` (channel `input`): one per interrupt (`__interrupt__` of `values`/`updates`);
- `values` and `updates` (`{node, values}` → data `values`, `params.node`), their messages in the protocol's
  shape (type `ai`/`human`/`tool`/`system`, `tool_calls` as `tool_call` blocks);
- `messages`: a streamed message as `message-start`, `content-block-start`, one `content-block-delta`
  (`text-delta`) per token, and, when its node's update holds the whole message, `content-block-finish`
  and `message-finish`; a message that did not stream (a tool's) as the same events at once;
- `custom`: `{payload}`; `tasks`: as the graph streamed them.

Rendering is a pure function of the stored frames and the run's final status, so a reconnect renders the
same events under the same ids: `<run_id>:<frame seq>` (`.<n>` for a frame's later events), and
`<run_id>:start` / `<run_id>:end` for the lifecycle the server adds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from xpert_server.encoding import loads
from xpert_server.runs.lgstream import NS_MARK, NS_SEP
from xpert_server.runs.sse import Frame

# The stream modes a run started by `run.start` / `input.respond` asks for (what the renderer reads).
RUN_MODES = ["values", "updates", "messages-tuple", "custom", "tasks"]
# What a client may subscribe to (LangGraph's SUPPORTED_CHANNELS). `tools` and `checkpoints` are accepted
# and have no events here (docs/langgraph.md).
CHANNELS = frozenset(
    {"values", "updates", "checkpoints", "messages", "tools", "custom", "lifecycle", "input", "tasks"}
)
# A cancelled run ends `interrupted`, as on LangGraph's server (its run status is `interrupted`).
CANCELLED = "interrupted"


@dataclass(slots=True)
class Event:
    """A protocol event before the thread stream numbers it (`seq` is the thread stream's position)."""

    event_id: str
    method: str
    namespace: list[str]
    data: Any
    node: str | None = None
    timestamp: int = 0

    def envelope(self, seq: int) -> dict[str, Any]:
        params: dict[str, Any] = {"namespace": self.namespace, "timestamp": self.timestamp, "data": self.data}
        if self.node is not None:
            params["node"] = self.node
        return {
            "type": "event",
            "event_id": self.event_id,
            "seq": seq,
            "method": self.method,
            "params": params,
        }


@dataclass(slots=True)
class _Streaming:
    """A message whose tokens are arriving: its text so far, where it streams, its event's node."""

    namespace: list[str]
    node: str | None
    text: str = ""


@dataclass
class RunEvents:
    """One run's protocol events, frame by frame. `timestamp` (ms) is the run's creation time, so a replay
    stamps its events alike."""

    run_id: str
    timestamp: int
    _ids: dict[str, int] = field(default_factory=dict)
    _streaming: dict[str, _Streaming] = field(default_factory=dict)
    _interrupts: set[str] = field(default_factory=set)
    _error: str | None = None
    _ended: bool = False

    def start(self) -> list[Event]:
        return [self._event(f"{self.run_id}:start", "lifecycle", [], {"event": "running"})]

    def frame(self, frame: Frame) -> list[Event]:
        """The protocol events of one stored frame (none for XpertAI frames, `metadata`, `complete`)."""
        name = frame.event or ""
        raw = frame.data
        namespace: list[str] = []
        if name.endswith(NS_MARK):
            ns, _, raw = raw.partition(NS_SEP)
            namespace = [str(n) for n in loads(ns)]
            name = name[: -len(NS_MARK)]
        out = _Out(self, f"{self.run_id}:{frame.seq}")
        if name == "error":
            data = loads(raw)
            self._error = (
                str(data.get("message") or data.get("error") or data) if isinstance(data, dict) else str(data)
            )
        elif name == "values":
            self._values(out, namespace, loads(raw))
        elif name == "updates":
            self._updates(out, namespace, loads(raw))
        elif name == "messages":
            self._message(out, namespace, loads(raw))
        elif name == "custom":
            out.add("custom", namespace, {"payload": loads(raw)})
        elif name == "tasks":
            out.add("tasks", namespace, loads(raw))
        return out.events

    def end(self, status: str) -> list[Event]:
        """The run has ended with `status` (its record's): messages left open are finished, then the root's
        terminal lifecycle."""
        out = _Out(self, f"{self.run_id}:end")
        for mid in list(self._streaming):
            self._finish(out, mid, None)
        if self._error is not None or status in ("error", "timeout"):
            data: dict[str, Any] = {"event": "failed", "error": self._error or f"Run ended: {status}"}
        elif self._interrupts or status == CANCELLED:
            data = {"event": "interrupted"}
        else:
            data = {"event": "completed"}
        out.add("lifecycle", [], data)
        return out.events

    # ---- the channels ---------------------------------------------------------------------------------

    def _values(self, out: _Out, namespace: list[str], value: Any) -> None:
        self._input_requested(out, namespace, value.get("__interrupt__") if isinstance(value, dict) else None)
        state = state_payload(value)
        if state not in (None, {}):
            out.add("values", namespace, state)

    def _updates(self, out: _Out, namespace: list[str], value: Any) -> None:
        if not isinstance(value, dict):
            out.add("updates", namespace, {"value": value})
            return
        for node, values in value.items():
            if node == "__interrupt__":
                self._input_requested(out, namespace, values)
                continue
            messages = values.get("messages") if isinstance(values, dict) else None
            for m in messages if isinstance(messages, list) else []:
                if isinstance(m, dict) and m.get("id") in self._streaming:
                    self._finish(out, str(m["id"]), m)
            data = state_payload(values) if isinstance(values, dict) else {"value": values}
            out.add("updates", namespace, data, node=str(node))

    def _input_requested(self, out: _Out, namespace: list[str], interrupts: Any) -> None:
        for item in interrupts if isinstance(interrupts, list) else []:
            iid = item.get("id") if isinstance(item, dict) else None
            if not isinstance(iid, str) or iid in self._interrupts:
                continue
            self._interrupts.add(iid)
            # `payload` is the protocol's field (the JS SDK reads it); the Python SDK 0.4.14 reads `value`.
            value = item.get("value")
            out.add("input.requested", namespace, {"interrupt_id": iid, "payload": value, "value": value})

    def _message(self, out: _Out, namespace: list[str], pair: Any) -> None:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], dict)):
            return
        message, meta = pair
        node = meta.get("langgraph_node") if isinstance(meta, dict) else None
        node = str(node) if node is not None else None
        mid = str(message.get("id") or f"{out.base}")
        kind = str(message.get("type") or "")
        if kind.endswith("Chunk"):
            streaming = self._streaming.get(mid)
            if streaming is None:
                streaming = self._streaming[mid] = _Streaming(namespace, node)
                out.add("messages", namespace, _start(mid, "ai"), node=node)
                out.add("messages", namespace, _block_start(), node=node)
            text = text_of(message.get("content"))
            if text:
                streaming.text += text
                delta = {
                    "event": "content-block-delta",
                    "index": 0,
                    "delta": {"type": "text-delta", "text": text},
                }
                out.add("messages", namespace, delta, node=node)
        elif mid in self._streaming:
            self._finish(out, mid, message)
        else:  # a whole message that did not stream: a tool's result, a model that did not stream
            self._streaming[mid] = _Streaming(namespace, node)
            role = ROLES.get(kind, "ai")
            start = _start(mid, role)
            if role == "tool" and message.get("tool_call_id"):
                start["tool_call_id"] = message["tool_call_id"]
            out.add("messages", namespace, start, node=node)
            out.add("messages", namespace, _block_start(), node=node)
            self._finish(out, mid, message)

    def _finish(self, out: _Out, mid: str, message: Mapping[str, Any] | None) -> None:
        streaming = self._streaming.pop(mid)
        ns, node = streaming.namespace, streaming.node
        text = text_of(message.get("content")) if message is not None else streaming.text
        if text and not streaming.text:
            delta = {
                "event": "content-block-delta",
                "index": 0,
                "delta": {"type": "text-delta", "text": text},
            }
            out.add("messages", ns, delta, node=node)
        out.add(
            "messages", ns, {"event": "content-block-finish", "index": 0, "content": _text(text)}, node=node
        )
        calls = message.get("tool_calls") if message is not None else None
        for index, call in enumerate(calls if isinstance(calls, list) else [], start=1):
            if not isinstance(call, dict):
                continue
            block = {
                "type": "tool_call",
                "id": call.get("id"),
                "name": call.get("name"),
                "args": call.get("args") or {},
            }
            chunk = {**block, "type": "tool_call_chunk", "args": ""}
            out.add(
                "messages", ns, {"event": "content-block-start", "index": index, "content": chunk}, node=node
            )
            out.add(
                "messages", ns, {"event": "content-block-finish", "index": index, "content": block}, node=node
            )
        out.add("messages", ns, {"event": "message-finish"}, node=node)

    def _event(
        self, event_id: str, method: str, namespace: list[str], data: Any, node: str | None = None
    ) -> Event:
        return Event(event_id, method, namespace, data, node, self.timestamp)


class _Out:
    """The events one frame renders to, with their ids: the frame's id, then `.1`, `.2`, …"""

    def __init__(self, run: RunEvents, base: str):
        self.run = run
        self.base = base
        self.events: list[Event] = []

    def add(self, method: str, namespace: list[str], data: Any, node: str | None = None) -> None:
        n = len(self.events)
        event_id = self.base if n == 0 else f"{self.base}.{n}"
        self.events.append(self.run._event(event_id, method, namespace, data, node))


ROLES = {"ai": "ai", "human": "human", "system": "system", "tool": "tool", "AIMessageChunk": "ai"}


def _start(mid: str, role: str) -> dict[str, Any]:
    return {"event": "message-start", "role": role, "id": mid}


def _block_start() -> dict[str, Any]:
    return {"event": "content-block-start", "index": 0, "content": _text("")}


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def text_of(content: Any) -> str:
    """A message's text: its string content, or its text blocks joined."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            b if isinstance(b, str) else str(b.get("text", ""))
            for b in content
            if isinstance(b, str) or (isinstance(b, dict) and b.get("type") == "text")
        )
    return ""


def state_payload(value: Any) -> Any:
    """State as the protocol sends it: `__interrupt__` left out (it is the `input` channel's), messages in
    the protocol's shape."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, entry in value.items():
        if key == "__interrupt__":
            continue
        if key == "messages" and isinstance(entry, list):
            out[key] = [state_message(m) if isinstance(m, dict) else m for m in entry]
        else:
            out[key] = entry
    return out


def state_message(m: Mapping[str, Any]) -> dict[str, Any]:
    """A LangChain message (as dumped) in the protocol's state shape."""
    kind = str(m.get("type") or "")
    kind = {"AIMessageChunk": "ai", "assistant": "ai", "user": "human"}.get(kind, kind)
    out: dict[str, Any] = {"type": kind, "content": m.get("content", "")}
    for key in ("id", "name"):
        if isinstance(m.get(key), str):
            out[key] = m[key]
    if kind == "tool":
        for key in ("tool_call_id", "status"):
            if m.get(key) is not None:
                out[key] = m[key]
    calls = m.get("tool_calls")
    if kind == "ai" and isinstance(calls, list) and calls:
        out["tool_calls"] = [
            {"type": "tool_call", "id": c.get("id"), "name": c.get("name"), "args": c.get("args") or {}}
            for c in calls
            if isinstance(c, dict)
        ]
    return out
