"""The tools one xpert offers its model, gathered per run.

Built-in tools are made once; MCP tools are listed once per assistant version (unless a server says
`cache: false`); sub-agents are looked up in storage and client tools read from the run's context at
each run, because both can differ between runs. A name is taken by the first source that offers it,
in that order (built-in, MCP, sub-agent, client), so a caller cannot shadow a server-side tool.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from xpert_server.agents.definition import XpertSpec
from xpert_server.agents.tools import builtin, client, mcp, subagent

if TYPE_CHECKING:
    from xpert_server.connections.endpoints import McpEndpoint

log = logging.getLogger("xpert.agents")

ToolKind = Literal["builtin", "mcp", "agent", "client"]
# (org id, slug, depth) → the sub-agent, or None when no such xpert is visible.
AgentResolver = Callable[[str | None, str, int], Awaitable[subagent.SubAgent | None]]
# Runs whose tool sets are kept between the model node and the tools node of the same run.
_RUNS_KEPT = 64


@dataclass(frozen=True)
class ToolEntry:
    name: str
    title: str
    toolset: str
    kind: ToolKind
    schema: dict[str, Any]
    approval: bool
    tool: BaseTool | None = None  # None for client tools: the caller runs them


@dataclass
class RunTools:
    entries: dict[str, ToolEntry] = field(default_factory=dict)

    def add(self, entry: ToolEntry) -> None:
        if entry.name in self.entries:
            log.warning(
                "tool %r from %s is shadowed by the %s tool of the same name",
                entry.name,
                entry.toolset,
                self.entries[entry.name].toolset,
            )
            return
        self.entries[entry.name] = entry

    def schemas(self) -> list[dict[str, Any]]:
        return [e.schema for e in self.entries.values()]

    def get(self, name: str) -> ToolEntry | None:
        return self.entries.get(name)


class Toolbox:
    def __init__(
        self,
        spec: XpertSpec,
        agents: AgentResolver | None = None,
        *,
        sub_agent: bool = False,
        mcp_connections: Mapping[str, McpEndpoint] | None = None,
    ):
        """`sub_agent`: this xpert runs as another's tool, without a checkpointer, so nothing may wait for
        a person: tools that need approval are left out, and so are client tools. `mcp_connections`: the
        connections its `mcp:` entries name, resolved (connections/service.py)."""
        self.spec = spec
        self.agents = agents
        self.sub_agent = sub_agent
        approvals = spec.approval_tools()
        self._builtins = [
            ToolEntry(
                name=t.name,
                title=builtin.BUILTINS[t.name].title,
                toolset=builtin.TOOLSET,
                kind="builtin",
                schema=_schema(tool := builtin.BUILTINS[t.name].make(t.config), t.description),
                approval=t.name in approvals,
                tool=tool,
            )
            for t in spec.tools
        ]
        self._mcp = _mcp_tools(spec, mcp_connections or {})
        self._runs: OrderedDict[str, RunTools] = OrderedDict()
        if spec.agents and agents is None:
            log.warning(
                "xpert %r lists agents %s, but this server cannot look xperts up: they are ignored",
                spec.slug,
                spec.agents,
            )

    async def for_run(self, config: RunnableConfig | None) -> RunTools:
        configurable = (config or {}).get("configurable") or {}
        run_id = configurable.get("run_id")
        if isinstance(run_id, str) and run_id in self._runs:
            return self._runs[run_id]
        tools = await self._gather(configurable, subagent.depth_of(config))
        if isinstance(run_id, str):
            self._runs[run_id] = tools
            while len(self._runs) > _RUNS_KEPT:
                self._runs.popitem(last=False)
        return tools

    async def _gather(self, configurable: dict[str, Any], depth: int) -> RunTools:
        approvals = self.spec.approval_tools()
        out = RunTools()
        for entry in self._builtins:
            out.add(entry)
        for m in await self._mcp.load():
            out.add(
                ToolEntry(
                    name=m.tool.name,
                    title=m.title,
                    toolset=m.server.name,
                    kind="mcp",
                    schema=_schema(m.tool),
                    approval=m.approval or m.tool.name in approvals,
                    tool=m.tool,
                )
            )
        if self.spec.agents and self.agents is not None and depth < subagent.MAX_DEPTH:
            org_id = configurable.get("xpert_org_id")
            for slug in self.spec.agents:
                agent = await self.agents(org_id, slug, depth + 1)
                if agent is None:
                    log.warning("xpert %r lists agent %r, which is not in its org", self.spec.slug, slug)
                    continue
                tool = subagent.make_agent_tool(agent, org_id, depth)
                out.add(
                    ToolEntry(
                        name=slug,
                        title=agent.title,
                        toolset=subagent.TOOLSET,
                        kind="agent",
                        schema=_schema(tool),
                        approval=slug in approvals,
                        tool=tool,
                    )
                )
        if not self.sub_agent:
            for c in client.client_tools(configurable.get("xpert_context")):
                out.add(
                    ToolEntry(
                        name=c.name,
                        title=c.name,
                        toolset=client.TOOLSET,
                        kind="client",
                        schema=c.schema(),
                        approval=False,
                    )
                )
        if self.sub_agent:
            # Nobody can approve inside a sub-run: such tools are not offered rather than run unasked.
            out.entries = {k: v for k, v in out.entries.items() if not v.approval}
        return out


def _mcp_tools(spec: XpertSpec, endpoints: Mapping[str, McpEndpoint]) -> mcp.McpTools:
    """The xpert's MCP servers: declared ones as they are, connection entries as what they name."""
    servers = []
    factories: dict[str, Any] = {}
    for item in spec.mcp:
        if item.connection is None:
            servers.append(item)
            continue
        endpoint = endpoints.get(item.connection)
        if endpoint is None:
            raise mcp.McpError(
                f"xpert {spec.slug!r}: MCP connection {item.connection!r} is not defined in its org or by the server"
            )
        servers.append(endpoint.server_spec(item))
        factories[item.name] = endpoint.client_factory()
    return mcp.McpTools(servers, factories)


def _schema(tool: BaseTool, description: str | None = None) -> dict[str, Any]:
    schema = convert_to_openai_tool(tool)
    if description:
        schema["function"]["description"] = description
    return schema
