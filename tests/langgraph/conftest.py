"""One app with custom LangGraph graphs (tests/langgraph/graphs.py) and the demo xpert, served on a socket,
and langgraph-sdk clients (the real LangGraph client, from PyPI) pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

from tests.conftest import API_BACKEND
from tests.harness.app import ApiHarness, open_harness
from tests.harness.uvicorn import InProcessServer, serve_in_process

GRAPHS = Path(__file__).resolve().parent / "graphs.py"
ORG = "langgraph-tests"
# slug (the graph's name) → attribute of graphs.py
XPERTS = {
    "greeter": "greeter",
    "asker": "asker",
    "nested": "nested",
    "by-config": "by_config",
    "by-runtime": "by_runtime",
    "broken": "broken",
    "steps": "steps",
    "ticker": "ticker",
    "slow-reader": "slow_reader",
    "long-ticker": "long_ticker",
    "held": "held",
    "held-alone": "held_alone",
    "opened": "opened",
    "awaited": "awaited",
    "fanout": "fanout",
}


@dataclass
class LangGraphEnv:
    harness: ApiHarness
    live: InProcessServer

    async def client(self, org: str = ORG) -> LangGraphClient:
        key, _ = await self.harness.mint_key(org)
        return get_client(url=self.live.base_url, api_key=key, timeout=30)


@pytest.fixture(scope="session")
async def lg(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LangGraphEnv]:
    data_dir = tmp_path_factory.mktemp("langgraph-data")
    url = (
        str(request.getfixturevalue("pg_url"))
        if API_BACKEND == "postgres"
        else f"sqlite:///{data_dir / 'x.db'}"
    )
    folder = tmp_path_factory.mktemp("langgraph-xperts")
    for slug, attr in XPERTS.items():
        (folder / f"{slug}.yaml").write_text(
            f"name: {slug}\nslug: {slug}\norg: {ORG}\ngraph: {GRAPHS}:{attr}\n", encoding="utf-8"
        )
    async with open_harness(data_dir, url, xperts_dir=folder) as harness:
        async with serve_in_process(harness.app, harness.prefix) as live:
            yield LangGraphEnv(harness, live)


@pytest.fixture
async def client(lg: LangGraphEnv) -> AsyncIterator[LangGraphClient]:
    c = await lg.client()
    yield c
    await c.aclose()


@pytest.fixture
async def demo_client(lg: LangGraphEnv) -> AsyncIterator[LangGraphClient]:
    """A client in the demo xpert's org (`default`)."""
    c = await lg.client("default")
    yield c
    await c.aclose()
