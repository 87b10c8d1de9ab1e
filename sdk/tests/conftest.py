"""Fixtures for the SDK tests: no real sleeps, no stray env, clients over `httpx.MockTransport`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sdk_testkit import ClientFactory, Handler
from xpert_sdk import AsyncClient, Client, _http


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every backoff / poll delay the SDK asked for, instead of sleeping."""
    delays: list[float] = []

    async def fake_async_sleep(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr(_http, "_sleep", delays.append)
    monkeypatch.setattr(_http, "_async_sleep", fake_async_sleep)
    return delays


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XPERTAI_API_URL", raising=False)
    monkeypatch.delenv("XPERTAI_API_KEY", raising=False)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def make_client(mode: str) -> AsyncIterator[ClientFactory]:
    """`make_client(handler, **options)`: a `Client` or `AsyncClient` (per `mode`) over a mock transport."""
    made: list[Client | AsyncClient] = []

    def factory(handler: Handler, **options: Any) -> Client | AsyncClient:
        options.setdefault("api_url", "http://testserver/api/ai")
        options.setdefault("api_key", "sk-x-test")
        transport = httpx.MockTransport(handler)
        client: Client | AsyncClient
        client = (
            Client(transport=transport, **options)
            if mode == "sync"
            else AsyncClient(transport=transport, **options)
        )
        made.append(client)
        return client

    yield factory
    for client in made:
        if isinstance(client, AsyncClient):
            await client.aclose()
        else:
            client.close()
