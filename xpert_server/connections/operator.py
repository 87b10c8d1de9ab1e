"""The operator's connections, declared in a YAML file (XPERT_CONNECTIONS / `--connections`):

    models:
      deepseek:
        base_url: https://api.deepseek.com/v1
        api_key_env: DEEPSEEK_API_KEY        # the key comes from the server's environment
        models: [deepseek-chat, deepseek-reasoner]   # the first is the default
        options: {max_retries: 1}            # extra ChatOpenAI arguments
    mcp:
      github:
        command: npx                         # stdio; or `transport: http` with `url` and `headers`
        args: [-y, "@modelcontextprotocol/server-github"]
        env: {GITHUB_TOKEN: "${GITHUB_TOKEN}"}

`${VAR}` in a URL, header or env value is read from the environment at start; a missing variable stops
the start naming it. The operator wrote these, so they may use private addresses and run commands; an
API caller only names them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from xpert_server.agents.definition import SLUG_RE, format_errors
from xpert_server.connections.endpoints import McpEndpoint, ModelEndpoint

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConnectionsError(ValueError):
    """The connections file is invalid; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OperatorModel(_Strict):
    provider: Literal["openai"] = "openai"
    base_url: str | None = None
    api_key_env: str | None = None
    models: list[str] = Field(default_factory=list)
    options: dict[str, Any] = Field(default_factory=dict)
    description: str | None = None


class OperatorMcp(_Strict):
    transport: Literal["stdio", "http", "streamable_http", "sse"] = "stdio"
    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    require_approval: bool | list[str] = False
    description: str | None = None

    @model_validator(mode="after")
    def _endpoint(self) -> OperatorMcp:
        if self.transport == "stdio" and not self.command:
            raise ValueError("a stdio MCP server needs `command`")
        if self.transport != "stdio" and not self.url:
            raise ValueError(f"a {self.transport} MCP server needs `url`")
        return self


class OperatorFile(_Strict):
    models: dict[str, OperatorModel] = Field(default_factory=dict)
    mcp: dict[str, OperatorMcp] = Field(default_factory=dict)

    @field_validator("models", "mcp")
    @classmethod
    def _names(cls, v: dict[str, Any]) -> dict[str, Any]:
        for name in v:
            if not SLUG_RE.match(name):
                raise ValueError(f"{name!r}: names are lowercase letters, digits, '-' or '_'")
        return v


class OperatorConnections:
    """The operator's connections, resolved against the environment once, at start."""

    def __init__(
        self,
        models: dict[str, ModelEndpoint],
        mcp: dict[str, McpEndpoint],
        descriptions: dict[str, str | None],
    ):
        self.models = models
        self.mcp = mcp
        self.descriptions = descriptions

    @classmethod
    def empty(cls) -> OperatorConnections:
        return cls({}, {}, {})

    def names(self) -> set[str]:
        return set(self.models) | set(self.mcp)


def load_operator_connections(path: Path | None, env: dict[str, str] | None = None) -> OperatorConnections:
    if path is None:
        return OperatorConnections.empty()
    environ = dict(os.environ if env is None else env)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as e:
        raise ConnectionsError(f"{path}: cannot read: {e}") from e
    except yaml.YAMLError as e:
        raise ConnectionsError(f"{path}: invalid YAML: {e}") from e
    if isinstance(data, dict) and set(data) == {"connections"}:
        data = data["connections"]  # a `connections:` section holding the same two maps
    try:
        parsed = OperatorFile.model_validate(data)
    except ValidationError as e:
        raise ConnectionsError(format_errors(str(path), e)) from e
    clash = set(parsed.models) & set(parsed.mcp)
    if clash:
        raise ConnectionsError(f"{path}: a model and an MCP server share the name {sorted(clash)[0]!r}")

    def expand(value: str, where: str) -> str:
        def sub(m: re.Match[str]) -> str:
            if m.group(1) not in environ:
                raise ConnectionsError(f"{path}: {where}: environment variable {m.group(1)} is not set")
            return environ[m.group(1)]

        return _VAR.sub(sub, value)

    models: dict[str, ModelEndpoint] = {}
    descriptions: dict[str, str | None] = {}
    for name, m in parsed.models.items():
        key = None
        if m.api_key_env:
            key = environ.get(m.api_key_env)
            if not key:
                raise ConnectionsError(f"{path}: models.{name}.api_key_env: {m.api_key_env} is not set")
        url = expand(m.base_url, f"models.{name}.base_url") if m.base_url else None
        models[name] = ModelEndpoint(name, "server", url, key, tuple(m.models), dict(m.options))
        descriptions[name] = m.description
    mcp: dict[str, McpEndpoint] = {}
    for name, s in parsed.mcp.items():
        where = f"mcp.{name}"
        mcp[name] = McpEndpoint(
            name,
            "server",
            s.transport,
            command=s.command,
            args=tuple(s.args),
            env={k: expand(v, f"{where}.env.{k}") for k, v in s.env.items()},
            url=expand(s.url, f"{where}.url") if s.url else None,
            headers={k: expand(v, f"{where}.headers.{k}") for k, v in s.headers.items()},
            require_approval=s.require_approval,
        )
        descriptions[name] = s.description
    return OperatorConnections(models, mcp, descriptions)
