"""Thread state out of the checkpointer, as JSON (`values`, `/state`)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import BaseMessage

from xpert_server.api.shapes import ts


def to_jsonable(value: Any) -> Any:
    """LangChain messages become their dict form (as LangGraph's server returns them)."""
    if isinstance(value, BaseMessage):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return str(value)


def state_json(thread_id: str, tup: Any) -> dict[str, Any]:
    if tup is None:
        return {"values": {}, "next": [], "tasks": [], "checkpoint": None, "parent_checkpoint": None,
                "metadata": {}, "created_at": None}
    cfg = tup.config["configurable"]
    parent = tup.parent_config["configurable"] if tup.parent_config else None
    pending = {w[0] for w in (tup.pending_writes or [])}
    return {
        "values": to_jsonable(tup.checkpoint.get("channel_values", {})),
        "next": sorted(pending) if pending else [],
        "tasks": [],
        "checkpoint": {"thread_id": thread_id, "checkpoint_ns": cfg.get("checkpoint_ns", ""),
                       "checkpoint_id": cfg.get("checkpoint_id")},
        "parent_checkpoint": None if parent is None else {
            "thread_id": thread_id, "checkpoint_ns": parent.get("checkpoint_ns", ""),
            "checkpoint_id": parent.get("checkpoint_id")},
        "metadata": to_jsonable(dict(tup.metadata or {})),
        "created_at": tup.checkpoint.get("ts") or ts(None),
    }
