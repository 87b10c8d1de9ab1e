"""The one JSON encoder (orjson), ids and timestamps used across the server."""

from __future__ import annotations

import os
import random
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.responses import JSONResponse as _StarletteJSONResponse

_OPTS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _default(obj: Any) -> Any:
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    raise TypeError(f"Type is not JSON serializable: {type(obj).__name__}")


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj, default=_default, option=_OPTS)


def dumps_str(obj: Any) -> str:
    return dumps(obj).decode()


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


class JSONResponse(_StarletteJSONResponse):
    def render(self, content: Any) -> bytes:
        return dumps(content)


# Ids are not secrets (every lookup is checked against the caller's tenant; keys and client secrets use
# `secrets`), so they come from a PRNG seeded once from the OS: os.urandom per id cost ~0.1 ms here.
_rng = random.Random(os.urandom(32))


def new_id() -> str:
    """Ids are UUID4 strings: XpertAI's clients send and expect UUIDs."""
    return str(uuid.UUID(int=_rng.getrandbits(128), version=4))


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime | None) -> str | None:
    """ISO-8601 with milliseconds and `Z`, as XpertAI's server serialises JS Dates."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
