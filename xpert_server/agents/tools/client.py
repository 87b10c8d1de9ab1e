"""Client tools: declared by the caller in the run's `context.clientTools`, run by the caller.

ChatKit and the xpert CLI send `[{name, description, parameters | schema}]`. The model sees them like any
tool; calling one interrupts the run with `{clientToolCalls: [...]}` and the caller resumes with the
results (`toolMessages`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

TOOLSET = "client"
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_CLIENT_TOOLS = 64


class ClientToolsError(ValueError):
    """`context.clientTools` is malformed; the message names the entry and field."""


@dataclass(frozen=True)
class ClientTool:
    name: str
    description: str
    parameters: dict[str, Any]

    def schema(self) -> dict[str, Any]:
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": self.parameters},
        }


def client_tools(context: Any) -> list[ClientTool]:
    """The client tools declared in a run's `context` (none when absent)."""
    if not isinstance(context, dict):
        return []
    raw = context.get("clientTools")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ClientToolsError("context.clientTools: expected an array of {name, description, parameters}")
    if len(raw) > MAX_CLIENT_TOOLS:
        raise ClientToolsError(f"context.clientTools: at most {MAX_CLIENT_TOOLS} tools")
    out: list[ClientTool] = []
    for i, item in enumerate(raw):
        where = f"context.clientTools.{i}"
        if not isinstance(item, dict):
            raise ClientToolsError(f"{where}: expected an object")
        name = item.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise ClientToolsError(f"{where}.name: expected 1-64 letters, digits, '_' or '-'")
        description = item.get("description") or ""
        if not isinstance(description, str):
            raise ClientToolsError(f"{where}.description: expected a string")
        params = next(
            (item[k] for k in ("parameters", "schema", "inputSchema", "input_schema") if k in item), None
        )
        if params is None:
            params = {"type": "object", "properties": {}}
        if not isinstance(params, dict):
            raise ClientToolsError(f"{where}.parameters: expected a JSON schema object")
        out.append(ClientTool(name=name, description=description or f"Client tool {name}", parameters=params))
    return out
