"""Assistant row → compiled LangGraph graph with our checkpointer, cached per (id, version).

A declared xpert becomes the agent graph (model + prompt, later tools); `graph: "module:attr"` loads a
custom graph as-is and attaches our checkpointer, so the same graphs run here and on LangGraph's server.
"""

from __future__ import annotations

import threading
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel
from langgraph.store.base import BaseStore

from xpert_server.agents.definition import XpertSpec, parse_definition
from xpert_server.agents.graphs import attach, build_agent_graph, load_graph_ref
from xpert_server.agents.models import resolve_model
from xpert_server.config import Settings
from xpert_server.storage.records import AssistantRecord, RunRecord

MAX_CACHED = 256


class GraphProvider:
    def __init__(self, checkpointer: BaseCheckpointSaver[Any], settings: Settings, store: BaseStore | None = None):
        self.checkpointer = checkpointer
        self.settings = settings
        self.store = store
        self._cache: dict[tuple[str, int], Pregel[Any, Any, Any, Any]] = {}
        self._lock = threading.Lock()

    def spec(self, assistant: AssistantRecord) -> XpertSpec:
        return parse_definition(assistant.definition, f"assistant {assistant.id}")

    def get(self, assistant: AssistantRecord) -> Pregel[Any, Any, Any, Any]:
        key = (assistant.id, assistant.version)
        graph = self._cache.get(key)
        if graph is None:
            graph = self._build(assistant)
            with self._lock:
                if len(self._cache) >= MAX_CACHED:
                    self._cache.clear()
                self._cache[key] = graph
        return graph

    def _build(self, assistant: AssistantRecord) -> Pregel[Any, Any, Any, Any]:
        spec = self.spec(assistant)
        if spec.graph:
            return attach(load_graph_ref(spec.graph), self.checkpointer, self.store)
        s = self.settings
        model = resolve_model(spec, (s.model_base_url, s.model, s.model_api_key))
        return build_agent_graph(spec, model).compile(checkpointer=self.checkpointer, store=self.store)

    def run_configurable(self, run: RunRecord, chat: Any) -> dict[str, Any]:
        """Per-run values graphs read from `config["configurable"]` (documents, caller context)."""
        out: dict[str, Any] = {"xpert_org_id": run.org_id, "xpert_user_id": run.created_by,
                               "xpert_assistant_id": run.assistant_id}
        context = run.kwargs.get("context")
        if context:
            out["xpert_context"] = context
        documents = getattr(chat, "documents", None)
        if documents:
            out["xpert_documents"] = documents
        return out
