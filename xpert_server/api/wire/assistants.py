"""Assistants (xperts): the assistant, its versions, capabilities, graph and schemas."""

from __future__ import annotations

from typing import Any

from pydantic import RootModel

from xpert_server.api.wire.base import Json, OpenWire, Wire
from xpert_server.encoding import ts
from xpert_server.storage.records import AssistantRecord, AssistantVersionRecord


class Assistant(Wire):
    # XpertAI's clients read `assistant_id`, the seed reads `xpert_id`; LangGraph's read `graph_id`.
    assistant_id: str
    xpert_id: str
    graph_id: str
    name: str
    description: str | None
    version: int
    created_at: str | None
    updated_at: str | None
    config: Json
    metadata: Json
    context: Json | None


class AssistantVersion(Wire):
    assistant_id: str
    xpert_id: str
    graph_id: str
    version: int
    name: str
    description: str | None
    config: Json
    metadata: Json
    definition: Json
    created_at: str | None


class AssistantDeleted(Wire):
    success: bool
    assistant_id: str


class Skill(Wire):
    name: str
    description: str | None
    requiresApproval: bool


class Plugin(Wire):
    name: str
    type: str
    transport: str | None


class SubAgent(Wire):
    slug: str


class RuntimeCapabilities(Wire):
    skills: list[Skill]
    plugins: list[Plugin]
    subAgents: list[SubAgent]
    knowledgebases: list[Any]


class Graph(OpenWire):
    """LangGraph's drawable graph (`get_graph().to_json()`)."""

    nodes: list[Json]
    edges: list[Json]


class GraphSchemas(Wire):
    graph_id: str
    input_schema: Any
    output_schema: Any
    state_schema: Any
    config_schema: Any
    context_schema: Any


class Subgraphs(RootModel[dict[str, GraphSchemas]]):
    """A graph's subgraphs: namespace (`parent|child` when nested) → that subgraph's schemas."""


def assistant_json(r: AssistantRecord) -> dict[str, Any]:
    return {
        "assistant_id": r.public_id,
        "xpert_id": r.public_id,
        "graph_id": r.public_id,
        "name": r.name,
        "description": r.description,
        "version": r.version,
        "created_at": ts(r.created_at),
        "updated_at": ts(r.updated_at),
        "config": r.config,
        "metadata": r.metadata,
        "context": r.context,
    }


def assistant_version_json(v: AssistantVersionRecord) -> dict[str, Any]:
    return {
        "assistant_id": v.assistant_id,
        "xpert_id": v.assistant_id,
        "graph_id": v.assistant_id,
        "version": v.version,
        "name": v.name,
        "description": v.description,
        "config": v.config,
        "metadata": v.metadata,
        "definition": v.definition,
        "created_at": ts(v.created_at),
    }
