"""The event log of scaled mode: frames stored in the database, then added to a Redis stream per run.

Writers are the same as embedded (the executor appends, a flusher group-commits to `run_events`); after
each commit the batch goes to `XADD {prefix}:run:{id} ID <seq>-0` (stream ids are frame ids, length
bounded, a TTL renewed per batch). The database first, Redis second: Redis never holds a frame the
database lacks, so a reader can always fill a gap (trimmed, expired, or lost in a Redis restart) from
the database, and a re-queued attempt continues after the database's last id.

Readers in any process share ONE `XREAD BLOCK` per process (a multiplexer task over every stream this
process follows, from each follower's last id): 1,000 open streams cost one blocked connection and one
command per round, not 1,000. A new follower interrupts the blocked read by adding to a private
"poke" stream. Followers read the database first (which is how a finished run whose stream expired
replays), to fill a gap Redis shows, while Redis is down, and, while a stream is quiet, at backed-off
intervals (after 1, 2, 4, then every DB_CHECK_MAX s of silence).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError

from xpert_server.runs.broker import Keys, stop_task
from xpert_server.runs.eventlog import COMPLETE, COMPLETE_GRACE, LocalEventLog, _Channel
from xpert_server.runs.sse import Frame
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import TERMINAL_RUN_STATUSES

log = logging.getLogger("xpert.scale")

BLOCK_MS = 1000  # how long the shared XREAD blocks, and a follower waits, before looking again
DB_CHECK_MIN = 1.0  # while Redis answers: the first database look after this much silence, then doubling
DB_CHECK_MAX = 5.0  # ... up to this: a frame in the database but not in Redis is seen within it (+ BLOCK_MS)
READ_COUNT = 1000
POLL_WITHOUT_REDIS = 0.25


class RedisEventLog(LocalEventLog):
    def __init__(
        self,
        storage: SQLStorage,
        redis: Redis,
        keys: Keys,
        *,
        maxlen: int = 10_000,
        ttl: float = 3600.0,
        flush_interval: float = 0.002,
    ):
        super().__init__(storage, flush_interval)
        self.redis = redis
        self.keys = keys
        self.maxlen = maxlen
        self.ttl = max(1, int(ttl))
        # Runs this process no longer holds (lease lost or handed back): their frames go nowhere.
        self._fenced: set[str] = set()
        self._redis_warned = 0.0
        self._subs: dict[str, set[_Sub]] = {}  # stream key → its followers in this process
        self._reader: asyncio.Task[None] | None = None
        self._redis_ok = True
        self._poke_key = f"{keys.prefix}:poke:{secrets.token_hex(8)}"
        self._poking = False
        self._pokes: set[asyncio.Task[None]] = set()

    async def stop(self) -> None:
        await super().stop()
        if self._reader is not None:
            await stop_task(self._reader)
            self._reader = None

    # ---- writer side ------------------------------------------------------------------------------
    def open(self, run_id: str, last_seq: int = 0) -> None:
        """A fresh channel per attempt: ids continue after `last_seq`, whatever an earlier attempt here left."""
        self._fenced.discard(run_id)
        old = self._channels.get(run_id)
        if old is not None and old.pending:
            self._drop(old)
        self._channels[run_id] = _Channel(next_seq=last_seq + 1)

    def append(self, run_id: str, data: bytes, event: str | None = None) -> int:
        if run_id in self._fenced:
            return 0
        return super().append(run_id, data, event)

    def fence(self, run_id: str) -> None:
        """Stop writing a run's frames from this process (another attempt owns or will own the run)."""
        self._fenced.add(run_id)
        ch = self._channels.pop(run_id, None)
        if ch is not None:
            self._drop(ch)

    def _drop(self, ch: _Channel) -> None:
        # Unwritten frames count as settled, or `sync()` would wait for them forever.
        self._committed += len(ch.pending)
        ch.pending = []

    async def last_seq(self, run_id: str, *, stored: int | None = None, attempt: int = 0) -> int:
        """The last frame id anyone may have seen: the database's, or Redis's if it is somehow ahead.

        `stored`: the database's, read already (with the claim). A first attempt without stored frames
        has written nothing anywhere (Redis only ever holds what the database had): no Redis look."""
        last = await self.storage.last_event_seq(run_id) if stored is None else stored
        if stored is not None and last == 0 and attempt <= 1:
            return 0
        try:
            top: Any = await self.redis.xrevrange(self.keys.stream(run_id), count=1)
            if top:
                last = max(last, _seq(top[0][0]))
        except (RedisError, OSError):
            pass
        return last

    async def _store(self, rows: list[tuple[str, int, str | None, bytes]]) -> None:
        try:
            await self.storage.append_events(rows)
        except IntegrityError:
            # A frame id taken already: a stale attempt of some run (its lease expired while it was
            # stalled). Store run by run so only that run's frames are refused, and stop writing it.
            by_run: dict[str, list[tuple[str, int, str | None, bytes]]] = {}
            for row in rows:
                by_run.setdefault(row[0], []).append(row)
            for run_id, part in by_run.items():
                try:
                    await self.storage.append_events(part)
                except IntegrityError:
                    log.warning(
                        "run %s: frames %d.. already exist (a newer attempt owns it); dropped",
                        run_id,
                        part[0][1],
                    )
                    self._fenced.add(run_id)

    async def _stored(self, batch: list[tuple[str, list[Frame]]]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for run_id, frames in batch:
            if run_id in self._fenced:
                continue
            key = self.keys.stream(run_id)
            for f in frames:
                fields: dict[bytes | str, bytes | str] = {"d": f.data, "e": f.event or ""}
                pipe.xadd(key, fields, id=f"{f.seq}-0", maxlen=self.maxlen, approximate=True)  # type: ignore[arg-type]
            pipe.expire(key, self.ttl)
        try:
            # Per-command errors (an id not above the stream's top: written already) are harmless.
            await pipe.execute(raise_on_error=False)
        except (RedisError, OSError) as e:
            now = time.monotonic()
            if now - self._redis_warned > 10:
                self._redis_warned = now
                log.warning("redis unavailable for frames (%s): readers use the database meanwhile", e)

    # ---- reader side ------------------------------------------------------------------------------
    async def follow(
        self, run_id: str, after: int = 0, keepalive: float = 15.0
    ) -> AsyncIterator[Frame | None]:
        """Frames with id > `after` until `complete`, from any process. Yields None when `keepalive` passes idle.

        The database is read first (a finished run replays from it), whenever Redis fails, every 50 ms
        while a finished run's `complete` is awaited, and, while Redis answers but has nothing new, after
        1, 2, 4, then every DB_CHECK_MAX s of silence: so a frame that reached the database but not Redis
        (its XADD failed) is seen within DB_CHECK_MAX + BLOCK_MS, and 1,000 idle streams cost a few
        hundred queries a second, not thousands."""
        sub = self._subscribe(self.keys.stream(run_id), after)
        try:
            async for item in self._follow(sub, run_id, after, keepalive):
                yield item
        finally:
            self._unsubscribe(sub)

    async def follow_batches(
        self, run_id: str, after: int = 0, keepalive: float = 15.0
    ) -> AsyncIterator[list[Frame] | None]:
        """`follow` one frame at a time (the local log's batches are its memory's; these come from Redis)."""
        async for f in self.follow(run_id, after, keepalive):
            yield None if f is None else [f]

    async def _follow(
        self, sub: _Sub, run_id: str, after: int, keepalive: float
    ) -> AsyncIterator[Frame | None]:
        wait = max(10, min(BLOCK_MS, int(keepalive * 1000))) / 1000
        timeout = 0.0  # the first look is immediate, then the database: a finished run replays from it
        idle_since = time.monotonic()
        grace: float | None = None
        db_every = DB_CHECK_MIN
        next_db = 0.0  # when the database is next asked while Redis has nothing new
        while True:
            entries = await sub.next(timeout)
            if entries:
                entries = [f for f in entries if f.seq > after]
            if entries:
                if entries[0].seq > after + 1:
                    # Older frames Redis no longer has (trimmed, expired, restarted): the database has them.
                    for s, e, d in await self.storage.read_events(
                        run_id, after, limit=entries[0].seq - after - 1
                    ):
                        yield Frame(s, e, d)
                        after = s
                for f in entries:
                    if f.seq <= after:
                        continue
                    yield f
                    after = f.seq
                    if f.event == COMPLETE:
                        return
                idle_since, timeout = time.monotonic(), wait
                db_every, next_db = DB_CHECK_MIN, idle_since + DB_CHECK_MIN
                continue
            now = time.monotonic()
            if entries is not None and grace is None and now < next_db:
                # Redis answers and has nothing new: it is the live path; the database is asked less often.
                timeout = wait
                if now - idle_since >= keepalive:
                    idle_since = now
                    yield None
                continue
            # Nothing new in Redis (or no Redis): the database is the truth.
            rows, status = await self.storage.poll_events(run_id, after)
            now = time.monotonic()
            next_db, db_every = now + db_every, min(db_every * 2, DB_CHECK_MAX)
            for s, e, d in rows:
                yield Frame(s, e, d)
                after = s
                sub.skip(after)
                if e == COMPLETE:
                    return
            if rows:
                idle_since = time.monotonic()
                db_every, next_db = DB_CHECK_MIN, 0.0  # caught up from the database: look again at once
                timeout = 0.0
                continue
            if status is None:
                return
            if status in TERMINAL_RUN_STATUSES:
                # Its final status commits just before its `complete` frame: a short grace, not an early end.
                grace = grace or now + COMPLETE_GRACE
                if now > grace:
                    return
                timeout = 0.05
            else:
                timeout = wait
            if now - idle_since >= keepalive:
                idle_since = now
                yield None
            if entries is None:
                await asyncio.sleep(POLL_WITHOUT_REDIS)

    # ---- the shared reader ------------------------------------------------------------------------
    def _subscribe(self, key: str, after: int) -> _Sub:
        sub = _Sub(key, after, failed=not self._redis_ok)
        self._subs.setdefault(key, set()).add(sub)
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read_loop(), name="eventlog-redis-reader")
        elif not self._poking:
            # The shared XREAD is blocked without this stream: wake it, so it reads this one from now on.
            self._poking = True
            task = asyncio.create_task(self._poke(), name="eventlog-redis-poke")
            self._pokes.add(task)  # held until done: the loop keeps only a weak reference
            task.add_done_callback(self._pokes.discard)
        return sub

    def _unsubscribe(self, sub: _Sub) -> None:
        subs = self._subs.get(sub.key)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.key]

    async def _poke(self) -> None:
        await asyncio.sleep(0)  # followers subscribing in the same tick share one poke
        self._poking = False
        with contextlib.suppress(RedisError, OSError):
            await self.redis.xadd(self._poke_key, {"p": "1"}, maxlen=10, approximate=True)
            await self.redis.expire(self._poke_key, 60)

    async def _read_loop(self) -> None:
        """One XREAD BLOCK for every followed stream; frames go to each follower's buffer."""
        while self._subs:
            streams: dict[str, str] = {
                key: f"{min(s.after for s in subs)}-0" for key, subs in self._subs.items()
            }
            streams[self._poke_key] = "$"
            try:
                resp: Any = await self.redis.xread(streams, count=READ_COUNT, block=BLOCK_MS)  # type: ignore[arg-type]
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as e:
                if self._redis_ok:
                    log.warning("redis unavailable for followers (%s): they read the database meanwhile", e)
                self._redis_ok = False
                for subs in self._subs.values():
                    for sub in subs:
                        sub.fail()
                await asyncio.sleep(POLL_WITHOUT_REDIS)
                continue
            if not self._redis_ok:
                self._redis_ok = True
                for subs in self._subs.values():
                    for sub in subs:
                        sub.failed = False
            for raw_key, items in resp or []:
                key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
                followers = self._subs.get(key)
                if not followers or not items:
                    continue
                frames = [_frame(i, f) for i, f in items]
                for sub in followers:
                    sub.deliver(frames)


