"""A conversation's messages and their feedback (XpertAI's `conversation.controller.ts`, same paths).

A message written here is part of the history the thread's next run gives the model (runs/written.py);
changing or deleting it changes that history too. Messages a run wrote are the record of that run: changing
them changes the record, not the model's memory (that is the thread's state: `POST /threads/{id}/state`).
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, field_validator
from starlette.responses import Response

from xpert_server.api.conversations import UUID, Order, load_conversation
from xpert_server.api.deps import PrincipalDep, ServicesDep, require_storable_id
from xpert_server.api.openapi import EMPTY_202
from xpert_server.api.storable import INT64_MAX, Storable
from xpert_server.api.wire.conversations import (
    Feedback,
    FeedbackPage,
    Message,
    MessagePage,
    feedback_json,
    message_json,
)
from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.errors import BadRequest, Conflict, NotFound
from xpert_server.runs.input import MAX_TEXT
from xpert_server.services import Services
from xpert_server.storage.records import MessageRecord, ThreadRecord
from xpert_server.storage.sql.conversations import FEEDBACK_SORT, FEEDBACK_WHERE
from xpert_server.storage.sql.messages import MESSAGE_SORT, MESSAGE_WHERE

router = APIRouter(prefix="/conversations/{conversation_id}/messages", tags=["conversations"])

# XpertAI's message roles (LangChain's, and the older user/assistant); a tool message needs a tool call.
Role = Literal["human", "ai", "system", "user", "assistant"]
# XpertAI's ChatMessageStatusEnum.
MessageStatus = Literal[
    "success", "error", "running", "pending", "interrupted", "thinking", "reasoning", "answering", "aborted"
]
MAX_BLOCKS = 1000
Rating = Literal["like", "dislike"]
Page = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=INT64_MAX)]


def _content(value: Any) -> Any:
    """A message's content: a text, or XpertAI's list of content blocks (objects)."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        raise ValueError(f"a text of at most {MAX_TEXT} characters")
    if isinstance(value, list) and len(value) > MAX_BLOCKS:
        raise ValueError(f"at most {MAX_BLOCKS} content blocks")
    return value


class MessageCreate(BaseModel):
    """XpertAI's `Partial<IChatMessage>`: `role` and `content` are what the model sees."""

    id: str | None = Field(default=None, pattern=UUID)
    role: Role
    content: Annotated[str | list[dict[str, Any]], Storable]
    reasoning: Annotated[list[dict[str, Any]] | None, Storable] = Field(default=None, max_length=MAX_BLOCKS)
    status: MessageStatus = "success"
    error: Annotated[str | None, Storable] = Field(default=None, max_length=10_000)

    _check_content = field_validator("content")(_content)


class MessagePatch(BaseModel):
    role: Role | None = None
    content: Annotated[str | list[dict[str, Any]] | None, Storable] = None
    reasoning: Annotated[list[dict[str, Any]] | None, Storable] = Field(default=None, max_length=MAX_BLOCKS)
    status: MessageStatus | None = None
    error: Annotated[str | None, Storable] = Field(default=None, max_length=10_000)

    _check_content = field_validator("content")(_content)


class Search(BaseModel):
    """`{where, order, limit, offset}` as XpertAI's search routes take it; `where` values are exact."""

    where: Annotated[dict[str, str | int | float | bool | None] | None, Storable] = None
    order: Order | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=INT64_MAX)

    def checked(self, where_keys: dict[str, Any], sort_keys: dict[str, Any]) -> tuple[Any, Any]:
        """(where, order) with keys the route knows; BadRequest naming the ones it does not."""
        for name, given, known in (("where", self.where, where_keys), ("order", self.order, sort_keys)):
            unknown = sorted(set(given or {}) - set(known))
            if unknown:
                raise BadRequest(f"{name}: unknown key(s) {', '.join(unknown)}; use {', '.join(known)}.")
        order = {k: v.upper() for k, v in (self.order or {}).items()} or None
        return self.where, order


