"""The agent API tests' world: a fake OpenAI-compatible server on a free port, a stdio MCP server script,
and an app whose xperts (org `agents-tests`) talk to them through langchain-openai and the MCP adapters."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.agents.fake_openai import FakeOpenAI
from tests.conftest import suite_database
from tests.harness.app import ApiHarness, open_harness
from tests.harness.uvicorn import InProcessServer, serve_in_process
from tests.runs.common import assistant_id

AGENTS_ORG = "agents-tests"

MCP_SERVER = '''
from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations

mcp = FastMCP("math")


@mcp.tool(annotations=ToolAnnotations(title="Add two numbers"))
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@mcp.tool()
def shout(text: str) -> str:
    """Upper-case a text."""
    return text.upper()


if __name__ == "__main__":
    mcp.run()
'''


# A loopback port nothing listens on (port 1 needs root to bind): connections to it are refused at once.
UNREACHABLE_MODEL = "http://127.0.0.1:1/v1"
UNREACHABLE_MCP = "http://127.0.0.1:1/mcp"


def xperts(base_url: str, mcp_script: Path) -> dict[str, str]:
    """slug → YAML. Every real-model xpert uses the fake server with no retries (errors surface at once)."""

    def model(name: str) -> str:
        return (
            f"model: {{provider: openai, name: {name}, base_url: '{base_url}', options: {{max_retries: 0}}}}"
        )

    return {
        "toolbot": f"""
            name: Tool bot
            slug: toolbot
            {model("tool-bot")}
            system_prompt: You use tools.
            tools:
              - calculator
              - current_time
              - http_get
              - {{name: send_notification, require_approval: true}}
        """,
        "fetcher": f"""
            name: Private fetcher
            slug: fetcher
            {model("tool-bot")}
            tools:
              - {{name: http_get, config: {{allow_private: true, timeout: 5}}}}
        """,
        "mcpbot": f"""
            name: MCP bot
            slug: mcpbot
            {model("tool-bot")}
            mcp:
              - name: math
                transport: stdio
                command: {sys.executable}
                args: ['{mcp_script}']
                require_approval: [shout]
        """,
        "helper": f"""
            name: Helper
            slug: helper
            title: The helper
            description: Answers whatever it is asked.
            {model("tool-bot")}
        """,
        "boss": f"""
            name: Boss
            slug: boss
            {model("tool-bot")}
            agents: [helper]
        """,
        "flaky": f"""
            name: Flaky
            slug: flaky
            {model("flaky")}
        """,
        "seer": f"""
            name: Seer
            slug: seer
            model: {{provider: openai, name: tool-bot, base_url: '{base_url}', vision: true,
                     options: {{max_retries: 0}}}}
        """,
        "thinker": f"""
            name: Thinker
            slug: thinker
            {model("thinker")}
        """,
        "looper": f"""
            name: Looper
            slug: looper
            {model("looper")}
            max_steps: 2
            tools: [current_time]
        """,
        "unreachable": f"""
            name: Unreachable model
            slug: unreachable
            model: {{provider: openai, name: gone, base_url: '{UNREACHABLE_MODEL}', options: {{max_retries: 0}}}}
        """,
        "mcp-gone": f"""
            name: Unreachable MCP server
            slug: mcp-gone
            model: {{provider: offline}}
            mcp:
              - {{name: remote, transport: http, url: '{UNREACHABLE_MCP}'}}
        """,
        "custom-tools": """
            name: Custom graph with ToolNode
            slug: custom-tools
            graph: tests.agents.sample_graph:tool_graph
        """,
        "offline-tools": """
            name: Offline tools
            slug: offline-tools
            model: {provider: offline}
            tools:
              - calculator
              - current_time
              - {name: send_notification, require_approval: true}
        """,
    }


@dataclass
class AgentsEnv:
    harness: ApiHarness
    fake: FakeOpenAI
    llm: InProcessServer
    ids: dict[str, str] = field(default_factory=dict)

    async def client(self, org: str = AGENTS_ORG) -> httpx.AsyncClient:
        key, _ = await self.harness.mint_key(org)
        return self.harness.client(key)


@pytest.fixture(scope="session")
async def agents(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AgentsEnv]:
    data_dir = tmp_path_factory.mktemp("agents-data")
    url = suite_database(request, data_dir)
    fake = FakeOpenAI()
    async with serve_in_process(fake.app(), "") as llm:
        folder = tmp_path_factory.mktemp("agents-xperts")
        script = folder / "math_server.py"
        script.write_text(MCP_SERVER, encoding="utf-8")
        for slug, text in xperts(f"{llm.base_url}/v1", script).items():
            yaml = textwrap.dedent(text).strip() + f"\norg: {AGENTS_ORG}\n"
            (folder / f"{slug}.yaml").write_text(yaml, encoding="utf-8")
        async with open_harness(data_dir, url, xperts_dir=folder) as harness:
            env = AgentsEnv(harness, fake, llm)
            async with await env.client() as c:
                for slug in xperts("", script):
                    env.ids[slug] = await assistant_id(c, slug)
            async with await env.client("default") as c:
                env.ids["demo"] = await assistant_id(c, "demo")
            yield env
