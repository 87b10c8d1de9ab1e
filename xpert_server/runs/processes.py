"""Live processes: each server or worker has a `workers` row it refreshes (a heartbeat) while it lives.

Liveness is what lets several processes share one database safely: a process starting never ends the
runs of one that is alive (embedded recovery), and `/info` can count the workers. A row whose heartbeat is
older than `STALE_AFTER` is dead; on this host a row whose pid is gone (or reused: the start time differs)
is dead at once, so a server restarted after a SIGKILL ends its predecessor's runs immediately.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import Any

from xpert_server import __version__
from xpert_server.encoding import new_id
from xpert_server.storage import SQLStorage

log = logging.getLogger("xpert.scale")

HOST = socket.gethostname()
HEARTBEAT = 5.0
STALE_AFTER = 20.0
PRUNE_AFTER = 3600.0


def proc_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc), to tell a reused pid from its first owner."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            # Field 22; the command name (field 2) may contain spaces, so count from its closing ')'.
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def is_alive(row: Any, now: float | None = None) -> bool:
    now = time.time() if now is None else now
    if now - float(row.heartbeat_at) > STALE_AFTER:
        return False
    if row.host == HOST:
        try:
            os.kill(int(row.pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass  # another user's process, alive
        started = proc_start(int(row.pid))
        if row.proc_start and started and started != row.proc_start:
            return False
    return True


def process_id(kind: str) -> str:
    """This process's id: its `workers` row, its runs' `local` queue rows, a worker's leases."""
    return f"{kind}-{HOST[:24]}-{os.getpid()}-{new_id()[-8:]}"


class ProcessRegistry:
    """This process's `workers` row: registered at start, refreshed every `interval`, removed at stop.
    `running` counts the runs this process executes (its run queue's), shown in the row."""

    def __init__(
        self,
        storage: SQLStorage,
        kind: str,
        *,
        id: str,
        running: Callable[[], int],
        concurrency: int = 0,
        interval: float = HEARTBEAT,
    ):
        self.storage = storage
        self.kind = kind
        self.id = id
        self.running = running
        self.concurrency = concurrency
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def row(self) -> dict[str, Any]:
        now = time.time()
        return {
            "id": self.id,
            "kind": self.kind,
            "host": HOST,
            "pid": os.getpid(),
            "proc_start": proc_start(os.getpid()),
            "concurrency": self.concurrency,
            "running": 0,
            "version": __version__,
            "started_at": now,
            "heartbeat_at": now,
        }

    async def start(self) -> None:
        await self.storage.register_process(self.row())
        self._task = asyncio.create_task(self._loop(), name="process-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        with contextlib.suppress(Exception):
            await self.storage.deregister_process(self.id)

    async def beat(self) -> None:
        if await self.storage.heartbeat(self.id, self.running()) is None:
            await self.storage.register_process(self.row())  # pruned while we stalled: we are back

    async def _loop(self) -> None:
        last_prune = 0.0
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.beat()
                if time.monotonic() - last_prune > 600:
                    last_prune = time.monotonic()
                    await self.storage.prune_processes(time.time() - PRUNE_AFTER)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("heartbeat failed; retrying")

    async def alive(self, kinds: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        now = time.time()
        rows = await self.storage.list_processes()
        return [r for r in rows if (kinds is None or r["kind"] in kinds) and is_alive(_Row(r), now)]


class _Row:
    def __init__(self, d: dict[str, Any]):
        self.__dict__.update(d)
