"""Connections as an org admin sees them: never a secret, at most its hint."""

from __future__ import annotations

from typing import Any, Literal

from xpert_server.api.wire.base import Wire
from xpert_server.connections.service import ConnectionView
from xpert_server.encoding import ts


class Connection(Wire):
    name: str
    kind: Literal["model", "mcp"]
    # `server`: the operator's (its URL, key and command are not shown); `org`: the org's own.
    scope: Literal["server", "org"]
    url: str | None
    transport: str | None
    models: list[str]
    description: str | None
    # The org's own only: the key's last characters, or the header names (values never).
    hint: str | None
    created_at: str | None
    updated_at: str | None


class ConnectionDeleted(Connection):
    success: bool


def connection_json(v: ConnectionView) -> dict[str, Any]:
    return {
        "name": v.name,
        "kind": v.kind,
        "scope": v.scope,
        "url": v.url,
        "transport": v.transport,
        "models": list(v.models),
        "description": v.description,
        "hint": v.hint,
        "created_at": ts(v.created_at),
        "updated_at": ts(v.updated_at),
    }