class _Sub:
    """One follower's buffer, filled by the shared reader: frames after `after`, and a wake-up."""

    __slots__ = ("key", "after", "frames", "event", "failed")

    def __init__(self, key: str, after: int, *, failed: bool = False):
        self.key = key
        self.after = after
        self.frames: list[Frame] = []
        self.event = asyncio.Event()
        self.failed = failed

    def deliver(self, frames: list[Frame]) -> None:
        new = [f for f in frames if f.seq > self.after]
        if new:
            self.frames.extend(new)
            self.after = new[-1].seq
            self.event.set()

    def fail(self) -> None:
        self.failed = True
        self.event.set()

    def skip(self, after: int) -> None:
        """The follower has frames up to `after` (from the database): read Redis from there."""
        if after > self.after:
            self.after = after
        if self.frames and self.frames[0].seq <= after:
            self.frames = [f for f in self.frames if f.seq > after]

    async def next(self, timeout: float) -> list[Frame] | None:
        """Buffered frames, after waiting up to `timeout` for some; None while Redis is failing."""
        if not self.frames and not self.failed and timeout > 0:
            self.event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.event.wait(), timeout)
        if self.failed and not self.frames:
            return None
        frames, self.frames = self.frames, []
        return frames


def _seq(stream_id: bytes | str) -> int:
    raw = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    return int(raw.split("-", 1)[0])


def _frame(stream_id: bytes, fields: dict[bytes, bytes]) -> Frame:
    event = fields.get(b"e") or b""
    return Frame(_seq(stream_id), event.decode() or None, fields.get(b"d", b""))