class FeedbackCreate(BaseModel):
    rating: Rating
    content: Annotated[str | None, Storable] = Field(default=None, max_length=10_000)


class FeedbackPatch(BaseModel):
    rating: Rating | None = None
    content: Annotated[str | None, Storable] = Field(default=None, max_length=10_000)


async def _message(
    services: Services, p: Principal, conversation_id: str, message_id: str
) -> tuple[ThreadRecord, MessageRecord]:
    thread = await load_conversation(services, p, conversation_id)
    require_storable_id("Message", message_id)
    message = await services.storage.get_message(p, thread.id, message_id)
    if message is None:
        raise NotFound(f"Message '{message_id}' not found in conversation '{conversation_id}'.")
    return thread, message


# ---- messages -------------------------------------------------------------------------------------
@router.get("", summary="A conversation's messages, oldest first", response_model=MessagePage)
async def list_messages(
    conversation_id: str, services: ServicesDep, p: PrincipalDep, limit: Page = 100, offset: Offset = 0
) -> dict[str, Any]:
    thread = await load_conversation(services, p, conversation_id)
    page = await services.storage.list_messages(p, thread.id, limit=limit, offset=offset)
    return {"items": [message_json(m, conversation_id) for m in page.items], "total": page.total}


@router.post(
    "/search", status_code=200, summary="Search a conversation's messages", response_model=MessagePage
)
async def search_messages(
    conversation_id: str, body: Search, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    where, order = body.checked(MESSAGE_WHERE, MESSAGE_SORT)
    thread = await load_conversation(services, p, conversation_id)
    page = await services.storage.search_messages(
        p, thread.id, where=where, order=order, limit=body.limit, offset=body.offset
    )
    return {"items": [message_json(m, conversation_id) for m in page.items], "total": page.total}


@router.post(
    "",
    status_code=201,
    summary="Add a message (the thread's next run gives it to the model)",
    response_model=Message,
)
async def create_message(
    conversation_id: str, body: MessageCreate, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread = await load_conversation(services, p, conversation_id)
    if body.id is not None and await services.storage.get_message(p, thread.id, body.id) is not None:
        raise Conflict(f"Message '{body.id}' already exists: PATCH it to change it.")
    now = time.time()
    message = MessageRecord(
        id=body.id or new_id(),
        thread_id=thread.id,
        role=body.role,
        content=body.content,
        reasoning=body.reasoning,
        status=body.status,
        error=body.error,
        created_at=now,
        updated_at=now,
    )
    return message_json(await services.storage.create_message(p, message), conversation_id)


@router.get("/{message_id}", summary="Get a message", response_model=Message)
async def get_message(
    conversation_id: str, message_id: str, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    _, message = await _message(services, p, conversation_id, message_id)
    return message_json(message, conversation_id)


@router.patch("/{message_id}", summary="Change a message", response_model=Message)
async def update_message(
    conversation_id: str, message_id: str, body: MessagePatch, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread, _ = await _message(services, p, conversation_id, message_id)
    changes = body.model_dump(exclude_none=True)
    updated = await services.storage.update_message(p, thread.id, message_id, changes)
    if updated is None:
        raise NotFound(f"Message '{message_id}' not found in conversation '{conversation_id}'.")
    return message_json(updated, conversation_id)


@router.delete(
    "/{message_id}",
    status_code=202,
    summary="Delete a message and its feedback",
    response_class=Response,
    responses=EMPTY_202,
)
async def delete_message(
    conversation_id: str, message_id: str, services: ServicesDep, p: PrincipalDep
) -> Response:
    thread, _ = await _message(services, p, conversation_id, message_id)
    if not await services.storage.delete_message(p, thread.id, message_id):
        raise NotFound(f"Message '{message_id}' not found in conversation '{conversation_id}'.")
    return Response(status_code=202)


# ---- feedback -------------------------------------------------------------------------------------
@router.post("/{message_id}/feedbacks", status_code=201, summary="Rate a message", response_model=Feedback)
async def create_feedback(
    conversation_id: str, message_id: str, body: FeedbackCreate, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread, _ = await _message(services, p, conversation_id, message_id)
    fb = await services.storage.add_feedback(p, thread.id, message_id, body.rating, body.content)
    if fb is None:
        raise NotFound(f"Message '{message_id}' not found in conversation '{conversation_id}'.")
    return feedback_json(fb, conversation_id)


@router.get(
    "/{message_id}/feedbacks", summary="A message's feedback, oldest first", response_model=FeedbackPage
)
async def list_feedbacks(
    conversation_id: str,
    message_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    limit: Page = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    thread, _ = await _message(services, p, conversation_id, message_id)
    page = await services.storage.search_feedbacks(p, thread.id, message_id, limit=limit, offset=offset)
    return {"items": [feedback_json(f, conversation_id) for f in page.items], "total": page.total}


@router.post(
    "/{message_id}/feedbacks/search",
    status_code=200,
    summary="Search a message's feedback",
    response_model=FeedbackPage,
)
async def search_feedbacks(
    conversation_id: str, message_id: str, body: Search, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    where, order = body.checked(FEEDBACK_WHERE, FEEDBACK_SORT)
    thread, _ = await _message(services, p, conversation_id, message_id)
    page = await services.storage.search_feedbacks(
        p, thread.id, message_id, where=where, order=order, limit=body.limit, offset=body.offset
    )
    return {"items": [feedback_json(f, conversation_id) for f in page.items], "total": page.total}


async def _feedback(
    services: Services, p: Principal, conversation_id: str, message_id: str, feedback_id: str
) -> tuple[ThreadRecord, dict[str, Any]]:
    thread, _ = await _message(services, p, conversation_id, message_id)
    require_storable_id("Feedback", feedback_id)
    fb = await services.storage.get_feedback(p, thread.id, message_id, feedback_id)
    if fb is None:
        raise NotFound(f"Feedback '{feedback_id}' not found on message '{message_id}'.")
    return thread, fb


@router.get("/{message_id}/feedbacks/{feedback_id}", summary="Get a feedback", response_model=Feedback)
async def get_feedback(
    conversation_id: str, message_id: str, feedback_id: str, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    _, fb = await _feedback(services, p, conversation_id, message_id, feedback_id)
    return feedback_json(fb, conversation_id)


@router.patch("/{message_id}/feedbacks/{feedback_id}", summary="Change a feedback", response_model=Feedback)
async def update_feedback(
    conversation_id: str,
    message_id: str,
    feedback_id: str,
    body: FeedbackPatch,
    services: ServicesDep,
    p: PrincipalDep,
) -> dict[str, Any]:
    thread, _ = await _feedback(services, p, conversation_id, message_id, feedback_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("rating", "") is None:
        raise BadRequest("rating: Expected 'like' | 'dislike'")
    fb = await services.storage.update_feedback(p, thread.id, message_id, feedback_id, changes)
    if fb is None:
        raise NotFound(f"Feedback '{feedback_id}' not found on message '{message_id}'.")
    return feedback_json(fb, conversation_id)


@router.delete(
    "/{message_id}/feedbacks/{feedback_id}",
    status_code=202,
    summary="Delete a feedback",
    response_class=Response,
    responses=EMPTY_202,
)
async def delete_feedback(
    conversation_id: str, message_id: str, feedback_id: str, services: ServicesDep, p: PrincipalDep
) -> Response:
    thread, _ = await _feedback(services, p, conversation_id, message_id, feedback_id)
    if not await services.storage.delete_feedback(p, thread.id, message_id, feedback_id):
        raise NotFound(f"Feedback '{feedback_id}' not found on message '{message_id}'.")
    return Response(status_code=202)
