"""A tiny graph importable as `tests.agents.sample_graph:graph` (the `module:attr` form)."""

from __future__ import annotations

from langchain_core.messages import AIMessage
from langgraph.graph import START, MessagesState, StateGraph


def shout(state: MessagesState) -> dict[str, list[AIMessage]]:
    return {"messages": [AIMessage(str(state["messages"][-1].content).upper())]}


graph = StateGraph(MessagesState).add_node("shout", shout).add_edge(START, "shout")
