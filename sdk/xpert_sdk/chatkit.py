"""`client.chatkit`: short-lived client secrets for the browser ChatKit widget.

Your backend keeps the API key and hands the browser only a `cs-x-…` secret. Fix the organization
or end user with `default_headers` (``organization-id``, ``x-principal-user-id``) when minting.
"""

from __future__ import annotations

from typing import cast

from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact
from xpert_sdk.types import ClientSecret

__all__ = ["AsyncChatKit", "AsyncChatKitSessions", "ChatKit", "ChatKitSessions"]


def _create_session(expires_after: int | None) -> Call:
    body = compact(expires_after=expires_after)
    return Call("POST", "/v1/chatkit/sessions", json=body, idempotent=False)


class ChatKitSessions:
    """Mint ChatKit client secrets (API key only: a client secret cannot mint another)."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def create(self, expires_after: int | None = None) -> ClientSecret:
        """A new client secret, valid `expires_after` seconds (server default 600, at most 3600).

        Example: ``secret = client.chatkit.sessions.create(expires_after=600)["client_secret"]``
        """
        return cast(ClientSecret, self._http.request(_create_session(expires_after)))


class AsyncChatKitSessions:
    """Mint ChatKit client secrets (API key only: a client secret cannot mint another)."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def create(self, expires_after: int | None = None) -> ClientSecret:
        """A new client secret, valid `expires_after` seconds (server default 600, at most 3600).

        Example: ``secret = (await client.chatkit.sessions.create(expires_after=600))["client_secret"]``
        """
        return cast(ClientSecret, await self._http.request(_create_session(expires_after)))


class ChatKit:
    """ChatKit helpers: `sessions`."""

    def __init__(self, http: SyncHTTP) -> None:
        self.sessions = ChatKitSessions(http)


class AsyncChatKit:
    """ChatKit helpers: `sessions`."""

    def __init__(self, http: AsyncHTTP) -> None:
        self.sessions = AsyncChatKitSessions(http)
