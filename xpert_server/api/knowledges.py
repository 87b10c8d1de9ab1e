"""Knowledge bases (XpertAI's `/knowledges` routes) plus `POST /knowledges/{id}/search`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from xpert_server.api.deps import PrincipalDep, ServicesDep, require_storable_id
from xpert_server.api.storable import INT64_MAX, Storable, check_storable
from xpert_server.api.wire.base import Deleted
from xpert_server.api.wire.knowledges import (
    Chunks,
    Document,
    DocumentsDeleted,
    DocumentStatus,
    Knowledgebase,
    chunk_json,
    document_json,
    kb_json,
    status_json,
)
from xpert_server.errors import BadRequest, NotFound
from xpert_server.knowledge.service import KnowledgeService

router = APIRouter(prefix="/knowledges", tags=["knowledges"])


class Recall(BaseModel):
    model_config = ConfigDict(extra="allow")
    topK: int | None = Field(default=None, ge=1, le=100)
    score: float | None = Field(default=None, ge=0, le=1)
    weight: float | None = None


class ParserConfig(BaseModel):
    model_config = ConfigDict(extra="allow")
    chunkSize: int | None = Field(default=None, ge=50, le=8000)
    chunkOverlap: int | None = Field(default=None, ge=0, le=4000)
    delimiter: str | None = Field(default=None, max_length=50)


class KnowledgebaseBody(BaseModel):
    # XpertAI's DTO has more fields (workspaceId, avatar, language, copilotModel...): kept and echoed.
    model_config = ConfigDict(extra="allow")
    name: Annotated[str, Storable] = Field(min_length=1, max_length=200)
    description: Annotated[str | None, Storable] = Field(default=None, max_length=10_000)
    permission: Literal["private", "organization", "public"] = "private"
    recall: Recall | None = None
    parserConfig: ParserConfig | None = None

    @model_validator(mode="after")
    def _storable(self) -> KnowledgebaseBody:
        # Extra keys (here and in recall/parserConfig) are stored too: 400, not a database error.
        check_storable(self.model_dump(exclude_none=True))
        return self


class KnowledgebasePatch(KnowledgebaseBody):
    name: Annotated[str | None, Storable] = Field(default=None, min_length=1, max_length=200)  # type: ignore[assignment]
    permission: Literal["private", "organization", "public"] | None = None  # type: ignore[assignment]


class SearchBody(BaseModel):
    query: Annotated[str, Storable] = Field(min_length=1, max_length=10_000)
    topK: int | None = Field(default=None, ge=1, le=100)
    score: float | None = Field(default=None, ge=0, le=1)
    mode: Literal["hybrid", "dense", "lexical"] = "hybrid"


def service(services: Any) -> KnowledgeService:
    knowledge: KnowledgeService | None = getattr(services, "knowledge", None)
    if knowledge is None:
        raise NotFound("Knowledge bases are not enabled on this server.")
    return knowledge


def _extra(body: BaseModel) -> dict[str, Any]:
    extra = dict(body.model_extra or {})
    extra.pop("id", None)
    return extra


@router.post("", status_code=201, summary="Create a knowledge base", response_model=Knowledgebase)
async def create_kb(body: KnowledgebaseBody, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    kb = await service(services).create(
        p,
        body.name,
        body.description,
        body.permission,
        body.recall.model_dump(exclude_none=True) if body.recall else None,
        body.parserConfig.model_dump(exclude_none=True) if body.parserConfig else None,
        _extra(body),
    )
    return kb_json(kb)


@router.get("", summary="List knowledge bases", response_model=list[Knowledgebase])
async def list_kbs(
    services: ServicesDep,
    p: PrincipalDep,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=INT64_MAX),
) -> list[dict[str, Any]]:
    return [kb_json(kb) for kb in await services.storage.list_kbs(p.org_id, limit, offset)]


@router.get("/{kb_id}", summary="A knowledge base (by id or name)", response_model=Knowledgebase)
async def get_kb(kb_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    require_storable_id("Knowledgebase", kb_id)
    return kb_json(await service(services).get(p, kb_id))


@router.put("/{kb_id}", summary="Update a knowledge base", response_model=Knowledgebase)
async def update_kb(
    kb_id: str, body: KnowledgebasePatch, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    require_storable_id("Knowledgebase", kb_id)
    kb = await service(services).get(p, kb_id)
    changes: dict[str, Any] = {}
    for field, column in (("name", "name"), ("description", "description"), ("permission", "permission")):
        if field in body.model_fields_set and getattr(body, field) is not None:
            changes[column] = getattr(body, field)
    if body.recall is not None:
        changes["recall"] = {**kb.recall, **body.recall.model_dump(exclude_none=True)}
    if body.parserConfig is not None:
        changes["parser_config"] = {**kb.parser_config, **body.parserConfig.model_dump(exclude_none=True)}
    if body.model_extra:
        changes["extra"] = {**kb.extra, **_extra(body)}
    updated = await services.storage.update_kb(p, kb.id, changes) if changes else kb
    if updated is None:
        raise NotFound(f"Knowledgebase '{kb_id}' not found.")
    return kb_json(updated)


@router.delete("/{kb_id}", summary="Delete a knowledge base with its documents", response_model=Deleted)
async def delete_kb(kb_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    require_storable_id("Knowledgebase", kb_id)
    kb = await service(services).get(p, kb_id)
    await service(services).delete(p, kb.id)
    return {"id": kb.id, "deleted": True, "affected": 1}


@router.post(
    "/{kb_id}/bulk",
    status_code=201,
    summary="Add documents (uploaded files or text)",
    response_model=list[Document],
)
async def bulk(
    kb_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    documents: Annotated[list[dict[str, Any]], Body(max_length=1000), Storable],
) -> list[dict[str, Any]]:
    require_storable_id("Knowledgebase", kb_id)
    svc = service(services)
    kb = await svc.get(p, kb_id)
    for i, d in enumerate(documents):
        has_file = any(d.get(k) for k in ("fileId", "storageFileId")) or isinstance(d.get("file"), dict)
        if not has_file and not isinstance(d.get("text"), str):
            raise BadRequest(f"{i}: each document needs a fileId (an uploaded file) or text.")
    return [document_json(d) for d in await svc.add_documents(p, kb, documents)]


@router.get("/{kb_id}/documents", summary="The documents of a knowledge base", response_model=list[Document])
async def documents(kb_id: str, services: ServicesDep, p: PrincipalDep) -> list[dict[str, Any]]:
    require_storable_id("Knowledgebase", kb_id)
    kb = await service(services).get(p, kb_id)
    return [document_json(d) for d in await services.storage.list_documents(p.org_id, kb.id)]


def _ids(body: Any) -> list[str]:
    ids = body.get("ids") if isinstance(body, dict) else body
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise BadRequest('body: expected an array of document ids (or {"ids": [...]})')
    return ids


@router.post(
    "/{kb_id}/process",
    status_code=201,
    summary="Start processing documents",
    response_model=list[DocumentStatus],
)
async def process(
    kb_id: str, services: ServicesDep, p: PrincipalDep, body: Annotated[Any, Body()] = None
) -> list[dict[str, Any]]:
    require_storable_id("Knowledgebase", kb_id)
    svc = service(services)
    kb = await svc.get(p, kb_id)
    return [status_json(d) for d in await svc.process(kb, _ids(body))]


@router.post(
    "/{kb_id}/documents/delete",
    status_code=201,
    summary="Delete documents and their chunks",
    response_model=DocumentsDeleted,
)
async def delete_documents(
    kb_id: str, services: ServicesDep, p: PrincipalDep, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    require_storable_id("Knowledgebase", kb_id)
    svc = service(services)
    kb = await svc.get(p, kb_id)
    ids = _ids(body)
    await svc.delete_documents(kb, ids)
    return {"deleted": ids}


@router.get("/{kb_id}/status", summary="Processing status of documents", response_model=list[DocumentStatus])
async def status(
    kb_id: str, services: ServicesDep, p: PrincipalDep, ids: str | None = None
) -> list[dict[str, Any]]:
    require_storable_id("Knowledgebase", kb_id)
    kb = await service(services).get(p, kb_id)
    wanted = [i for i in (ids or "").split(",") if i] or None
    return [status_json(d) for d in await services.storage.list_documents(p.org_id, kb.id, wanted)]


@router.post(
    "/{kb_id}/search",
    status_code=201,
    summary="Search a knowledge base (hybrid retrieval)",
    response_model=Chunks,
)
async def search(kb_id: str, body: SearchBody, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    require_storable_id("Knowledgebase", kb_id)
    svc = service(services)
    kb = await svc.get(p, kb_id)
    hits = await svc.search(kb, body.query, body.topK, body.mode, body.score)
    return {"items": [chunk_json(h) for h in hits]}
