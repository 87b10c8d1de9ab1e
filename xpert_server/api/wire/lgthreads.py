"""LangGraph's thread-centric protocol (the SDKs' v2 streaming): a command and its answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from xpert_server.api.wire.base import Json, Wire


class ProtocolCommand(BaseModel):
    """`POST /threads/{id}/commands`: `{id, method, params}` (langchain-protocol's Command)."""

    id: int = Field(ge=0, le=2**53)
    method: str = Field(min_length=1, max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)


class CommandMeta(Wire):
    applied_through_seq: int


class CommandReply(Wire):
    """A command's success (`result`: `{run_id}` for `run.start`, `{}` for `input.respond`, the state for
    `state.get`). A command that fails is an error envelope with a 4xx status."""

    type: Literal["success"]
    id: int
    result: Json
    meta: CommandMeta
