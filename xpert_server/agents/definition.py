"""The xpert definition: what a YAML file (or `POST /assistants`) declares.

Only `name` and `slug` are required. Unknown keys are errors, so a typo is reported with its field
path instead of being silently ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from xpert_server.agents.tools.builtin import BUILTINS

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
ORG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelSpec(_Strict):
    provider: Literal["offline", "openai", "local"] = "openai"
    # A named connection (connections/): the operator's or the xpert's org's model endpoint, which gives
    # the URL, the key and the default model name, so `base_url`/`api_key_env` stay unset.
    connection: str | None = None
    name: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, gt=0)
    # The model reads images: images attached to a run go to it as `image_url` parts of the user's message
    # (inline data URLs). Without it the model gets a one-line note per image instead.
    vision: bool = False
    # Extra keyword arguments passed to the provider's client, for endpoint-specific options.
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _connection(self) -> ModelSpec:
        if self.connection is not None:
            if not SLUG_RE.match(self.connection):
                raise ValueError(f"connection: {self.connection!r} is not a connection name")
            if self.provider != "openai" or self.base_url or self.api_key_env:
                raise ValueError(
                    "a model `connection` gives the endpoint: leave out provider, base_url and api_key_env"
                )
        return self


class ToolSpec(_Strict):
    """A built-in tool (see agents/tools/builtin.py); MCP tools, sub-agents and client tools come elsewhere."""

    name: str
    require_approval: bool = False
    description: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in BUILTINS:
            raise ValueError(f"unknown tool {v!r}; the built-in tools are {', '.join(sorted(BUILTINS))}")
        return v

    @field_validator("config")
    @classmethod
    def _config(cls, v: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        builtin = BUILTINS.get(info.data.get("name", ""))
        if builtin is not None:
            try:
                builtin.config_model.model_validate(v)
            except ValidationError as e:
                first = e.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                raise ValueError(f"{where + ': ' if where else ''}{first['msg']}") from None
        return v


class McpServerSpec(_Strict):
    """A server declared in place (operator-only fields), or `{connection: github}` / `github`: a named
    connection of the operator or of the xpert's org (connections/)."""

    name: str
    connection: str | None = None
    transport: Literal["stdio", "http", "streamable_http", "sse"] = "stdio"
    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    # true: every tool of this server waits for approval; a list: those tools only.
    require_approval: bool | list[str] = False
    # Load the server's tool list once per assistant version (true) or at every run (false).
    cache: bool = True

    @model_validator(mode="before")
    @classmethod
    def _by_name(cls, data: Any) -> Any:
        # `mcp: [github]` is shorthand for `{connection: github}`; a connection names its server.
        if isinstance(data, str):
            data = {"connection": data}
        if isinstance(data, dict) and isinstance(data.get("connection"), str) and "name" not in data:
            data = {**data, "name": data["connection"]}
        return data

    @field_validator("name", "connection")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        if v is not None and not SLUG_RE.match(v):
            raise ValueError("must be lowercase letters, digits, '-' or '_', starting alphanumeric")
        return v

    @model_validator(mode="after")
    def _endpoint(self) -> McpServerSpec:
        if self.connection is not None:
            given = [
                f
                for f in ("command", "args", "env", "url", "headers", "transport")
                if f in self.model_fields_set
            ]
            if given:
                raise ValueError(f"a `connection` gives the server: leave out {', '.join(given)}")
            return self
        if self.transport == "stdio" and not self.command:
            raise ValueError("a stdio MCP server needs `command`")
        if self.transport != "stdio" and not self.url:
            raise ValueError(f"a {self.transport} MCP server needs `url`")
        return self


