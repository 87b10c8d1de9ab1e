"""`create_app(settings)`: wires storage, auth and the API routers for one process."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import psycopg
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError

from xpert_server import __version__
from xpert_server.agents.provider import GraphProvider
from xpert_server.agents.registry import demo_path, load_dir_into, load_file_into
from xpert_server.api import (
    assistant_graph,
    assistants,
    chatkit,
    contexts,
    conversations,
    demo,
    health,
    history,
    info,
    keys,
    knowledges,
    runs,
    stateless,
    store,
    threads,
    widget,
)
from xpert_server.api.cors import install_cors
from xpert_server.api.jsonbody import JSONBodyMiddleware
from xpert_server.api.limits import BodyLimitMiddleware
from xpert_server.api.metrics import MetricsMiddleware, RequestMetrics
from xpert_server.api.openapi import ERROR_RESPONSES, install_openapi
from xpert_server.api.streams import StreamSlots
from xpert_server.auth.authenticator import Authenticator
from xpert_server.auth.keys import generate_key, hash_credential, key_hint
from xpert_server.auth.principal import DEFAULT_ORG
from xpert_server.auth.ratelimit import request_limits
from xpert_server.config import Settings
from xpert_server.encoding import JSONResponse
from xpert_server.errors import install_error_handlers
from xpert_server.knowledge.retriever import bind as bind_retriever
from xpert_server.knowledge.wiring import start_knowledge
from xpert_server.runs.checkpoint import open_checkpointer
from xpert_server.runs.memory import OrgStore
from xpert_server.runs.recovery import Sweeper
from xpert_server.runs.wiring import Role, start_runs
from xpert_server.services import Services
from xpert_server.startup import StartupError, interruptible, preflight
from xpert_server.storage import SQLStorage, create_storage
from xpert_server.storage.records import AlreadyExists

log = logging.getLogger("xpert")
T = TypeVar("T")


async def bootstrap_keys(storage: SQLStorage, settings: Settings) -> str | None:
    """Register `XPERT_API_KEY` verbatim; with no key at all, create one. Returns a newly created key."""
    await storage.ensure_org(DEFAULT_ORG, "Default")
    if settings.api_key:
        if await storage.find_api_key(hash_credential(settings.api_key)) is None:
            await storage.create_api_key(
                DEFAULT_ORG, hash_credential(settings.api_key), key_hint(settings.api_key), name="XPERT_API_KEY",
                role="admin",
            )
            log.info("registered XPERT_API_KEY (%s) for org %s", key_hint(settings.api_key), DEFAULT_ORG)
        return None
    if await storage.count_api_keys() > 0:
        return None
    key = generate_key()
    # The bootstrap key is its org's admin: whoever started the server is its operator.
    await storage.create_api_key(DEFAULT_ORG, hash_credential(key), key_hint(key), name="first start", role="admin")
    return key


async def _settled(step: Callable[[], Awaitable[T]]) -> T:
    """A start step that processes starting together on one database may race (two insert the same key or
    xpert, two create the checkpointer's tables): the loser tries once more and finds the winner's rows."""
    try:
        return await step()
    except (IntegrityError, psycopg.IntegrityError, AlreadyExists):
        await asyncio.sleep(0.3)
        return await step()


async def start_services(settings: Settings, role: Role = "api") -> Services:
    """Every component of one process. `role="worker"`: `xpert worker` (no HTTP; executes runs)."""
    storage = create_storage(settings.resolved_database_url)
    await storage.open()
    created_key = await _settled(lambda: bootstrap_keys(storage, settings))
    if created_key and settings.announce_key:
        # Printed once, to the console only: it is stored hashed and cannot be shown again.
        print(
            f"\n  No API key was configured, so one was created for org '{DEFAULT_ORG}' (shown only once):\n\n"
            f"    {created_key}\n\n  export XPERTAI_API_KEY={created_key}\n",
            file=sys.stderr,
            flush=True,
        )
    if storage.created:
        await load_file_into(storage, demo_path())
    if settings.xperts_dir is not None:
        xperts_dir = settings.xperts_dir
        await _settled(lambda: load_dir_into(storage, xperts_dir))
    checkpointer = await _settled(lambda: open_checkpointer(settings))
    graphs = GraphProvider(checkpointer.saver, settings, store=OrgStore(storage), storage=storage)
    wiring = await start_runs(storage, settings, graphs, checkpointer, role)  # embedded or scaled, by settings
    events, runs = wiring.events, wiring.runs
    sweeper = Sweeper(storage, settings.frame_retention)
    sweeper.start()
    files, knowledge = await start_knowledge(storage, settings)
    runs.attachments = files.attachments
    graphs.retriever = bind_retriever(knowledge)  # type: ignore[attr-defined]
    await wiring.start_worker()
    auth = Authenticator(storage, request_limits(settings, wiring.limiter))
    return Services(settings=settings, storage=storage, auth=auth, checkpointer=checkpointer,
                    graphs=graphs, events=events, runs=runs, sweeper=sweeper, files=files, knowledge=knowledge,
                    wiring=wiring)


async def start_interruptibly(settings: Settings) -> Services:
    """`start_services`, stopped by SIGTERM/SIGINT at any step (uvicorn only flags signals until start-up
    ends), and failing with one line (StartupError) instead of a driver's traceback."""
    try:
        with interruptible():
            await preflight(settings)
            return await start_services(settings)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is None or not task.cancelling():
            raise
        task.uncancel()
        raise StartupError("Start-up interrupted by a signal.") from None


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    prefix = settings.api_prefix.rstrip("/")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await start_interruptibly(settings)
        app.state.services = services
        log.info("xpert-server %s ready: %s (%s)", __version__, prefix, services.storage.dialect.name)
        try:
            yield
        finally:
            await services.close()

    app = FastAPI(
        title="xpert-server AI API",
        version=__version__,
        description="XpertAI-compatible AI API: xperts (assistants), threads, runs, conversations, files.",
        docs_url=f"{prefix}/docs",
        redoc_url=None,
        openapi_url=f"{prefix}/openapi.json",
        default_response_class=JSONResponse,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_openapi(app)
    for router in (info.metrics_router, health.router, info.router, assistants.router, assistant_graph.router,
                   threads.router, history.router, runs.router, stateless.router, conversations.router,
                   store.router, chatkit.router, contexts.router, knowledges.router, keys.router):
        include_flat(app, router, prefix, ERROR_RESPONSES)
    app.include_router(widget.router)
    if demo.demo_enabled(settings):
        app.include_router(demo.router)
    app.add_middleware(JSONBodyMiddleware)  # inside the size limit: it reads only bodies that fit
    app.add_middleware(BodyLimitMiddleware, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes)
    install_cors(app, settings)
    app.state.request_metrics = RequestMetrics()
    app.state.stream_slots = StreamSlots(settings.max_streams_per_credential)
    app.add_middleware(MetricsMiddleware, metrics=app.state.request_metrics)
    return app


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
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    return create_app(settings)
