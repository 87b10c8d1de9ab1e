"""Connections of the caller's org, for its admins: named model endpoints and MCP servers its xperts may
reference (`model: {connection: …}`, `mcp: [...]`), beside the operator's, which are listed read-only.

Every route here needs an `admin` key (auth/roles.py lists none for apps, auth/scope.py none for client
secrets). A secret (`api_key`, `headers`) is accepted on create or update, stored encrypted, and never
returned: replies carry a hint at most.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from xpert_server.api.deps import NOT_ALLOWED_ASSISTANT, PrincipalDep, ServicesDep
from xpert_server.api.wire.connections import Connection, ConnectionDeleted, connection_json
from xpert_server.auth.principal import Principal
from xpert_server.connections.input import ConnectionCreate, ConnectionUpdate
from xpert_server.errors import Forbidden

router = APIRouter(prefix="/connections", tags=["connections"])


def _require_unbound(p: Principal) -> None:
    """A key bound to one xpert may read the org's connections, not change what every xpert uses."""
    if p.xpert_id is not None:
        raise Forbidden(NOT_ALLOWED_ASSISTANT)


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
    _require_unbound(p)
    return connection_json(await services.connections.create(p, body.new()))


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
    _require_unbound(p)
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
    _require_unbound(p)
    return {"success": True, **connection_json(await services.connections.delete(p, connection_name))}
