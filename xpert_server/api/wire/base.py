"""Bases of the wire models, and the small shapes several resources share."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

# A JSON number as the handler wrote it: an int stays an int (`float` would turn 0 into 0.0).
Number = int | float
Json = dict[str, Any]


class Wire(BaseModel):
    """A closed shape: its fields are all it has."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class OpenWire(BaseModel):
    """A shape that echoes keys it does not know (extra keys a client stored, XpertAI's DTO extras)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Success(Wire):
    success: bool


class Deleted(Wire):
    """XpertAI's TypeORM delete result, as its clients read it."""

    id: str
    deleted: bool
    affected: int


class Ok(Wire):
    ok: bool


# One event of a 2xx that streams Server-Sent Events (OpenAPI describes a `text/event-stream` body per event):
# `data` is the JSON of an XpertAI ChatKit frame; `event` is absent (a message) or names a control frame.
SSE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One Server-Sent Event; `data` holds a JSON frame",
    "properties": {
        "id": {"type": "string"},
        "event": {"type": "string"},
        "data": {"type": "string"},
        "retry": {"type": "integer"},
    },
}
