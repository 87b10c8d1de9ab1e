"""`GET {prefix}/info` (public: no secrets, for load balancers and status pages) and `GET {prefix}/metrics`
(Prometheus text; an API key, unless XPERT_METRICS_PUBLIC=1).

Run and queue counts come from the database, so they are the deployment's; request latency and open
streams are this process's (Prometheus scrapes each process).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import text
from starlette.responses import PlainTextResponse

from xpert_server import __version__
from xpert_server.api.deps import get_principal, get_services
from xpert_server.api.metrics import RequestMetrics, label_value
from xpert_server.api.wire.info import Info
from xpert_server.auth.principal import DEFAULT_ORG
from xpert_server.errors import Forbidden
from xpert_server.runs.wiring import WORKER_KINDS
from xpert_server.services import Services

router = APIRouter(tags=["health"])
metrics_router = APIRouter(tags=["health"])


HEALTH_TIMEOUT = 2.0


async def health_of(services: Services) -> dict[str, Any]:
    """Whether this process reaches its database and (scaled mode) Redis now, each within 2 s."""

    async def database() -> None:
        await services.storage.read(lambda conn: conn.execute(text("SELECT 1")))

    async def redis() -> None:
        assert services.wiring is not None and services.wiring.redis is not None
        await services.wiring.redis.ping()

    wiring = services.wiring
    has_redis = wiring is not None and wiring.redis is not None
    checks = [_probe(database()), _probe(redis()) if has_redis else _none()]
    db, rd = await asyncio.gather(*checks)
    return {"database": db, "redis": rd}


async def _probe(check: Awaitable[None]) -> dict[str, Any]:
    started = time.monotonic()
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await check
    except Exception as e:  # noqa: BLE001 - any failure is "not healthy", said in one line
        reason = "no answer within 2 s" if isinstance(e, TimeoutError) else (str(e).splitlines() or [""])[0]
        return {"ok": False, "error": f"{type(e).__name__}: {reason}"[:300]}
    return {"ok": True, "latencyMs": round((time.monotonic() - started) * 1000, 1)}


async def _none() -> None:
    return None


async def snapshot_of(services: Services) -> dict[str, Any]:
    queue = await services.storage.queue_counts(
        services.settings.redis_prefix if services.settings.scaled else None
    )
    wiring = services.wiring
    alive = await wiring.registry.alive() if wiring is not None else []
    return {
        "mode": "scaled" if services.settings.scaled else "embedded",
        "queue": {state: queue.get(state, 0) for state in ("wait", "ready", "lease", "local")},
        "alive": alive,
        "process": {"id": wiring.registry.id, "kind": wiring.registry.kind} if wiring is not None else None,
    }


@router.get(
    "/info", summary="Mode, version, queue depth and live workers (no credential)", response_model=Info
)
async def info(request: Request) -> dict[str, Any]:
    services = get_services(request)
    health = await health_of(services)
    snap = await snapshot_of(services) if health["database"]["ok"] else _UNKNOWN
    workers = [w for w in snap["alive"] if w["kind"] in WORKER_KINDS]
    return {
        "mode": "scaled" if services.settings.scaled else "embedded",
        "version": __version__,
        "database": services.storage.dialect.name,
        "queueDepth": snap["queue"]["wait"] + snap["queue"]["ready"],
        "queue": snap["queue"],
        "workersAlive": len(workers),
        "processesAlive": len(snap["alive"]),
        "process": snap["process"],
        "health": health,  # {"database": {ok, latencyMs | error}, "redis": the same, or null when not scaled}
    }


# What /info says of the queue while the database does not answer (it still answers, with health).
_UNKNOWN: dict[str, Any] = {
    "queue": {"wait": 0, "ready": 0, "lease": 0, "local": 0},
    "alive": [],
    "process": None,
}


METRICS_ARE_THE_OPERATORS = (
    "Metrics are the operator's: use an admin key of the default org (XPERT_API_KEY), or set "
    "XPERT_METRICS_PUBLIC=1."
)


@metrics_router.get(
    "/metrics",
    summary="Prometheus metrics (an API key unless XPERT_METRICS_PUBLIC=1)",
    response_class=PlainTextResponse,
)
async def metrics(request: Request) -> PlainTextResponse:
    services = get_services(request)
    if not services.settings.metrics_public:
        # The deployment's numbers (every org's runs, tokens and requests) are the operator's: an admin key
        # of the operator's own org, never another tenant's key.
        principal = await get_principal(request)
        if principal.kind != "key" or not principal.is_admin or principal.org_id != DEFAULT_ORG:
            raise Forbidden(METRICS_ARE_THE_OPERATORS)
    snap = await snapshot_of(services)
    runs = await services.storage.run_counts()
    lines = [
        "# HELP xpert_runs Runs by status (the deployment's, from the database).",
        "# TYPE xpert_runs gauge",
        *(
            f'xpert_runs{{status="{s}"}} {runs.get(s, 0)}'
            for s in sorted({"pending", "running", "success", "error", "timeout", "interrupted", *runs})
        ),
        "# HELP xpert_queue_depth Runs waiting for a worker (ready) or for their thread (wait).",
        "# TYPE xpert_queue_depth gauge",
        f"xpert_queue_depth {snap['queue']['wait'] + snap['queue']['ready']}",
        "# HELP xpert_queue_runs Live runs by queue state (wait, ready, lease, local).",
        "# TYPE xpert_queue_runs gauge",
        *(f'xpert_queue_runs{{state="{s}"}} {n}' for s, n in snap["queue"].items()),
        "# HELP xpert_workers_alive Processes executing runs, by heartbeat.",
        "# TYPE xpert_workers_alive gauge",
        f"xpert_workers_alive {sum(1 for w in snap['alive'] if w['kind'] in WORKER_KINDS)}",
        "# HELP xpert_info This process.",
        "# TYPE xpert_info gauge",
        f'xpert_info{{version="{__version__}",mode="{snap["mode"]}",'
        f'kind="{(snap["process"] or {}).get("kind", "")}"}} 1',
    ]
    tokens = await services.storage.usage_by_model()
    lines += [
        "# HELP xpert_tokens_total Tokens models reported, by model and direction (the deployment's).",
        "# TYPE xpert_tokens_total counter",
        *(
            f'xpert_tokens_total{{model="{label_value(model)}",direction="{direction}"}} {count}'
            for model, spent_in, spent_out in tokens
            for direction, count in (("input", spent_in), ("output", spent_out))
        ),
    ]
    request_metrics: RequestMetrics = request.app.state.request_metrics
    lines.extend(request_metrics.render())
    return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")
