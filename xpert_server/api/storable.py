"""`Storable`: request fields whose values the databases cannot hold (NUL, integers past 64 bits) answer 400."""

from __future__ import annotations

from typing import TypeVar

from pydantic import AfterValidator, ValidationInfo

from xpert_server.encoding import INT64_MAX, INT64_MIN, unstorable_paths

__all__ = [
    "INT32_MAX",
    "INT64_MAX",
    "INT64_MIN",
    "Storable",
    "check_storable",
    "unstorable_paths",
]

T = TypeVar("T")


# --- values no backend can store ------------------------------------------------------------------

INT32_MAX = 2**31 - 1


def check_storable(value: T, path: str = "") -> T:
    """`value`, or ValueError naming each path in it that storage would refuse."""
    bad = unstorable_paths(value, path)
    if bad:
        where = ", ".join(p for p in bad if p)
        raise ValueError(
            "must not contain NUL characters or integers beyond 64 bits" + (f" (at {where})" if where else "")
        )
    return value


def _storable_field(value: T, info: ValidationInfo) -> T:
    return check_storable(value, info.field_name or "")


# A request field whose value is stored: answer 400 naming the field, on every backend alike,
# instead of a database error (500) on PostgreSQL only.
Storable = AfterValidator(_storable_field)
