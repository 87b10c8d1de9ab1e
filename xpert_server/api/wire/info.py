"""`/ok` and `/info`: liveness, mode, queue depth, live workers and health checks."""

from __future__ import annotations

from xpert_server.api.wire.base import Number, Wire


class Probe(Wire):
    """One health check: `latencyMs` when it answered, `error` when it did not."""

    ok: bool
    latencyMs: Number | None = None
    error: str | None = None


class Health(Wire):
    database: Probe
    redis: Probe | None  # null when not scaled (no Redis)


class ProcessInfo(Wire):
    id: str
    kind: str


class QueueCounts(Wire):
    wait: int
    ready: int
    lease: int
    local: int


class Info(Wire):
    mode: str
    version: str
    database: str
    queueDepth: int
    queue: QueueCounts
    workersAlive: int
    processesAlive: int
    process: ProcessInfo | None
    health: Health
