"""The console's own shapes: its session, and the run statistics its overview draws."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from xpert_server.api.wire.base import Wire
from xpert_server.api.wire.info import Health, QueueCounts


class ConsoleSession(Wire):
    org_id: str
    key_id: str  # the admin key it was made from (revoking that key ends the session)
    role: str  # `admin`, or `operator` (the System page only)
    expires_at: str | None
    # Sent back in `x-xpert-csrf` with every request the page makes with its cookie (auth/console.py).
    csrf_token: str


class ConsoleSignedOut(Wire):
    success: bool


class StatsFigures(Wire):
    runs: int
    errors: int  # ended in `error` or `timeout`
    p50_ms: float | None  # run latency (created → ended), nearest rank; None without runs
    p95_ms: float | None
    input_tokens: int
    output_tokens: int


class StatsBucket(StatsFigures):
    start: str  # the bucket's first instant (UTC, ISO-8601)


class XpertStats(StatsFigures):
    xpert_id: str
    name: str | None  # None for an xpert deleted since
    runs_series: list[int]  # runs per bucket, aligned with `buckets`


class ModelStats(Wire):
    model: str
    runs: int
    input_tokens: int
    output_tokens: int
    tokens_series: list[int]  # input + output tokens per bucket, aligned with `buckets`


class RunStats(Wire):
    org_id: str
    xpert_id: str | None
    bucket: str  # `hour` or `day`
    # False when the period held more runs (or usage rows) than one overview reads: the newest were counted.
    complete: bool
    since: str
    until: str
    totals: StatsFigures
    buckets: list[StatsBucket]
    xperts: list[XpertStats]
    models: list[ModelStats]


class OrgSummary(Wire):
    id: str
    name: str | None
    created_at: str | None
    xperts: int
    keys: int  # active (not revoked)
    threads: int


class SettingValue(Wire):
    name: str
    env: str  # its environment variable
    value: Any  # secrets masked (console_system.py)


class SystemProcess(Wire):
    model_config = ConfigDict(extra="allow")
    id: str
    kind: str


class SystemInfo(Wire):
    """The operator's System page: the server, not an org."""

    mode: str  # embedded | scaled
    version: str
    database: str  # sqlite | postgresql
    database_url: str  # its password masked
    redis_url: str | None
    health: Health
    queue_depth: int  # runs waiting for a worker (wait + ready)
    queue: QueueCounts
    workers_alive: int
    processes: list[SystemProcess]
    orgs: list[OrgSummary]
    settings: list[SettingValue]
