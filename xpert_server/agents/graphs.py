"""Graphs for runs: an xpert's built-in agent graph, custom graphs by reference, checkpointer wiring."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
)
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.pregel import Pregel
from langgraph.store.base import BaseStore

from xpert_server.agents.definition import XpertSpec
from xpert_server.agents.models import ModelConfigError, resolve_model
from xpert_server.agents.offline import DOCUMENTS_KEY
from xpert_server.agents.toolbox import Toolbox
from xpert_server.agents.toolnode import make_tools_node

__all__ = [
    "DOCUMENTS_BUDGET",
    "DOCUMENTS_KEY",
    "GraphFactory",
    "ModelConfigError",
    "attach",
    "build_agent_graph",
    "build_model_input",
    "format_documents",
    "load_graph_ref",
    "recursion_limit",
    "repair_history",
    "resolve_model",
    "tool_rounds",
]

# Characters of attached-file text given to the model per turn: enough for a short manual, and well
# inside an 8k-token context together with the conversation.
DOCUMENTS_BUDGET = 12_000


# ---- the built-in agent graph ------------------------------------------------------------------------------
def _clean_documents(documents: Any) -> list[dict[str, str]]:
    if not isinstance(documents, Sequence) or isinstance(documents, str):
        return []
    out = []
    for d in documents:
        if isinstance(d, Mapping) and isinstance(d.get("content"), str):
            out.append({"name": str(d.get("name") or "file"), "content": d["content"]})
    return out


def format_documents(documents: Sequence[Mapping[str, Any]], budget: int = DOCUMENTS_BUDGET) -> str:
    """`Attached files:` then `--- name ---` and each file's text, sharing `budget` characters fairly
    (short files whole, the rest split evenly among the long ones)."""
    docs = _clean_documents(documents)
    if not docs:
        return ""
    allowance: dict[int, int] = {}
    left, pending = budget, sorted(range(len(docs)), key=lambda i: len(docs[i]["content"]))
    while pending:
        i = pending.pop(0)
        share = left // (len(pending) + 1)
        allowance[i] = min(len(docs[i]["content"]), share)
        left -= allowance[i]
    parts = ["Attached files:"]
    for i, d in enumerate(docs):
        text = d["content"].strip()
        if len(text) > allowance[i]:
            hidden = len(text) - allowance[i]
            text = f"{text[: allowance[i]].rstrip()}\n[… {hidden} more characters not shown]"
        parts.append(f"--- {d['name']} ---\n{text}")
    return "\n".join(parts)


def build_model_input(
    system_prompt: str | None, messages: Sequence[BaseMessage], documents: Any = None, *, vision: bool = False
) -> list[BaseMessage]:
    """The messages the model sees: one leading SystemMessage (prompt + attached files), then the thread.

    Prompt and files share one system message because several OpenAI-compatible servers (chat templates
    in vLLM / llama.cpp) reject a second system message. The raw documents ride along in
    `additional_kwargs["xpert_documents"]` for the offline model; real clients do not send that field.
    With `vision`, attached images also go to the last user message as `image_url` parts (the thread
    itself keeps only the text: the images are this run's attachments, like the files' text).
    """
    docs = _clean_documents(documents)
    text = "\n\n".join(p for p in (system_prompt or "", format_documents(docs)) if p)
    thread = with_images(messages, image_urls(documents)) if vision else list(messages)
    if not text:
        return thread
    kwargs = {DOCUMENTS_KEY: docs} if docs else {}
    return [SystemMessage(content=text, additional_kwargs=kwargs), *thread]


def image_urls(documents: Any) -> list[str]:
    """The inline images among a run's attachments (files.py gives each small enough image a data URL)."""
    if not isinstance(documents, Sequence) or isinstance(documents, str):
        return []
    return [
        d["image_url"] for d in documents if isinstance(d, Mapping) and isinstance(d.get("image_url"), str)
    ]


