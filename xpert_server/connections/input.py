"""What an admin gives to add or change an org connection (the API's bodies, the CLI's options), checked
before anything is stored: a name, a kind, a URL, and a secret of the kind's shape."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xpert_server.agents.definition import SLUG_RE
from xpert_server.connections.service import NewConnection

MAX_HEADERS = 32


def _check_models(v: list[str]) -> list[str]:
    if len(set(v)) != len(v) or any(not m or len(m) > 200 for m in v):
        raise ValueError("model names: non-empty, at most 200 characters, each once")
    return v


def _check_headers(v: dict[str, str]) -> dict[str, str]:
    if len(v) > MAX_HEADERS:
        raise ValueError(f"at most {MAX_HEADERS} headers")
    for name, value in v.items():
        if not name or any(c in name for c in ":\r\n ") or "\r" in value or "\n" in value:
            raise ValueError(f"header {name!r}: names are tokens, values one line")
    return v


class ConnectionCreate(BaseModel):
    """A model endpoint (`kind: model`: `url`, `api_key`, `models`) or an MCP server over HTTP
    (`kind: mcp`: `url`, `headers`, `transport`)."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["model", "mcp"]
    url: str = Field(min_length=1, max_length=2000)
    transport: Literal["http", "sse"] | None = None
    models: list[str] = Field(default_factory=list, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    api_key: str | None = Field(default=None, min_length=1, max_length=4000)
    headers: dict[str, str] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not SLUG_RE.match(v):
            raise ValueError("lowercase letters, digits, '-' or '_', starting alphanumeric")
        return v

    @field_validator("models")
    @classmethod
    def _models(cls, v: list[str]) -> list[str]:
        return _check_models(v)

    @field_validator("headers")
    @classmethod
    def _headers(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_headers(v)

    def new(self) -> NewConnection:
        return NewConnection(
            name=self.name,
            kind=self.kind,
            url=self.url,
            transport=(self.transport or "http") if self.kind == "mcp" else None,
            models=list(self.models),
            description=self.description,
            api_key=self.api_key,
            headers=dict(self.headers),
        )

    @model_validator(mode="after")
    def _by_kind(self) -> ConnectionCreate:
        if self.kind == "model" and (self.headers or self.transport):
            raise ValueError("a model connection takes `api_key`, not `headers` or `transport`")
        if self.kind == "mcp" and (self.api_key or self.models):
            raise ValueError("an MCP connection takes `headers`, not `api_key` or `models`")
        return self


class ConnectionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    transport: Literal["http", "sse"] | None = None
    models: list[str] | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    api_key: str | None = Field(default=None, min_length=1, max_length=4000)
    headers: dict[str, str] | None = None

    @field_validator("models")
    @classmethod
    def _models(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _check_models(v)

    @field_validator("headers")
    @classmethod
    def _headers(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        return None if v is None else _check_headers(v)
