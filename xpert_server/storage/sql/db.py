"""Run storage operations off the event loop: writer threads with group commit, a pool of readers.

Each operation is a plain function of a (sync) SQLAlchemy connection, so it runs all its statements
without an await between them. A writer takes every operation queued while it was busy and runs them
in ONE transaction. Under load many requests share a commit; alone, a request pays for exactly one.

A batch first runs without savepoints (each costs two round trips on PostgreSQL). When one operation
fails (say an IntegrityError, or a ThreadBusy raised after its statements), the transaction is rolled
back and the batch runs again with that operation inside a SAVEPOINT, so its failure rolls back only its
own work; a batch that fails twice runs with a savepoint per operation. Operations must therefore be
safe to run again after a rollback (they are functions of the database, nothing else).

On PostgreSQL a second writer connection takes `write(fn, lane="frames")` (the event log's frames), so
a burst of accepted runs and the frames of running ones do not queue behind each other. Each lane keeps
its own order: the event log stores one batch at a time, so a run's frames still commit in id order.
On SQLite (one writer at a time anyway) every lane is the one writer.

`read_plain_rows` is the exception to "off the event loop": one small SELECT whose work is bounded (an
index range of a few rows), on SQLite, runs on the calling thread on a connection of its own. A hop to a
reader thread and back costs ~150-200 µs of CPU (a future, a thread wake-up, the GIL handed over and back,
a pool checkout, BEGIN and COMMIT); such a query costs ~15 µs. It never waits there: the connection's
busy timeout is 0, and a busy database, or the connection in use by another thread, sends the query the
usual way.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Select

log = logging.getLogger("xpert.storage")

T = TypeVar("T")
MAX_BATCH = 512
PG_READERS = 12


@dataclass(slots=True)
class _Job:
    fn: Callable[[Connection], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return  # the caller went away; its write still happened, like any accepted request
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class _Failed(Exception):
    """An operation of an unguarded batch raised: roll the transaction back, guard it, run again."""

    def __init__(self, index: int):
        self.index = index


class _Writer:
    """One writer thread and its connection, group-committing whatever was queued meanwhile."""

    def __init__(self, engine: Engine, name: str):
        self.engine = engine
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self.thread.start()

    def put(self, job: _Job | None) -> None:
        self.jobs.put(job)

    def _loop(self) -> None:
        conn: Connection | None = None
        while True:
            job = self.jobs.get()
            if job is None:
                break
            batch = [job]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    nxt = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            if conn is None or conn.closed or conn.invalidated:
                try:
                    conn = self.engine.connect()
                except Exception as e:  # noqa: BLE001 - no database: each caller gets the error, the thread lives
                    conn = None
                    for j in batch:
                        j.loop.call_soon_threadsafe(_settle, j.future, False, e)
                    if stop:
                        break
                    continue
            results = _run_batch(conn, batch)
            for j, (ok, value) in zip(batch, results, strict=True):
                j.loop.call_soon_threadsafe(_settle, j.future, ok, value)
            if stop:
                break
        if conn is not None:
            conn.close()


def _run_batch(conn: Connection, batch: list[_Job]) -> list[tuple[bool, Any]]:
    if len(batch) == 1:
        try:
            with conn.begin():
                return [(True, batch[0].fn(conn))]
        except Exception as e:  # noqa: BLE001 - handed to the caller, which decides
            return [(False, e)]
    guarded: set[int] | None = set()  # operations run inside a savepoint; None: all of them
    while True:
        results: list[tuple[bool, Any]] = []
        try:
            with conn.begin():
                for i, j in enumerate(batch):
                    if guarded is None or i in guarded:
                        try:
                            with conn.begin_nested():
                                results.append((True, j.fn(conn)))
                        except Exception as e:  # noqa: BLE001 - rolled back to its savepoint; the caller decides
                            results.append((False, e))
                        continue
                    try:
                        results.append((True, j.fn(conn)))
                    except Exception as e:
                        raise _Failed(i) from e
        except _Failed as f:
            # Rolled back whole: nothing of this attempt is committed. Again, that operation guarded.
            if guarded is None or guarded:
                guarded = None
            else:
                guarded.add(f.index)
            continue
        except Exception as e:
            log.exception("storage commit failed for a batch of %d", len(batch))
            return [(False, e)] * len(batch)
        return results


class ThreadedDB:
    def __init__(self, write_engine: Engine, read_engine: Engine, readers: int = 4):
        self.write_engine = write_engine
        self.read_engine = read_engine
        if write_engine.dialect.name != "sqlite":
            # A server's reads wait on the network (and, under load, on the GIL after each round trip):
            # more of them in flight, not more CPU. (SQLite reads are local calls: 4 suffice.)
            readers = max(readers, PG_READERS)
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="xpert-db-read")
        main = _Writer(write_engine, "xpert-db-write")
        self._lanes: dict[str, _Writer] = {"main": main}
        if write_engine.dialect.name != "sqlite":
            self._lanes["frames"] = _Writer(write_engine, "xpert-db-write-frames")
        # SQLite: one of the reader pool's connections kept for `read_plain_rows` (the pool has more than
        # the reader threads use), set up by the dialect's connect hook (WAL, pragmas, autocommit); taken
        # now, so the loop never waits for the pool. It must never wait for a lock either.
        self._inline: Any = None
        self._inline_fairy: Any = None
        self._inline_lock = threading.Lock()
        self._inline_sql: dict[Select[Any], tuple[str, tuple[str, ...]]] = {}
        if read_engine.dialect.name == "sqlite":
            self._inline_fairy = read_engine.raw_connection()
            self._inline = self._inline_fairy.dbapi_connection
            self._inline.execute("PRAGMA busy_timeout=0")

    async def write(self, fn: Callable[[Connection], T], lane: str = "main") -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        writer = self._lanes.get(lane) or self._lanes["main"]
        writer.put(_Job(fn, future, loop))
        return await future

    async def read(self, fn: Callable[[Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._readers, self._read_job, fn)

    def _read_job(self, fn: Callable[[Connection], T]) -> T:
        with self.read_engine.connect() as conn, conn.begin():
            return fn(conn)

    async def read_plain_rows(self, stmt: Select[Any], params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of one prebuilt SELECT (its SQL is kept per statement) of plain columns (text,
        integers, floats: no type processing applied), with scalar parameters (no expanding IN), whose
        work is bounded by an index: on SQLite on the calling thread (see the module's docstring),
        elsewhere as `read`. A lone SELECT in autocommit reads one snapshot, as a transaction would."""
        if self._inline is not None and self._inline_lock.acquire(blocking=False):
            try:
                sql, names = self._compiled(stmt)
                return self._inline.execute(sql, [params[n] for n in names]).fetchall()  # type: ignore[no-any-return]
            except sqlite3.OperationalError as e:  # busy or locked: the threaded read waits its turn
                log.debug("inline read fell back to a reader thread: %s", e)
            finally:
                self._inline_lock.release()
        return await self.read(lambda conn: [tuple(r) for r in conn.execute(stmt, params)])

    def _compiled(self, stmt: Select[Any]) -> tuple[str, tuple[str, ...]]:
        hit = self._inline_sql.get(stmt)
        if hit is None:
            compiled = stmt.compile(dialect=self.read_engine.dialect)
            hit = (compiled.string, tuple(compiled.positiontup or ()))
            self._inline_sql[stmt] = hit
        return hit

    def close(self) -> None:
        for writer in self._lanes.values():
            writer.put(None)
        for writer in self._lanes.values():
            writer.thread.join(timeout=10)
        self._readers.shutdown(wait=True)
        with self._inline_lock:
            if self._inline is not None:
                self._inline_fairy.invalidate()  # closed, not handed back with its busy timeout of 0
                self._inline = None
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()
