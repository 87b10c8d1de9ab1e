"""Connections of the caller's org, for its admins: named model endpoints and MCP servers its xperts may
reference (`model: {connection: …}`, `mcp: [...]`), beside the operator's, which are listed read-only.

Every route here needs an `admin` key (auth/roles.py lists none for apps, auth/scope.py none for client
secrets). A secret (`api_key`, `headers`) is accepted on create or update, stored encrypted, and never
returned: replies carry a hint at most.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xpert_server.agents.definition import SLUG_RE
from xpert_server.api.deps import PrincipalDep, ServicesDep
from xpert_server.api.wire.connections import Connection, ConnectionDeleted, connection_json
from xpert_server.connections.service import NewConnection

router = APIRouter(prefix="/connections", tags=["connections"])

MAX_HEADERS = 32


def _check_models(v: list[str]) -> list[str]:
    if len(set(v)) != len(v) or any(not m or len(m) > 200 for m in v):
        raise ValueError("model names: non-empty, at most 200 characters, each once")
    return v


def _check_headers(v: dict[str, str]) -> dict[str, str]:
    if len(v) > MAX_HEADERS:
        raise ValueError(f"at most {MAX_HEADERS} headers")
    for name, value in v.items():
        if not name or any(c in name for c in ":\r\n ") or "\r" in value or "\n" in value:
            raise ValueError(f"header {name!r}: names are tokens, values one line")
    return v


class ConnectionCreate(BaseModel):
    """A model endpoint (`kind: model`: `url`, `api_key`, `models`) or an MCP server over HTTP
    (`kind: mcp`: `url`, `headers`, `transport`)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["model", "mcp"]
    url: str = Field(min_length=1, max_length=2000)
    transport: Literal["http", "sse"] | None = None
    models: list[str] = Field(default_factory=list, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    api_key: str | None = Field(default=None, min_length=1, max_length=4000)
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not SLUG_RE.match(v):
            raise ValueError("lowercase letters, digits, '-' or '_', starting alphanumeric")
        return v

    @field_validator("models")
    @classmethod
    def _models(cls, v: list[str]) -> list[str]:
        return _check_models(v)

    @field_validator("headers")
    @classmethod
    def _headers(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_headers(v)

    @model_validator(mode="after")
    def _by_kind(self) -> ConnectionCreate:
        if self.kind == "model" and (self.headers or self.transport):
            raise ValueError("a model connection takes `api_key`, not `headers` or `transport`")
        if self.kind == "mcp" and (self.api_key or self.models):
            raise ValueError("an MCP connection takes `headers`, not `api_key` or `models`")
        return self


class ConnectionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    transport: Literal["http", "sse"] | None = None
    models: list[str] | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    api_key: str | None = Field(default=None, min_length=1, max_length=4000)
    headers: dict[str, str] | None = None

    @field_validator("models")
    @classmethod
    def _models(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _check_models(v)

    @field_validator("headers")
    @classmethod
    def _headers(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        return None if v is None else _check_headers(v)


@router.get("", summary="List the org's connections and the server's", response_model=list[Connection])
async def list_connections(services: ServicesDep, p: PrincipalDep) -> list[dict[str, Any]]:
    return [connection_json(v) for v in await services.connections.listing(p)]


@router.post(
    "",
    status_code=201,
    summary="Add a connection (its secret is stored encrypted and never shown again)",
    response_model=Connection,
)
async def create_connection(body: ConnectionCreate, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    new = NewConnection(
        name=body.name,
        kind=body.kind,
        url=body.url,
        transport=(body.transport or "http") if body.kind == "mcp" else None,
        models=list(body.models),
        description=body.description,
        api_key=body.api_key,
        headers=dict(body.headers),
    )
    return connection_json(await services.connections.create(p, new))


@router.get("/{connection_name}", summary="Get a connection", response_model=Connection)
async def get_connection(connection_name: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return connection_json(await services.connections.get(p, connection_name))


@router.patch(
    "/{connection_name}",
    summary="Change a connection: its URL, models, description, or a new secret",
    response_model=Connection,
)
async def update_connection(
    connection_name: str, body: ConnectionUpdate, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    fields = body.model_dump(exclude_unset=True)
    if fields.get("url", "") is None:
        fields.pop("url")
    return connection_json(await services.connections.update(p, connection_name, fields))


@router.delete(
    "/{connection_name}",
    summary="Delete a connection (409 while an xpert names it)",
    response_model=ConnectionDeleted,
)
async def delete_connection(connection_name: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return {"success": True, **connection_json(await services.connections.delete(p, connection_name))}
