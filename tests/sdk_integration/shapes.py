"""Check a real server's JSON against the SDK's TypedDicts: every key it sends is declared, with its type.

`TypedDict`s are `total=False` (a server may omit fields), so only the other direction can drift
silently: a field the server sends that the SDK's type does not know, or a value of another type.
"""

from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict


def shape_errors(value: Any, tp: Any, path: str = "$") -> list[str]:
    """Where `value` does not fit `tp` (a TypedDict, list[...], Literal, union, or plain type)."""
    if tp is Any:
        return []
    origin = get_origin(tp)
    if is_typeddict(tp):
        if not isinstance(value, dict):
            return [f"{path}: expected an object ({tp.__name__}), got {type(value).__name__}"]
        hints = get_type_hints(tp)
        errors = [
            f"{path}.{key}: sent by the server, missing from {tp.__name__}"
            for key in value
            if key not in hints
        ]
        for key, item in value.items():
            if key in hints:
                errors += shape_errors(item, hints[key], f"{path}.{key}")
        return errors
    if origin is Literal:
        return [] if value in get_args(tp) else [f"{path}: {value!r} is not one of {get_args(tp)}"]
    if origin in (Union, types.UnionType):
        arms = [shape_errors(value, arm, path) for arm in get_args(tp)]
        return [] if any(not errs for errs in arms) else min(arms, key=len)
    if origin is list:
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        (item_type,) = get_args(tp) or (Any,)
        return [err for i, item in enumerate(value) for err in shape_errors(item, item_type, f"{path}[{i}]")]
    if origin is dict or tp is dict:
        return [] if isinstance(value, dict) else [f"{path}: expected an object, got {type(value).__name__}"]
    if tp is type(None) or tp is None:
        return [] if value is None else [f"{path}: expected null, got {value!r}"]
    if tp is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected a number, got {value!r}"]
    if tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected an integer, got {value!r}"]
    if isinstance(tp, type):
        return [] if isinstance(value, tp) else [f"{path}: expected {tp.__name__}, got {value!r}"]
    raise TypeError(f"shape_errors cannot check {tp!r}")


def assert_shape(value: Any, tp: Any) -> None:
    errors = shape_errors(value, tp)
    assert not errors, "the server's JSON does not match the SDK's type:\n  " + "\n  ".join(errors)
