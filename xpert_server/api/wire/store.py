"""The Store's items and namespaces (LangGraph's shapes)."""

from __future__ import annotations

from typing import Any

from xpert_server.api.wire.base import Json, OpenWire, Wire
from xpert_server.encoding import ts


class StoreItem(OpenWire):
    namespace: list[str]
    key: str
    value: Json
    created_at: str | None
    updated_at: str | None


class StoreItems(Wire):
    items: list[StoreItem]


class Namespaces(Wire):
    namespaces: list[list[str]]


def item_json(item: dict[str, Any]) -> dict[str, Any]:
    return {**item, "created_at": ts(item["created_at"]), "updated_at": ts(item["updated_at"])}
