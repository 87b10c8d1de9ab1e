"""A thread's protocol event stream (`POST /threads/{id}/stream/events`, the SDKs' v2 streaming): every run of
the thread, oldest first, rendered by runs/v2events.py from its stored frames, then the runs still to come.

As on LangGraph's server, one connection is one subscription (`channels`, `namespaces`, `depth`), every
connection renders the thread from its beginning, and `seq` numbers every event of the thread in that order
(whatever the filter), so it is the same on every connection: a reconnecting client sends the last `seq` it
has as `since` and gets exactly the events after it. `event_id` is stable too (the SDKs de-duplicate on it).
The stream stays open after the last run, waiting for the next (a `run.start` on another connection), with
keep-alive comments, until the client leaves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from xpert_server.auth.principal import Principal
from xpert_server.encoding import dumps
from xpert_server.errors import BadRequest
from xpert_server.runs.service import RunService
from xpert_server.runs.sse import Frame
from xpert_server.runs.threadstream import RUNS_SCANNED
from xpert_server.runs.v2events import CHANNELS, Event, RunEvents
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import RunRecord

# How often an idle stream looks for the thread's next run (one indexed query).
POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Subscription:
    """What one connection asked for (LangGraph's EventStreamRequest)."""

    channels: frozenset[str]
    namespaces: tuple[tuple[str, ...], ...] | None = None
    depth: int | None = None
    since: int | None = None

    def wants(self, event: Event) -> bool:
        channel = "input" if event.method == "input.requested" else event.method
        if channel == "custom":
            name = event.data.get("name") if isinstance(event.data, dict) else None
            if "custom" not in self.channels and f"custom:{name}" not in self.channels:
                return False
        elif channel not in self.channels:
            return False
        return self._in_namespaces(event.namespace)

    def _in_namespaces(self, namespace: Sequence[str]) -> bool:
        if self.namespaces is None:
            return True
        for prefix in self.namespaces:
            if _prefix_of(prefix, namespace) and (
                self.depth is None or len(namespace) - len(prefix) <= self.depth
            ):
                return True
        return False


def _prefix_of(prefix: Sequence[str], namespace: Sequence[str]) -> bool:
    """LangGraph's namespace match: segment by segment; a prefix segment without `:` also matches a
    segment's name before its `:<task id>`."""
    if len(prefix) > len(namespace):
        return False
    for want, got in zip(prefix, namespace, strict=False):
        if want != got and (":" in want or got.split(":", 1)[0] != want):
            return False
    return True


def subscription_of(body: object, last_event_id: str | None) -> Subscription:
    """The request body, checked (a 400 names what is wrong); `Last-Event-ID` (a seq) stands in for `since`."""
    if not isinstance(body, dict):
        raise BadRequest("body: Expected an object with `channels`")
    channels = body.get("channels")
    if not isinstance(channels, list) or not channels or not all(isinstance(c, str) for c in channels):
        raise BadRequest("channels: Expected a non-empty list of channel names")
    bad = [c for c in channels if c not in CHANNELS and not (c.startswith("custom:") and len(c) > 7)]
    if bad:
        raise BadRequest(
            f"channels: unsupported {bad[0]!r} (one of: {', '.join(sorted(CHANNELS))}, or custom:<name>)"
        )
    namespaces = body.get("namespaces")
    ns: tuple[tuple[str, ...], ...] | None = None
    if namespaces is not None:
        if not isinstance(namespaces, list) or not all(
            isinstance(n, list) and all(isinstance(s, str) for s in n) for n in namespaces
        ):
            raise BadRequest("namespaces: Expected a list of namespaces (lists of strings)")
        ns = tuple(tuple(n) for n in namespaces)
    return Subscription(
        frozenset(channels), ns, _count(body.get("depth"), "depth"), _since(body.get("since"), last_event_id)
    )


def _count(value: object, name: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 2**53:
        raise BadRequest(f"{name}: Expected a non-negative integer")
    return value


def _since(value: object, last_event_id: str | None) -> int | None:
    if value is None and last_event_id:
        if not last_event_id.isdigit() or len(last_event_id) > 16:
            raise BadRequest("Last-Event-ID: on a thread's event stream an event id is its `seq`")
        return int(last_event_id)
    return _count(value, "since")


def _order(run: RunRecord) -> tuple[float, str]:
    return (run.created_at, run.id)


async def follow_events(
    storage: SQLStorage,
    runs: RunService,
    p: Principal,
    thread_id: str,
    sub: Subscription,
    keepalive: float,
) -> AsyncIterator[Frame | None]:
    """The thread's events the subscription wants, after `since`, as SSE frames (`id:` the seq, `event:` the
    method); None for a keep-alive. Never ends by itself: the client leaves."""
    seq = 0
    seen: set[str] = set()  # runs rendered: a run that shows up late is rendered then, not lost
    idle_since = time.monotonic()
    while True:
        listed = await storage.list_runs(p, thread_id, limit=RUNS_SCANNED)
        later = sorted((r for r in listed if r.id not in seen), key=_order)
        if not later:
            if time.monotonic() - idle_since >= keepalive:
                idle_since = time.monotonic()
                yield None
            await asyncio.sleep(POLL_SECONDS)
            continue
        for run in later:
            seen.add(run.id)
            rendering = RunEvents(run.id, int(run.created_at * 1000))
            for event in rendering.start():
                seq += 1
                if _sent(sub, event, seq):
                    yield _frame(event, seq)
            async for frame in runs.follow(run.id):
                if frame is None:
                    yield None
                    continue
                for event in rendering.frame(frame):
                    seq += 1
                    if _sent(sub, event, seq):
                        yield _frame(event, seq)
            ended = await storage.get_run(p, thread_id, run.id)
            for event in rendering.end(ended.status if ended is not None else "success"):
                seq += 1
                if _sent(sub, event, seq):
                    yield _frame(event, seq)
        idle_since = time.monotonic()


def _sent(sub: Subscription, event: Event, seq: int) -> bool:
    return (sub.since is None or seq > sub.since) and sub.wants(event)


def _frame(event: Event, seq: int) -> Frame:
    return Frame(seq, event.method, dumps(event.envelope(seq)))
