"""Graph loading by reference, the built-in agent graph on a real checkpointer, and `attach`."""

from __future__ import annotations

import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import MessagesState, StateGraph
from langgraph.pregel import Pregel

from tests.agents.fixtures import MANUAL
from xpert_server.agents.definition import XpertSpec
from xpert_server.agents.graphs import (
    DOCUMENTS_KEY,
    GraphFactory,
    attach,
    build_agent_graph,
    format_documents,
    load_graph_ref,
)
from xpert_server.agents.offline import OfflineChatModel

BENCH = Path("/work/shared/bench/langgraph_app/graphs.py")
needs_bench = pytest.mark.skipif(not BENCH.is_file(), reason="the shared bench graphs are not here")


def thread(tid: str | None = None, **configurable: Any) -> RunnableConfig:
    return {"configurable": {"thread_id": tid or uuid.uuid4().hex, **configurable}}


# ---- load_graph_ref ----------------------------------------------------------------------------------------
@needs_bench
@pytest.mark.parametrize("attr", ["echo", "tokens", "slow"])
def test_load_bench_graphs_by_path(attr: str) -> None:
    graph = load_graph_ref(f"{BENCH}:{attr}")
    assert isinstance(graph, Pregel)
    assert attr in graph.nodes
    # The same file version is loaded once: every ref to it shares one module.
    assert load_graph_ref(f"{BENCH}:{attr}") is graph


@needs_bench
async def test_relative_path_and_base_dir() -> None:
    graph = load_graph_ref("langgraph_app/graphs.py:echo", base_dir=BENCH.parent.parent)
    out = await graph.ainvoke({"messages": [HumanMessage("ping")]})
    assert out["messages"][-1].content == "ping"


GRAPH_MODULE = """
from langgraph.graph import START, MessagesState, StateGraph
from langchain_core.messages import AIMessage

from {helper} import PREFIX


def node(state: MessagesState) -> dict:
    return {{"messages": [AIMessage(PREFIX + str(state["messages"][-1].content))]}}


builder = StateGraph(MessagesState).add_node("node", node).add_edge(START, "node")
compiled = builder.compile()


def make_graph():
    return builder.compile()


async def make_async():
    return compiled


def needs_args(config, x):
    return compiled


def needs_config(config):
    return builder


NOT_A_GRAPH = 42


class Holder:
    graph = compiled
"""


