"""The connection tests' world: the scripted OpenAI-compatible server and an MCP server over streamable
HTTP, both on loopback and both started here; an operator connections file (a model at the scripted
server, the stdio MCP server of the agent tests); and an app whose org PRIVATE_ORG the operator allows
private addresses, so its connections may reach those loopback servers. Every other org may not."""

from __future__ import annotations

import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.agents.conftest import MCP_SERVER
from tests.agents.fake_openai import FakeOpenAI
from tests.conftest import API_BACKEND
from tests.harness.app import ApiHarness, open_harness
from tests.harness.dns import FakeDNS
from tests.harness.uvicorn import InProcessServer, serve_in_process

PRIVATE_ORG = "conn-private"


class HeaderLog:
    """ASGI middleware keeping the Authorization header of every request the MCP server gets."""

    def __init__(self, app: ASGIApp, seen: list[str | None]):
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
            self.seen.append(headers.get("authorization"))
        await self.app(scope, receive, send)


def mcp_http_app(seen: list[str | None]) -> ASGIApp:
    from mcp.server.fastmcp import FastMCP

    server = FastMCP("weather", stateless_http=True)

    @server.tool()
    def forecast(city: str) -> str:
        """Tomorrow's weather in a city."""
        return f"Sunny in {city}"

    return HeaderLog(server.streamable_http_app(), seen)


@dataclass
class ConnEnv:
    harness: ApiHarness
    fake: FakeOpenAI
    llm: InProcessServer
    mcp: InProcessServer
    mcp_headers: list[str | None]
    database_url: str
    data_dir: Path
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def model_url(self) -> str:
        return f"{self.llm.base_url}/v1"

    @property
    def mcp_url(self) -> str:
        return f"{self.mcp.base_url}/mcp"

    async def admin(self, org: str | None = None) -> tuple[httpx.AsyncClient, str]:
        key, org = await self.harness.mint_key(org, role="admin")
        return self.harness.client(key), org


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


def operator_file(folder: Path, model_url: str) -> Path:
    script = folder / "math_server.py"
    script.write_text(MCP_SERVER, encoding="utf-8")
    path = folder / "connections.yaml"
    path.write_text(
        f"""
models:
  house:
    base_url: '{model_url}'
    models: [tool-bot, thinker]
    options: {{max_retries: 0}}
    description: The house model
mcp:
  math:
    command: '{sys.executable}'
    args: ['{script}']
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="session")
async def conn(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ConnEnv]:
    data_dir = tmp_path_factory.mktemp("conn-data")
    url = (
        str(request.getfixturevalue("pg_url"))
        if API_BACKEND == "postgres"
        else f"sqlite:///{data_dir / 'x.db'}"
    )
    fake = FakeOpenAI()
    seen: list[str | None] = []
    async with (
        serve_in_process(fake.app(), "") as llm,
        serve_in_process(mcp_http_app(seen), "", lifespan="on") as mcp,
    ):
        path = operator_file(tmp_path_factory.mktemp("conn-operator"), f"{llm.base_url}/v1")
        async with open_harness(
            data_dir, url, connections_file=path, connections_private_orgs=(PRIVATE_ORG,)
        ) as harness:
            yield ConnEnv(harness, fake, llm, mcp, seen, url, data_dir)


@contextmanager
def dns(conn: ConnEnv) -> Iterator[FakeDNS]:
    service = conn.harness.services.connections
    fake, real = FakeDNS(), service.resolver
    service.resolver = fake
    try:
        yield fake
    finally:
        service.resolver = real


def model_body(
    name: str, url: str, key: str | None = None, models: list[str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "kind": "model", "url": url, "models": models or ["tool-bot"]}
    if key is not None:
        body["api_key"] = key
    return body