class XpertSpec(_Strict):
    name: str = Field(min_length=1, max_length=200)
    slug: str
    description: str | None = None
    org: str | None = None
    title: str | None = None
    type: str = "agent"
    tags: list[str] = Field(default_factory=list)
    avatar: str | None = None
    model: ModelSpec | None = None
    system_prompt: str | None = None
    tools: list[ToolSpec] = Field(default_factory=list)
    mcp: list[McpServerSpec] = Field(default_factory=list)
    knowledge: list[str] = Field(default_factory=list)
    # Tool names whose calls wait for a human decision (same as `require_approval: true` on the tool).
    approvals: list[str] = Field(default_factory=list)
    agents: list[str] = Field(default_factory=list)
    max_steps: int = Field(default=10, ge=1, le=100)
    graph: str | None = None
    config: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG_RE.match(v):
            raise ValueError(
                "must be lowercase letters, digits, '-' or '_' (at most 100), starting alphanumeric"
            )
        return v

    @field_validator("org")
    @classmethod
    def _org(cls, v: str | None) -> str | None:
        if v is not None and not ORG_RE.match(v):
            raise ValueError("must be a short slug: letters, digits, '-' or '_' (at most 64)")
        return v

    @field_validator("tools", mode="before")
    @classmethod
    def _tool_names(cls, v: Any) -> Any:
        # `tools: [current_time, {name: http_get, require_approval: true}]`: bare names are shorthand.
        if isinstance(v, list):
            return [{"name": item} if isinstance(item, str) else item for item in v]
        return v

    @field_validator("agents")
    @classmethod
    def _agent_slugs(cls, v: list[str]) -> list[str]:
        for slug in v:
            if not SLUG_RE.match(slug):
                raise ValueError(f"{slug!r} is not an xpert slug")
        return v

    @model_validator(mode="after")
    def _not_self(self) -> XpertSpec:
        if self.slug in self.agents:
            raise ValueError(f"agents: an xpert cannot list itself ({self.slug!r})")
        names = [t.name for t in self.tools]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"tools: listed more than once: {', '.join(dupes)}")
        return self

    @field_validator("graph")
    @classmethod
    def _graph_ref(cls, v: str | None) -> str | None:
        if v is not None and (":" not in v or v.endswith(":") or v.startswith(":")):
            raise ValueError('must be "module:attr" or "path/to/file.py:attr"')
        return v

    def approval_tools(self) -> set[str]:
        return set(self.approvals) | {t.name for t in self.tools if t.require_approval}

    def assistant_metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {"slug": self.slug, "title": self.title or self.name, "type": self.type}
        if self.tags:
            meta["tags"] = list(self.tags)
        if self.avatar:
            meta["avatar"] = self.avatar
        return {**meta, **self.metadata}


class DefinitionError(ValueError):
    """An invalid xpert definition; the message names the file and every bad field path."""


def format_errors(source: str, err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        path = ".".join(str(p) for p in e["loc"]) or "(root)"
        parts.append(f"{path}: {e['msg'].removeprefix('Value error, ')}")
    return f"{source}: " + "; ".join(parts)


def parse_definition(data: Any, source: str = "definition") -> XpertSpec:
    if not isinstance(data, dict):
        raise DefinitionError(f"{source}: expected a mapping with at least `name` and `slug`")
    try:
        return XpertSpec.model_validate(data)
    except ValidationError as e:
        raise DefinitionError(format_errors(source, e)) from e


# Nodes a definition may hold once its aliases are expanded. A real xpert has hundreds; an alias bomb
# (nested `&a`/`*a`) is a few lines that expand to billions, which validation and storage would copy out.
MAX_YAML_NODES = 100_000


class YAMLTooLarge(yaml.YAMLError):
    pass


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing documents whose aliases expand beyond MAX_YAML_NODES."""

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None:
            _check_expanded_size(node)
        return node


def _check_expanded_size(root: yaml.Node) -> None:
    """Count the nodes the document holds with every alias expanded, sharing the count of a node its
    aliases repeat (so the count itself takes one pass over the composed graph, not the expansion)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        children = _children(node)
        if children_done:
            on_path.discard(key)
            size = 1 + sum(sizes[id(c)] for c in children)
            if size > MAX_YAML_NODES:
                raise YAMLTooLarge(
                    f"its aliases expand to more than {MAX_YAML_NODES:,} values (an alias bomb?)"
                )
            sizes[key] = size
            continue
        if key in on_path:
            raise YAMLTooLarge("an alias refers to a value that contains it (a recursive alias)")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def load_file(path: Path) -> XpertSpec:
    """Read one YAML file. Raises DefinitionError naming the file (and line, for YAML syntax errors)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_BoundedLoader)
    except yaml.YAMLError as e:
        raise DefinitionError(f"{path}: {_yaml_problem(e)}") from e
    except OSError as e:
        raise DefinitionError(f"{path}: cannot read: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise DefinitionError(f"{path}: not UTF-8 text (byte {e.start}: {e.reason})") from e
    except RecursionError as e:
        raise DefinitionError(f"{path}: invalid YAML: nested too deeply") from e
    return parse_definition(data, str(path))


def _yaml_problem(e: yaml.YAMLError) -> str:
    """One line: where (1-based line and column) and what, without PyYAML's multi-line excerpt."""
    if isinstance(e, yaml.MarkedYAMLError) and e.problem_mark is not None:
        mark = e.problem_mark
        what = "; ".join(p for p in (e.context, e.problem) if p)
        # Quote the line the error is about (the opening of an unclosed bracket, say), when it has text.
        quoted = ""
        for m in (e.context_mark, mark):
            buffer = getattr(m, "buffer", None)
            if m is not None and isinstance(buffer, str):
                lines = buffer.rstrip("\x00").splitlines()
                if m.line < len(lines) and lines[m.line].strip():
                    quoted = f" (line {m.line + 1}: {lines[m.line].strip()!r})"
                    break
        return f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {what}{quoted}"
    return f"invalid YAML: {e}"


def load_dir(folder: Path) -> list[tuple[Path, XpertSpec]]:
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    return [(f, load_file(f)) for f in files]
