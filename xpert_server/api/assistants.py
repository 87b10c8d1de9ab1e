"""Assistants (xperts): search, count, get, and the LangGraph-style create/update/delete/versions."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

from xpert_server.agents.definition import DefinitionError, XpertSpec, parse_definition
from xpert_server.agents.operator_fields import operator_only_changes, refusal, server_models
from xpert_server.agents.registry import record_from_spec
from xpert_server.api.deps import NOT_ALLOWED_ASSISTANT, PrincipalDep, ServicesDep, load_assistant
from xpert_server.api.storable import INT64_MAX, Storable, check_storable
from xpert_server.api.wire.assistants import (
    Assistant,
    AssistantDeleted,
    AssistantVersion,
    assistant_json,
    assistant_version_json,
    graph_id_of,
)
from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.errors import BadRequest, Forbidden, NotFound
from xpert_server.storage.records import AlreadyExists, AssistantRecord

router = APIRouter(prefix="/assistants", tags=["assistants"])

SortBy = Literal["assistant_id", "graph_id", "name", "created_at", "updated_at", "version"]
SortOrder = Literal["asc", "desc"]
Metadata = Annotated[dict[str, Any] | None, Storable]
GraphId = Annotated[str | None, Storable]


class AssistantSearch(BaseModel):
    metadata: Metadata = None
    graph_id: GraphId = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=INT64_MAX)
    sort_by: SortBy | None = None
    sort_order: SortOrder | None = None


class AssistantCount(BaseModel):
    metadata: Metadata = None
    graph_id: GraphId = None


class AssistantWrite(BaseModel):
    """Create/update body. The xpert definition may be nested in `definition` or given at top level."""

    model_config = ConfigDict(extra="allow")
    assistant_id: str | None = Field(default=None, min_length=1, max_length=128)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    slug: str | None = None
    description: str | None = None
    config: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    definition: dict[str, Any] | None = None
    if_exists: Literal["raise", "do_nothing"] | None = None
    graph_id: str | None = None

    @model_validator(mode="after")
    def _storable(self) -> AssistantWrite:
        # Every field, extra keys included, ends up in a column or in the stored definition.
        check_storable(self.model_dump(exclude_none=True))
        return self


class VersionsQuery(BaseModel):
    metadata: Metadata = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=INT64_MAX)


# Definition keys a client may send at top level; LangGraph clients' extra keys are ignored. Operator-only
# ones (`graph`, `mcp`, …) are accepted here so that the answer is the 403 naming them, not "unknown field".
_SPEC_KEYS = set(XpertSpec.model_fields) - {"name", "slug", "description", "config", "metadata"}
_LANGGRAPH_KEYS = {"supersteps", "ttl", "select"}


def _slugify(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return (s or "xpert")[:80]


def _spec_from_body(body: AssistantWrite, base: dict[str, Any] | None) -> XpertSpec:
    data: dict[str, Any] = dict(base or {})
    extra = {k: v for k, v in (body.model_extra or {}).items() if k not in _LANGGRAPH_KEYS}
    unknown = sorted(set(extra) - _SPEC_KEYS)
    if unknown:
        raise BadRequest("; ".join(f"{k}: unknown field" for k in unknown))
    if body.definition is not None:
        data.update(body.definition)
    data.update(extra)
    meta = dict(body.metadata or {})
    for key in ("name", "description"):
        value = getattr(body, key)
        if value is not None:
            data[key] = value
    slug = body.slug or meta.pop("slug", None)
    if slug is not None:
        data["slug"] = slug
    data.setdefault("name", body.graph_id or "Assistant")
    data.setdefault("slug", f"{_slugify(str(data['name']))}-{new_id()[-8:]}")
    if body.config is not None:
        data["config"] = body.config
    if meta:
        data["metadata"] = {**data.get("metadata", {}), **meta}
    try:
        return parse_definition(data, "body")
    except DefinitionError as e:
        raise BadRequest(str(e).removeprefix("body: ")) from e


def _check_operator_fields(services: ServicesDep, spec: XpertSpec, base: dict[str, Any] | None) -> None:
    """403 naming every operator-only field the caller set or changed (agents/operator_fields.py)."""
    base_spec: XpertSpec | None = None
    if base is not None:
        try:  # a copy's base has no slug of its own; a stored base that no longer parses keeps nothing
            base_spec = parse_definition({"name": spec.name, "slug": spec.slug, **base}, "base")
        except DefinitionError:
            base_spec = None
    models = server_models(services.settings.model)
    fields = operator_only_changes(spec, base_spec, models=models)
    if fields:
        raise Forbidden(refusal(fields))


def _require_unbound(p: Principal) -> None:
    if p.xpert_id is not None:
        raise Forbidden(NOT_ALLOWED_ASSISTANT)


@router.post("/search", status_code=201, summary="Search assistants", response_model=list[Assistant])
async def search_assistants(
    body: AssistantSearch, services: ServicesDep, p: PrincipalDep
) -> list[dict[str, Any]]:
    records = await services.storage.search_assistants(
        p,
        metadata=body.metadata,
        graph_id=body.graph_id,
        limit=body.limit,
        offset=body.offset,
        sort_by=body.sort_by or "created_at",
        sort_order=body.sort_order or "desc",
    )
    return [assistant_json(r) for r in records]


@router.post("/count", status_code=201, summary="Count assistants")
async def count_assistants(body: AssistantCount, services: ServicesDep, p: PrincipalDep) -> int:
    return await services.storage.count_assistants(p, metadata=body.metadata, graph_id=body.graph_id)


@router.post("", status_code=201, summary="Create an assistant (xpert)", response_model=Assistant)
async def create_assistant(body: AssistantWrite, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    _require_unbound(p)
    base: dict[str, Any] | None = None
    made_from: str | None = None  # the graph's name, for a custom graph (its `graph_id`)
    if body.graph_id:
        # `graph_id` names an existing xpert (id or slug) to start from, as LangGraph names a graph.
        found = await services.storage.get_assistant(p, body.graph_id)
        if found is None:
            matches = await services.storage.search_assistants(p, metadata={"slug": body.graph_id}, limit=1)
            found = matches[0] if matches else None
        if found is None:
            raise NotFound(f"Graph '{body.graph_id}' not found.")
        base = {k: v for k, v in found.definition.items() if k not in ("slug", "org")}
        made_from = graph_id_of(found.public_id, found.definition, found.metadata)
    spec = _spec_from_body(body, base)
    _check_operator_fields(services, spec, base)
    await services.connections.check_references(p, spec)
    if body.assistant_id is not None:
        existing = await services.storage.get_assistant(p, body.assistant_id)
        if existing is not None and body.if_exists == "do_nothing":
            return assistant_json(existing)
    record = record_from_spec(
        spec, p.org_id, source="api", assistant_id=body.assistant_id, context=body.context
    )
    if made_from is not None and spec.graph:
        record.metadata.setdefault("graph_id", made_from)
    try:
        await services.storage.create_assistant(p, record)
    except AlreadyExists:
        if body.if_exists == "do_nothing" and body.assistant_id is None:
            found_by_slug = await services.storage.search_assistants(p, metadata={"slug": spec.slug}, limit=1)
            if found_by_slug:
                return assistant_json(found_by_slug[0])
        raise
    return assistant_json(record)


@router.get("/{assistant_id}", summary="Get an assistant", response_model=Assistant)
async def get_assistant(assistant_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return assistant_json(await load_assistant(services, p, assistant_id))


@router.patch("/{assistant_id}", summary="Update an assistant (bumps its version)", response_model=Assistant)
async def update_assistant(
    assistant_id: str, body: AssistantWrite, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    _require_unbound(p)
    current = await load_assistant(services, p, assistant_id)
    base = dict(current.definition)
    if body.slug is None and not (body.metadata or {}).get("slug"):
        body.slug = current.slug
    if current.source == "yaml" and "graph" in base:
        base.pop("graph")  # a YAML graph stays YAML's; the API edits the declared parts only
    spec = _spec_from_body(body, base)
    _check_operator_fields(services, spec, base)
    await services.connections.check_references(p, spec)
    fresh = record_from_spec(spec, p.org_id, source=current.source, assistant_id=current.public_id)
    changes: dict[str, Any] = {
        "slug": fresh.slug,
        "name": fresh.name,
        "description": fresh.description,
        "definition": {
            **fresh.definition,
            **({"graph": current.definition["graph"]} if "graph" in current.definition else {}),
        },
        "config": fresh.config,
        "metadata": fresh.metadata,
    }
    if body.context is not None:
        changes["context"] = body.context
    updated = await services.storage.update_assistant(p, assistant_id, changes)
    if updated is None:
        raise NotFound(f"Assistant '{assistant_id}' not found.")
    return assistant_json(updated)


@router.delete("/{assistant_id}", summary="Delete an assistant", response_model=AssistantDeleted)
async def delete_assistant(assistant_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    _require_unbound(p)
    await load_assistant(services, p, assistant_id)
    await services.storage.delete_assistant(p, assistant_id)
    return {"success": True, "assistant_id": assistant_id}


async def _versions(
    assistant_id: str, q: VersionsQuery, services: ServicesDep, p: Principal
) -> list[dict[str, Any]]:
    record: AssistantRecord = await load_assistant(services, p, assistant_id)
    versions = await services.storage.list_assistant_versions(
        p, record.public_id, limit=q.limit, offset=q.offset
    )
    return [assistant_version_json(v) for v in versions or []]


@router.get(
    "/{assistant_id}/versions",
    summary="List an assistant's versions, newest first",
    response_model=list[AssistantVersion],
)
async def get_versions(
    assistant_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
) -> list[dict[str, Any]]:
    return await _versions(assistant_id, VersionsQuery(limit=limit, offset=offset), services, p)


@router.post(
    "/{assistant_id}/versions",
    status_code=201,
    summary="List versions (LangGraph SDK form)",
    response_model=list[AssistantVersion],
)
async def post_versions(
    assistant_id: str, body: VersionsQuery, services: ServicesDep, p: PrincipalDep
) -> list[dict[str, Any]]:
    return await _versions(assistant_id, body, services, p)
