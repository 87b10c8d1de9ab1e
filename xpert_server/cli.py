"""The `xpert` command: serve, keys, xperts, connections, chat."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Column, Table

from xpert_server import heap
from xpert_server.chat_cli import chat as chat_command
from xpert_server.config import Settings, env_name, setting_fields
from xpert_server.connections.cli import connections_app
from xpert_server.crons.cli import crons_app
from xpert_server.flags import (
    ConnectionsFile,
    DatabaseUrl,
    DataDir,
    LogLevel,
    RedisUrl,
    RunTimeout,
    XpertsDir,
    setting_option,
)
from xpert_server.knowledge.cli import knowledge_app

app = typer.Typer(help="xpert-server: an XpertAI-compatible AI API server.", no_args_is_help=True)
keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
xperts_app = typer.Typer(help="Load and list xperts (assistants).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(xperts_app, name="xperts")
app.add_typer(knowledge_app, name="knowledge")
app.add_typer(connections_app, name="connections")
app.add_typer(crons_app, name="crons")
app.command("chat")(chat_command)

console = Console(stderr=True)
T = TypeVar("T")


def _settings(data_dir: Path | None, database_url: str | None, **more: Any) -> Settings:
    return Settings.from_env(data_dir=data_dir, database_url=database_url, **more)


def _error(message: str) -> None:
    # Plain and unwrapped: messages quote user input (YAML snippets, ids) that must not be read as rich
    # markup, and file paths must stay on one line to be copied or grepped.
    console.print(message, style="red", markup=False, highlight=False, soft_wrap=True)


def _id_column(header: str) -> Column:
    """An id is copied whole into the next command: never cut, nor wrapped at its dashes."""
    return Column(header, no_wrap=True, overflow="fold")


def _print_table(table: Table) -> None:
    """On stdout, as wide as the table needs when the terminal is narrower (the terminal wraps the lines;
    rich would otherwise cut the ids with an ellipsis)."""
    out = Console()
    needed = out.measure(table, options=out.options.update(max_width=1000)).maximum
    if needed > out.width:
        out = Console(width=needed)
    out.print(table, crop=False)


def _with_storage(settings: Settings, fn: Callable[[Any], Awaitable[T]]) -> T:
    from xpert_server.storage import create_storage

    async def run() -> T:
        storage = create_storage(settings.resolved_database_url)
        await storage.open()
        try:
            if storage.created:
                # This command created the database, so `serve` will not see a first start: seed the
                # demo xpert here, as that first start would have.
                from xpert_server.agents.registry import demo_path, load_file_into

                await load_file_into(storage, demo_path())
            return await fn(storage)
        finally:
            await storage.close()

    return asyncio.run(run())


@app.command()
def serve(
    host: Annotated[str | None, setting_option("host")] = None,
    port: Annotated[int | None, setting_option("port")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    xperts: XpertsDir = None,
    connections: ConnectionsFile = None,
    log_level: LogLevel = None,
    demo: Annotated[bool | None, setting_option("demo")] = None,
    run_timeout: RunTimeout = None,
    redis_url: RedisUrl = None,
    with_worker: Annotated[bool | None, setting_option("with_worker")] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, help="API processes on this port (N > 1 needs PostgreSQL and Redis)."
        ),
    ] = 1,
) -> None:
    """Start the API server (SQLite in the data dir unless --database-url says otherwise).

    With --redis-url (scaled mode) API processes hold no state: runs are queued in the database for
    `xpert worker` processes (or this one, with --with-worker). See docs/scale-out.md."""
    heap.tune()  # before anything starts a thread
    import uvicorn

    from xpert_server.app import configure_logging, create_app, serves_demo
    from xpert_server.limits.headers import http_options
    from xpert_server.listen import AnnouncingServer, BindError, banner, bind

    settings = _settings(
        data_dir,
        database_url,
        host=host,
        port=port,
        xperts_dir=xperts,
        connections_file=connections,
        log_level=log_level,
        demo=demo,
        run_timeout=run_timeout,
        redis_url=redis_url,
        with_worker=with_worker,
    )
    if settings.xperts_dir is not None and not settings.xperts_dir.is_dir():
        _error(f"--xperts {settings.xperts_dir}: not a folder")
        raise typer.Exit(2)
    if workers > 1 and not (settings.is_postgres and settings.redis_url):
        _error(
            f"--workers {workers}: several API processes share nothing but the database and Redis, so they "
            "need --database-url postgresql://… and --redis-url redis://… (or XPERT_DATABASE_URL and "
            "XPERT_REDIS_URL)"
        )
        raise typer.Exit(2)
    configure_logging(settings.log_level)
    # The port first: when it is taken, nothing else has started (and the message says what to do).
    try:
        sock = bind(settings)
    except BindError as e:
        _error(str(e))
        raise typer.Exit(1) from None
    port = sock.getsockname()[1]
    announce = banner(settings, port, demo=serves_demo(settings))
    _preflight(settings)
    common: dict[str, Any] = {
        "host": settings.host,
        "port": port,
        "log_level": settings.log_level,
        # The app logs each request itself (api/access.py: with its credential id, never a query string).
        "access_log": False,
        "timeout_graceful_shutdown": 5,
        **http_options(settings),
    }
    if workers == 1:
        server = AnnouncingServer(uvicorn.Config(create_app(settings), **common), announce)
        server.run(sockets=[sock])
        if not server.started:  # the app did not start: its error is logged above
            raise typer.Exit(1)
        return
    # uvicorn forks its processes from an import string; they read their settings from the environment,
    # and bind the port themselves (it was free a moment ago).
    sock.close()
    _export(settings)
    asyncio.run(_warm_up(settings))
    print(announce, file=sys.stderr, flush=True)
    uvicorn.run("xpert_server.app:app_from_env", factory=True, workers=workers, **common)


def _preflight(settings: Settings) -> None:
    """The database and Redis answer, or one line saying what is wrong and what to do, and exit 1."""
    from xpert_server.startup import StartupError, preflight

    try:
        asyncio.run(preflight(settings))
    except StartupError as e:
        _error(str(e))
        raise typer.Exit(1) from None


def _export(settings: Settings) -> None:
    """Put every setting into XPERT_* variables, for processes started from this one."""
    import os

    for f in setting_fields().values():
        value = getattr(settings, f.name)
        if not f.metadata["env"] or value is None:
            continue
        if isinstance(value, bool):
            text = "1" if value else "0"
        elif isinstance(value, tuple):
            text = ",".join(value)
        else:
            text = str(value)
        os.environ[env_name(f.name)] = text


async def _warm_up(settings: Settings) -> None:
    """Start and stop once before forking: migrations, the first key (announced once), xperts and the
    checkpointer's tables are then in place, and N processes starting together find nothing to create."""
    from xpert_server.compose import build_services

    services = await build_services(settings)
    await services.close()


