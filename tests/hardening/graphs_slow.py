"""A graph for the limits tests: `sleeper` replies only after SLEEP seconds, so its run stays open for as long
as a test holds followers on it (the server cancels it when the test stops the server)."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.graph import START, MessagesState, StateGraph

SLEEP = 120.0


async def sleeper_node(state: MessagesState) -> dict[str, Any]:
    await asyncio.sleep(SLEEP)
    return {"messages": [AIMessage(content="awake")]}


sleeper = StateGraph(MessagesState).add_node("sleeper", sleeper_node).add_edge(START, "sleeper").compile()
