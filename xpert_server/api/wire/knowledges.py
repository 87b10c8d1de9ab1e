"""Knowledge bases (XpertAI's `/knowledges`), their documents, processing status and search hits."""

from __future__ import annotations

from typing import Any

from xpert_server.api.wire.base import Json, Number, OpenWire, Wire
from xpert_server.encoding import ts
from xpert_server.knowledge.search import Hit
from xpert_server.storage.sql.knowledge import DocumentRecord, KnowledgebaseRecord


class Knowledgebase(OpenWire):
    """XpertAI's DTO has more fields (workspaceId, avatar, language, …): those a client sent are echoed."""

    id: str
    name: str
    description: str | None
    permission: str
    recall: Json
    parserConfig: Json
    type: Any
    embeddingModel: str
    createdById: str | None
    createdAt: str | None
    updatedAt: str | None


class Document(OpenWire):
    """A document, with the fields its client sent (`sourceType`, `category`, …) echoed."""

    id: str
    knowledgebaseId: str
    name: str
    fileId: str | None
    status: str
    progress: Number
    processMsg: str | None
    chunkNum: int
    createdAt: str | None
    updatedAt: str | None


class DocumentStatus(Wire):
    id: str
    status: str
    progress: Number
    processMsg: str | None


class DocumentsDeleted(Wire):
    deleted: list[str]


class ChunkMetadata(Wire):
    dense_score: Number | None
    lexical_score: Number | None
    document_name: str
    knowledgebase_id: str


class Chunk(Wire):
    # snake_case as the contract says; `documentId`/`metadata` as the SDK's KnowledgeChunk type reads.
    document_id: str
    document_name: str
    chunk_id: str
    content: str
    score: Number
    documentId: str
    knowledgebase_id: str
    metadata: ChunkMetadata


class Chunks(Wire):
    items: list[Chunk]


def kb_json(kb: KnowledgebaseRecord) -> dict[str, Any]:
    return {
        **kb.extra,
        "id": kb.id,
        "name": kb.name,
        "description": kb.description,
        "permission": kb.permission,
        "recall": kb.recall,
        "parserConfig": kb.parser_config,
        "type": kb.extra.get("type", "standard"),
        "embeddingModel": kb.embedder,
        "createdById": kb.created_by,
        "createdAt": ts(kb.created_at),
        "updatedAt": ts(kb.updated_at),
    }


def document_json(d: DocumentRecord) -> dict[str, Any]:
    return {
        **d.fields,
        "id": d.id,
        "knowledgebaseId": d.kb_id,
        "name": d.name,
        "fileId": d.file_id,
        "status": d.status,
        "progress": d.progress,
        "processMsg": d.process_msg,
        "chunkNum": d.chunk_count,
        "createdAt": ts(d.created_at),
        "updatedAt": ts(d.updated_at),
    }


def status_json(d: DocumentRecord) -> dict[str, Any]:
    return {"id": d.id, "status": d.status, "progress": d.progress, "processMsg": d.process_msg}


def chunk_json(h: Hit) -> dict[str, Any]:
    return {
        "document_id": h.document_id,
        "document_name": h.document_name,
        "chunk_id": str(h.chunk_id),
        "content": h.content,
        "score": round(h.score, 6),
        "documentId": h.document_id,
        "knowledgebase_id": h.kb_id,
        "metadata": {
            "dense_score": h.dense,
            "lexical_score": h.lexical,
            "document_name": h.document_name,
            "knowledgebase_id": h.kb_id,
        },
    }