def with_images(messages: Sequence[BaseMessage], urls: list[str]) -> list[BaseMessage]:
    out = list(messages)
    if not urls:
        return out
    for i in range(len(out) - 1, -1, -1):
        m = out[i]
        if isinstance(m, HumanMessage):
            parts: list[Any] = (
                [{"type": "text", "text": m.content}] if isinstance(m.content, str) else list(m.content)
            )
            parts += [{"type": "image_url", "image_url": {"url": url}} for url in urls]
            out[i] = m.model_copy(update={"content": parts})
            break
    return out


def tool_rounds(messages: Sequence[BaseMessage]) -> int:
    """How many times the model called tools since the last human message (this turn's tool steps)."""
    n = 0
    for m in reversed(messages):
        if isinstance(m, HumanMessage):
            break
        if isinstance(m, AIMessage) and m.tool_calls:
            n += 1
    return n


def repair_history(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """The thread with a ToolMessage for every tool call that never got one.

    A person may send a new message instead of answering an approval; the tool calls it left behind would
    make OpenAI-compatible servers refuse the whole conversation, so the model sees them as not run.
    """
    out: list[BaseMessage] = []
    open_calls: list[dict[str, Any]] = []

    def close() -> None:
        for call in open_calls:
            out.append(
                ToolMessage(
                    "This tool call was not run (the conversation moved on).",
                    tool_call_id=call["id"],
                    name=call["name"],
                    status="error",
                )
            )
        open_calls.clear()

    for m in messages:
        if isinstance(m, ToolMessage):
            open_calls[:] = [c for c in open_calls if c["id"] != m.tool_call_id]
        else:
            close()
        out.append(m)
        if isinstance(m, AIMessage) and m.tool_calls:
            open_calls.extend({"id": c["id"], "name": c["name"]} for c in m.tool_calls if c.get("id"))
    if open_calls and not isinstance(messages[-1], AIMessage):
        close()
    return out


# (question, the xpert's knowledge bases, config) → [{name, content, ...}]; it streams its own component.
Retriever = Callable[[str, list[str], RunnableConfig], Awaitable[list[dict[str, Any]]]]


def build_agent_graph(
    spec: XpertSpec, model: BaseChatModel, toolbox: Toolbox | None = None, retriever: Retriever | None = None
) -> StateGraph[MessagesState]:
    """START → agent ⇄ tools → END over `MessagesState`; uncompiled so the caller adds its checkpointer.

    The model sees the run's tools (built-in, MCP, sub-agents, the caller's client tools) and may call them
    up to `spec.max_steps` times per turn; after that it is asked again without tools, so it answers.
    Run-time attached files come from `config["configurable"]["xpert_documents"]` ([{name, content}]);
    they are not written to the state: the thread keeps only the conversation.
    Compile with `recursion_limit(spec)` in the config (`compile_agent` does): each step is two supersteps.
    """
    box = toolbox or Toolbox(spec)
    vision = spec.model is not None and spec.model.vision
    # Passages retrieved for a turn, reused by the turn's later model calls (after tool rounds).
    retrieved: dict[str, list[dict[str, Any]]] = {}

    async def knowledge_for(state: MessagesState, config: RunnableConfig) -> list[dict[str, Any]]:
        if retriever is None or not spec.knowledge:
            return []
        question = next((m for m in reversed(state["messages"]) if isinstance(m, HumanMessage)), None)
        if question is None:
            return []
        key = f"{(config.get('configurable') or {}).get('run_id')}:{question.id}"
        if key not in retrieved:
            if len(retrieved) > 1000:
                retrieved.clear()
            text = question.content if isinstance(question.content, str) else str(question.content)
            retrieved[key] = await retriever(text, list(spec.knowledge), config)
        return retrieved[key]

    async def agent(state: MessagesState, config: RunnableConfig) -> dict[str, list[BaseMessage]]:
        documents = list((config.get("configurable") or {}).get(DOCUMENTS_KEY) or [])
        documents += await knowledge_for(state, config)
        tools = await box.for_run(config)
        runnable: Runnable[Any, BaseMessage] = model
        if tools.entries and tool_rounds(state["messages"]) < spec.max_steps:
            runnable = model.bind_tools(tools.schemas())
        messages = build_model_input(
            spec.system_prompt, repair_history(state["messages"]), documents, vision=vision
        )
        reply = await runnable.ainvoke(messages, config)
        return {"messages": [reply]}

    def route(state: MessagesState) -> str:
        last = state["messages"][-1] if state["messages"] else None
        if (
            isinstance(last, AIMessage)
            and last.tool_calls
            and tool_rounds(state["messages"]) <= spec.max_steps
        ):
            return "tools"
        return END

    graph = StateGraph(MessagesState)
    graph.add_node("agent", agent)
    graph.add_node("tools", make_tools_node(box))
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", route, ["tools", END])
    graph.add_edge("tools", "agent")
    return graph


def recursion_limit(spec: XpertSpec) -> int:
    # agent + tools per step, the final answer, and slack for graphs that add a node or two.
    return 2 * spec.max_steps + 10


def attach(
    graph: Pregel[Any, Any, Any, Any] | StateGraph[Any],
    checkpointer: BaseCheckpointSaver[Any] | None,
    store: BaseStore | None = None,
) -> Pregel[Any, Any, Any, Any]:
    """A copy of `graph` that persists to our checkpointer (and store, when given; else the graph's own).

    The loaded graph object is shared (module-level), so it is copied, never mutated.
    """
    if isinstance(graph, StateGraph):
        return graph.compile(checkpointer=checkpointer, store=store)
    update: dict[str, Any] = {"checkpointer": checkpointer}
    if store is not None:
        update["store"] = store
    return graph.copy(update=update)


# ---- custom graphs by reference ----------------------------------------------------------------------------
def load_graph_ref(ref: str, base_dir: Path | None = None) -> Pregel[Any, Any, Any, Any] | GraphFactory:
    """Load `module:attr` or `path/to/file.py:attr` (relative to `base_dir`, else the working directory).

    `attr` (dotted paths allowed) may be a compiled graph, an uncompiled StateGraph (compiled here, without
    a checkpointer: use `attach`), a no-argument factory returning either (called once, here), or a factory
    taking `config` and/or `runtime` as langgraph.json allows (a `GraphFactory`, called per run: see
    `GraphFactory.make`). Raises ValueError.
    """
    target, sep, attr = ref.rpartition(":")
    if not sep or not target or not attr:
        raise ValueError(f'graph {ref!r}: expected "module:attr" or "path/to/file.py:attr"')
    if target.endswith(".py") or "/" in target or "\\" in target:
        module = _load_file(ref, target, base_dir)
    else:
        module = _import_module(ref, target, base_dir)
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise ValueError(f"graph {ref!r}: {module.__name__!r} has no attribute {attr!r}")
        obj = getattr(obj, part)
    return _as_graph(ref, obj)


def _as_graph(ref: str, obj: Any) -> Pregel[Any, Any, Any, Any] | GraphFactory:
    if isinstance(obj, Pregel):
        return obj
    if isinstance(obj, StateGraph):
        return obj.compile()
    if callable(obj) and not isinstance(obj, type):
        factory = GraphFactory(ref, obj, _factory_params(ref, obj))
        if factory.params or factory.is_async:
            return factory  # per run, as LangGraph's server calls it
        try:
            made = obj()
        except Exception as e:
            raise ValueError(f"graph {ref!r}: the factory failed: {type(e).__name__}: {e}") from e
        if isinstance(made, AbstractContextManager | AbstractAsyncContextManager):
            return factory  # its graph lives inside it: entered per use, never left open
        return factory.check(made)
    raise ValueError(
        f"graph {ref!r}: {type(obj).__name__} is not a graph "
        "(want a compiled graph, a StateGraph or a factory taking `config` and/or `runtime`)"
    )


FactoryParam = Literal["config", "runtime"]


def _factory_params(ref: str, fn: Callable[..., Any]) -> tuple[FactoryParam, ...]:
    """What the factory takes, by name (LangGraph's `config: RunnableConfig`, `runtime: ServerRuntime`); a
    lone parameter of another name is the config, as LangGraph's server passes it."""
    try:
        params = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return ()
    if len(params) == 1 and params[0].name not in ("config", "runtime"):
        return ("config",) if params[0].default is params[0].empty else ()
    out: list[FactoryParam] = []
    for p in params:
        if p.name in ("config", "runtime"):
            out.append(p.name)  # type: ignore[arg-type]
        elif p.default is p.empty:
            raise ValueError(
                f"graph {ref!r}: a graph factory may take only `config` and/or `runtime` "
                f"(it asks for {p.name!r})"
            )
    return tuple(out)


@dataclass(frozen=True)
class GraphFactory:
    """A graph factory called per run (and per state read or schema request) with `config` and/or
    `runtime`, like LangGraph's server does. It may be async, or a (async) context manager whose graph
    lives for the run."""

    ref: str
    fn: Callable[..., Any]
    params: tuple[FactoryParam, ...]

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.fn) or inspect.isasyncgenfunction(self.fn)

    @asynccontextmanager
    async def make(self, config: RunnableConfig, runtime: Any) -> AsyncIterator[Pregel[Any, Any, Any, Any]]:
        args = {"config": config, "runtime": runtime}
        try:
            made = self.fn(**{p: args[p] for p in self.params})
            if inspect.isawaitable(made):
                made = await made
        except Exception as e:
            raise ValueError(f"graph {self.ref!r}: the factory failed: {type(e).__name__}: {e}") from e
        if isinstance(made, AbstractAsyncContextManager):
            async with made as graph:
                yield self.check(graph)
        elif isinstance(made, AbstractContextManager):
            with made as graph:
                yield self.check(graph)
        else:
            yield self.check(made)

    def check(self, made: Any) -> Pregel[Any, Any, Any, Any]:
        if isinstance(made, Pregel):
            return made
        if isinstance(made, StateGraph):
            return made.compile()
        raise ValueError(f"graph {self.ref!r}: the factory returned {type(made).__name__}, not a graph")


