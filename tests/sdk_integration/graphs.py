"""Graphs the SDK integration tests declare as xperts (offline, deterministic, no LLM).

ticker   - streams TICKER_CHUNKS text chunks "t0 ", "t1 ", … TICKER_DELAY s apart: long enough to cut
           its connection mid-stream and resume.
slowpoke - the same at 50 ms a chunk for 10 s: a run that is still going when it gets cancelled.
approval - says what it is about to do, asks for approval (a LangGraph `interrupt` carrying
           `toolCalls`), then on "confirm" runs the tool (component frames running → success) and
           reports, or on "reject" leaves things alone.

The graphs are compiled without a checkpointer: the server attaches its own.
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
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.types import interrupt

from xpert_server.agents.stream import emit_component

TICKER_CHUNKS = 40
TICKER_DELAY = 0.04
SLOWPOKE_CHUNKS = 200
SLOWPOKE_DELAY = 0.05

APPROVAL_PLAN = "I will delete the files in /tmp/old."
APPROVAL_DONE = "Deleted 3 files."
APPROVAL_KEPT = "OK, I left the files alone."
TOOL_CALL = {"id": "call_rm_1", "name": "delete_files", "args": {"path": "/tmp/old"}}


def ticker_chunks(n: int = TICKER_CHUNKS) -> list[str]:
    return [f"t{i} " for i in range(n)]


TICKER_TEXT = "".join(ticker_chunks())


class FakeChunkChatModel(BaseChatModel):
    """Streams `chunks` one by one, sleeping `delay` s (asyncio) before each."""

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


def _model_graph(model: FakeChunkChatModel) -> Any:
    async def speak(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
        return {"messages": [await model.ainvoke(state["messages"], config)]}

    return StateGraph(MessagesState).add_node("speak", speak).add_edge(START, "speak").compile()


ticker = _model_graph(FakeChunkChatModel(chunks=ticker_chunks(), delay=TICKER_DELAY))
slowpoke = _model_graph(FakeChunkChatModel(chunks=ticker_chunks(SLOWPOKE_CHUNKS), delay=SLOWPOKE_DELAY))


# ---- approval ----------------------------------------------------------------------------------------------
_plan_model = FakeChunkChatModel(chunks=[APPROVAL_PLAN])
_done_model = FakeChunkChatModel(chunks=[APPROVAL_DONE])
_kept_model = FakeChunkChatModel(chunks=[APPROVAL_KEPT])


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
