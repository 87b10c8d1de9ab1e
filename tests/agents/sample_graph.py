"""A tiny graph importable as `tests.agents.sample_graph:graph` (the `module:attr` form)."""

from __future__ import annotations

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode, tools_condition


def shout(state: MessagesState) -> dict[str, list[AIMessage]]:
    return {"messages": [AIMessage(str(state["messages"][-1].content).upper())]}


graph = StateGraph(MessagesState).add_node("shout", shout).add_edge(START, "shout")


# `tests.agents.sample_graph:tool_graph`: a custom graph with LangGraph's own ToolNode. The executor gives
# its tool call one `running` and one end component, from the AI message's call and the ToolMessage.
def _plan(state: MessagesState) -> dict[str, list[AIMessage]]:
    if isinstance(state["messages"][-1], ToolMessage):
        return {"messages": [AIMessage(f"done: {state['messages'][-1].content}")]}
    return {
        "messages": [AIMessage("", tool_calls=[{"name": "double", "args": {"n": 21}, "id": "call_double_1"}])]
    }


@tool
def double(n: int) -> int:
    """Twice n."""
    return 2 * n


tool_graph = (
    StateGraph(MessagesState)
    .add_node("plan", _plan)
    .add_node("tools", ToolNode([double]))
    .add_edge(START, "plan")
    .add_conditional_edges("plan", tools_condition)
    .add_edge("tools", "plan")
)
