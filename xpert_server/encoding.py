"""The one JSON encoder (orjson), ids and timestamps (`ts`, `iso`) used across the server."""

from __future__ import annotations

import os
import threading
import time
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


# Ids must not be predictable: a client may choose a thread's or an assistant's id, so one who could
# predict the ids the server will hand out (Mersenne Twister's state follows from ~160 of its UUIDs) could
# take them first and make other tenants' creates fail. Their random bits come from the OS's CSPRNG, drawn
# 4 KiB at a time (one syscall per 409 ids, as cheap as a PRNG); the lock keeps threads from sharing bytes.
_pool = bytearray()
_pool_lock = threading.Lock()
os.register_at_fork(after_in_child=_pool.clear)  # a forked process must not hand out its parent's ids
_RANDOM_BYTES = 10  # 80 drawn, 74 used: the UUID's version and variant take the other 6 bits


def new_id() -> str:
    """A UUID (XpertAI's clients send and expect UUIDs), version 7 (RFC 9562): 48 bits of Unix time in
    milliseconds, then 74 random bits. Time-ordered, so a new row's key lands beside the previous one's in
    every index it is in (threads, conversations, runs and their frames, messages): a commit dirties the
    same few B-tree pages however many rows the table holds. Random (version 4) keys put each insert on
    a random leaf: with 100,000 threads stored a thread create cost ~35% more CPU and twice the wall time,
    most of it in writing those pages to the WAL (issue 29). 74 random bits are as unguessable as 122.
    The random bits are the id's end: take a short random tag from there (`new_id()[-8:]`), not its
    start, which is the clock."""
    with _pool_lock:
        if len(_pool) < _RANDOM_BYTES:
            _pool[:] = os.urandom(4096)
        rand = int.from_bytes(_pool[-_RANDOM_BYTES:], "big")
        del _pool[-_RANDOM_BYTES:]
    ms = time.time_ns() // 1_000_000 & 0xFFFF_FFFF_FFFF
    # 48 bits time | version 7 | 12 random bits | variant 0b10 | 62 random bits
    value = ms << 80 | 0x7 << 76 | (rand >> 68) << 64 | 0b10 << 62 | rand & ((1 << 62) - 1)
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def new_random_id() -> str:
    """A version-4 UUID (122 random bits from the OS) for the few ids a person names by their first
    characters (`xpert keys revoke 3f2a…`): keys made in the same millisecond would share twelve leading
    digits as version 7. Their tables are small, so insert locality does not matter there."""
    return str(uuid.UUID(bytes=os.urandom(16), version=4))


def utcnow() -> datetime:
    return datetime.now(UTC)


def ts(epoch: float | None) -> str | None:
    """An epoch (as storage keeps times) as the wire's ISO-8601 string."""
    return None if epoch is None else iso(datetime.fromtimestamp(epoch, UTC))


def iso(dt: datetime | None) -> str | None:
    """ISO-8601 with milliseconds and `Z`, as XpertAI's server serialises JS Dates."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- values no backend can store ------------------------------------------------------------------

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def unstorable_paths(value: Any, path: str = "") -> list[str]:
    """Where a JSON value holds what storage refuses: NUL characters (PostgreSQL text and JSONB reject
    them) or integers beyond 64 bits (the JSON encoder and both databases reject them)."""
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [] if INT64_MIN <= value <= INT64_MAX else [path]
    bad: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                bad.append(sub)
            bad.extend(unstorable_paths(item, sub))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            bad.extend(unstorable_paths(item, f"{path}.{i}" if path else str(i)))
    return bad
