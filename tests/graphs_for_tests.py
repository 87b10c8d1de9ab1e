"""LangGraph graphs the run tests declare as xperts (no LLM, no network, deterministic).

ticker - streams TICKER_CHUNKS text chunks "t0 ", "t1 ", … with TICKER_DELAY s between them (a live run
         long enough to join, watch from two clients, or cancel mid-stream).
boom   - streams BOOM_TEXT in a few chunks, then raises RuntimeError("kaboom").
echo   - replies with the last human message's text in one AI message (no sleep).
nested - echo inside two levels of subgraphs (`inner`, then `inner|deep`): what `/subgraphs` lists.

Each is a graph over MessagesState compiled without a checkpointer: the server attaches its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import RunnableConfig
from langgraph.graph import START, MessagesState, StateGraph

TICKER_CHUNKS = 30
TICKER_DELAY = 0.03
BOOM_CHUNKS = ["about ", "to ", "fail"]
BOOM_TEXT = "".join(BOOM_CHUNKS)


def ticker_chunks(n: int = TICKER_CHUNKS) -> list[str]:
    return [f"t{i} " for i in range(n)]


TICKER_TEXT = "".join(ticker_chunks())


class FakeChunkChatModel(BaseChatModel):
    """Streams `chunks` one by one, sleeping `delay` s (asyncio) before each. Deterministic, offline."""

    chunks: list[str]
    delay: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "fake-chunk-chat-model"

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


# ---- ticker ------------------------------------------------------------------------------------------------
_ticker_model = FakeChunkChatModel(chunks=ticker_chunks(), delay=TICKER_DELAY)


async def ticker_node(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    reply = await _ticker_model.ainvoke(state["messages"], config)
    return {"messages": [reply]}


ticker = StateGraph(MessagesState).add_node("ticker", ticker_node).add_edge(START, "ticker").compile()


# ---- boom --------------------------------------------------------------------------------------------------
_boom_model = FakeChunkChatModel(chunks=BOOM_CHUNKS, delay=0.005)


async def boom_node(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    await _boom_model.ainvoke(state["messages"], config)  # the text reaches the stream first
    raise RuntimeError("kaboom")


boom = StateGraph(MessagesState).add_node("boom", boom_node).add_edge(START, "boom").compile()


# ---- echo --------------------------------------------------------------------------------------------------
def _last_human_text(state: MessagesState) -> str:
    for m in reversed(state["messages"]):
        if m.type == "human":
            return m.content if isinstance(m.content, str) else str(m.content)
    return ""


def echo_node(state: MessagesState) -> dict[str, Any]:
    return {"messages": [AIMessage(content=_last_human_text(state))]}


echo = StateGraph(MessagesState).add_node("echo", echo_node).add_edge(START, "echo").compile()


# Subgraphs, two levels deep: the parent's node `inner` is a graph whose node `deep` is the echo graph.
_inner = StateGraph(MessagesState).add_node("deep", echo).add_edge(START, "deep").compile()
nested = StateGraph(MessagesState).add_node("inner", _inner).add_edge(START, "inner").compile()
