"""Which run components a process gets, by settings alone (handlers and services never ask).

Embedded (no redis_url): the event log in memory + the database, runs executed here as they are accepted.
Scaled (redis_url): the event log also in Redis streams, runs queued in the database for workers; this
process runs a worker only as `xpert worker` or with `with_worker`.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from redis.asyncio import Redis

from xpert_server.agents.provider import GraphProvider
from xpert_server.config import Settings
from xpert_server.limits.rate import RateLimiter
from xpert_server.runs.checkpoint import Checkpointer
from xpert_server.runs.eventlog import EventLog, LocalEventLog
from xpert_server.runs.executor import Executor
from xpert_server.runs.inprocess import InProcessQueue
from xpert_server.runs.input import AttachmentResolver
from xpert_server.runs.processes import ProcessRegistry, is_alive, process_id
from xpert_server.runs.recovery import recover_orphaned_runs
from xpert_server.runs.service import RunService
from xpert_server.storage import SQLStorage
from xpert_server.telemetry import Tracing

if TYPE_CHECKING:  # scaled mode's modules are imported only when it is chosen
    from xpert_server.runs.worker import Worker

log = logging.getLogger("xpert.scale")

Role = Literal["api", "worker"]


@dataclass
class RunsWiring:
    events: EventLog
    runs: RunService
    registry: ProcessRegistry
    worker: Worker | None = None
    limiter: RateLimiter | None = None
    redis: Redis | None = None

    async def start_worker(self) -> None:
        if self.worker is not None:
            await self.worker.start()

    async def stop_worker(self) -> None:
        if self.worker is not None:
            await self.worker.stop()

    async def close(self) -> None:
        await self.registry.stop()
        if self.redis is not None:
            with contextlib.suppress(Exception):
                await self.redis.aclose()


def _warn_unshared(settings: Settings) -> None:
    """Uploaded bytes and signed file URLs must be the same in every process of a deployment."""

    def given(name: str) -> bool:
        return getattr(settings, name) is not None

    if not given("files_dir"):
        log.warning(
            "scaled mode without XPERT_FILES_DIR: uploads go to %s, which other processes must share "
            "(or set XPERT_FILES_DIR to a folder they all mount)",
            settings.data_dir / "files",
        )
    if not given("file_url_secret"):
        log.warning(
            "scaled mode without XPERT_FILE_URL_SECRET: file URLs signed here verify only in processes "
            "sharing the data dir %s",
            settings.data_dir,
        )
    if not given("connections_secret"):
        log.warning(
            "scaled mode without XPERT_CONNECTIONS_SECRET: org connections' secrets stored here open only "
            "in processes sharing the data dir %s",
            settings.data_dir,
        )


def process_kind(settings: Settings, role: Role) -> str:
    if not settings.scaled:
        return "embedded"
    if role == "worker":
        return "worker"
    return "api+worker" if settings.with_worker else "api"


WORKER_KINDS = ("embedded", "worker", "api+worker")


async def start_runs(
    storage: SQLStorage,
    settings: Settings,
    graphs: GraphProvider,
    checkpointer: Checkpointer,
    role: Role = "api",
    attachments: AttachmentResolver | None = None,
    tracing: Tracing | None = None,
) -> RunsWiring:
    kind = process_kind(settings, role)
    tracing = tracing or Tracing()
    if settings.scaled:
        return await _start_scaled(storage, settings, graphs, checkpointer, role, kind, attachments, tracing)
    pid = process_id(kind)
    events = LocalEventLog(storage)
    executor = Executor(storage, events, graphs, settings.run_timeout, tracing=tracing)
    queue = InProcessQueue(storage, events, executor, process_id=pid)
    runs = RunService(
        storage,
        events,
        queue,
        run_timeout=settings.run_timeout,
        checkpointer=checkpointer,
        attachments=attachments,
        keepalive=settings.keepalive_interval,
        tracing=tracing,
    )
    registry = ProcessRegistry(
        storage, kind, id=pid, running=queue.running, concurrency=_concurrency(settings, kind)
    )
    await events.start()
    await registry.start()
    # Only runs no live process holds: a second server on this database leaves the first one's alone.
    await recover_orphaned_runs(storage, events, is_alive)
    return RunsWiring(events, runs, registry)


def _concurrency(settings: Settings, kind: str) -> int:
    return settings.worker_concurrency if kind in WORKER_KINDS else 0


async def _start_scaled(
    storage: SQLStorage,
    settings: Settings,
    graphs: GraphProvider,
    checkpointer: Checkpointer,
    role: Role,
    kind: str,
    attachments: AttachmentResolver | None,
    tracing: Tracing,
) -> RunsWiring:
    from xpert_server.limits.redis_rate import RedisRateLimiter
    from xpert_server.runs.broker import Keys, Signals, connect_redis
    from xpert_server.runs.durable import DurableQueue
    from xpert_server.runs.redis_events import RedisEventLog
    from xpert_server.runs.runner import Runner
    from xpert_server.runs.worker import Worker

    assert settings.redis_url
    _warn_unshared(settings)
    pid = process_id(kind)
    redis = connect_redis(settings.redis_url)
    keys = Keys(settings.redis_prefix)
    events = RedisEventLog(storage, redis, keys, maxlen=settings.stream_maxlen, ttl=settings.stream_ttl)
    signals = Signals(redis, keys)
    runner = Runner(
        storage,
        events,
        graphs,
        checkpointer,
        signals,
        worker_id=pid,
        lease_seconds=settings.lease_seconds,
        run_timeout=settings.run_timeout,
        attachments=attachments,
        tracing=tracing,
    )
    queue = DurableQueue(storage, events, runner, signals, queue=settings.redis_prefix)
    runs = RunService(
        storage,
        events,
        queue,
        run_timeout=settings.run_timeout,
        checkpointer=checkpointer,
        attachments=attachments,
        keepalive=settings.keepalive_interval,
        tracing=tracing,
    )
    worker = Worker(storage, runner, signals, settings) if role == "worker" or settings.with_worker else None
    registry = ProcessRegistry(
        storage, kind, id=pid, running=queue.running, concurrency=_concurrency(settings, kind)
    )
    await events.start()
    await registry.start()
    # Runs left by embedded processes (no queue); queued and leased runs are the workers' reapers' business.
    await recover_orphaned_runs(storage, events, is_alive)
    return RunsWiring(
        events, runs, registry, worker=worker, limiter=RedisRateLimiter(redis, keys), redis=redis
    )
