"""Build and start the files and knowledge services for one process (server or CLI)."""

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


async def start_knowledge(storage: SQLStorage, settings: Settings,
                          run_workers: bool = True) -> tuple[FileService, KnowledgeService]:
    ks = KnowledgeSettings.from_settings(settings)
    files = FileService(storage, ks)
    index = KnowledgeIndex(storage, settings.resolved_database_url, ks.data_dir, ks.vectors)
    embedder = make_embedder(ks.embeddings_base_url, ks.embeddings_model, ks.embeddings_api_key)
    knowledge = KnowledgeService(storage, files, index, embedder)
    if run_workers:
        await files.start()
    await knowledge.start(run_workers=run_workers)
    log.info("knowledge: files in %s, index %s, embedder %s", ks.files_dir, index.description, embedder.name)
    return files, knowledge
