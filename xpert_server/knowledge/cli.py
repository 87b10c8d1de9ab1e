"""`xpert knowledge ...`: ingest local files into a knowledge base, list bases, search one.

Runs in-process against the same database and file store as the server (a running server sees the
documents at once; on PostgreSQL its workers may even take some of them). Progress comes from the
documents' status rows, so it is the same whoever processes them.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xpert_server.config import Settings
from xpert_server.flags import DatabaseUrl, DataDir

knowledge_app = typer.Typer(help="Knowledge bases: ingest files, list, search.", no_args_is_help=True)
console = Console(stderr=True)

Org = Annotated[str, typer.Option("--org", help="Organization id.")]
SETTLED = ("finish", "error", "cancel")


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
                )
            )
        elif p.is_file():
            out.append(p)
        else:
            raise typer.BadParameter(f"{p}: no such file or folder")
    return out


async def _session(settings: Settings, fn: Any) -> Any:
    from xpert_server.knowledge.wiring import open_knowledge
    from xpert_server.storage import create_storage

    storage = create_storage(settings.resolved_database_url)
    await storage.open()
    files, knowledge = await open_knowledge(storage, settings)
    try:
        return await fn(storage, files, knowledge)
    finally:
        await knowledge.close()
        await files.close()
        await storage.close()


@knowledge_app.command("ingest")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (read recursively).")],
    kb: Annotated[str, typer.Option("--kb", help="Knowledge base name (or id); created if missing.")],
    org: Org = "default",
    chunk_size: Annotated[
        int | None, typer.Option("--chunk-size", help="Characters per chunk (new base).")
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Upload files into a knowledge base and process them, with a progress bar."""
    from xpert_server.auth.principal import Principal

    files_to_add = _files(paths)
    if not files_to_add:
        console.print("Nothing to ingest.")
        raise typer.Exit(1)
    settings = Settings.from_env(data_dir=data_dir, database_url=database_url)
    p = Principal.system(org)

    async def run(storage: Any, files: Any, knowledge: Any) -> list[Any]:
        await storage.ensure_org(org)
        base = await storage.get_kb(org, kb)
        if base is None:
            parser = {"chunkSize": chunk_size} if chunk_size else None
            base = await knowledge.create(p, kb, None, "organization", None, parser, {})
            console.print(f"Created knowledge base [bold]{kb}[/bold] ({base.id}) in org {org}")
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            reading = progress.add_task("Reading files", total=len(files_to_add))
            docs = []
            for path in files_to_add:
                record = await files.import_path(p, path)
                docs.extend(
                    await knowledge.add_documents(p, base, [{"fileId": record.id, "name": path.name}])
                )
                progress.advance(reading)
            ids = [d.id for d in docs]
            await knowledge.process(base, ids)
            task = progress.add_task("Embedding", total=100 * len(ids))
            while True:
                states = await storage.list_documents(org, base.id, ids)
                done = sum(1 for s in states if s.status in SETTLED)
                progress.update(
                    task,
                    completed=sum(100 if s.status in SETTLED else s.progress for s in states),
                    description=f"Embedding ({done}/{len(ids)} documents)",
                )
                if done == len(ids):
                    return states
                await asyncio.sleep(0.2)

    started = time.monotonic()
    states = asyncio.run(_session(settings, run))
    table = Table("document", "status", "chunks", "message")
    for s in states:
        table.add_row(s.name, s.status, str(s.chunk_count), s.process_msg or "")
    Console().print(table)
    failed = [s for s in states if s.status != "finish"]
    console.print(
        f"{len(states) - len(failed)} of {len(states)} documents ready in {time.monotonic() - started:.1f} s"
    )
    if failed:
        raise typer.Exit(1)


@knowledge_app.command("list")
def list_bases(org: Org = "default", data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List the knowledge bases of an organization."""
    settings = Settings.from_env(data_dir=data_dir, database_url=database_url)

    async def run(storage: Any, _files: Any, _knowledge: Any) -> list[Any]:
        return list(await storage.list_kbs(org, 1000))

    table = Table("name", "id", "embedder")
    for kb in asyncio.run(_session(settings, run)):
        table.add_row(kb.name, kb.id, kb.embedder)
    Console().print(table)


@knowledge_app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="The question.")],
    kb: Annotated[str, typer.Option("--kb", help="Knowledge base name or id.")],
    top_k: Annotated[int, typer.Option("--top-k")] = 5,
    org: Org = "default",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Search a knowledge base (hybrid retrieval) and print the best chunks."""
    settings = Settings.from_env(data_dir=data_dir, database_url=database_url)

    async def run(storage: Any, _files: Any, knowledge: Any) -> list[Any]:
        base = await storage.get_kb(org, kb)
        if base is None:
            return []
        return list(await knowledge.search(base, query, top_k))

    hits = asyncio.run(_session(settings, run))
    if not hits:
        console.print("No results.")
        raise typer.Exit(1)
    for h in hits:
        print(f"{h.score:.3f}\t{h.document_name}\t{' '.join(h.content.split())[:160]}")
