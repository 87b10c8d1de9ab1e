"""Graphs the browser tests declare as xperts (offline, deterministic; loaded by file path).

slow  - streams SLOW_TEXT in SLOW_CHUNKS pieces, SLOW_DELAY s apart: long enough to reload the page, drop
        the stream or press stop while it runs.
steps - a tool step and a knowledge-retrieval step (XpertAI component frames), then a Markdown answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.config import get_stream_writer
from langgraph.graph import START, MessagesState, StateGraph

from tests.graphs_scripted import ChunkModel

SLOW_CHUNKS = 40
SLOW_DELAY = 0.1
SLOW_TEXT = "".join(f"w{i} " for i in range(SLOW_CHUNKS))
STEPS_ANSWER = "The **capital** of France is Paris. See [the atlas](https://example.com/atlas)."

FRAME_KEY = "xpert_frame"  # agents/stream.py: frames graph code adds to the run's stream


_slow_model = ChunkModel(chunks=[f"w{i} " for i in range(SLOW_CHUNKS)], delay=SLOW_DELAY)
_steps_model = ChunkModel(chunks=[STEPS_ANSWER])


async def slow_node(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    return {"messages": [await _slow_model.ainvoke(state["messages"], config)]}


slow = StateGraph(MessagesState).add_node("slow", slow_node).add_edge(START, "slow").compile()


async def steps_node(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    write = get_stream_writer()

    def component(call_id: str, data: dict[str, Any]) -> None:
        write({FRAME_KEY: {"type": "component", "id": call_id, "data": data}})

    component(
        "call-1",
        {
            "category": "Tool",
            "tool": "lookup_capital",
            "title": "Look up a capital",
            "status": "running",
            "input": {"country": "France"},
        },
    )
    await asyncio.sleep(0.05)
    component("call-1", {"status": "success", "output": "Paris"})
    component(
        "kb-1",
        {
            "category": "Tool",
            "type": "knowledges",
            "title": "Knowledge",
            "status": "running",
            "message": "capital of France",
        },
    )
    await asyncio.sleep(0.05)
    component(
        "kb-1",
        {
            "category": "Computer",
            "status": "success",
            "data": [
                {
                    "pageContent": "Paris is the capital of France.",
                    "metadata": {"document_name": "atlas.md", "score": 0.8731, "knowledgebase": "Geography"},
                },
                {"pageContent": "France is in Europe.", "metadata": {"source": "europe.md"}},
            ],
        },
    )
    return {"messages": [await _steps_model.ainvoke(state["messages"], config)]}


steps = StateGraph(MessagesState).add_node("steps", steps_node).add_edge(START, "steps").compile()
