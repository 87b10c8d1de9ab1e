"""`xpert crons ...`: schedule runs from the terminal, through the AI API and the Python SDK (like `xpert
chat`, a client of any XpertAI-compatible server): create, list, enable/disable, delete.

    xpert crons create --xpert digest --schedule "0 9 * * 1-5" --timezone Europe/Paris --message "News?"
    xpert crons list
    xpert crons disable CRON_ID
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from xpert_server.chat_cli import ApiKeyOption, ApiUrlOption, local_api_url

crons_app = typer.Typer(
    help="Schedule runs (crons): create, list, enable, disable, delete.", no_args_is_help=True
)
CronId = Annotated[str, typer.Argument(help="The cron's id (see `xpert crons list`).")]


def _client(api_url: str | None, api_key: str | None) -> Any:
    try:
        from xpert_sdk import Client
    except ImportError:
        print(
            "`xpert crons` needs the Python SDK: pip install -e sdk/ (or pip install xpert-sdk).",
            file=sys.stderr,
        )
        raise typer.Exit(2) from None
    if not api_key:
        print("No API key: set XPERTAI_API_KEY or pass --api-key.", file=sys.stderr)
        raise typer.Exit(2)
    return Client(api_url=api_url or local_api_url(), api_key=api_key)


def _call(api_url: str | None, api_key: str | None, fn: Any) -> Any:
    from xpert_sdk import XpertError

    with _client(api_url, api_key) as client:
        try:
            return fn(client)
        except XpertError as e:
            print(str(e), file=sys.stderr)
            raise typer.Exit(1) from None


@crons_app.command("create")
def crons_create(
    xpert: Annotated[str, typer.Option("--xpert", help="The xpert (assistant id or slug) each tick runs.")],
    schedule: Annotated[str, typer.Option("--schedule", help='A cron expression, e.g. "0 9 * * 1-5".')],
    message: Annotated[str | None, typer.Option("--message", help="What each run is sent.")] = None,
    thread: Annotated[
        str | None, typer.Option("--thread", help="Run on this thread (default: a new thread each time).")
    ] = None,
    timezone: Annotated[str | None, typer.Option("--timezone", help="IANA timezone (default UTC).")] = None,
    end_time: Annotated[str | None, typer.Option("--end-time", help="ISO-8601: no runs after it.")] = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep each new thread after its run.")] = False,
    api_url: ApiUrlOption = None,
    api_key: ApiKeyOption = None,
) -> None:
    """Schedule runs of an xpert; prints the cron's id and its next run."""
    from xpert_sdk import chat_input

    payload = chat_input(message) if message is not None else None

    def create(client: Any) -> Any:
        if thread is not None:
            return client.crons.create_for_thread(
                thread, xpert, schedule, payload, timezone=timezone, end_time=end_time
            )
        on_done = "keep" if keep else None
        return client.crons.create(
            xpert, schedule, payload, timezone=timezone, end_time=end_time, on_run_completed=on_done
        )

    cron = _call(api_url, api_key, create)
    print(f"{cron['cron_id']} next run {cron['next_run_date']}")


@crons_app.command("list")
def crons_list(
    xpert: Annotated[str | None, typer.Option("--xpert", help="Only this xpert's crons.")] = None,
    thread: Annotated[str | None, typer.Option("--thread", help="Only this thread's crons.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 100,
    api_url: ApiUrlOption = None,
    api_key: ApiKeyOption = None,
) -> None:
    """List crons with their schedule and next run."""
    found = _call(
        api_url, api_key, lambda c: c.crons.search(assistant_id=xpert, thread_id=thread, limit=limit)
    )
    table = Table("cron_id", "xpert", "thread", "schedule", "timezone", "enabled", "next run", "end")
    for cron in found:
        table.add_row(
            cron["cron_id"],
            cron["assistant_id"],
            cron["thread_id"] or "(new each run)",
            cron["schedule"],
            cron["timezone"] or "UTC",
            "yes" if cron["enabled"] else "no",
            cron["next_run_date"] or "",
            cron["end_time"] or "",
        )
    Console(width=250).print(table)


@crons_app.command("enable")
def crons_enable(cron_id: CronId, api_url: ApiUrlOption = None, api_key: ApiKeyOption = None) -> None:
    """Enable a cron: it runs again from its next tick (missed ticks are not made up)."""
    cron = _call(api_url, api_key, lambda c: c.crons.update(cron_id, enabled=True))
    print(f"{cron['cron_id']} enabled, next run {cron['next_run_date']}")


@crons_app.command("disable")
def crons_disable(cron_id: CronId, api_url: ApiUrlOption = None, api_key: ApiKeyOption = None) -> None:
    """Disable a cron (it stays, and may be enabled again)."""
    _call(api_url, api_key, lambda c: c.crons.update(cron_id, enabled=False))
    print(f"{cron_id} disabled")


@crons_app.command("delete")
def crons_delete(cron_id: CronId, api_url: ApiUrlOption = None, api_key: ApiKeyOption = None) -> None:
    """Delete a cron (the runs it made stay)."""
    _call(api_url, api_key, lambda c: c.crons.delete(cron_id))
    print(f"{cron_id} deleted")
