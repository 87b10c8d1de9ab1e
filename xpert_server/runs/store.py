"""The Store graphs see (`get_store()` in a node): our store_items table, scoped to the run's org.

One store object serves every compiled graph; the org comes from a context variable the run service
sets before executing a run (tasks LangGraph creates inherit it).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterable
from typing import Any

from langgraph.store.base import BaseStore, GetOp, Item, ListNamespacesOp, Op, PutOp, Result, SearchOp

from xpert_server.storage import SQLStorage

current_org: contextvars.ContextVar[str | None] = contextvars.ContextVar("xpert_current_org", default=None)


def _ns(namespace: tuple[str, ...]) -> str:
    for label in namespace:
        if not label or "." in label:
            raise ValueError(f"namespace labels must be non-empty and contain no '.': {namespace!r}")
    return ".".join(namespace)


def _item(d: dict[str, Any]) -> Item:
    from datetime import UTC, datetime

    return Item(
        value=d["value"],
        key=d["key"],
        namespace=tuple(d["namespace"]),
        created_at=datetime.fromtimestamp(d["created_at"], UTC),
        updated_at=datetime.fromtimestamp(d["updated_at"], UTC),
    )


def matches(value: dict[str, Any], filt: dict[str, Any] | None, query: str | None) -> bool:
    if filt and any(value.get(k) != v for k, v in filt.items()):
        return False
    if query:
        from xpert_server.encoding import dumps_str

        return query.lower() in dumps_str(value).lower()
    return True


class OrgStore(BaseStore):
    def __init__(self, storage: SQLStorage):
        self.storage = storage

    def _org(self) -> str:
        org = current_org.get()
        if org is None:
            raise RuntimeError("the store is only available inside a run")
        return org

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        raise NotImplementedError("xpert-server runs graphs asynchronously: use the store's async methods")

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        org = self._org()
        out: list[Result] = []
        for op in ops:
            if isinstance(op, GetOp):
                found = await self.storage.store_get(org, _ns(op.namespace), op.key)
                out.append(None if found is None else _item(found))
            elif isinstance(op, PutOp):
                if op.value is None:
                    await self.storage.store_delete(org, _ns(op.namespace), op.key)
                else:
                    await self.storage.store_put(org, _ns(op.namespace), op.key, dict(op.value))
                out.append(None)
            elif isinstance(op, SearchOp):
                rows = await self.storage.store_search(org, ".".join(op.namespace_prefix), limit=10_000)
                hits = [r for r in rows if matches(r["value"], op.filter, op.query)]
                out.append([_item(r) for r in hits[op.offset : op.offset + op.limit]])  # type: ignore[misc]
            elif isinstance(op, ListNamespacesOp):
                names = await self.storage.store_namespaces(org, "")
                out.append(filter_namespaces(names, op))
            else:
                raise ValueError(f"unsupported store operation {type(op).__name__}")
        return out


def _same(parts: tuple[str, ...], path: tuple[str, ...]) -> bool:
    return len(parts) == len(path) and all(p == "*" or p == q for p, q in zip(path, parts, strict=True))


def namespace_matches(
    parts: tuple[str, ...], prefix: tuple[str, ...] | None, suffix: tuple[str, ...] | None
) -> bool:
    """LangGraph's namespace conditions: `*` matches any one label."""
    if prefix and (len(parts) < len(prefix) or not _same(parts[: len(prefix)], prefix)):
        return False
    if suffix and (len(parts) < len(suffix) or not _same(parts[len(parts) - len(suffix) :], suffix)):
        return False
    return True


def filter_namespaces(names: list[str], op: ListNamespacesOp) -> list[tuple[str, ...]]:
    prefix = suffix = None
    for cond in op.match_conditions or ():
        if cond.match_type == "prefix":
            prefix = tuple(cond.path)
        else:
            suffix = tuple(cond.path)
    return list_namespaces(names, prefix, suffix, op.max_depth, op.limit, op.offset)


def list_namespaces(
    names: list[str],
    prefix: tuple[str, ...] | None,
    suffix: tuple[str, ...] | None,
    max_depth: int | None,
    limit: int,
    offset: int,
) -> list[tuple[str, ...]]:
    result: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for name in names:
        parts = tuple(name.split("."))
        if not namespace_matches(parts, prefix, suffix):
            continue
        if max_depth is not None:
            parts = parts[:max_depth]
        if parts not in seen:
            seen.add(parts)
            result.append(parts)
    return result[offset : offset + limit]
