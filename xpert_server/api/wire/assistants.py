"""Assistants (xperts): the assistant, its versions, capabilities, graph and schemas."""

from __future__ import annotations

from typing import Any

from pydantic import RootModel

from xpert_server.api.wire.base import Json, OpenWire, Wire
from xpert_server.encoding import dumps, ts
from xpert_server.storage.records import AssistantRecord, AssistantStamp, AssistantVersionRecord


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


def graph_id_of(public_id: str, definition: dict[str, Any], metadata: dict[str, Any]) -> str:
    """LangGraph's `graph_id`: a custom graph's name is its xpert's slug (what `assistant_id="<slug>"` runs,
    as LangGraph runs a graph's default assistant), or for an assistant made from it, the name it was made
    from; a declared xpert is its own graph, named by its id."""
    if not definition.get("graph"):
        return public_id
    made_from, slug = metadata.get("graph_id"), definition.get("slug")
    return str(made_from) if isinstance(made_from, str) else str(slug) if isinstance(slug, str) else public_id


class Subgraphs(RootModel[dict[str, GraphSchemas]]):
    """A graph's subgraphs: namespace (`parent|child` when nested) → that subgraph's schemas."""


def assistant_json(r: AssistantRecord) -> dict[str, Any]:
    return {
        "assistant_id": r.public_id,
        "xpert_id": r.public_id,
        "graph_id": graph_id_of(r.public_id, r.definition, r.metadata),
        "name": r.name,
        "description": r.description,
        "version": r.version,
        "created_at": ts(r.created_at),
        "updated_at": ts(r.updated_at),
        "config": r.config,
        "metadata": r.metadata,
        "context": r.context,
    }


class RenderedAssistants:
    """Each assistant's `assistant_json`, encoded, kept for as long as its row keeps the same stamp.

    A search reads the stamps of its page (storage's `search_assistant_stamps`: no JSON column decoded)
    and sends the kept bytes of each; it fetches and renders only rows whose stamp it has not seen (new,
    updated, or another version made `latest`), so any write, by this process or another, is seen by
    the next search. Bounded: at most `max_bytes` kept, oldest first out; a shape larger than `max_item`
    is rendered every time instead.
    """

    def __init__(self, max_bytes: int = 8 << 20, max_item: int = 64 << 10):
        self.max_bytes = max_bytes
        self.max_item = max_item
        self._kept: dict[str, tuple[AssistantStamp, bytes]] = {}
        self._size = 0

    def missing(self, stamps: list[AssistantStamp]) -> list[str]:
        """Internal ids of the stamps not rendered yet."""
        kept = self._kept
        return [s.id for s in stamps if (hit := kept.get(s.id)) is None or hit[0] != s]

    def page(self, stamps: list[AssistantStamp], fetched: list[AssistantRecord]) -> bytes:
        """The JSON array of the stamps' shapes: kept bytes, or the fetched row's (a row fetched after its
        stamp was read is newer: its content is sent, kept under its own stamp; a row deleted meanwhile
        is left out)."""
        fresh = {r.id: self._render(r) for r in fetched}
        kept = self._kept
        parts: list[bytes] = []
        for s in stamps:
            body = fresh.get(s.id)
            if body is None:
                hit = kept.get(s.id)
                if hit is None or hit[0] != s:
                    continue  # deleted between the two reads
                body = hit[1]
            parts.append(body)
        return b"[" + b",".join(parts) + b"]"

    def _render(self, r: AssistantRecord) -> bytes:
        body = dumps(assistant_json(r))
        if len(body) <= self.max_item:
            old = self._kept.pop(r.id, None)
            if old is not None:
                self._size -= len(old[1])
            self._kept[r.id] = (AssistantStamp(r.id, r.version, r.updated_at), body)
            self._size += len(body)
            while self._size > self.max_bytes:
                oldest = next(iter(self._kept))  # dicts keep insertion order
                self._size -= len(self._kept.pop(oldest)[1])
        return body


def assistant_version_json(v: AssistantVersionRecord) -> dict[str, Any]:
    return {
        "assistant_id": v.assistant_id,
        "xpert_id": v.assistant_id,
        "graph_id": graph_id_of(v.assistant_id, v.definition, v.metadata),
        "version": v.version,
        "name": v.name,
        "description": v.description,
        "config": v.config,
        "metadata": v.metadata,
        "definition": v.definition,
        "created_at": ts(v.created_at),
    }