@app.command()
def worker(
    data_dir: DataDir = None,
    xperts: XpertsDir = None,
    connections: ConnectionsFile = None,
    database_url: DatabaseUrl = None,
    redis_url: RedisUrl = None,
    concurrency: Annotated[int | None, setting_option("worker_concurrency", min=1)] = None,
    log_level: LogLevel = None,
    run_timeout: RunTimeout = None,
) -> None:
    """Execute runs queued by `xpert serve --redis-url …` processes (scaled mode; see docs/scale-out.md).

    SIGTERM (or Ctrl-C) stops taking runs, lets the running ones finish for XPERT_DRAIN_SECONDS, and
    hands the rest back to other workers."""
    heap.tune()  # before anything starts a thread
    settings = _settings(
        data_dir,
        database_url,
        xperts_dir=xperts,
        connections_file=connections,
        redis_url=redis_url,
        worker_concurrency=concurrency,
        log_level=log_level,
        run_timeout=run_timeout,
    )
    if not settings.redis_url:
        _error(
            "xpert worker needs --redis-url redis://… (or XPERT_REDIS_URL): without Redis, `xpert serve` "
            "executes its runs itself"
        )
        raise typer.Exit(2)
    if settings.xperts_dir is not None and not settings.xperts_dir.is_dir():
        _error(f"--xperts {settings.xperts_dir}: not a folder")
        raise typer.Exit(2)
    from xpert_server.app import configure_logging

    configure_logging(settings.log_level)
    _preflight(settings)
    asyncio.run(_work(settings))


