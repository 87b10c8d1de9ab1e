"""The Store (LangGraph's long-term memory) over HTTP, scoped to the caller's organization."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, field_validator

from xpert_server.api.deps import PrincipalDep, ServicesDep
from xpert_server.api.storable import INT64_MAX, Storable, unstorable_paths
from xpert_server.api.wire.base import Success
from xpert_server.api.wire.store import Namespaces, StoreItem, StoreItems, item_json
from xpert_server.errors import BadRequest, NotFound
from xpert_server.runs.store import list_namespaces, matches

router = APIRouter(prefix="/store", tags=["store"])

Label = Annotated[str, Field(min_length=1, max_length=128), Storable]
Key = Annotated[str, Field(min_length=1, max_length=512), Storable]


def _check_labels(v: list[str]) -> list[str]:
    for label in v:
        if "." in label or not label:
            raise ValueError("namespace labels must be non-empty and must not contain '.'")
    return v


class PutItem(BaseModel):
    namespace: list[Label] = Field(min_length=1, max_length=16)
    key: Key
    value: Annotated[dict[str, Any], Storable]
    index: Any = None
    ttl: float | None = None
    _labels = field_validator("namespace")(_check_labels)


class DeleteItem(BaseModel):
    namespace: list[Label] = Field(min_length=1, max_length=16)
    key: Key
    _labels = field_validator("namespace")(_check_labels)


class SearchItems(BaseModel):
    namespace_prefix: list[Label] = Field(default_factory=list, max_length=16)
    filter: dict[str, Any] | None = None
    limit: int = Field(default=10, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=INT64_MAX)
    query: str | None = Field(default=None, max_length=1000)
    _labels = field_validator("namespace_prefix")(_check_labels)


class ListNamespaces(BaseModel):
    prefix: list[Label] | None = Field(default=None, max_length=16)
    suffix: list[Label] | None = Field(default=None, max_length=16)
    max_depth: int | None = Field(default=None, ge=1)
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=INT64_MAX)

    @field_validator("prefix", "suffix")
    @classmethod
    def _labels(cls, v: list[str] | None) -> list[str] | None:
        # `*` is LangGraph's one-label wildcard; a dotted label could never match a stored namespace.
        return None if v is None else _check_labels(v)


@router.put("/items", summary="Store or replace an item", response_model=Success)
async def put_item(body: PutItem, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    await services.storage.store_put(p.org_id, ".".join(body.namespace), body.key, body.value)
    return {"success": True}


@router.get("/items", summary="Get an item (null when absent)", response_model=StoreItem | None)
async def get_item(
    services: ServicesDep,
    p: PrincipalDep,
    namespace: Annotated[str, Query(min_length=1, max_length=2048, description="dotted: a.b.c")],
    key: Annotated[str, Query(min_length=1, max_length=512)],
) -> dict[str, Any] | None:
    if unstorable_paths([namespace, key]):
        return None  # nothing can be stored under such a name
    found = await services.storage.store_get(p.org_id, namespace, key)
    return None if found is None else item_json(found)


@router.delete("/items", summary="Delete an item", response_model=Success)
async def delete_item(body: DeleteItem, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    if not await services.storage.store_delete(p.org_id, ".".join(body.namespace), body.key):
        raise NotFound("Item not found.")
    return {"success": True}


@router.post(
    "/items/search",
    status_code=201,
    summary="Search items under a namespace prefix",
    response_model=StoreItems,
)
async def search_items(body: SearchItems, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    if body.filter is None and body.query is None:
        rows = await services.storage.store_search(
            p.org_id, ".".join(body.namespace_prefix), limit=body.limit, offset=body.offset
        )
    else:
        rows = await services.storage.store_search(p.org_id, ".".join(body.namespace_prefix), limit=10_000)
        rows = [r for r in rows if matches(r["value"], body.filter, body.query)][
            body.offset : body.offset + body.limit
        ]
    return {"items": [item_json(r) for r in rows]}


@router.post("/namespaces", status_code=201, summary="List namespaces", response_model=Namespaces)
async def namespaces(body: ListNamespaces, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    names = await services.storage.store_namespaces(p.org_id, "")
    try:
        found = list_namespaces(
            names,
            tuple(body.prefix) if body.prefix else None,
            tuple(body.suffix) if body.suffix else None,
            body.max_depth,
            body.limit,
            body.offset,
        )
    except ValueError as e:
        raise BadRequest(str(e)) from e
    return {"namespaces": [list(n) for n in found]}
