"""Build, then start, the files and knowledge services for one process (server or CLI).

Building does no I/O, so the composition root (compose.py) can hand the knowledge service to the graph
provider's retriever before anything starts."""

from __future__ import annotations

import logging

from xpert_server.config import Settings
from xpert_server.knowledge.embed import make_embedder
from xpert_server.knowledge.files import FileService
from xpert_server.knowledge.index import KnowledgeIndex
from xpert_server.knowledge.service import KnowledgeService
from xpert_server.knowledge.settings import KnowledgeSettings
from xpert_server.storage import SQLStorage

log = logging.getLogger("xpert.knowledge")


def build_knowledge(storage: SQLStorage, settings: Settings) -> tuple[FileService, KnowledgeService]:
    ks = KnowledgeSettings.from_settings(settings)
    files = FileService(storage, ks)
    index = KnowledgeIndex(storage, settings.resolved_database_url, ks.data_dir, ks.vectors)
    embedder = make_embedder(ks.embeddings_base_url, ks.embeddings_model, ks.embeddings_api_key)
    return files, KnowledgeService(storage, files, index, embedder)


async def start_knowledge(
    files: FileService, knowledge: KnowledgeService, *, run_workers: bool = True
) -> None:
    if run_workers:
        await files.start()
    await knowledge.start(run_workers=run_workers)
    log.info(
        "knowledge: files in %s, index %s, embedder %s",
        files.settings.files_dir,
        knowledge.index.description,
        knowledge.embedder.name,
    )


async def open_knowledge(storage: SQLStorage, settings: Settings) -> tuple[FileService, KnowledgeService]:
    """Both services, built and started (the `xpert knowledge` commands)."""
    files, knowledge = build_knowledge(storage, settings)
    await start_knowledge(files, knowledge)
    return files, knowledge
