"""Assistants, the rest of the contract: runtime capabilities, graph, schemas, setting the latest version."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from xpert_server.api.assistants import _require_unbound
from xpert_server.api.deps import PrincipalDep, ServicesDep, load_assistant
from xpert_server.api.storable import INT32_MAX
from xpert_server.api.wire.assistants import (
    Assistant,
    Graph,
    GraphSchemas,
    RuntimeCapabilities,
    assistant_json,
    graph_id_of,
)
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
    graph = services.graphs.get(record)
    drawable = graph.get_graph(xray=xray)
    return to_jsonable(drawable.to_json())  # type: ignore[no-any-return]


@router.get(
    "/schemas", summary="The graph's input, output, state and config schemas", response_model=GraphSchemas
)
async def get_schemas(assistant_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    record = await load_assistant(services, p, assistant_id)
    graph = services.graphs.get(record)

    def schema(fn: Any) -> Any:
        try:
            return to_jsonable(fn())
        except Exception:  # noqa: BLE001 - some graphs have no schema of that kind
            return None

    return {
        "graph_id": graph_id_of(record.public_id, record.definition, record.metadata),
        "input_schema": schema(graph.get_input_jsonschema),
        "output_schema": schema(graph.get_output_jsonschema),
        "state_schema": schema(graph.get_output_jsonschema),
        "config_schema": schema(graph.get_config_jsonschema),
        "context_schema": schema(graph.get_context_jsonschema),
    }


@router.post(
    "/latest", status_code=201, summary="Make an earlier version the current one", response_model=Assistant
)
async def set_latest(
    assistant_id: str, body: SetLatest, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    _require_unbound(p)
    record = await load_assistant(services, p, assistant_id)
    updated = await services.storage.set_assistant_version(p, record.public_id, body.version)
    if updated is None:
        raise NotFound(f"Version {body.version} of assistant '{assistant_id}' not found.")
    return assistant_json(updated)
