"""`Client` and `AsyncClient`: one attribute per API resource, over a shared request core."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Self

import httpx

from xpert_sdk._http import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    AsyncHTTP,
    AsyncOnRequest,
    OnRequest,
    SyncHTTP,
    resolve_settings,
)
from xpert_sdk.assistants import Assistants, AsyncAssistants
from xpert_sdk.chatkit import AsyncChatKit, ChatKit
from xpert_sdk.connections import AsyncConnections, Connections
from xpert_sdk.contexts import AsyncContexts, Contexts
from xpert_sdk.conversations import AsyncConversations, Conversations
from xpert_sdk.crons import AsyncCrons, Crons
from xpert_sdk.knowledges import AsyncKnowledges, Knowledges
from xpert_sdk.runs import AsyncRuns, Runs
from xpert_sdk.store import AsyncStore, Store
from xpert_sdk.threads import AsyncThreads, Threads
from xpert_sdk.webhooks import AsyncWebhooks, Webhooks

__all__ = ["AsyncClient", "Client"]


class Client:
    """A client of an XpertAI-compatible AI API.

    `api_url` (e.g. ``http://127.0.0.1:8000/api/ai``) and `api_key` fall back to the environment
    variables ``XPERTAI_API_URL`` and ``XPERTAI_API_KEY``. `default_headers` are sent with every request
    (e.g. ``organization-id``, ``x-principal-user-id``); `on_request` may change each `httpx.Request`
    before it is sent. Failed requests are retried up to `max_retries` times.

    Example: ``with Client(api_key="sk-x-…") as client: print(client.assistants.search(limit=1))``
    """

    def __init__(
        self,
        api_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        default_headers: Mapping[str, str] | None = None,
        on_request: OnRequest | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        settings = resolve_settings(api_url, api_key, default_headers, timeout, max_retries)
        self.api_url = settings.api_url.rstrip("/")
        self._http = SyncHTTP(settings, on_request, transport)
        self.assistants = Assistants(self._http)
        self.threads = Threads(self._http)
        self.runs = Runs(self._http)
        self.conversations = Conversations(self._http)
        self.store = Store(self._http)
        self.contexts = Contexts(self._http)
        self.knowledges = Knowledges(self._http)
        self.chatkit = ChatKit(self._http)
        self.connections = Connections(self._http)
        self.webhooks = Webhooks(self._http)
        self.crons = Crons(self._http)

    def close(self) -> None:
        """Close the connection pool.

        Example: ``client.close()``
        """
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncClient:
    """An asyncio client of an XpertAI-compatible AI API; see `Client` for the arguments.

    `on_request` may also be a coroutine function.

    Example: ``async with AsyncClient(api_key="sk-x-…") as client: await client.threads.create()``
    """

    def __init__(
        self,
        api_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        default_headers: Mapping[str, str] | None = None,
        on_request: AsyncOnRequest | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        settings = resolve_settings(api_url, api_key, default_headers, timeout, max_retries)
        self.api_url = settings.api_url.rstrip("/")
        self._http = AsyncHTTP(settings, on_request, transport)
        self.assistants = AsyncAssistants(self._http)
        self.threads = AsyncThreads(self._http)
        self.runs = AsyncRuns(self._http)
        self.conversations = AsyncConversations(self._http)
        self.store = AsyncStore(self._http)
        self.contexts = AsyncContexts(self._http)
        self.knowledges = AsyncKnowledges(self._http)
        self.chatkit = AsyncChatKit(self._http)
        self.connections = AsyncConnections(self._http)
        self.webhooks = AsyncWebhooks(self._http)
        self.crons = AsyncCrons(self._http)

    async def aclose(self) -> None:
        """Close the connection pool.

        Example: ``await client.aclose()``
        """
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
