"""Checkpointed values as JSON (`values`, `/state`): LangChain messages as their dict form."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import BaseMessage


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
