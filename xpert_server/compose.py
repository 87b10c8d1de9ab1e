"""The composition root: every component of one process, built from `Settings`, each given its
dependencies in its constructor. `create_app` (app.py), `xpert worker` and `xpert serve --workers N`'s
warm-up all start a process through `build_services`.

Order: storage and the first key; xperts; the checkpointer; files and knowledge (built, not started, so
the graph provider gets its retriever); connections (the operator's file, the secrets' key); the run components of the mode (runs/wiring.py); then the
sweeper, knowledge workers and the run worker start.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

import psycopg
from sqlalchemy.exc import IntegrityError

from xpert_server.agents.provider import GraphProvider
from xpert_server.agents.registry import demo_path, load_dir_into, load_file_into
from xpert_server.auth.authenticator import Authenticator
from xpert_server.auth.keys import generate_key, hash_credential, key_hint
from xpert_server.auth.principal import DEFAULT_ORG
from xpert_server.clock import Clock, system_clock
from xpert_server.config import Settings
from xpert_server.connections.wiring import build_connections, load_operator
from xpert_server.knowledge.retriever import bind as bind_retriever
from xpert_server.knowledge.wiring import build_knowledge, start_knowledge
from xpert_server.limits.rate import request_limits
from xpert_server.runs.checkpoint import open_checkpointer
from xpert_server.runs.recovery import Sweeper
from xpert_server.runs.store import OrgStore
from xpert_server.runs.wiring import Role, start_runs
from xpert_server.services import Services
from xpert_server.startup import StartupError, interruptible, preflight
from xpert_server.storage import SQLStorage, create_storage
from xpert_server.storage.records import AlreadyExists
from xpert_server.telemetry import Tracing
from xpert_server.webhooks.wiring import build_webhooks

log = logging.getLogger("xpert")
T = TypeVar("T")


async def bootstrap_keys(storage: SQLStorage, settings: Settings) -> str | None:
    """Register `XPERT_API_KEY` verbatim; with no key at all, create one. Returns a newly created key."""
    await storage.ensure_org(DEFAULT_ORG, "Default")
    if settings.api_key:
        if await storage.find_api_key(hash_credential(settings.api_key)) is None:
            await storage.create_api_key(
                DEFAULT_ORG,
                hash_credential(settings.api_key),
                key_hint(settings.api_key),
                name="XPERT_API_KEY",
                role="admin",
            )
            log.info("registered XPERT_API_KEY (%s) for org %s", key_hint(settings.api_key), DEFAULT_ORG)
        return None
    if await storage.count_api_keys() > 0:
        return None
    key = generate_key()
    # The bootstrap key is its org's admin: whoever started the server is its operator.
    await storage.create_api_key(
        DEFAULT_ORG, hash_credential(key), key_hint(key), name="first start", role="admin"
    )
    return key


async def _settled(step: Callable[[], Awaitable[T]]) -> T:
    """A start step that processes starting together on one database may race (two insert the same key or
    xpert, two create the checkpointer's tables): the loser tries once more and finds the winner's rows."""
    try:
        return await step()
    except (IntegrityError, psycopg.IntegrityError, AlreadyExists):
        await asyncio.sleep(0.3)
        return await step()


async def _open_storage(settings: Settings, clock: Clock) -> SQLStorage:
    """The database, its first key (announced once) and its xperts."""
    storage = create_storage(settings.resolved_database_url, clock)
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
    return storage


async def build_services(
    settings: Settings, role: Role = "api", clock: Clock = system_clock, tracing: Tracing | None = None
) -> Services:
    """Every component of one process, started. `role="worker"`: `xpert worker` (no HTTP; executes runs).
    `clock`: what expiry (keys, client secrets) reads; the server runs on the wall clock, tests steer one.
    `tracing`: OpenTelemetry (telemetry.py); from the OTEL_* environment when not given."""
    tracing = tracing or Tracing.from_env(settings.trace_content)
    tracing.start()
    operator = load_operator(settings)  # a bad connections file stops the start before anything opens
    storage = await _open_storage(settings, clock)
    checkpointer = await _settled(lambda: open_checkpointer(settings))
    files, knowledge = build_knowledge(storage, settings)
    connections = build_connections(storage, settings, operator)
    graphs = GraphProvider(
        checkpointer.saver,
        settings,
        store=OrgStore(storage),
        storage=storage,
        retriever=bind_retriever(knowledge, tracing),
        connections=connections,
    )
    # Knowledge first: runs resolve their attachments through the file service from their first step.
    await start_knowledge(files, knowledge)
    wiring = await start_runs(
        storage,
        settings,
        graphs,
        checkpointer,
        role,  # embedded or scaled, by settings
        attachments=files.attachments,
        tracing=tracing,
    )
    sweeper = Sweeper(
        storage, settings.frame_retention, settings.sweep_interval, clock=clock, checkpointer=checkpointer
    )
    sweeper.start()
    # Every process delivers the outbox (a delivery is leased to one at a time), from its first moment:
    # events a previous process committed but did not deliver go out now.
    webhooks = build_webhooks(storage, settings, tracing)
    webhooks.start()
    await wiring.start_worker()
    auth = Authenticator(storage, request_limits(settings, wiring.limiter), clock=clock)
    return Services(
        settings=settings,
        clock=clock,
        storage=storage,
        auth=auth,
        checkpointer=checkpointer,
        graphs=graphs,
        events=wiring.events,
        runs=wiring.runs,
        sweeper=sweeper,
        files=files,
        knowledge=knowledge,
        connections=connections,
        webhooks=webhooks,
        tracing=tracing,
        wiring=wiring,
    )


async def build_interruptibly(
    settings: Settings, clock: Clock = system_clock, tracing: Tracing | None = None
) -> Services:
    """`build_services`, stopped by SIGTERM/SIGINT at any step (uvicorn only flags signals until start-up
    ends), and failing with one line (StartupError) instead of a driver's traceback."""
    try:
        with interruptible():
            await preflight(settings)
            return await build_services(settings, clock=clock, tracing=tracing)
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is None or not task.cancelling():
            raise
        task.uncancel()
        raise StartupError("Start-up interrupted by a signal.") from None
