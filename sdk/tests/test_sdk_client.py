"""Client construction: base URL, credentials from the environment, headers, the on_request hook."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sdk_testkit import ClientFactory, Replies, call, json_response
from xpert_sdk import AsyncClient, Client


async def test_url_and_key_fall_back_to_the_environment(
    make_client: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XPERTAI_API_URL", "https://xpert.example.com/api/ai/")
    monkeypatch.setenv("XPERTAI_API_KEY", "sk-x-from-env")
    server = Replies(json_response([]))
    client = make_client(server, api_url=None, api_key=None)
    await call(client.assistants.search)
    [request] = server.requests
    assert str(request.url) == "https://xpert.example.com/api/ai/assistants/search"
    assert request.headers["x-api-key"] == "sk-x-from-env"
    assert client.api_url == "https://xpert.example.com/api/ai"


async def test_default_url_is_the_local_server(make_client: ClientFactory) -> None:
    server = Replies(json_response({}))
    client = make_client(server, api_url=None)
    await call(client.threads.create)
    assert str(server.requests[0].url) == "http://127.0.0.1:8000/api/ai/threads"


async def test_no_key_sends_no_key_header(make_client: ClientFactory) -> None:
    server = Replies(json_response({}))
    await call(make_client(server, api_key=None).threads.create)
    assert "x-api-key" not in server.requests[0].headers


async def test_default_headers_are_merged_into_every_request(make_client: ClientFactory) -> None:
    server = Replies(json_response({}))
    headers = {"organization-id": "org-001", "x-principal-user-id": "user-001"}
    client = make_client(server, default_headers=headers)
    await call(client.threads.create)
    await call(client.runs.get, "t-1", "r-1")
    for request in server.requests:
        assert request.headers["organization-id"] == "org-001"
        assert request.headers["x-principal-user-id"] == "user-001"
        assert request.headers["x-api-key"] == "sk-x-test"
        assert request.headers["user-agent"].startswith("xpert-sdk-python/")


async def test_default_headers_can_carry_a_client_secret_as_bearer(make_client: ClientFactory) -> None:
    # What the ChatKit frame does: the secret both as api key and as bearer token.
    server = Replies(json_response({}))
    client = make_client(server, api_key="cs-x-abc", default_headers={"Authorization": "Bearer cs-x-abc"})
    await call(client.threads.create)
    assert server.requests[0].headers["authorization"] == "Bearer cs-x-abc"
    assert server.requests[0].headers["x-api-key"] == "cs-x-abc"


async def test_on_request_may_change_each_request(make_client: ClientFactory) -> None:
    seen: list[str] = []

    def sign(request: httpx.Request) -> None:
        seen.append(request.url.path)
        request.headers["x-signature"] = "signed"

    server = Replies(json_response({}))
    await call(make_client(server, on_request=sign).threads.get, "t-1")
    assert seen == ["/api/ai/threads/t-1"]
    assert server.requests[0].headers["x-signature"] == "signed"


async def test_async_on_request_may_be_a_coroutine() -> None:
    async def sign(request: httpx.Request) -> None:
        request.headers["x-signature"] = "async"

    server = Replies(json_response({}))
    async with AsyncClient(transport=httpx.MockTransport(server), on_request=sign) as client:
        await client.threads.get("t-1")
    assert server.requests[0].headers["x-signature"] == "async"


async def test_on_request_runs_again_on_each_retry(make_client: ClientFactory) -> None:
    calls: list[Any] = []
    server = Replies(json_response({}, 503), json_response({}))
    await call(make_client(server, on_request=calls.append).threads.get, "t-1")
    assert len(calls) == 2


def test_clients_are_context_managers() -> None:
    with Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
        assert client.threads is not None
    assert client._http._client.is_closed


async def test_async_clients_are_async_context_managers() -> None:
    async with AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
        assert client.threads is not None
    assert client._http._client.is_closed


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ValueError):
        Client(max_retries=-1)


async def test_empty_success_bodies_decode_to_none(make_client: ClientFactory) -> None:
    server = Replies(httpx.Response(200), httpx.Response(204))
    client = make_client(server)
    assert await call(client.assistants.delete, "x-1") is None
    assert await call(client.assistants.delete, "x-1") is None
