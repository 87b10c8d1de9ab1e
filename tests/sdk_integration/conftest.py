"""Fixtures: one real `xpert serve` for the session, and SDK clients (sync or async) pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from xpert_sdk import AsyncClient, Client

from tests.harness.served import Served, serving

XPERTS_DIR = Path(__file__).parent / "xperts"
MakeClient = Callable[..., Any]


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """SQLite in a temporary data dir, the test xperts of `xperts/`; the demo xpert (`demo`, org `default`) is
    seeded on the first start."""
    with serving(
        tmp_path_factory.mktemp("sdk-live") / "data", args=("--xperts", str(XPERTS_DIR)), log_level="info"
    ) as server:
        yield server


@pytest.fixture(scope="session")
def xperts(live: Served) -> dict[str, str]:
    """slug -> xpert id, for the demo and the test xperts."""
    with Client(live.api, live.key) as client:
        return {str(a["metadata"]["slug"]): a["xpert_id"] for a in client.assistants.search(limit=100)}


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_client(mode: str, live: Served) -> AsyncIterator[MakeClient]:
    """`make_client(**options)`: a `Client` or `AsyncClient` (per `mode`) on the live server."""
    made: list[Client | AsyncClient] = []

    def factory(**options: Any) -> Client | AsyncClient:
        options.setdefault("api_url", live.api)
        options.setdefault("api_key", live.key)
        options.setdefault("timeout", httpx.Timeout(60.0, connect=5.0))
        client: Client | AsyncClient = Client(**options) if mode == "sync" else AsyncClient(**options)
        made.append(client)
        return client

    yield factory
    for client in made:
        if isinstance(client, AsyncClient):
            await client.aclose()
        else:
            client.close()


@pytest.fixture
def client(make_client: MakeClient) -> Any:
    return make_client()
