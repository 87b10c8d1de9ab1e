"""The event log of scaled mode: frames stored in the database, then added to a Redis stream per run.

Writers are the same as embedded (the executor appends, a flusher group-commits to `run_events`); after
each commit the batch goes to `XADD {prefix}:run:{id} ID <seq>-0` (stream ids are frame ids, length
bounded, a TTL renewed per batch). The database first, Redis second: Redis never holds a frame the
database lacks, so a reader can always fill a gap (trimmed, expired, or lost in a Redis restart) from
the database, and a re-queued attempt continues after the database's last id.

Readers in any process: `XREAD BLOCK` from `<after>-0`; when Redis has nothing (or is down) they read
the database, which is also how a finished run whose stream expired replays.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError

from xpert_server.runs.broker import Keys, cancelled_meanwhile
from xpert_server.runs.eventlog import COMPLETE, COMPLETE_GRACE, LocalEventLog, _Channel
from xpert_server.runs.sse import Frame
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import TERMINAL_RUN_STATUSES

log = logging.getLogger("xpert.scale")

BLOCK_MS = 1000  # how long a reader waits on Redis before it looks at the database
READ_COUNT = 1000
POLL_WITHOUT_REDIS = 0.25


class RedisEventLog(LocalEventLog):
    def __init__(self, storage: SQLStorage, redis: Redis, keys: Keys, *, maxlen: int = 10_000,
                 ttl: float = 3600.0, flush_interval: float = 0.002):
        super().__init__(storage, flush_interval)
        self.redis = redis
        self.keys = keys
        self.maxlen = maxlen
        self.ttl = max(1, int(ttl))
        # Runs this process no longer holds (lease lost or handed back): their frames go nowhere.
        self._fenced: set[str] = set()
        self._redis_warned = 0.0

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

    async def last_seq(self, run_id: str) -> int:
        """The last frame id anyone may have seen: the database's, or Redis's if it is somehow ahead."""
        last = await self.storage.last_event_seq(run_id)
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
                    log.warning("run %s: frames %d.. already exist (a newer attempt owns it); dropped",
                                run_id, part[0][1])
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
    async def follow(self, run_id: str, after: int = 0, keepalive: float = 15.0) -> AsyncIterator[Frame | None]:
        """Frames with id > `after` until `complete`, from any process. Yields None when `keepalive` passes idle."""
        key = self.keys.stream(run_id)
        wait_ms = max(10, min(BLOCK_MS, int(keepalive * 1000)))
        block: int | None = None  # the first look is immediate: a finished run replays from the database
        idle_since = time.monotonic()
        grace: float | None = None
        while True:
            entries: list[Frame] | None = None
            try:
                resp: Any = await self.redis.xread({key: f"{after}-0"}, count=READ_COUNT, block=block)
                entries = [_frame(i, f) for _, items in resp for i, f in items] if resp else []
            except (RedisError, OSError) as failure:
                if cancelled_meanwhile():
                    raise asyncio.CancelledError from failure  # the client left; this was no Redis failure
                entries = None  # Redis is down: poll the database until it is back
            if entries:
                if entries[0].seq > after + 1:
                    # Older frames Redis no longer has (trimmed, expired, restarted): the database has them.
                    for s, e, d in await self.storage.read_events(run_id, after, limit=entries[0].seq - after - 1):
                        yield Frame(s, e, d)
                        after = s
                for f in entries:
                    if f.seq <= after:
                        continue
                    yield f
                    after = f.seq
                    if f.event == COMPLETE:
                        return
                idle_since, block = time.monotonic(), wait_ms
                continue
            # Nothing new in Redis: the database is the truth.
            rows = await self.storage.read_events(run_id, after)
            for s, e, d in rows:
                yield Frame(s, e, d)
                after = s
                if e == COMPLETE:
                    return
            if rows:
                idle_since = time.monotonic()
                continue
            run = await self.storage.get_run_by_id(run_id)
            if run is None:
                return
            if run.status in TERMINAL_RUN_STATUSES:
                # Its final status commits just before its `complete` frame: a short grace, not an early end.
                grace = grace or time.monotonic() + COMPLETE_GRACE
                if time.monotonic() > grace:
                    return
                block = 50
            else:
                block = wait_ms
            if time.monotonic() - idle_since >= keepalive:
                idle_since = time.monotonic()
                yield None
            if entries is None:
                await asyncio.sleep(POLL_WITHOUT_REDIS)


def _seq(stream_id: bytes | str) -> int:
    raw = stream_id.decode() if isinstance(stream_id, bytes) else stream_id
    return int(raw.split("-", 1)[0])


def _frame(stream_id: bytes, fields: dict[bytes, bytes]) -> Frame:
    event = fields.get(b"e") or b""
    return Frame(_seq(stream_id), event.decode() or None, fields.get(b"d", b""))
