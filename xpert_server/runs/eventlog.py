"""The event log: every frame of a run is stored before anyone sees it.

A live stream, a join, and a replay after `Last-Event-ID` are one code path: `follow(run_id, after)`
reads frames after an id, then waits for more. Appends are buffered and written by one background
flusher in group commits (one transaction for all runs' new frames), so a 200-token reply costs a few
transactions, not 200. Frames become visible to readers only after their commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol

from xpert_server.runs.sse import Frame
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import TERMINAL_RUN_STATUSES

log = logging.getLogger("xpert.runs")

COMPLETE = "complete"
# How long a finished run's frames stay in memory for late joiners (storage serves them after). Short: at
# hold -c1000 every run ends ~10 s after it starts, and 30 s of finished runs' frames were ~25 KiB per open
# stream; a joiner after this reads one query's worth from storage.
LINGER_SECONDS = 5.0
# How long a reader waits for the `complete` frame of a run whose final status is already stored.
COMPLETE_GRACE = 5.0


class EventLog(Protocol):
    """Frames per run. `LocalEventLog`: this process's memory + the run_events table (embedded mode);
    `RedisEventLog` (runs/redis_events.py): the same, plus a Redis stream per run that every process reads."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def open(self, run_id: str, last_seq: int = 0) -> None: ...

    def append(self, run_id: str, data: bytes, event: str | None = None) -> int: ...

    async def sync(self) -> None: ...

    def follow(self, run_id: str, after: int = 0, keepalive: float = 15.0) -> AsyncIterator[Frame | None]: ...

    def follow_batches(
        self, run_id: str, after: int = 0, keepalive: float = 15.0
    ) -> AsyncIterator[list[Frame] | None]: ...

    def is_live(self, run_id: str) -> bool: ...


