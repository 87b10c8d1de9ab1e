"""`client.conversations`: the chat record of each thread (one conversation per thread), its messages and
their feedback — XpertAI's `ConversationsClient`, method for method."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact, path
from xpert_sdk.types import (
    ChatMessage,
    Conversation,
    ConversationPage,
    Feedback,
    FeedbackPage,
    MessagePage,
    MessageRole,
    Rating,
)

__all__ = ["AsyncConversations", "Conversations"]

_MESSAGES = "/conversations/{}/messages"
_MESSAGE = "/conversations/{}/messages/{}"
_FEEDBACKS = "/conversations/{}/messages/{}/feedbacks"
_FEEDBACK = "/conversations/{}/messages/{}/feedbacks/{}"


def _create(
    title: str | None,
    xpert_id: str | None,
    thread_id: str | None,
    options: Mapping[str, Any] | None,
    conversation_id: str | None,
) -> Call:
    body = compact(id=conversation_id, threadId=thread_id, title=title, options=options, xpertId=xpert_id)
    return Call("POST", "/conversations", json=body, idempotent=False)


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
    return Call("GET", path(_MESSAGES, conversation_id), params=params)


def _search_in(
    route: str, where: Mapping[str, Any] | None, order: Mapping[str, Any] | None, limit: int, offset: int
) -> Call:
    return Call("POST", route + "/search", json=compact(where=where, order=order, limit=limit, offset=offset))


def _create_message(
    conversation_id: str, content: str | list[dict[str, Any]], role: MessageRole, message_id: str | None
) -> Call:
    body = compact(id=message_id, role=role, content=content)
    return Call("POST", path(_MESSAGES, conversation_id), json=body, idempotent=message_id is not None)


def _feedback(conversation_id: str, message_id: str, rating: Rating, content: str | None) -> Call:
    route = path(_FEEDBACKS, conversation_id, message_id)
    return Call("POST", route, json=compact(rating=rating, content=content), idempotent=False)


def _feedbacks(conversation_id: str, message_id: str, limit: int, offset: int) -> Call:
    params = {"limit": limit, "offset": offset}
    return Call("GET", path(_FEEDBACKS, conversation_id, message_id), params=params)


def _update_feedback(
    conversation_id: str, message_id: str, feedback_id: str, rating: Rating | None, content: str | None
) -> Call:
    route = path(_FEEDBACK, conversation_id, message_id, feedback_id)
    return Call("PATCH", route, json=compact(rating=rating, content=content))


def _get_in(route: str) -> Call:
    return Call("GET", route)


class Conversations:
    """Conversations (one per thread), their messages and feedback."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def create(
        self,
        *,
        title: str | None = None,
        xpert_id: str | None = None,
        thread_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        conversation_id: str | None = None,
    ) -> Conversation:
        """Start a conversation, on an idle thread of its own (``threadId``); run on that thread to continue it.

        Example: ``conversation = client.conversations.create(title="Refund", xpert_id=xpert["assistant_id"])``
        """
        return cast(
            Conversation, self._http.request(_create(title, xpert_id, thread_id, options, conversation_id))
        )

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
        """Delete a conversation (and its thread).

        Example: ``client.conversations.delete(conversation_id)``
        """
        self._http.request(_delete(conversation_id))

    def messages(self, conversation_id: str, limit: int = 20, offset: int = 0) -> MessagePage:
        """A page of the conversation's messages, oldest first: ``{"items": [...], "total": n}``.

        Example: ``history = client.conversations.messages(conversation_id)["items"]``
        """
        return cast(MessagePage, self._http.request(_messages(conversation_id, limit, offset)))

    def search_messages(
        self,
        conversation_id: str,
        where: Mapping[str, Any] | None = None,
        order: Mapping[str, Any] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> MessagePage:
        """Messages matching ``where`` (``id``, ``role``, ``status``, ``executionId``), ordered by ``createdAt``/``updatedAt``.

        Example: ``replies = client.conversations.search_messages(conversation_id, where={"role": "ai"})``
        """
        return cast(
            MessagePage,
            self._http.request(_search_in(path(_MESSAGES, conversation_id), where, order, limit, offset)),
        )

    def create_message(
        self,
        conversation_id: str,
        content: str | list[dict[str, Any]],
        role: MessageRole = "human",
        message_id: str | None = None,
    ) -> ChatMessage:
        """Add a message (needs an API key); the thread's next run gives it to the model as history.

        Example: ``client.conversations.create_message(conversation_id, "My order number is 1234.")``
        """
        return cast(
            ChatMessage, self._http.request(_create_message(conversation_id, content, role, message_id))
        )

    def get_message(self, conversation_id: str, message_id: str) -> ChatMessage:
        """One message.

        Example: ``message = client.conversations.get_message(conversation_id, message_id)``
        """
        return cast(ChatMessage, self._http.request(_get_in(path(_MESSAGE, conversation_id, message_id))))

    def update_message(self, conversation_id: str, message_id: str, **fields: Any) -> ChatMessage:
        """Change a message's ``content``, ``role``, ``status``… (needs an API key).

        Example: ``client.conversations.update_message(conversation_id, message_id, content="Order 1235, sorry.")``
        """
        return cast(
            ChatMessage,
            self._http.request(Call("PATCH", path(_MESSAGE, conversation_id, message_id), json=fields)),
        )

    def delete_message(self, conversation_id: str, message_id: str) -> None:
        """Delete a message and its feedback (needs an API key).

        Example: ``client.conversations.delete_message(conversation_id, message_id)``
        """
        self._http.request(Call("DELETE", path(_MESSAGE, conversation_id, message_id)))

    def feedback(
        self, conversation_id: str, message_id: str, rating: Rating, content: str | None = None
    ) -> Feedback:
        """Rate a reply ``"like"`` or ``"dislike"`` (with an optional comment).

        Example: ``client.conversations.feedback(conversation_id, message["id"], "like")``
        """
        return cast(Feedback, self._http.request(_feedback(conversation_id, message_id, rating, content)))

    def feedbacks(
        self, conversation_id: str, message_id: str, limit: int = 100, offset: int = 0
    ) -> FeedbackPage:
        """A page of a message's feedback, oldest first.

        Example: ``ratings = client.conversations.feedbacks(conversation_id, message_id)["items"]``
        """
        return cast(FeedbackPage, self._http.request(_feedbacks(conversation_id, message_id, limit, offset)))

    def search_feedbacks(
        self,
        conversation_id: str,
        message_id: str,
        where: Mapping[str, Any] | None = None,
        order: Mapping[str, Any] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> FeedbackPage:
        """A message's feedback matching ``where`` (``id``, ``rating``, ``createdById``).

        Example: ``likes = client.conversations.search_feedbacks(conversation_id, message_id, where={"rating": "like"})``
        """
        return cast(
            FeedbackPage,
            self._http.request(
                _search_in(path(_FEEDBACKS, conversation_id, message_id), where, order, limit, offset)
            ),
        )

    def get_feedback(self, conversation_id: str, message_id: str, feedback_id: str) -> Feedback:
        """One feedback.

        Example: ``feedback = client.conversations.get_feedback(conversation_id, message_id, feedback_id)``
        """
        return cast(
            Feedback, self._http.request(_get_in(path(_FEEDBACK, conversation_id, message_id, feedback_id)))
        )

    def update_feedback(
        self,
        conversation_id: str,
        message_id: str,
        feedback_id: str,
        *,
        rating: Rating | None = None,
        content: str | None = None,
    ) -> Feedback:
        """Change a feedback's rating or comment.

        Example: ``client.conversations.update_feedback(conversation_id, message_id, feedback_id, rating="dislike")``
        """
        return cast(
            Feedback,
            self._http.request(_update_feedback(conversation_id, message_id, feedback_id, rating, content)),
        )

    def delete_feedback(self, conversation_id: str, message_id: str, feedback_id: str) -> None:
        """Take a feedback back.

        Example: ``client.conversations.delete_feedback(conversation_id, message_id, feedback_id)``
        """
        self._http.request(Call("DELETE", path(_FEEDBACK, conversation_id, message_id, feedback_id)))


class AsyncConversations:
    """Conversations (one per thread), their messages and feedback."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def create(
        self,
        *,
        title: str | None = None,
        xpert_id: str | None = None,
        thread_id: str | None = None,
        options: Mapping[str, Any] | None = None,
        conversation_id: str | None = None,
    ) -> Conversation:
        """Start a conversation, on an idle thread of its own (``threadId``); run on that thread to continue it.

        Example: ``conversation = await client.conversations.create(title="Refund", xpert_id=xpert["assistant_id"])``
        """
        return cast(
            Conversation,
            await self._http.request(_create(title, xpert_id, thread_id, options, conversation_id)),
        )

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
        """Delete a conversation (and its thread).

        Example: ``await client.conversations.delete(conversation_id)``
        """
        await self._http.request(_delete(conversation_id))

    async def messages(self, conversation_id: str, limit: int = 20, offset: int = 0) -> MessagePage:
        """A page of the conversation's messages, oldest first: ``{"items": [...], "total": n}``.

        Example: ``history = (await client.conversations.messages(conversation_id))["items"]``
        """
        return cast(MessagePage, await self._http.request(_messages(conversation_id, limit, offset)))

    async def search_messages(
        self,
        conversation_id: str,
        where: Mapping[str, Any] | None = None,
        order: Mapping[str, Any] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> MessagePage:
        """Messages matching ``where`` (``id``, ``role``, ``status``, ``executionId``), ordered by ``createdAt``/``updatedAt``.

        Example: ``replies = await client.conversations.search_messages(conversation_id, where={"role": "ai"})``
        """
        return cast(
            MessagePage,
            await self._http.request(
                _search_in(path(_MESSAGES, conversation_id), where, order, limit, offset)
            ),
        )

    async def create_message(
        self,
        conversation_id: str,
        content: str | list[dict[str, Any]],
        role: MessageRole = "human",
        message_id: str | None = None,
    ) -> ChatMessage:
        """Add a message (needs an API key); the thread's next run gives it to the model as history.

        Example: ``await client.conversations.create_message(conversation_id, "My order number is 1234.")``
        """
        return cast(
            ChatMessage, await self._http.request(_create_message(conversation_id, content, role, message_id))
        )

    async def get_message(self, conversation_id: str, message_id: str) -> ChatMessage:
        """One message.

        Example: ``message = await client.conversations.get_message(conversation_id, message_id)``
        """
        return cast(
            ChatMessage, await self._http.request(_get_in(path(_MESSAGE, conversation_id, message_id)))
        )

    async def update_message(self, conversation_id: str, message_id: str, **fields: Any) -> ChatMessage:
        """Change a message's ``content``, ``role``, ``status``… (needs an API key).

        Example: ``await client.conversations.update_message(conversation_id, message_id, content="Order 1235, sorry.")``
        """
        return cast(
            ChatMessage,
            await self._http.request(Call("PATCH", path(_MESSAGE, conversation_id, message_id), json=fields)),
        )

    async def delete_message(self, conversation_id: str, message_id: str) -> None:
        """Delete a message and its feedback (needs an API key).

        Example: ``await client.conversations.delete_message(conversation_id, message_id)``
        """
        await self._http.request(Call("DELETE", path(_MESSAGE, conversation_id, message_id)))

    async def feedback(
        self, conversation_id: str, message_id: str, rating: Rating, content: str | None = None
    ) -> Feedback:
        """Rate a reply ``"like"`` or ``"dislike"`` (with an optional comment).

        Example: ``await client.conversations.feedback(conversation_id, message["id"], "like")``
        """
        return cast(
            Feedback, await self._http.request(_feedback(conversation_id, message_id, rating, content))
        )

    async def feedbacks(
        self, conversation_id: str, message_id: str, limit: int = 100, offset: int = 0
    ) -> FeedbackPage:
        """A page of a message's feedback, oldest first.

        Example: ``ratings = (await client.conversations.feedbacks(conversation_id, message_id))["items"]``
        """
        return cast(
            FeedbackPage, await self._http.request(_feedbacks(conversation_id, message_id, limit, offset))
        )

    async def search_feedbacks(
        self,
        conversation_id: str,
        message_id: str,
        where: Mapping[str, Any] | None = None,
        order: Mapping[str, Any] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> FeedbackPage:
        """A message's feedback matching ``where`` (``id``, ``rating``, ``createdById``).

        Example: ``likes = await client.conversations.search_feedbacks(conversation_id, message_id, where={"rating": "like"})``
        """
        return cast(
            FeedbackPage,
            await self._http.request(
                _search_in(path(_FEEDBACKS, conversation_id, message_id), where, order, limit, offset)
            ),
        )

    async def get_feedback(self, conversation_id: str, message_id: str, feedback_id: str) -> Feedback:
        """One feedback.

        Example: ``feedback = await client.conversations.get_feedback(conversation_id, message_id, feedback_id)``
        """
        return cast(
            Feedback,
            await self._http.request(_get_in(path(_FEEDBACK, conversation_id, message_id, feedback_id))),
        )

    async def update_feedback(
        self,
        conversation_id: str,
        message_id: str,
        feedback_id: str,
        *,
        rating: Rating | None = None,
        content: str | None = None,
    ) -> Feedback:
        """Change a feedback's rating or comment.

        Example: ``await client.conversations.update_feedback(conversation_id, message_id, feedback_id, rating="dislike")``
        """
        return cast(
            Feedback,
            await self._http.request(
                _update_feedback(conversation_id, message_id, feedback_id, rating, content)
            ),
        )

    async def delete_feedback(self, conversation_id: str, message_id: str, feedback_id: str) -> None:
        """Take a feedback back.

        Example: ``await client.conversations.delete_feedback(conversation_id, message_id, feedback_id)``
        """
        await self._http.request(Call("DELETE", path(_FEEDBACK, conversation_id, message_id, feedback_id)))
