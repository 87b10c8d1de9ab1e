"""Graphs for the scale-out tests, loaded by path by `xpert serve` / `xpert worker` subprocesses.

steps - `n` supersteps (context {"n": int, "delay": float}; default 10 × 0.1 s), each streaming one chunk
        "s<i> " and checkpointing, so a re-queued attempt resumes at the step its dead worker was on.
once  - records its execution in the Store (namespace ("exec",), one key per execution, with the pid of
        the process that ran it), then replies "done". A test counts executions per run in the database.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.config import get_store
from langgraph.graph import END, START, MessagesState, StateGraph


class StepsState(MessagesState):
    i: int


def _context(config: RunnableConfig) -> dict[str, Any]:
    ctx = (config.get("configurable") or {}).get("xpert_context")
    return ctx if isinstance(ctx, dict) else {}


async def step_node(state: StepsState, config: RunnableConfig) -> dict[str, Any]:
    ctx = _context(config)
    i = int(state.get("i") or 0)
    await asyncio.sleep(float(ctx.get("delay", 0.1)))
    # One message per step: LangGraph's `messages` stream emits it, the executor makes it a text frame.
    return {"i": i + 1, "messages": [AIMessage(content=f"s{i} ", id=f"step-{i}")]}


def _more(state: StepsState, config: RunnableConfig) -> str:
    return "step" if int(state.get("i") or 0) < int(_context(config).get("n", 10)) else END


steps = (
    StateGraph(StepsState)
    .add_node("step", step_node)
    .add_edge(START, "step")
    .add_conditional_edges("step", _more, ["step", END])
    .compile()
)


async def once_node(state: MessagesState, config: RunnableConfig) -> dict[str, Any]:
    run_id = str((config.get("configurable") or {}).get("run_id"))
    store = get_store()
    await store.aput(("exec",), f"{run_id}:{uuid.uuid4().hex}", {"run_id": run_id, "pid": os.getpid()})
    await asyncio.sleep(float(_context(config).get("delay", 0.0)))
    return {"messages": [AIMessage(content="done")]}


once = StateGraph(MessagesState).add_node("once", once_node).add_edge(START, "once").compile()
