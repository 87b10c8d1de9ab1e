"""Which fields of an xpert definition an API caller may set, and which are the operator's alone.

The operator writes the server's YAML and environment and is trusted; an API caller is not. A field that
runs code (`graph`, an MCP `command`), reads the server's environment or files (`model.api_key_env`,
`model.options`, a `provider: local` model path) or reaches a network the operator did not configure
(`model.base_url`, MCP URLs, `http_get`'s `allow_private`) is **operator-only**: over the API it is a 403
naming the field, and nothing is stored.

What an API caller uses instead is a **connection** by name (`model.connection`, `mcp[].connection`):
the operator's or its own org's (connections/), whose endpoint, key and command were set by the operator
or the org's admin where connections are made; which names an xpert may use is checked by the API handler
(connections/service.py `check_references`).

Classification is by field path, walked from the definition's model classes (nested models, list items,
each built-in tool's `config`). A path missing from `API_SETTABLE` is operator-only, so a field added to
the definition later is closed to the API until someone decides otherwise here.

A caller may keep what the operator set: `PATCH` of a YAML xpert, or `POST /assistants` with `graph_id`
(a copy of an operator's xpert), carries its operator-only values along unchanged; only *changing* one,
or setting one on a new xpert, is refused.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any, Literal, Union

from pydantic import BaseModel

from xpert_server.agents.definition import DefinitionError, XpertSpec, parse_definition
from xpert_server.agents.tools.builtin import BUILTINS

Access = Literal["api", "operator", "rule"]

# Every path an API caller may set freely. `tools[<tool>].config.<field>` names a built-in tool's config.
API_SETTABLE: frozenset[str] = frozenset(
    {
        "name",
        "slug",
        "description",
        "title",
        "type",
        "tags",
        "avatar",
        "system_prompt",
        "knowledge",  # knowledge bases of the xpert's own org, by name or id
        "approvals",
        "agents",  # other xperts of its own org, by slug
        "max_steps",
        "config",  # stored and returned; never merged into what the engine reads
        "metadata",
        "model.temperature",
        "model.max_tokens",
        "model.vision",
        # Connections by name (connections/): the operator's or the org's own, checked by the API handler;
        # what they point at (URL, key, command) is the operator's or the org admin's, set elsewhere.
        "model.connection",
        "mcp[].connection",
        "mcp[].name",
        "tools[].name",
        "tools[].require_approval",
        "tools[].description",
        "tools[http_get].config.timeout",
        "tools[http_get].config.max_bytes",
    }
)
# Settable within bounds that depend on the value (see `_rule_problem`).
RULES: frozenset[str] = frozenset({"model.provider", "model.name"})
# What an API caller may choose as `model.provider`: `local` loads a file from the server's disk.
API_PROVIDERS: frozenset[str] = frozenset({"openai", "offline"})

_UNSET = object()


def access(path: str) -> Access:
    if path in API_SETTABLE:
        return "api"
    return "rule" if path in RULES else "operator"


def _models_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """(the model class inside `X | None` or `list[X]`, whether it is a list)."""
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found, is_list = _models_in(arg)
            if found is not None:
                return found, is_list
        return None, False
    if origin is list:
        (item,) = typing.get_args(annotation)
        found, _ = _models_in(item)
        return found, True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, False


def _fields(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, str, type[BaseModel] | None, bool]]:
    """(path, attribute name, nested model class or None, is a list) for each field of `model`."""
    for name, info in model.model_fields.items():
        nested, is_list = _models_in(info.annotation)
        yield f"{prefix}{name}", name, nested, is_list


def all_paths() -> dict[str, Access]:
    """Every field path of the definition, nested and tool-config fields included, with its access."""
    out: dict[str, Access] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for path, _name, nested, is_list in _fields(model, prefix):
            if nested is None:
                out[path] = access(path)
                if path == "tools[].config":
                    del out[path]
                    for tool, builtin in BUILTINS.items():
                        for field in builtin.config_model.model_fields:
                            p = f"tools[{tool}].config.{field}"
                            out[p] = access(p)
            else:
                walk(nested, f"{path}[]." if is_list else f"{path}.")

    walk(XpertSpec, "")
    return out


def _default(model: type[BaseModel], name: str) -> Any:
    info = model.model_fields[name]
    return _UNSET if info.is_required() else info.get_default(call_default_factory=True)


def _rule_problem(path: str, value: Any, spec: XpertSpec, models: frozenset[str] | None) -> bool:
    if path == "model.provider":
        return value not in API_PROVIDERS
    if path == "model.name":
        if spec.model is not None and spec.model.connection:
            return False  # the connection's own list bounds it (connections/service.check_references)
        provider = spec.model.provider if spec.model is not None else "openai"
        # The offline model's name is a label; a real model must be one the operator declared (the server's).
        return provider != "offline" and models is not None and value not in models
    return True


def operator_only_changes(
    new: XpertSpec, base: XpertSpec | None = None, *, models: frozenset[str] | None = frozenset()
) -> list[str]:
    """The operator-only fields that `new` sets to something other than `base` had (or, without a base,
    other than the field's default), as paths into the definition (`mcp[0].command`, `model.base_url`).

    `models`: the model names an API xpert may use with a real provider (the server's own model); None
    skips that rule (for checking stored definitions)."""
    found: list[str] = []

    def compare(model: type[BaseModel], new_obj: Any, base_obj: Any, shown: str, classed: str) -> None:
        for path, name, nested, is_list in _fields(model, classed):
            where = f"{shown}{name}"
            new_value = getattr(new_obj, name)
            base_value = getattr(base_obj, name) if base_obj is not None else _default(model, name)
            if nested is not None and is_list:
                old_items = {
                    getattr(i, "name", None): i for i in (base_value if base_value is not _UNSET else [])
                }
                for index, item in enumerate(new_value):
                    compare(
                        nested,
                        item,
                        old_items.get(getattr(item, "name", None)),
                        f"{where}[{index}].",
                        f"{path}[].",
                    )
            elif nested is not None:
                if new_value is not None:
                    compare(
                        nested,
                        new_value,
                        base_value if base_value is not _UNSET else None,
                        f"{where}.",
                        f"{path}.",
                    )
            elif path == "tools[].config":
                tool = new_obj.name
                config_model = BUILTINS[tool].config_model
                new_config = config_model.model_validate(new_value)
                base_config = (
                    config_model.model_validate(base_value) if isinstance(base_value, dict) else None
                )
                compare(config_model, new_config, base_config, f"{where}.", f"tools[{tool}].config.")
            else:
                kind = access(path)
                if kind == "api" or new_value == base_value:
                    continue
                if kind == "rule" and not _rule_problem(path, new_value, new, models):
                    continue
                found.append(where)

    compare(XpertSpec, new, base, "", "")
    return found


def stored_operator_fields(definition: Any) -> list[str]:
    """Operator-only fields in a stored definition (for reviewing xperts made over the API before roles)."""
    try:
        spec = parse_definition(definition, "stored definition")
    except DefinitionError:
        return []
    return operator_only_changes(spec, None, models=None)


def server_models(model: str | None) -> frozenset[str]:
    """The model names API-made xperts may name: the server's own (XPERT_MODEL)."""
    return frozenset({model}) if model else frozenset()


def refusal(fields: list[str]) -> str:
    shown = ", ".join(fields[:6]) + (f" (and {len(fields) - 6} more)" if len(fields) > 6 else "")
    return (
        f"{shown}: only the server's operator may set {'this field' if len(fields) == 1 else 'these fields'} "
        "(in the xpert's YAML file); an API caller may not make the server run commands, read its "
        "environment or files, or reach other networks. See docs/security.md."
    )
