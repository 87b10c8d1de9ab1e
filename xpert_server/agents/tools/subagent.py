"""Other xperts as tools (`agents: [slug, ...]`).

A call runs the sub-xpert's agent graph to completion on a fresh conversation (the question is the
tool's `input`) and returns its final answer. Its words stream into the caller's run as text frames
tagged with the sub-xpert's `agentKey`; its own tool calls stream as components tagged the same way.
The sub-run gets its own callbacks so its tokens never pass for the caller's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import AsyncCallbackManager
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from langgraph.config import get_stream_writer
from langgraph.pregel import Pregel
from pydantic import BaseModel, Field

from xpert_server.agents.stream import FRAME_KEY, content_pieces

TOOLSET = "agents"
DEPTH_KEY = "xpert_agent_depth"
# A sub-agent may have sub-agents, down to this depth; deeper ones are not offered as tools.
MAX_DEPTH = 3


class AgentArgs(BaseModel):
    input: str = Field(description="The task or question for this agent, with all the context it needs")


@dataclass(frozen=True)
class SubAgent:
    slug: str
    title: str
    description: str
    graph: Pregel[Any, Any, Any, Any]


def depth_of(config: RunnableConfig | None) -> int:
    value = ((config or {}).get("configurable") or {}).get(DEPTH_KEY, 0)
    return value if isinstance(value, int) else 0


def make_agent_tool(agent: SubAgent, org_id: str | None, depth: int) -> BaseTool:
    async def ask_agent(input: str) -> str:
        return await run_agent(agent, input, org_id, depth + 1)

    return StructuredTool.from_function(
        coroutine=ask_agent,
        name=agent.slug,
        description=agent.description
        or f"Ask the {agent.title} agent to handle a task and return its answer.",
        args_schema=AgentArgs,
    )


async def run_agent(agent: SubAgent, question: str, org_id: str | None, depth: int) -> str:
    try:
        write = get_stream_writer()
    except RuntimeError:  # called outside a graph (tests): nothing to forward to

        def write(_chunk: Any) -> None:
            return None

    config: RunnableConfig = {
        # An empty callback manager (not `[]`, which config merging treats as "unset") keeps the caller's
        # stream handlers out of the sub-run.
        "callbacks": AsyncCallbackManager(handlers=[]),
        "configurable": {"thread_id": uuid.uuid4().hex, "xpert_org_id": org_id, DEPTH_KEY: depth},
    }
    final: list[Any] = []
    stream: Any = agent.graph.astream(
        {"messages": [HumanMessage(question)]}, config, stream_mode=["messages", "custom", "values"]
    )
    async for mode, payload in stream:
        if mode == "messages":
            message, _meta = payload
            if isinstance(message, AIMessageChunk | AIMessage):
                block = f"{agent.slug}-{message.id or 'reply'}"
                reasoning = message.additional_kwargs.get("reasoning_content")
                if isinstance(reasoning, str) and reasoning:
                    write({FRAME_KEY: _text(block, reasoning, "reasoning", agent.slug)})
                for kind, piece in content_pieces(message.content):
                    write({FRAME_KEY: _text(block, piece, kind, agent.slug)})
        elif mode == "custom" and isinstance(payload, dict) and isinstance(payload.get(FRAME_KEY), dict):
            body = dict(payload[FRAME_KEY])
            body.setdefault("agentKey", agent.slug)
            write({FRAME_KEY: body})
        elif mode == "values" and isinstance(payload, dict):
            final = list(payload.get("messages") or [])
    for message in reversed(final):
        if isinstance(message, AIMessage):
            return "".join(p for k, p in content_pieces(message.content) if k == "text") or "(no answer)"
    return "(no answer)"


def _text(block: str, text: str, kind: str, agent_key: str) -> dict[str, Any]:
    return {"type": kind, "id": block, "text": text, "agentKey": agent_key}
