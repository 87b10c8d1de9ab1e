"""Run storage operations off the event loop: one writer thread with group commit, a pool of readers.

Each operation is a plain function of a (sync) SQLAlchemy connection, so it runs all its statements
without an await between them. The writer takes every operation queued while it was busy and runs them
in ONE transaction, each inside a SAVEPOINT so one failure (say an IntegrityError) rolls back only its
own operation. Under load many requests share a commit; alone, a request pays for exactly one.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

log = logging.getLogger("xpert.storage")

T = TypeVar("T")
MAX_BATCH = 512


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


class ThreadedDB:
    def __init__(self, write_engine: Engine, read_engine: Engine, readers: int = 4):
        self.write_engine = write_engine
        self.read_engine = read_engine
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._readers = ThreadPoolExecutor(readers, thread_name_prefix="xpert-db-read")
        self._writer = threading.Thread(target=self._write_loop, name="xpert-db-write", daemon=True)
        self._writer.start()

    async def write(self, fn: Callable[[Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._jobs.put(_Job(fn, future, loop))
        return await future

    async def read(self, fn: Callable[[Connection], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._readers, self._read_job, fn)

    def _read_job(self, fn: Callable[[Connection], T]) -> T:
        with self.read_engine.connect() as conn, conn.begin():
            return fn(conn)

    def close(self) -> None:
        self._jobs.put(None)
        self._writer.join(timeout=10)
        self._readers.shutdown(wait=True)
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()

    def _write_loop(self) -> None:
        conn: Connection | None = None
        while True:
            job = self._jobs.get()
            if job is None:
                break
            batch = [job]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    nxt = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stop = True
                    break
                batch.append(nxt)
            if conn is None or conn.closed or conn.invalidated:
                conn = self.write_engine.connect()
            results = self._run_batch(conn, batch)
            for j, (ok, value) in zip(batch, results, strict=True):
                j.loop.call_soon_threadsafe(_settle, j.future, ok, value)
            if stop:
                break
        if conn is not None:
            conn.close()

    @staticmethod
    def _run_batch(conn: Connection, batch: list[_Job]) -> list[tuple[bool, Any]]:
        results: list[tuple[bool, Any]] = []
        try:
            if len(batch) == 1:
                try:
                    with conn.begin():
                        results.append((True, batch[0].fn(conn)))
                except Exception as e:  # noqa: BLE001 - handed to the caller, which decides
                    results.append((False, e))
                return results
            with conn.begin():
                for j in batch:
                    try:
                        with conn.begin_nested():
                            results.append((True, j.fn(conn)))
                    except Exception as e:  # noqa: BLE001 - rolled back to its savepoint; the caller decides
                        results.append((False, e))
        except Exception as e:
            log.exception("storage commit failed for a batch of %d", len(batch))
            return [(False, e)] * len(batch)
        return results