@pytest.fixture
def graph_module(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A graph file with a sibling import; returns (file, importable module name)."""
    tag = uuid.uuid4().hex[:8]
    helper, name = f"helper_{tag}", f"mygraphs_{tag}"
    (tmp_path / f"{helper}.py").write_text("PREFIX = 'got: '\n")
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(GRAPH_MODULE.format(helper=helper)))
    yield path, name
    for mod in [m for m in sys.modules if tag in m]:
        del sys.modules[mod]


@pytest.mark.parametrize("attr", ["compiled", "builder", "make_graph", "Holder.graph"])
async def test_file_ref_forms(graph_module: tuple[Path, str], attr: str) -> None:
    path, _ = graph_module
    graph = load_graph_ref(f"{path.name}:{attr}", base_dir=path.parent)
    out = await graph.ainvoke({"messages": [HumanMessage("hi")]})
    assert out["messages"][-1].content == "got: hi"
    assert str(path.parent) not in sys.path  # only on sys.path while importing


async def test_module_ref(graph_module: tuple[Path, str], monkeypatch: pytest.MonkeyPatch) -> None:
    path, name = graph_module
    monkeypatch.syspath_prepend(str(path.parent))
    graph = load_graph_ref(f"{name}:make_graph")
    out = await graph.ainvoke({"messages": [HumanMessage("yo")]})
    assert out["messages"][-1].content == "got: yo"


def test_module_ref_next_to_the_yaml(graph_module: tuple[Path, str]) -> None:
    path, name = graph_module
    assert isinstance(load_graph_ref(f"{name}:compiled", base_dir=path.parent), Pregel)


async def test_module_ref_on_sys_path() -> None:
    graph = load_graph_ref("tests.agents.sample_graph:graph")
    out = await graph.ainvoke({"messages": [HumanMessage("hi")]})
    assert out["messages"][-1].content == "HI"


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("no_such_module_xyz:graph", "module 'no_such_module_xyz' not found"),
        ("xpert_server.no_such:graph", "module 'xpert_server.no_such' not found"),
        ("xpert_server.agents.graphs:missing", "has no attribute 'missing'"),
        ("xpert_server.agents.offline:DOCUMENTS_KEY", "str is not a graph"),
        ("xpert_server.agents.offline:OfflineChatModel", "is not a graph"),
        ("missing/file.py:graph", "not found"),
        ("graph_without_attr", 'expected "module:attr"'),
        ("mod:", 'expected "module:attr"'),
    ],
)
def test_errors(ref: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_graph_ref(ref)


@pytest.mark.parametrize(
    ("attr", "message"),
    [
        ("NOT_A_GRAPH", "int is not a graph"),
        ("needs_args", "may take only `config` and/or `runtime`"),
        ("nope", "has no attribute 'nope'"),
    ],
)
def test_file_errors(graph_module: tuple[Path, str], attr: str, message: str) -> None:
    path, _ = graph_module
    with pytest.raises(ValueError, match=message):
        load_graph_ref(f"{path}:{attr}")


async def test_factories_taking_config_or_async_are_called_per_run(graph_module: tuple[Path, str]) -> None:
    path, _ = graph_module
    for attr in ("make_async", "needs_config"):
        factory = load_graph_ref(f"{path}:{attr}")
        assert isinstance(factory, GraphFactory)
        async with factory.make({"configurable": {}}, None) as graph:
            out = await graph.ainvoke({"messages": [HumanMessage("hi")]})
        assert out["messages"][-1].content == "got: hi"


def test_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.py"
    bad.write_text("import not_installed_pkg_xyz\n")
    with pytest.raises(ValueError, match="loading .* failed: ModuleNotFoundError"):
        load_graph_ref(f"{bad}:graph")
    assert not [m for m in sys.modules if m.startswith("_xpert_graph_broken_")]


# ---- the agent graph ---------------------------------------------------------------------------------------
SPEC = XpertSpec(name="Helper", slug="helper", system_prompt="You are a helpful assistant.")


async def test_agent_graph_two_turns_on_sqlite(tmp_path: Path) -> None:
    builder = build_agent_graph(SPEC, OfflineChatModel())
    assert isinstance(builder, StateGraph)
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "cp.db")) as saver:
        graph = builder.compile(checkpointer=saver)
        config = thread("t-1")
        for question in ("hello there", "and a second question"):
            stream = graph.astream({"messages": [HumanMessage(question)]}, config, stream_mode="messages")
            events: list[Any] = [e async for e in stream]
            chunks = [m for m, meta in events if isinstance(m, AIMessageChunk)]
            assert all(meta["langgraph_node"] == "agent" for _, meta in events)
            assert len(chunks) > 5
            assert len({c.id for c in chunks}) == 1
            assert question in "".join(str(c.content) for c in chunks)
        state = await graph.aget_state(config)
        messages = state.values["messages"]
        assert [m.type for m in messages] == ["human", "ai", "human", "ai"]
        assert messages[3].usage_metadata["output_tokens"] > 0
        # The system prompt is added per call, never stored in the thread.
        assert all(m.type != "system" for m in messages)


async def test_agent_graph_reads_documents_from_config() -> None:
    graph = build_agent_graph(SPEC, OfflineChatModel()).compile(checkpointer=InMemorySaver())
    docs = [{"name": "manual.pdf", "content": MANUAL}]
    config: RunnableConfig = {"configurable": {"thread_id": "docs", DOCUMENTS_KEY: docs}}
    out = await graph.ainvoke({"messages": [HumanMessage("How long is the warranty?")]}, config)
    reply = out["messages"][-1]
    assert isinstance(reply, AIMessage)
    assert "According to manual.pdf" in str(reply.content) and "7 years" in str(reply.content)
    assert len(out["messages"]) == 2


def test_format_documents_budget() -> None:
    docs = [
        {"name": "small.txt", "content": "tiny"},
        {"name": "big.txt", "content": "x" * 50_000},
        {"name": "mid.txt", "content": "y" * 5_000},
        {"bad": "entry"},
    ]
    text = format_documents(docs, budget=12_000)
    assert text.startswith("Attached files:\n--- small.txt ---\ntiny\n--- big.txt ---\n")
    assert "--- mid.txt ---\n" + "y" * 5_000 + "\n" in text + "\n"  # fits whole
    assert "more characters not shown" in text
    assert 12_000 < len(text) < 12_300
    assert format_documents([]) == ""


# ---- attach ------------------------------------------------------------------------------------------------
@needs_bench
async def test_attach_gives_echo_a_checkpointer(tmp_path: Path) -> None:
    echo = load_graph_ref(f"{BENCH}:echo")
    async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "cp.db")) as saver:
        graph = attach(echo, saver)
        assert graph is not echo and echo.checkpointer is None and graph.checkpointer is saver
        config = thread()
        await graph.ainvoke({"messages": [HumanMessage("one")]}, config)
        out = await graph.ainvoke({"messages": [HumanMessage("two")]}, config)
        assert [m.content for m in out["messages"]] == ["one", "one", "two", "two"]
        assert len((await graph.aget_state(config)).values["messages"]) == 4
    # The shared module-level graph is untouched: no state across calls.
    assert len((await echo.ainvoke({"messages": [HumanMessage("x")]}))["messages"]) == 2


async def test_attach_compiles_a_state_graph_with_store() -> None:
    from langgraph.store.memory import InMemoryStore

    store = InMemoryStore()
    graph = attach(build_agent_graph(SPEC, OfflineChatModel()), InMemorySaver(), store)
    assert graph.store is store
    again = attach(graph, InMemorySaver())
    assert again.store is store  # no store given: the graph keeps its own


def test_messages_state_is_the_schema() -> None:
    assert build_agent_graph(SPEC, OfflineChatModel()).state_schema is MessagesState
