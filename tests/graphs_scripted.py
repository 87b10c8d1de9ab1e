"""The scripted LangGraph graphs every suite declares as xperts: no LLM, no network, deterministic.

The server loads this file by path (`graph: /abs/path/tests/graphs_scripted.py:<name>`, or relative to an
xpert's YAML), under a module name of its own, so nothing here may rely on state shared with the test
process or import from `tests`: a run's knobs come from its `context` (the server passes it to graphs as
`config["configurable"]["xpert_context"]`). Each graph is compiled without a checkpointer: the server
attaches its own.

Run semantics (tests/harness/scripted.py serves these four):
slow     - replies `<{human text}|seen={n}> ` then `chunks` text chunks "t0 ", "t1 ", … with `delay` s before
           each (context: {"chunks": int, "delay": float}; defaults 3 chunks, no delay). `n` is how many
           messages the graph saw (the new human message included), so a test can tell which state a run
           started from.
asker    - calls `langgraph.types.interrupt(...)` (the run ends `interrupted`); resumed, it replies
           `resumed: <the resume value as JSON>`.
twice    - asks twice: node `first` interrupts ("first?"), then node `second` interrupts ("second?"); resumed
           both times, it replies `answers: <first value> / <second value>`.
memo     - reads and writes the Store (`get_store()`) under namespace ("memo", context["ns"]), key "last":
           replies `prev=<the previous text or none> org=<org seen by the run>`, then stores {"text": <human
           text>}.

Streams (tests/runs, tests/hardening):
ticker   - streams TICKER_CHUNKS text chunks "t0 ", "t1 ", … TICKER_DELAY s apart (a live run long enough to
           join, watch from two clients, or cancel mid-stream).
boom     - streams BOOM_TEXT in a few chunks, then raises RuntimeError("kaboom").
echo     - replies with the last human message's text in one AI message (no sleep).
nested   - echo inside two levels of subgraphs (`inner`, then `inner|deep`): what `/subgraphs` lists.
recall   - answers with what it was given: every message of its state, one per line as `type: text` (an
           earlier answer's own lines joined by " / "), so a test reads the history a model would have seen
           (tests/conversations).

The SDK's (tests/sdk_integration/xperts):
long_ticker - LONG_TICKER_CHUNKS chunks LONG_TICKER_DELAY s apart: long enough to cut its connection
              mid-stream and resume.
slowpoke - the same at 50 ms a chunk for 10 s: a run that is still going when it gets cancelled.
approval - says what it is about to do, asks for approval (a LangGraph `interrupt` carrying `toolCalls`),
           then on "confirm" runs the tool (component frames running → success) and reports, or on
           "reject" leaves things alone.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import RunnableConfig
from langgraph.config import get_store
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.types import interrupt

from xpert_server.agents.stream import emit_component

TICKER_CHUNKS = 30
TICKER_DELAY = 0.03
BOOM_CHUNKS = ["about ", "to ", "fail"]
BOOM_TEXT = "".join(BOOM_CHUNKS)
LONG_TICKER_CHUNKS = 40
LONG_TICKER_DELAY = 0.04
SLOWPOKE_CHUNKS = 200
SLOWPOKE_DELAY = 0.05

APPROVAL_PLAN = "I will delete the files in /tmp/old."
APPROVAL_DONE = "Deleted 3 files."
APPROVAL_KEPT = "OK, I left the files alone."
TOOL_CALL = {"id": "call_rm_1", "name": "delete_files", "args": {"path": "/tmp/old"}}


def ticker_chunks(n: int) -> list[str]:
    return [f"t{i} " for i in range(n)]


TICKER_TEXT = "".join(ticker_chunks(TICKER_CHUNKS))
LONG_TICKER_TEXT = "".join(ticker_chunks(LONG_TICKER_CHUNKS))


class ChunkModel(BaseChatModel):
    """A chat model that streams `chunks` one by one, sleeping `delay` s (asyncio) before each."""

    chunks: list[str]
    delay: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "scripted-chunk-model"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="".join(self.chunks)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for piece in self.chunks:
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for piece in self.chunks:
            if self.delay:
                await asyncio.sleep(self.delay)
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk


def context(config: RunnableConfig) -> dict[str, Any]:
    ctx = (config.get("configurable") or {}).get("xpert_context")
    return ctx if isinstance(ctx, dict) else {}


def last_human_text(state: MessagesState) -> str:
    for m in reversed(state["messages"]):
        if m.type == "human":
            return m.content if isinstance(m.content, str) else str(m.content)
    return ""


def slow_reply_head(text: str, seen: int) -> str:
    return f"<{text}|seen={seen}> "


def model_graph(node: str, model: ChunkModel) -> Any:
    """A one-node graph: `node` says what `model` streams."""

    async def speak(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
        return {"messages": [await model.ainvoke(state["messages"], config)]}

    return StateGraph(MessagesState).add_node(node, speak).add_edge(START, node).compile()


# ---- slow --------------------------------------------------------------------------------------------------
async def slow_node(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    ctx = context(config)
    n, delay = int(ctx.get("chunks", 3)), float(ctx.get("delay", 0.0))
    chunks = [slow_reply_head(last_human_text(state), len(state["messages"]))] + ticker_chunks(n)
    reply = await ChunkModel(chunks=chunks, delay=delay).ainvoke(state["messages"], config)
    return {"messages": [reply]}


slow = StateGraph(MessagesState).add_node("slow", slow_node).add_edge(START, "slow").compile()


# ---- asker -------------------------------------------------------------------------------------------------
def ask_node(state: MessagesState) -> dict[str, Any]:
    answer = interrupt({"question": "May I go on?"})
    return {"messages": [AIMessage(content=f"resumed: {json.dumps(answer, sort_keys=True)}")]}


asker = StateGraph(MessagesState).add_node("ask", ask_node).add_edge(START, "ask").compile()


# ---- twice ------------------------------------------------------------------------------------------------
def first_node(state: MessagesState) -> dict[str, Any]:
    answer = interrupt({"question": "first?"})
    return {"messages": [AIMessage(content=f"first: {json.dumps(answer, sort_keys=True)}")]}


def second_node(state: MessagesState) -> dict[str, Any]:
    answer = interrupt({"question": "second?"})
    first = state["messages"][-1].content
    return {
        "messages": [AIMessage(content=f"answers: {first} / second: {json.dumps(answer, sort_keys=True)}")]
    }


twice = (
    StateGraph(MessagesState)
    .add_node("first", first_node)
    .add_node("second", second_node)
    .add_edge(START, "first")
    .add_edge("first", "second")
    .compile()
)


# ---- memo --------------------------------------------------------------------------------------------------
async def memo_node(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    store = get_store()
    namespace = ("memo", str(context(config).get("ns", "default")))
    prev = await store.aget(namespace, "last")
    org = (config.get("configurable") or {}).get("xpert_org_id")
    await store.aput(namespace, "last", {"text": last_human_text(state)})
    text = prev.value.get("text") if prev is not None else "none"
    return {"messages": [AIMessage(content=f"prev={text} org={org}")]}


memo = StateGraph(MessagesState).add_node("memo", memo_node).add_edge(START, "memo").compile()


# ---- ticker, boom, echo, recall ---------------------------------------------------------------------------------
ticker = model_graph("ticker", ChunkModel(chunks=ticker_chunks(TICKER_CHUNKS), delay=TICKER_DELAY))
_boom_model = ChunkModel(chunks=BOOM_CHUNKS, delay=0.005)


async def boom_node(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    await _boom_model.ainvoke(state["messages"], config)  # the text reaches the stream first
    raise RuntimeError("kaboom")


boom = StateGraph(MessagesState).add_node("boom", boom_node).add_edge(START, "boom").compile()


def echo_node(state: MessagesState) -> dict[str, Any]:
    return {"messages": [AIMessage(content=last_human_text(state))]}


echo = StateGraph(MessagesState).add_node("echo", echo_node).add_edge(START, "echo").compile()


# Subgraphs, two levels deep: the parent's node `inner` is a graph whose node `deep` is the echo graph.
_inner = StateGraph(MessagesState).add_node("deep", echo).add_edge(START, "deep").compile()
nested = StateGraph(MessagesState).add_node("inner", _inner).add_edge(START, "inner").compile()


def recall_node(state: MessagesState) -> dict[str, Any]:
    lines = [f"{m.type}: " + str(m.content).replace("\n", " / ") for m in state["messages"]]
    return {"messages": [AIMessage(content="\n".join(lines))]}


recall = StateGraph(MessagesState).add_node("recall", recall_node).add_edge(START, "recall").compile()


# ---- long_ticker, slowpoke, approval -----------------------------------------------------------------------
long_ticker = model_graph(
    "speak", ChunkModel(chunks=ticker_chunks(LONG_TICKER_CHUNKS), delay=LONG_TICKER_DELAY)
)
slowpoke = model_graph("speak", ChunkModel(chunks=ticker_chunks(SLOWPOKE_CHUNKS), delay=SLOWPOKE_DELAY))
_plan_model = ChunkModel(chunks=[APPROVAL_PLAN])
_done_model = ChunkModel(chunks=[APPROVAL_DONE])
_kept_model = ChunkModel(chunks=[APPROVAL_KEPT])


async def propose(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    return {"messages": [await _plan_model.ainvoke(state["messages"], config)]}


async def act(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    # A separate node, so that resuming re-runs only this one and the plan is not said twice.
    decision = interrupt({"toolCalls": [TOOL_CALL], "message": "Delete the files in /tmp/old?"})
    confirmed = isinstance(decision, dict) and decision.get("decision") == "confirm"
    if not confirmed:
        return {"messages": [await _kept_model.ainvoke(state["messages"], config)]}
    call_id = str(TOOL_CALL["id"])
    emit_component(
        call_id,
        {
            "category": "Tool",
            "tool": TOOL_CALL["name"],
            "title": TOOL_CALL["name"],
            "status": "running",
            "input": TOOL_CALL["args"],
        },
    )
    emit_component(call_id, {"status": "success", "output": "3 files deleted"})
    return {"messages": [await _done_model.ainvoke(state["messages"], config)]}


approval = (
    StateGraph(MessagesState)
    .add_node("propose", propose)
    .add_node("act", act)
    .add_edge(START, "propose")
    .add_edge("propose", "act")
    .add_edge("act", END)
    .compile()
)
