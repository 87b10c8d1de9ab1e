"""`create_app(settings)`: the FastAPI app of one process: routers and middleware. Its components are
built by the composition root (compose.py) when the app starts."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from xpert_server import __version__, heap
from xpert_server.api import (
    assistant_graph,
    assistants,
    chatkit,
    connections,
    console,
    console_pages,
    contexts,
    conversations,
    crons,
    demo,
    health,
    history,
    info,
    keys,
    knowledges,
    lgthreads,
    messages,
    runs,
    stateless,
    store,
    threads,
    usage,
    webhooks,
    widget,
)
from xpert_server.api.access import AccessMiddleware
from xpert_server.api.cors import install_cors
from xpert_server.api.docs import install_docs
from xpert_server.api.metrics import MetricsMiddleware, RequestMetrics
from xpert_server.api.openapi import ERROR_RESPONSES, install_openapi
from xpert_server.clock import Clock, system_clock
from xpert_server.compose import build_interruptibly
from xpert_server.config import Settings
from xpert_server.crons.scheduler import CronScheduler
from xpert_server.encoding import JSONResponse
from xpert_server.errors import install_error_handlers
from xpert_server.limits.body import BodyLimitMiddleware
from xpert_server.limits.jsonbody import JSONBodyMiddleware
from xpert_server.limits.streams import StreamSlots
from xpert_server.telemetry import Tracing

log = logging.getLogger("xpert")


def create_app(
    settings: Settings | None = None, *, clock: Clock = system_clock, tracing: Tracing | None = None
) -> FastAPI:
    settings = settings or Settings.from_env()
    prefix = settings.api_prefix.rstrip("/")
    # Before the app exists: its outermost middleware is the request span, when tracing is on.
    tracing = tracing or Tracing.from_env(settings.trace_content)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_interruptibly(settings, clock, tracing)
        # Every API process looks for due crons; one of them fires each tick (crons/scheduler.py). Their
        # runs start as a POST's would: the scheduler is given the API's way to start one.
        services.crons = CronScheduler(services, crons.start_cron_run)
        services.crons.start()
        app.state.services = services
        # What start-up built (modules, graphs, the routes, the services) lives as long as the process: out
        # of the collector's sight, so its full collections walk only what requests leave, not ~250k
        # objects each time (measured: ~3% of a thread create's CPU went to the collector). Thawed at shutdown.
        gc.collect()
        gc.freeze()
        log.info("xpert-server %s ready: %s (%s)", __version__, prefix, services.storage.dialect.name)
        try:
            yield
        finally:
            gc.unfreeze()  # what this app held may now be garbage (a test process starts many apps)
            await services.close()

    app = FastAPI(
        title="xpert-server AI API",
        version=__version__,
        description="XpertAI-compatible AI API: xperts (assistants), threads, runs, conversations, files.",
        docs_url=None,  # served by api/docs.py, with local assets
        redoc_url=None,
        openapi_url=f"{prefix}/openapi.json",
        default_response_class=JSONResponse,
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry hooks look up the global providers on every request (reading
        # os.environ three times). The request span is ours (telemetry.py, below), on its own provider.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    install_error_handlers(app)
    install_openapi(app)
    for router in (
        info.metrics_router,
        health.router,
        info.router,
        assistants.router,
        assistant_graph.router,
        threads.router,
        history.router,
        crons.router,
        runs.router,
        lgthreads.router,
        stateless.router,
        conversations.router,
        messages.router,
        store.router,
        chatkit.router,
        contexts.router,
        knowledges.router,
        keys.router,
        connections.router,
        webhooks.router,
        usage.router,
        console.router,
    ):
        include_flat(app, router, prefix, ERROR_RESPONSES)
    install_docs(app, prefix)
    app.include_router(widget.router)
    app.include_router(console_pages.router)
    if demo.demo_enabled(settings):
        app.include_router(demo.router)
    app.add_middleware(JSONBodyMiddleware)  # inside the size limit: it reads only bodies that fit
    app.add_middleware(
        BodyLimitMiddleware, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    install_cors(app, settings)
    app.state.request_metrics = RequestMetrics()
    app.state.stream_slots = StreamSlots(settings.max_streams_per_credential)
    app.add_middleware(MetricsMiddleware, metrics=app.state.request_metrics)
    app.add_middleware(AccessMiddleware)  # outside the metrics: HEAD is counted as the GET it runs
    if tracing.enabled:
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        # Its span is the parent of everything the request does; a caller's `traceparent` is its parent.
        app.add_middleware(OpenTelemetryMiddleware, tracer_provider=tracing.provider)
    return app


def serves_demo(settings: Settings) -> bool:
    """Whether the app serves the demo page at `/` (what the start-up banner shows)."""
    return demo.demo_enabled(settings)


def include_flat(app: FastAPI, router: APIRouter, prefix: str, responses: dict[int | str, Any]) -> None:
    """Add a router's routes to the app's own route list.

    FastAPI 0.16x keeps included routers as a tree that every request walks again (measured: ~0.7 ms
    per request with our ~80 routes, more than a thread create's database work); a flat list of
    routes matches in a fraction of that, with the same paths, responses and OpenAPI.
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"only API routes can be flattened, not {type(route).__name__}")
        app.router.add_api_route(
            prefix + route.path,
            route.endpoint,
            response_model=route.response_model,
            # The wire models describe; the handler's dict decides which keys are sent (a field a shape
            # omits, such as `__error__` on a run that did not fail, is not sent as null).
            response_model_exclude_unset=True,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses={**responses, **route.responses},
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            openapi_extra=route.openapi_extra,
        )


def configure_logging(level: str) -> None:
    """Logging of a server process. aiosqlite logs every statement with its parameters at debug level (the
    messages of every conversation, whatever users paste in them): it never logs below info."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiosqlite").setLevel(max(logging.getLogger().getEffectiveLevel(), logging.INFO))


def app_from_env() -> FastAPI:
    """The app of one of `xpert serve --workers N`'s processes (uvicorn factory): settings from XPERT_* only."""
    heap.tune()  # a spawned process: glibc's arenas are its own
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)
