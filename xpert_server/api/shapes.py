"""Records → the contract's JSON. The one place wire shapes are written."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from xpert_server.encoding import iso
from xpert_server.storage.records import AssistantRecord, AssistantVersionRecord, KeyRecord, ThreadRecord


def ts(epoch: float | None) -> str | None:
    return None if epoch is None else iso(datetime.fromtimestamp(epoch, UTC))


def assistant_json(r: AssistantRecord) -> dict[str, Any]:
    # XpertAI's clients read `assistant_id`, the seed reads `xpert_id`; LangGraph's read `graph_id`.
    return {
        "assistant_id": r.public_id,
        "xpert_id": r.public_id,
        "graph_id": r.public_id,
        "name": r.name,
        "description": r.description,
        "version": r.version,
        "created_at": ts(r.created_at),
        "updated_at": ts(r.updated_at),
        "config": r.config,
        "metadata": r.metadata,
        "context": r.context,
    }


def assistant_version_json(v: AssistantVersionRecord) -> dict[str, Any]:
    return {
        "assistant_id": v.assistant_id,
        "xpert_id": v.assistant_id,
        "graph_id": v.assistant_id,
        "version": v.version,
        "name": v.name,
        "description": v.description,
        "config": v.config,
        "metadata": v.metadata,
        "definition": v.definition,
        "created_at": ts(v.created_at),
    }


def thread_json(r: ThreadRecord, values: Any = None, with_values: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "thread_id": r.public_id,
        "status": r.status,
        "created_at": ts(r.created_at),
        "updated_at": ts(r.updated_at),
        "created_by": r.created_by,
        "updated_by": r.updated_by,
        "metadata": {**r.metadata, "id": r.conversation_id, "title": r.title, "assistant_id": r.assistant_id},
    }
    if with_values:
        out["values"] = values
    return out


def api_key_json(k: KeyRecord, *, now: float, key: str | None = None) -> dict[str, Any]:
    """An API key as admins see it: its hint, never the key (`key` only in the reply that created it)."""
    status = "revoked" if k.revoked_at else "expired" if k.expires_at and k.expires_at <= now else "active"
    out: dict[str, Any] = {
        "id": k.id,
        "name": k.name,
        "role": k.role,
        "hint": k.hint,
        "xpert_id": k.xpert_id,
        "status": status,
        "created_at": ts(k.created_at),
        "expires_at": ts(k.expires_at),
        "revoked_at": ts(k.revoked_at),
    }
    if key is not None:
        out["key"] = key
    return out
