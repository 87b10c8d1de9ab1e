"""`client.conversations`: the chat record of each thread (one conversation per thread)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact, path
from xpert_sdk.types import Conversation, ConversationPage, Feedback, MessagePage, Rating

__all__ = ["AsyncConversations", "Conversations"]


def _search(
    where: Mapping[str, Any] | None,
    order: Mapping[str, Any] | None,
    limit: int,
    offset: int,
    search: str | None,
) -> Call:
    body = compact(where=where, order=order, limit=limit, offset=offset, search=search)
    return Call("POST", "/conversations/search", json=body)


def _get(conversation_id: str) -> Call:
    return Call("GET", path("/conversations/{}", conversation_id))


def _update(conversation_id: str, fields: dict[str, Any]) -> Call:
    return Call("PATCH", path("/conversations/{}", conversation_id), json=fields)


def _delete(conversation_id: str) -> Call:
    return Call("DELETE", path("/conversations/{}", conversation_id))


def _messages(conversation_id: str, limit: int, offset: int) -> Call:
    params = {"limit": limit, "offset": offset}
    return Call("GET", path("/conversations/{}/messages", conversation_id), params=params)


def _feedback(conversation_id: str, message_id: str, rating: Rating) -> Call:
    route = path("/conversations/{}/messages/{}/feedbacks", conversation_id, message_id)
    return Call("POST", route, json={"rating": rating}, idempotent=False)


class Conversations:
    """Browse chat history and rate replies."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def search(
        self,
        where: Mapping[str, Any] | None = None,
        order: Mapping[str, Any] | None = None,
        limit: int = 20,
        offset: int = 0,
        search: str | None = None,
    ) -> ConversationPage:
        """A page of conversations: ``{"items": [...], "total": n}``.

        Example: ``page = client.conversations.search(order={"updatedAt": "DESC"}, limit=50)``
        """
        return cast(ConversationPage, self._http.request(_search(where, order, limit, offset, search)))

    def get(self, conversation_id: str) -> Conversation:
        """One conversation.

        Example: ``conversation = client.conversations.get(thread["metadata"]["id"])``
        """
        return cast(Conversation, self._http.request(_get(conversation_id)))

    def update(self, conversation_id: str, **fields: Any) -> Conversation:
        """Change a conversation's fields (e.g. its title).

        Example: ``client.conversations.update(conversation_id, title="Refund request")``
        """
        return cast(Conversation, self._http.request(_update(conversation_id, fields)))

    def delete(self, conversation_id: str) -> None:
        """Delete a conversation.

        Example: ``client.conversations.delete(conversation_id)``
        """
        self._http.request(_delete(conversation_id))

    def messages(self, conversation_id: str, limit: int = 20, offset: int = 0) -> MessagePage:
        """A page of the conversation's messages: ``{"items": [...], "total": n}``.

        Example: ``history = client.conversations.messages(conversation_id)["items"]``
        """
        return cast(MessagePage, self._http.request(_messages(conversation_id, limit, offset)))

    def feedback(self, conversation_id: str, message_id: str, rating: Rating) -> Feedback:
        """Rate a reply ``"like"`` or ``"dislike"``.

        Example: ``client.conversations.feedback(conversation_id, message["id"], "like")``
        """
        return cast(Feedback, self._http.request(_feedback(conversation_id, message_id, rating)))


class AsyncConversations:
    """Browse chat history and rate replies."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def search(
        self,
        where: Mapping[str, Any] | None = None,
        order: Mapping[str, Any] | None = None,
        limit: int = 20,
        offset: int = 0,
        search: str | None = None,
    ) -> ConversationPage:
        """A page of conversations: ``{"items": [...], "total": n}``.

        Example: ``page = await client.conversations.search(order={"updatedAt": "DESC"}, limit=50)``
        """
        return cast(ConversationPage, await self._http.request(_search(where, order, limit, offset, search)))

    async def get(self, conversation_id: str) -> Conversation:
        """One conversation.

        Example: ``conversation = await client.conversations.get(thread["metadata"]["id"])``
        """
        return cast(Conversation, await self._http.request(_get(conversation_id)))

    async def update(self, conversation_id: str, **fields: Any) -> Conversation:
        """Change a conversation's fields (e.g. its title).

        Example: ``await client.conversations.update(conversation_id, title="Refund request")``
        """
        return cast(Conversation, await self._http.request(_update(conversation_id, fields)))

    async def delete(self, conversation_id: str) -> None:
        """Delete a conversation.

        Example: ``await client.conversations.delete(conversation_id)``
        """
        await self._http.request(_delete(conversation_id))

    async def messages(self, conversation_id: str, limit: int = 20, offset: int = 0) -> MessagePage:
        """A page of the conversation's messages: ``{"items": [...], "total": n}``.

        Example: ``history = (await client.conversations.messages(conversation_id))["items"]``
        """
        return cast(MessagePage, await self._http.request(_messages(conversation_id, limit, offset)))

    async def feedback(self, conversation_id: str, message_id: str, rating: Rating) -> Feedback:
        """Rate a reply ``"like"`` or ``"dislike"``.

        Example: ``await client.conversations.feedback(conversation_id, message["id"], "like")``
        """
        return cast(Feedback, await self._http.request(_feedback(conversation_id, message_id, rating)))