async def _work(settings: Settings) -> None:
    import signal

    from xpert_server.compose import build_services

    services = await build_services(settings, role="worker")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    logging.getLogger("xpert").info("xpert worker ready (%s)", services.storage.dialect.name)
    try:
        await stop.wait()
    finally:
        await services.close()


@keys_app.command("create")
def keys_create(
    org: Annotated[str, typer.Option(help="Organization id (a short slug); created if missing.")] = "default",
    xpert: Annotated[str | None, typer.Option(help="Bind the key to one xpert (id or slug).")] = None,
    name: Annotated[str | None, typer.Option(help="A label shown by `keys list`.")] = None,
    role: Annotated[
        str,
        typer.Option(
            help="app: uses xperts (the default); admin: also manages the org's "
            "xperts, keys and knowledge bases."
        ),
    ] = "app",
    expires_in: Annotated[
        float | None, typer.Option("--expires-in", help="Seconds until the key expires.")
    ] = None,
    operator: Annotated[
        bool,
        typer.Option(
            "--operator",
            help="The server operator's key: it only signs in to the console's System page (every org, "
            "settings); no API route answers it. Only this command mints one.",
        ),
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API key. The key is printed alone on the last line, once."""
    from xpert_server.agents.definition import ORG_RE
    from xpert_server.auth.keys import generate_key, hash_credential, key_hint
    from xpert_server.auth.principal import Principal

    if not ORG_RE.match(org) and not operator:
        _error(f"--org {org!r}: must be a short slug (letters, digits, '-' or '_')")
        raise typer.Exit(2)
    if expires_in is not None and expires_in <= 0:
        _error("--expires-in must be a positive number of seconds")
        raise typer.Exit(2)
    if role not in ("admin", "app"):
        _error(f"--role {role!r}: must be 'app' or 'admin'")
        raise typer.Exit(2)
    if operator:
        from xpert_server.auth.console import OPERATOR_ORG

        if xpert is not None or org != "default":
            _error("--operator: the operator's key belongs to no org and no xpert (drop --org and --xpert)")
            raise typer.Exit(2)
        org, role = OPERATOR_ORG, "operator"

    async def run(storage: Any) -> str | None:
        await storage.ensure_org(org)
        xpert_id = None
        if xpert is not None:
            p = Principal.system(org)
            found = await storage.get_assistant(p, xpert)
            if found is None:
                matches = await storage.search_assistants(p, metadata={"slug": xpert}, limit=1)
                found = matches[0] if matches else None
            if found is None:
                return None
            xpert_id = found.public_id
        key = generate_key()
        expires_at = time.time() + expires_in if expires_in else None
        await storage.create_api_key(
            org,
            hash_credential(key),
            key_hint(key),
            name=name,
            xpert_id=xpert_id,
            expires_at=expires_at,
            role="operator" if operator else "admin" if role == "admin" else "app",
        )
        return key

    key = _with_storage(_settings(data_dir, database_url), run)
    if key is None:
        _error(f"No xpert {xpert!r} in org {org!r}")
        raise typer.Exit(1)
    if operator:
        console.print("Created an operator key: it signs in to the console's System page, and nothing else")
    else:
        console.print(
            f"Created an {role} key for org [bold]{org}[/bold]"
            + (f", bound to xpert {xpert}" if xpert else "")
        )
    print(key)


@keys_app.command("list")
def keys_list(
    org: Annotated[str | None, typer.Option(help="Only this organization's keys.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List keys (hints only: keys are stored hashed)."""
    from xpert_server.encoding import ts

    records = _with_storage(_settings(data_dir, database_url), lambda s: s.list_api_keys(org))
    table = Table(_id_column("id"), "org", "name", "role", "key", _id_column("xpert"), "expires", "status")
    now = time.time()
    for k in records:
        status = (
            "revoked" if k.revoked_at else "expired" if k.expires_at and k.expires_at <= now else "active"
        )
        table.add_row(
            k.id, k.org_id, k.name or "", k.role, k.hint, k.xpert_id or "", ts(k.expires_at) or "", status
        )
    _print_table(table)


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[
        str, typer.Argument(help="The key's id, from `keys list` (a prefix only when one key has it).")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Revoke without asking.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Revoke a key, after asking (--yes: without). Running servers refuse it within a second."""
    settings = _settings(data_dir, database_url)
    keys = _with_storage(settings, lambda s: s.list_api_keys(None))
    exact = [k for k in keys if k.id == key_id]
    matches = exact or [k for k in keys if k.id.startswith(key_id)]
    if not matches:
        _error(f"No key has the id {key_id!r} (`xpert keys list` shows them).")
        raise typer.Exit(1)
    if len(matches) > 1:
        ids = ", ".join(k.id for k in matches[:5]) + (", …" if len(matches) > 5 else "")
        _error(f"{key_id!r} is the start of {len(matches)} keys' ids ({ids}): give the whole id.")
        raise typer.Exit(1)
    (key,) = matches
    what = f"{key.id} ({key.hint}, org {key.org_id}{', ' + key.name if key.name else ''}, {key.role})"
    if key.revoked_at:
        console.print(f"Already revoked: {what}", markup=False, highlight=False)
        return
    if not yes:
        if not sys.stdin.isatty():
            _error(f"Not revoked: confirm on a terminal, or pass --yes to revoke {what}.")
            raise typer.Exit(1)
        if not typer.confirm(f"Revoke {what}? Apps using it stop working", default=False, err=True):
            _error("Not revoked.")
            raise typer.Exit(1)
    record = _with_storage(settings, lambda s: s.revoke_api_key(key.id))
    if record is None:  # revoked or removed by someone else meanwhile
        _error(f"No single key matches {key.id!r}")
        raise typer.Exit(1)
    console.print(f"Revoked {record.id} ({record.hint})", markup=False, highlight=False)


@xperts_app.command("load")
def xperts_load(
    files: Annotated[list[Path], typer.Argument(help="YAML files (or folders of them).")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Validate and load xpert YAML files; existing xperts (same org and slug) are updated in place."""
    from xpert_server.agents.definition import DefinitionError, XpertSpec, load_dir, load_file
    from xpert_server.agents.registry import anchor_graph_path, upsert_spec

    specs: list[tuple[Path, XpertSpec]] = []
    try:
        for f in files:
            specs.extend(load_dir(f) if f.is_dir() else [(f, load_file(f))])
    except DefinitionError as e:
        _error(str(e))
        raise typer.Exit(1) from e

    async def run(storage: Any) -> list[tuple[Path, Any, bool]]:
        return [(path, *(await upsert_spec(storage, anchor_graph_path(spec, path)))) for path, spec in specs]

    for path, record, changed in _with_storage(_settings(data_dir, database_url), run):
        print(f"{record.slug}\t{record.public_id}\t{'loaded' if changed else 'unchanged'}\t{path}")


@xperts_app.command("list")
def xperts_list(
    org: Annotated[str, typer.Option(help="Organization id.")] = "default",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List the xperts of an organization."""
    from xpert_server.auth.principal import Principal

    records = _with_storage(
        _settings(data_dir, database_url),
        lambda s: s.search_assistants(Principal.system(org), limit=1000, sort_by="name", sort_order="asc"),
    )
    table = Table("slug", _id_column("id"), "name", "version")
    for r in records:
        table.add_row(r.slug or "", r.id, r.name, str(r.version))
    _print_table(table)


def command() -> Any:
    """The `xpert` command as it runs (typer's click command): on/off flags show no `<bool>` type beside
    them in --help (typer labels every option with its type; a flag takes no value)."""
    root = typer.main.get_command(app)

    def plain_flags(cmd: Any) -> None:
        for param in [*cmd.params, cmd.get_help_option(cmd.context_class(cmd))]:
            if getattr(param, "is_flag", False):
                param.metavar = ""
        for sub in getattr(cmd, "commands", {}).values():
            plain_flags(sub)

    plain_flags(root)
    return root


def main() -> None:
    try:
        command()(prog_name="xpert")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
