"""Scripted LangGraph graphs (tests/harness/scripted.py serves them): no LLM, no network, deterministic.

The server loads this file by path (`graph: /abs/path/tests/graphs_scripted.py:<name>`), under a module
name of its own, so nothing here may rely on state shared with the test process: a run's knobs come from
its `context` (the server passes it to graphs as `config["configurable"]["xpert_context"]`).

slow  - replies `<{human text}|seen={n}> ` then `chunks` text chunks "t0 ", "t1 ", … with `delay` s before
        each (context: {"chunks": int, "delay": float}; defaults 3 chunks, no delay). `n` is how many
        messages the graph saw (the new human message included), so a test can tell which state a run
        started from.
asker - calls `langgraph.types.interrupt(...)` (the run ends `interrupted`); resumed, it replies
        `resumed: <the resume value as JSON>`.
twice - asks twice: node `first` interrupts ("first?"), then node `second` interrupts ("second?"); resumed
        both times, it replies `answers: <first value> / <second value>`.
memo  - reads and writes the Store (`get_store()`) under namespace ("memo", context["ns"]), key "last":
        replies `prev=<the previous text or none> org=<org seen by the run>`, then stores {"text": <human text>}.
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
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.types import interrupt


class ChunkModel(BaseChatModel):
    """Streams `chunks` one by one, sleeping `delay` s (asyncio) before each."""

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


def _context(config: RunnableConfig) -> dict[str, Any]:
    ctx = (config.get("configurable") or {}).get("xpert_context")
    return ctx if isinstance(ctx, dict) else {}


def _last_human_text(state: MessagesState) -> str:
    for m in reversed(state["messages"]):
        if m.type == "human":
            return m.content if isinstance(m.content, str) else str(m.content)
    return ""


def slow_reply_head(text: str, seen: int) -> str:
    return f"<{text}|seen={seen}> "


# ---- slow --------------------------------------------------------------------------------------------------
async def slow_node(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    ctx = _context(config)
    n, delay = int(ctx.get("chunks", 3)), float(ctx.get("delay", 0.0))
    chunks = [slow_reply_head(_last_human_text(state), len(state["messages"]))] + [f"t{i} " for i in range(n)]
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
    namespace = ("memo", str(_context(config).get("ns", "default")))
    prev = await store.aget(namespace, "last")
    org = (config.get("configurable") or {}).get("xpert_org_id")
    await store.aput(namespace, "last", {"text": _last_human_text(state)})
    text = prev.value.get("text") if prev is not None else "none"
    return {"messages": [AIMessage(content=f"prev={text} org={org}")]}


memo = StateGraph(MessagesState).add_node("memo", memo_node).add_edge(START, "memo").compile()
