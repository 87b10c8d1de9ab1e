"""Custom graphs as LangGraph users write them, for the LangGraph-protocol tests: a runtime context, an
interrupt, custom stream data, a subgraph, a `Send` fan-out, and graph factories taking `config` and/or
`runtime` (sync, async, and (async) context managers)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.config import get_stream_writer
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Send, interrupt


@dataclass
class Context:
    user_name: str = "nobody"
    greeting: str = "Hello"


class State(MessagesState):
    step: int


def _words(text: str) -> Any:
    return GenericFakeChatModel(messages=iter([AIMessage(content=text)] * 1000))


async def greet(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """Streams its reply token by token (a chat model), reads the run's context, writes custom data."""
    get_stream_writer()({"progress": "greeting", "user": runtime.context.user_name})
    model = _words(f"{runtime.context.greeting} {runtime.context.user_name} you said {_last(state)}")
    reply = await model.ainvoke(state["messages"])
    return {"messages": [reply], "step": 1}


def finish(state: State) -> dict[str, Any]:
    return {"step": state.get("step", 0) + 1}


def _last(state: MessagesState) -> str:
    content = state["messages"][-1].content if state["messages"] else ""
    return content if isinstance(content, str) else str(content)


builder = StateGraph(State, context_schema=Context)
builder.add_node("greet", greet)
builder.add_node("finish", finish)
builder.add_edge(START, "greet")
builder.add_edge("greet", "finish")
greeter = builder.compile()


def ask(state: MessagesState) -> dict[str, Any]:
    answer = interrupt({"question": "Which colour?"})
    return {"messages": [AIMessage(content=f"You chose {answer}")]}


asker = StateGraph(MessagesState).add_node("ask", ask).add_edge(START, "ask").compile()


# A parent whose node is a subgraph (for stream_subgraphs).
def inner_node(state: MessagesState) -> dict[str, Any]:
    return {"messages": [AIMessage(content="from the inside")]}


inner = StateGraph(MessagesState).add_node("inner_node", inner_node).add_edge(START, "inner_node").compile()
nested = StateGraph(MessagesState).add_node("child", inner).add_edge(START, "child").compile()


# Factories, as langgraph.json allows them.
def _echo_with(prefix: str) -> Any:
    def node(state: MessagesState) -> dict[str, Any]:
        return {"messages": [AIMessage(content=f"{prefix}: {_last(state)}")]}

    return StateGraph(MessagesState).add_node("node", node).add_edge(START, "node").compile()


def by_config(config: RunnableConfig) -> Any:
    """Built per run from the run's config."""
    return _echo_with(str((config.get("configurable") or {}).get("prefix", "plain")))


async def by_runtime(config: RunnableConfig, runtime: Any) -> Any:
    """Async, reads the run's context from LangGraph's ServerRuntime."""
    execution = runtime.execution_runtime
    name = execution.context.get("user_name") if execution is not None and execution.context else "reader"
    return _echo_with(f"{runtime.access_context} for {name}")


class Moody(MessagesState):
    mood: str


def _named_for(access: str, resource: dict[str, bool]) -> Any:
    """A graph whose one node is named after the access it was built for (`assistants_read`, …), so the
    drawing and `as_node` show which access LangGraph's runtime told the factory; its node fails unless
    the factory's resource is still open (a context manager's graph runs inside it)."""
    name = access.replace(".", "_")

    def node(state: Moody) -> dict[str, Any]:
        if not resource["open"]:
            raise RuntimeError("the factory's resource is closed")
        return {"messages": [AIMessage(content=f"{name}: {_last(state)}")], "mood": "fine"}

    return StateGraph(Moody, context_schema=Context).add_node(name, node).add_edge(START, name).compile()


@contextmanager
def held(config: RunnableConfig, runtime: Any) -> Iterator[Any]:
    """A context manager (a graph holding a connection, say): its graph is used while it is open."""
    resource = {"open": True}
    try:
        yield _named_for(runtime.access_context, resource)
    finally:
        resource["open"] = False


@asynccontextmanager
async def opened(runtime: Any) -> AsyncIterator[Any]:
    """An async context manager taking only `runtime`."""
    resource = {"open": True}
    try:
        yield _named_for(runtime.access_context, resource)
    finally:
        resource["open"] = False


@contextmanager
def held_alone() -> Iterator[Any]:
    """A context manager taking nothing: entered for each use all the same."""
    resource = {"open": True}
    try:
        yield _named_for("no.access", resource)
    finally:
        resource["open"] = False


async def awaited(config: RunnableConfig, runtime: Any) -> Any:
    """An async factory returning a graph."""
    return _named_for(runtime.access_context, {"open": True})


# A fan-out: `plan` sends one `work` task per item (LangGraph's Send); `gate` interrupts in each.
def _add(left: list[str], right: list[str]) -> list[str]:
    return left + right


class FanState(MessagesState):
    items: list[str]
    done: Annotated[list[str], _add]


def plan(state: FanState) -> dict[str, Any]:
    return {"items": ["a", "b", "c"]}


def fan_out(state: FanState) -> list[Send]:
    return [Send("work", {"item": item}) for item in state["items"]]


def work(arg: dict[str, Any]) -> dict[str, Any]:
    approved = interrupt({"approve": arg["item"]})
    return {"done": [f"{arg['item']}:{approved}"]}


fanout = (
    StateGraph(FanState)
    .add_node("plan", plan)
    .add_node("work", work)
    .add_edge(START, "plan")
    .add_conditional_edges("plan", fan_out, ["work"])
    .compile()
)


def fail(state: MessagesState) -> dict[str, Any]:
    raise ValueError("no luck today")


broken = StateGraph(MessagesState).add_node("fail", fail).add_edge(START, "fail").compile()


# Two steps, for interrupt_before/after and forks.
def first(state: MessagesState) -> dict[str, Any]:
    return {"messages": [AIMessage(content="first")]}


def second(state: MessagesState) -> dict[str, Any]:
    return {"messages": [AIMessage(content="second")]}


steps = (
    StateGraph(MessagesState)
    .add_node("first", first)
    .add_node("second", second)
    .add_edge(START, "first")
    .add_edge("first", "second")
    .compile()
)


async def tick(state: MessagesState) -> dict[str, Any]:
    """30 custom events, 30 ms apart: long enough to cut the connection mid-run."""
    import asyncio

    write = get_stream_writer()
    for i in range(30):
        write({"tick": i})
        await asyncio.sleep(0.03)
    return {"messages": [AIMessage(content="ticked")]}


ticker = StateGraph(MessagesState).add_node("tick", tick).add_edge(START, "tick").compile()


async def slow_reader(config: RunnableConfig, runtime: Any) -> Any:
    """Reading a thread's state takes a while (building the graph for `threads.read`): what reads the state
    after a run must not race what deletes its thread."""
    import asyncio

    if runtime.access_context == "threads.read":
        await asyncio.sleep(0.5)
    return _echo_with("read slowly")


async def tick_long(state: MessagesState) -> dict[str, Any]:
    """400 custom events, 25 ms apart (10 s): long enough to cancel mid-run."""
    import asyncio

    write = get_stream_writer()
    for i in range(400):
        write({"tick": i})
        await asyncio.sleep(0.025)
    return {"messages": [AIMessage(content="ticked long")]}


long_ticker = StateGraph(MessagesState).add_node("tick", tick_long).add_edge(START, "tick").compile()
