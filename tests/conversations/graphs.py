"""A graph for the conversation tests: it answers with what it was given — every message of its state, one
per line as `type: text` — so a test reads the history a model would have seen."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.graph import START, MessagesState, StateGraph


def recall_node(state: MessagesState) -> dict[str, Any]:
    # One line per message (an earlier answer's own lines joined by " / ").
    lines = [f"{m.type}: " + str(m.content).replace("\n", " / ") for m in state["messages"]]
    return {"messages": [AIMessage(content="\n".join(lines))]}


recall = StateGraph(MessagesState).add_node("recall", recall_node).add_edge(START, "recall").compile()