@dataclass(slots=True)
class _Channel:
    next_seq: int = 1
    visible: list[Frame] = field(default_factory=list)
    pending: list[Frame] = field(default_factory=list)
    # Followers waiting for the next batch: a bare future each, woken by `publish` (measured: an
    # asyncio.Event per batch plus `wait_for` — a task and a timer per follower per frame — was the
    # largest cost of following at -c1000).
    waiters: list[asyncio.Future[bool]] = field(default_factory=list)
    done: bool = False
    done_at: float = 0.0

    def publish(self, frames: list[Frame]) -> None:
        self.visible.extend(frames)
        if any(f.event == COMPLETE for f in frames):
            self.done = True
            self.done_at = time.monotonic()
        waiters, self.waiters = self.waiters, []
        for w in waiters:
            if not w.done():
                w.set_result(True)

    async def wait(self, timeout: float) -> bool:
        """Until the next batch is published (True) or `timeout` passes (False)."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[bool] = loop.create_future()
        self.waiters.append(fut)
        timer = loop.call_later(timeout, _expire, fut)
        try:
            return await fut
        finally:
            timer.cancel()


def _expire(fut: asyncio.Future[bool]) -> None:
    if not fut.done():
        fut.set_result(False)


class LocalEventLog:
    def __init__(self, storage: SQLStorage, flush_interval: float = 0.002):
        self.storage = storage
        self.flush_interval = flush_interval
        self._channels: dict[str, _Channel] = {}
        self._dirty_runs: set[str] = set()
        self._last_evict = 0.0
        self._dirty = asyncio.Event()
        # Frames appended vs committed, process-wide: `sync()` waits for the second to catch up.
        self._appended = 0
        self._committed = 0
        self._committed_cond = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._flusher(), name="eventlog-flusher")

    async def stop(self) -> None:
        if self._task is not None:
            await self.sync()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # ---- writer side ------------------------------------------------------------------------------
    def open(self, run_id: str, last_seq: int = 0) -> None:
        """Register a run about to produce frames (ids continue after `last_seq`)."""
        self._channels.setdefault(run_id, _Channel(next_seq=last_seq + 1))

    def append(self, run_id: str, data: bytes, event: str | None = None) -> int:
        ch = self._channels[run_id]
        # A right-sized copy: orjson (3.12+) never shrinks its output buffer, so a 100-byte frame held 4 KiB,
        # and frames stay here while their run is followed (measured by `make soak`: ~70 MiB at 40 runs/s).
        frame = Frame(ch.next_seq, event, bytes(memoryview(data)))
        ch.next_seq += 1
        ch.pending.append(frame)
        self._dirty_runs.add(run_id)
        self._appended += 1
        self._dirty.set()
        return frame.seq

    async def sync(self) -> None:
        """Return once every frame appended so far is committed and visible."""
        target = self._appended
        async with self._committed_cond:
            await self._committed_cond.wait_for(lambda: self._committed >= target)

    async def _flusher(self) -> None:
        while True:
            await self._dirty.wait()
            await asyncio.sleep(self.flush_interval)  # let concurrent runs add to this batch
            self._dirty.clear()
            try:
                await self._flush_once()
            except Exception:  # the batch went back to pending; retry on the next tick
                log.exception("event log flush failed; retrying")
                self._dirty.set()
                await asyncio.sleep(0.1)
                continue
            if time.monotonic() - self._last_evict > 1.0:
                self._last_evict = time.monotonic()
                self._evict()

    async def _flush_once(self) -> None:
        batch: list[tuple[str, _Channel, list[Frame]]] = []
        # Only the runs that appended since the last flush (measured: scanning every channel, done ones
        # included, was the event log's largest cost under load).
        dirty, self._dirty_runs = self._dirty_runs, set()
        for run_id in dirty:
            ch = self._channels.get(run_id)
            if ch is not None and ch.pending:
                batch.append((run_id, ch, ch.pending))
                ch.pending = []
        if not batch:
            return
        rows = [(run_id, f.seq, f.event, f.data) for run_id, _, frames in batch for f in frames]
        try:
            await self._store(rows)
        except BaseException:
            for run_id, ch, frames in batch:
                ch.pending = frames + ch.pending
                self._dirty_runs.add(run_id)
            raise
        await self._stored([(run_id, frames) for run_id, _, frames in batch])
        for _, ch, frames in batch:
            ch.publish(frames)
        async with self._committed_cond:
            self._committed += len(rows)
            self._committed_cond.notify_all()

    async def _store(self, rows: list[tuple[str, int, str | None, bytes]]) -> None:
        await self.storage.append_events(rows)

    async def _stored(self, batch: list[tuple[str, list[Frame]]]) -> None:
        """Called once a batch is committed, before readers here see it (RedisEventLog publishes it)."""

    def _evict(self) -> None:
        now = time.monotonic()
        stale = [
            r
            for r, ch in self._channels.items()
            if ch.done and not ch.pending and now - ch.done_at > LINGER_SECONDS
        ]
        for run_id in stale:
            del self._channels[run_id]

    # ---- reader side ------------------------------------------------------------------------------
    async def follow(
        self, run_id: str, after: int = 0, keepalive: float = 15.0
    ) -> AsyncIterator[Frame | None]:
        """Frames with seq > `after`, live until `complete`. Yields None when `keepalive` passes idle."""
        async for batch in self.follow_batches(run_id, after, keepalive):
            if batch is None:
                yield None
                continue
            for f in batch:
                yield f

    async def follow_batches(
        self, run_id: str, after: int = 0, keepalive: float = 15.0
    ) -> AsyncIterator[list[Frame] | None]:
        """`follow`, a list at a time: the frames readable at once (a stream sends them as one write).
        Never an empty list; the last one ends with `complete`."""
        grace_deadline: float | None = None
        idle = 0.0
        while True:
            ch = self._channels.get(run_id)
            if ch is None:
                # Not live here: replay from storage; poll while the run has not finished. A run's
                # final status commits just before its `complete` frame does, so a finished run
                # without `complete` yet gets a short grace period, not an early end.
                frames = _until_complete(
                    [Frame(s, e, d) for s, e, d in await self.storage.read_events(run_id, after)]
                )
                if frames:
                    yield frames
                    if frames[-1].event == COMPLETE:
                        return
                    after = frames[-1].seq
                    continue
                run = await self.storage.get_run_by_id(run_id)
                if run is None:
                    return
                if run.status in TERMINAL_RUN_STATUSES and run_id not in self._channels:
                    grace = grace_deadline or time.monotonic() + COMPLETE_GRACE
                    grace_deadline = grace
                    if time.monotonic() > grace:
                        return
                    await asyncio.sleep(0.05)
                    continue
                idle += 0.25
                if idle >= keepalive:
                    idle = 0.0
                    yield None
                await asyncio.sleep(0.25)
                continue
            if ch.visible and ch.visible[0].seq > after + 1:
                # The reader is behind what memory holds (e.g. a restart continued the ids): storage first.
                older = [
                    Frame(s, e, d)
                    for s, e, d in await self.storage.read_events(
                        run_id, after, limit=ch.visible[0].seq - after - 1
                    )
                ]
                if older:
                    yield older
                    after = older[-1].seq
            start = _index_after(ch.visible, after)
            if start < len(ch.visible):
                frames = _until_complete(ch.visible[start:])
                yield frames
                if frames[-1].event == COMPLETE:
                    return
                after = frames[-1].seq
                continue
            if ch.done:
                return
            if not await ch.wait(keepalive):
                yield None

    def is_live(self, run_id: str) -> bool:
        ch = self._channels.get(run_id)
        return ch is not None and not ch.done


def _index_after(frames: list[Frame], after: int) -> int:
    """Position of the first frame with seq > after (frames are consecutive from frames[0].seq)."""
    if not frames:
        return 0
    return max(0, min(len(frames), after - frames[0].seq + 1))


def _until_complete(frames: list[Frame]) -> list[Frame]:
    """The frames up to and including `complete` (a run's last: nothing after it is read)."""
    for i, f in enumerate(frames):
        if f.event == COMPLETE:
            return frames[: i + 1]
    return frames
