"""`xpert connections ...`: list, add and delete an org's connections from the server's own machine.

Runs in-process against the server's database with its settings (the same secrets' key, the same
operator file and private-address rule), so what it adds is what the API would have added. A secret is
read from an environment variable or typed at a hidden prompt, never from the command line (which other
users of the machine may see in the process list).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from xpert_server.config import Settings
from xpert_server.flags import ConnectionsFile, DatabaseUrl, DataDir

connections_app = typer.Typer(
    help="Named models and MCP servers xperts may use: list, add, delete.", no_args_is_help=True
)
console = Console(stderr=True)
T = TypeVar("T")

Org = Annotated[str, typer.Option("--org", help="Organization id.")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    console.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _run(settings: Settings, fn: Callable[[Any], Awaitable[T]]) -> T:
    from xpert_server.connections.wiring import build_connections
    from xpert_server.errors import ApiError
    from xpert_server.startup import StartupError
    from xpert_server.storage import create_storage

    async def run() -> T:
        storage = create_storage(settings.resolved_database_url)
        await storage.open()
        try:
            return await fn(build_connections(storage, settings))
        finally:
            await storage.close()

    try:
        return asyncio.run(run())
    except (ApiError, StartupError) as e:
        raise _fail(str(getattr(e, "message", e))) from None


def _settings(data_dir: Path | None, database_url: str | None, connections: Path | None) -> Settings:
    return Settings.from_env(data_dir=data_dir, database_url=database_url, connections_file=connections)


@connections_app.command("list")
def connections_list(
    org: Org = "default",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    connections: ConnectionsFile = None,
) -> None:
    """List the org's connections and the operator's (hints only: secrets are never shown)."""
    from xpert_server.auth.principal import Principal

    views = _run(_settings(data_dir, database_url, connections), lambda s: s.listing(Principal.system(org)))
    table = Table("name", "kind", "scope", "url", "models", "secret")
    for v in views:
        table.add_row(v.name, v.kind, v.scope, v.url or "", ", ".join(v.models), v.hint or "")
    Console().print(table)


@connections_app.command("add")
def connections_add(
    name: Annotated[str, typer.Argument(help="The name xperts use: lowercase letters, digits, '-', '_'.")],
    url: Annotated[str, typer.Option(help="The model endpoint (OpenAI-compatible …/v1) or MCP URL.")],
    kind: Annotated[str, typer.Option(help="model or mcp.")] = "model",
    org: Org = "default",
    model: Annotated[
        list[str] | None,
        typer.Option("--model", help="A model name it offers (repeatable; first is the default)."),
    ] = None,
    key_env: Annotated[
        str | None, typer.Option(help="Read the model's API key from this environment variable.")
    ] = None,
    header: Annotated[
        list[str] | None,
        typer.Option(
            "--header", help="MCP: NAME=ENV_VAR, the header's value read from that variable (repeatable)."
        ),
    ] = None,
    prompt_key: Annotated[
        bool, typer.Option("--prompt-key", help="Type the model's API key at a hidden prompt.")
    ] = False,
    transport: Annotated[str, typer.Option(help="MCP: http (streamable) or sse.")] = "http",
    description: Annotated[str | None, typer.Option(help="What it is, for admins.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    connections: ConnectionsFile = None,
) -> None:
    """Add a connection to an org. Its secret is stored encrypted and never shown again."""
    from pydantic import ValidationError

    from xpert_server.auth.principal import Principal
    from xpert_server.connections.input import ConnectionCreate

    api_key: str | None = None
    if key_env:
        api_key = os.environ.get(key_env)
        if not api_key:
            raise _fail(f"--key-env {key_env}: the variable is not set", 2)
    elif prompt_key:
        api_key = typer.prompt("API key", hide_input=True)
    headers: dict[str, str] = {}
    for item in header or []:
        hname, _, var = item.partition("=")
        if not hname or not var or var not in os.environ:
            raise _fail(f"--header {item!r}: expected NAME=ENV_VAR with the variable set", 2)
        headers[hname] = os.environ[var]
    try:
        body = ConnectionCreate.model_validate(
            {
                "name": name,
                "kind": kind,
                "url": url,
                "models": list(model or []),
                "description": description,
                **({"api_key": api_key} if api_key else {}),
                **({"headers": headers, "transport": transport} if kind == "mcp" else {}),
            }
        )
    except ValidationError as e:
        first = e.errors()[0]
        raise _fail(f"{'.'.join(str(p) for p in first['loc']) or name}: {first['msg']}", 2) from None
    new = body.new()
    view = _run(
        _settings(data_dir, database_url, connections), lambda s: s.create(Principal.system(org), new)
    )
    console.print(f"Added {view.kind} connection {view.name} to org {org} ({view.hint})", markup=False)


@connections_app.command("delete")
def connections_delete(
    name: Annotated[str, typer.Argument(help="The connection's name.")],
    org: Org = "default",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    connections: ConnectionsFile = None,
) -> None:
    """Delete an org's connection (refused while one of its xperts names it)."""
    from xpert_server.auth.principal import Principal

    _run(_settings(data_dir, database_url, connections), lambda s: s.delete(Principal.system(org), name))
    console.print(f"Deleted connection {name} of org {org}", markup=False)
