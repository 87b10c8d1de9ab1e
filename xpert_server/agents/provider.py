"""Assistant row → compiled LangGraph graph with our checkpointer, cached per (id, version, and the
versions of the connections it names: a connection's new key or URL builds the graph again).

A declared xpert becomes the agent graph (model + prompt + tools, see graphs.build_agent_graph);
`graph: "module:attr"` loads a custom graph as-is and attaches our checkpointer, so the same graphs run
here and on LangGraph's server. Sub-agents (`agents: [slug]`) are looked up in storage, in the caller's org.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.pregel import Pregel
from langgraph.store.base import BaseStore

from xpert_server.agents.definition import XpertSpec, parse_definition
from xpert_server.agents.graphs import (
    GraphFactory,
    Retriever,
    attach,
    build_agent_graph,
    load_graph_ref,
    recursion_limit,
)
from xpert_server.agents.models import resolve_model
from xpert_server.agents.toolbox import Toolbox
from xpert_server.agents.tools.subagent import SubAgent
from xpert_server.auth.principal import DEFAULT_ORG, Principal
from xpert_server.config import Settings
from xpert_server.connections.endpoints import Resolved
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import AssistantRecord, RunRecord

if TYPE_CHECKING:
    from xpert_server.connections.service import ConnectionService

MAX_CACHED = 256
CacheKey = tuple[str, int, tuple[tuple[str, str, float], ...]]
ReadAccess = Literal["assistants.read", "threads.read", "threads.update"]


class GraphProvider:
    def __init__(
        self,
        checkpointer: BaseCheckpointSaver[Any],
        settings: Settings,
        store: BaseStore | None = None,
        storage: SQLStorage | None = None,
        retriever: Retriever | None = None,
        connections: ConnectionService | None = None,
    ):
        self.checkpointer = checkpointer
        self.settings = settings
        self.store = store
        # Where sub-agents are looked up; without it `agents:` lists are ignored (with a warning).
        self.storage = storage
        # Named models and MCP servers (connections/); without it xperts naming one fail to build.
        self.connections = connections
        self._cache: dict[CacheKey, Pregel[Any, Any, Any, Any]] = {}
        self._sub_cache: dict[CacheKey, Pregel[Any, Any, Any, Any]] = {}
        # Custom graphs made by a factory taking `config`/`runtime` (or async, or a context manager): built
        # per run (`for_run`) and per read (`reading`).
        self._factories: dict[CacheKey, GraphFactory] = {}
        self._lock = threading.Lock()
        # Knowledge retrieval for xperts that list `knowledge:`; without it those lists are ignored.
        self.retriever = retriever

    def spec(self, assistant: AssistantRecord) -> XpertSpec:
        return parse_definition(assistant.definition, f"assistant {assistant.public_id}")

    async def _resolved(self, assistant: AssistantRecord, spec: XpertSpec) -> Resolved:
        if self.connections is None or spec.graph:
            return Resolved()
        return await self.connections.resolve(assistant.org_id, spec)

    async def _key(self, assistant: AssistantRecord) -> tuple[CacheKey, Resolved]:
        resolved = await self._resolved(assistant, self.spec(assistant))
        return (assistant.id, assistant.version, resolved.fingerprint), resolved

    def _built(
        self, assistant: AssistantRecord, key: CacheKey, resolved: Resolved
    ) -> Pregel[Any, Any, Any, Any] | GraphFactory:
        built = self._build(assistant, resolved)
        if isinstance(built, GraphFactory):
            self._factories[key] = built
        return built

    def _remember(self, key: CacheKey, graph: Pregel[Any, Any, Any, Any]) -> None:
        with self._lock:
            if len(self._cache) >= MAX_CACHED:
                self._cache.clear()
                self._factories.clear()
            self._cache[key] = graph

    async def _graph_or_factory(
        self, assistant: AssistantRecord
    ) -> Pregel[Any, Any, Any, Any] | GraphFactory:
        """The cached graph, or the factory that makes the assistant's graph for each use."""
        key, resolved = await self._key(assistant)
        factory = self._factories.get(key)
        if factory is not None:
            return factory
        graph = self._cache.get(key)
        if graph is not None:
            return graph
        built = self._built(assistant, key, resolved)
        if isinstance(built, Pregel):
            self._remember(key, built)
        return built

    @asynccontextmanager
    async def for_run(
        self, assistant: AssistantRecord, config: RunnableConfig, context: Any
    ) -> AsyncIterator[Pregel[Any, Any, Any, Any]]:
        """The graph one run executes: the cached one, or what the assistant's factory makes for this
        run's config and runtime (its context included), kept open for the run."""
        built = await self._graph_or_factory(assistant)
        if isinstance(built, Pregel):
            yield built
            return
        async with built.make(config, server_runtime("threads.create_run", self.store, context)) as made:
            yield attach(made, self.checkpointer, self.store)

    @asynccontextmanager
    async def reading(
        self, assistant: AssistantRecord, access: ReadAccess = "threads.read"
    ) -> AsyncIterator[Pregel[Any, Any, Any, Any]]:
        """The graph for reading the assistant or a thread: the cached one, or what its factory (sync,
        async or a context manager) makes with an empty config for LangGraph's `access` — as LangGraph's
        server calls it per request: `assistants.read` (schemas, drawing, subgraphs), `threads.read`
        (state), `threads.update` (state updates). A context manager's graph is open while the caller
        reads it, and closed after."""
        built = await self._graph_or_factory(assistant)
        if isinstance(built, Pregel):
            yield built
            return
        async with built.make({"configurable": {}}, server_runtime(access, self.store)) as made:
            yield attach(made, self.checkpointer, self.store)

    def is_agent(self, assistant: AssistantRecord) -> bool:
        """True for the built-in agent graph (its resume values are structured), False for custom graphs."""
        return not self.spec(assistant).graph

    def _build(
        self, assistant: AssistantRecord, resolved: Resolved, *, sub_agent: bool = False
    ) -> Pregel[Any, Any, Any, Any] | GraphFactory:
        spec = self.spec(assistant)
        checkpointer = None if sub_agent else self.checkpointer
        if spec.graph:
            loaded = load_graph_ref(spec.graph)
            if isinstance(loaded, GraphFactory):
                if sub_agent:
                    raise ValueError(f"graph {spec.graph!r}: a sub-agent's graph cannot be a factory")
                return loaded
            return attach(loaded, checkpointer, self.store)
        s = self.settings
        named = spec.model.connection if spec.model is not None else None
        model = resolve_model(
            spec, (s.model_base_url, s.model, s.model_api_key), resolved.models.get(named) if named else None
        )
        toolbox = Toolbox(
            spec,
            self._sub_agent if self.storage is not None else None,
            sub_agent=sub_agent,
            mcp_connections=resolved.mcp,
        )
        graph = build_agent_graph(spec, model, toolbox, self.retriever).compile(
            checkpointer=checkpointer, store=self.store
        )
        return graph.with_config(recursion_limit=recursion_limit(spec))

    async def _sub_agent(self, org_id: str | None, slug: str, depth: int) -> SubAgent | None:
        """Another xpert of `org_id`, by slug, as a graph that runs without a checkpointer."""
        assert self.storage is not None
        found = await self.storage.search_assistants(
            Principal.system(org_id or DEFAULT_ORG), metadata={"slug": slug}, limit=1
        )
        if not found:
            return None
        record = found[0]
        resolved = await self._resolved(record, self.spec(record))
        key = (record.id, record.version, resolved.fingerprint)
        graph = self._sub_cache.get(key)
        if graph is None:
            built = self._build(record, resolved, sub_agent=True)
            assert isinstance(built, Pregel)
            graph = built
            with self._lock:
                if len(self._sub_cache) >= MAX_CACHED:
                    self._sub_cache.clear()
                self._sub_cache[key] = graph
        title = str((record.metadata or {}).get("title") or record.name)
        return SubAgent(slug=slug, title=title, description=record.description or "", graph=graph)

    def run_configurable(self, run: RunRecord, chat: Any) -> dict[str, Any]:
        """Per-run values graphs read from `config["configurable"]` (documents, caller context)."""
        out: dict[str, Any] = {
            "xpert_org_id": run.org_id,
            "xpert_user_id": run.created_by,
            "xpert_assistant_id": run.assistant_id,
        }
        checkpoint_id = run.kwargs.get("checkpoint_id")
        if checkpoint_id:
            out["checkpoint_id"] = checkpoint_id  # fork: start from this checkpoint, not the latest
        context = run.kwargs.get("context")
        if context:
            out["xpert_context"] = context
        documents = getattr(chat, "documents", None)
        if documents:
            out["xpert_documents"] = documents
        return out


def server_runtime(access: str, store: BaseStore | None, context: Any = None) -> Any:
    """What LangGraph's server passes a factory's `runtime` (langgraph_sdk.runtime.ServerRuntime): why the
    graph is built, the store, and for a run its context."""
    try:
        from langgraph_sdk.runtime import _ExecutionRuntime, _ReadRuntime
    except ImportError:  # an SDK without it: the same fields, plainly
        from types import SimpleNamespace

        ns = SimpleNamespace(access_context=access, user=None, store=store, context=context)
        ns.execution_runtime = ns if access == "threads.create_run" else None
        return ns
    if access == "threads.create_run":
        return _ExecutionRuntime(access_context=access, store=store, context=context)  # type: ignore[arg-type]
    return _ReadRuntime(access_context=access, store=store)  # type: ignore[arg-type]
