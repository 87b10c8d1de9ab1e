"""Connections of the caller's org, for its admins: named model endpoints and MCP servers its xperts may
reference (`model: {connection: …}`, `mcp: [...]`), beside the operator's, which are listed read-only.

Every route here needs an `admin` key (auth/roles.py lists none for apps, auth/scope.py none for client
secrets). A secret (`api_key`, `headers`) is accepted on create or update, stored encrypted, and never
returned: replies carry a hint at most.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from xpert_server.api.deps import PrincipalDep, ServicesDep
from xpert_server.api.wire.connections import Connection, ConnectionDeleted, connection_json
from xpert_server.connections.input import ConnectionCreate, ConnectionUpdate

router = APIRouter(prefix="/connections", tags=["connections"])


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
