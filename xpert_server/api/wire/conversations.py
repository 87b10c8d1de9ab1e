"""Conversations (XpertAI's chat record of a thread), their messages and feedback."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from xpert_server.api.wire.base import Json, Wire
from xpert_server.encoding import ts
from xpert_server.storage.records import MessageRecord, ThreadRecord


class Conversation(Wire):
    id: str
    threadId: str
    title: str | None
    status: str
    from_: str = Field(alias="from")
    fromEndUserId: str | None
    options: Json | None
    error: str | None
    operation: Any
    xpertId: str | None
    projectId: str | None
    taskId: str | None
    createdAt: str | None
    updatedAt: str | None


class Message(Wire):
    id: str
    conversationId: str
    role: str
    content: Any
    reasoning: Any
    attachments: Any
    status: str | None
    error: str | None
    executionId: str | None
    createdAt: str | None
    updatedAt: str | None


class Feedback(Wire):
    id: str
    conversationId: str
    messageId: str
    rating: str
    content: str | None
    createdById: str | None
    createdAt: str | None
    updatedAt: str | None


class ConversationPage(Wire):
    items: list[Conversation]
    total: int


class MessagePage(Wire):
    items: list[Message]
    total: int


class FeedbackPage(Wire):
    items: list[Feedback]
    total: int


def conversation_json(t: ThreadRecord) -> dict[str, Any]:
    return {
        "id": t.conversation_id,
        "threadId": t.public_id,
        "title": t.title,
        "status": t.status,
        "from": t.metadata.get("from") or "api",
        "fromEndUserId": t.created_by,
        "options": t.metadata.get("options"),
        "error": t.error,
        "operation": None,
        "xpertId": t.assistant_id,
        "projectId": None,  # XpertAI's projects and tasks are not part of this server
        "taskId": None,
        "createdAt": ts(t.created_at),
        "updatedAt": ts(t.updated_at),
    }


def message_json(m: MessageRecord, conversation_id: str) -> dict[str, Any]:
    return {
        "id": m.id,
        "conversationId": conversation_id,
        "role": m.role,
        "content": m.content,
        "reasoning": m.reasoning,
        "attachments": m.files,
        "status": m.status,
        "error": m.error,
        "executionId": m.execution_id,
        "createdAt": ts(m.created_at),
        "updatedAt": ts(m.updated_at),
    }


def feedback_json(fb: dict[str, Any], conversation_id: str) -> dict[str, Any]:
    return {
        "id": fb["id"],
        "conversationId": conversation_id,
        "messageId": fb["message_id"],
        "rating": fb["rating"],
        "content": fb["content"],
        "createdById": fb["created_by"],
        "createdAt": ts(fb["created_at"]),
        "updatedAt": ts(fb.get("updated_at") or fb["created_at"]),
    }