@contextmanager
def _on_sys_path(folder: Path | None) -> Iterator[None]:
    """Put `folder` first on sys.path while importing, so a graph file's sibling imports resolve."""
    entry = str(folder) if folder is not None else None
    added = entry is not None and entry not in sys.path
    if added:
        sys.path.insert(0, entry)  # type: ignore[arg-type]
    try:
        yield
    finally:
        if added:
            try:
                sys.path.remove(entry)  # type: ignore[arg-type]
            except ValueError:
                pass


def _import_module(ref: str, name: str, base_dir: Path | None) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        top = name.split(".")[0]
        if e.name not in (name, top) or base_dir is None:
            raise _import_error(ref, name, e) from e
    except Exception as e:
        raise _import_error(ref, name, e) from e
    # Not on sys.path: a module next to the xpert's YAML (`graph: my_graph:agent`) is allowed too.
    with _on_sys_path(base_dir.resolve()):
        try:
            return importlib.import_module(name)
        except Exception as e:
            raise _import_error(ref, name, e) from e


def _import_error(ref: str, name: str, e: BaseException) -> ValueError:
    if isinstance(e, ModuleNotFoundError) and e.name is not None and (name + ".").startswith(e.name + "."):
        return ValueError(f"graph {ref!r}: module {name!r} not found")
    return ValueError(f"graph {ref!r}: importing {name!r} failed: {type(e).__name__}: {e}")


def _load_file(ref: str, target: str, base_dir: Path | None) -> ModuleType:
    path = Path(target).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    path = path.resolve()
    if not path.is_file():
        raise ValueError(f"graph {ref!r}: file {str(path)!r} not found")
    stat = path.stat()
    # One module name per file version: the same file loads once, an edited file loads afresh. It stays
    # in sys.modules because typing and pydantic resolve a state schema's annotations through it.
    digest = hashlib.sha1(f"{path}:{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest()[:12]
    stem = re.sub(r"\W", "_", path.stem)
    name = f"_xpert_graph_{stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ValueError(f"graph {ref!r}: cannot load {str(path)!r} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with _on_sys_path(path.parent):
            spec.loader.exec_module(module)
    except Exception as e:
        del sys.modules[name]
        raise ValueError(f"graph {ref!r}: loading {str(path)!r} failed: {type(e).__name__}: {e}") from e
    return module
