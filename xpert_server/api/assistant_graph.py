"""Assistants, the rest of the contract: runtime capabilities, graph, schemas, subgraphs, setting the latest
version."""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import APIRouter
from langgraph.warnings import LangGraphDeprecationWarning
from pydantic import BaseModel, Field

from xpert_server.agents.definition import DefinitionError, parse_definition
from xpert_server.api.assistants import _require_unbound
from xpert_server.api.deps import PrincipalDep, ServicesDep, load_assistant
from xpert_server.api.storable import INT32_MAX
from xpert_server.api.wire.assistants import (
    Assistant,
    Graph,
    GraphSchemas,
    RuntimeCapabilities,
    Subgraphs,
    assistant_json,
    graph_id_of,
)
from xpert_server.auth.principal import Principal
from xpert_server.errors import NotFound
from xpert_server.runs.state import to_jsonable

router = APIRouter(prefix="/assistants/{assistant_id}", tags=["assistants"])


class SetLatest(BaseModel):
    version: int = Field(ge=1, le=INT32_MAX)  # the column is a 32-bit INTEGER on PostgreSQL


@router.get(
    "/runtime-capabilities",
    summary="What the xpert can do: skills (tools), plugins, sub-agents",
    response_model=RuntimeCapabilities,
)
async def runtime_capabilities(assistant_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    record = await load_assistant(services, p, assistant_id)
    spec = services.graphs.spec(record)
    approvals = spec.approval_tools()
    skills = [
        {"name": t.name, "description": t.description, "requiresApproval": t.name in approvals}
        for t in spec.tools
    ]
    plugins = [{"name": m.name, "type": "mcp", "transport": m.transport} for m in spec.mcp]
    sub_agents = [{"slug": s} for s in spec.agents]
    return {
        "skills": skills,
        "plugins": plugins,
        "subAgents": sub_agents,
        "knowledgebases": list(spec.knowledge),
    }


@router.get("/graph", summary="The xpert's graph: nodes and edges", response_model=Graph)
async def get_graph(
    assistant_id: str, services: ServicesDep, p: PrincipalDep, xray: bool = False
) -> dict[str, Any]:
    record = await load_assistant(services, p, assistant_id)
    async with services.graphs.reading(record, "assistants.read") as graph:
        drawable = graph.get_graph(xray=xray)
    return to_jsonable(drawable.to_json())  # type: ignore[no-any-return]


def _schemas(graph_id: str, graph: Any) -> dict[str, Any]:
    def schema(fn: Any) -> Any:
        try:
            # `get_config_jsonschema` is deprecated in LangGraph 1.x but still what LangGraph's server answers
            # as `config_schema`; its warning must not turn into "no schema" where warnings are errors.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", LangGraphDeprecationWarning)
                return to_jsonable(fn())
        except Exception:  # noqa: BLE001 - some graphs have no schema of that kind
            return None

    return {
        "graph_id": graph_id,
        "input_schema": schema(graph.get_input_jsonschema),
        "output_schema": schema(graph.get_output_jsonschema),
        "state_schema": schema(graph.get_output_jsonschema),
        "config_schema": schema(graph.get_config_jsonschema),
        "context_schema": schema(graph.get_context_jsonschema),
    }


@router.get(
    "/schemas", summary="The graph's input, output, state and config schemas", response_model=GraphSchemas
)
async def get_schemas(assistant_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    record = await load_assistant(services, p, assistant_id)
    graph_id = graph_id_of(record.public_id, record.definition, record.metadata)
    async with services.graphs.reading(record, "assistants.read") as graph:
        return _schemas(graph_id, graph)


async def _subgraphs(
    assistant_id: str, services: ServicesDep, p: PrincipalDep, namespace: str | None, recurse: bool
) -> dict[str, Any]:
    """LangGraph's answer: each subgraph's namespace (`parent|child` when nested) → its schemas. A namespace
    the graph does not have gives `{}`, as LangGraph's server answers."""
    record = await load_assistant(services, p, assistant_id)
    async with services.graphs.reading(record, "assistants.read") as graph:
        return {
            ns: _schemas(graph_id_of(record.public_id, record.definition, record.metadata), sub)
            async for ns, sub in graph.aget_subgraphs(namespace=namespace, recurse=recurse)
        }


@router.get(
    "/subgraphs",
    summary="The graph's subgraphs and their schemas (?recurse= for nested ones)",
    response_model=Subgraphs,
)
async def get_subgraphs(
    assistant_id: str, services: ServicesDep, p: PrincipalDep, recurse: bool = False
) -> dict[str, Any]:
    return await _subgraphs(assistant_id, services, p, None, recurse)


@router.get(
    "/subgraphs/{namespace}",
    summary="The subgraphs at a namespace (`parent|child`) and their schemas",
    response_model=Subgraphs,
)
async def get_subgraphs_at(
    assistant_id: str, namespace: str, services: ServicesDep, p: PrincipalDep, recurse: bool = False
) -> dict[str, Any]:
    return await _subgraphs(assistant_id, services, p, namespace, recurse)


async def _check_version_connections(
    services: ServicesDep, p: Principal, public_id: str, version: int
) -> None:
    """An earlier version may name a connection deleted since (it was not in use then): 400, as for a new
    definition, rather than an xpert whose runs fail."""
    offset = 0
    while page := await services.storage.list_assistant_versions(p, public_id, limit=1000, offset=offset):
        found = next((v for v in page if v.version == version), None)
        if found is not None:
            try:
                spec = parse_definition({"name": found.name, "slug": "v", **found.definition}, "version")
            except DefinitionError:
                return
            await services.connections.check_references(p, spec)
            return
        offset += len(page)


@router.post(
    "/latest", status_code=201, summary="Make an earlier version the current one", response_model=Assistant
)
async def set_latest(
    assistant_id: str, body: SetLatest, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    _require_unbound(p)
    record = await load_assistant(services, p, assistant_id)
    await _check_version_connections(services, p, record.public_id, body.version)
    updated = await services.storage.set_assistant_version(p, record.public_id, body.version)
    if updated is None:
        raise NotFound(f"Version {body.version} of assistant '{assistant_id}' not found.")
    return assistant_json(updated)
