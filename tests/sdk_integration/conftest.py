"""Fixtures: one real `xpert serve` for the session, and SDK clients (sync or async) pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from xpert_sdk import AsyncClient, Client

from tests.sdk_integration.live import LiveServer, live_server

MakeClient = Callable[..., Any]


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("sdk-live")) as server:
        yield server


@pytest.fixture(scope="session")
def xperts(live: LiveServer) -> dict[str, str]:
    """slug -> xpert id, for the demo and the test xperts."""
    with Client(live.url, live.key) as client:
        return {str(a["metadata"]["slug"]): a["xpert_id"] for a in client.assistants.search(limit=100)}


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_client(mode: str, live: LiveServer) -> AsyncIterator[MakeClient]:
    """`make_client(**options)`: a `Client` or `AsyncClient` (per `mode`) on the live server."""
    made: list[Client | AsyncClient] = []

    def factory(**options: Any) -> Client | AsyncClient:
        options.setdefault("api_url", live.url)
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
