"""Conversations: the chat record of a thread, as XpertAI's ChatKit reads it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from xpert_server.api.deps import PrincipalDep, ServicesDep
from xpert_server.api.openapi import EMPTY_202
from xpert_server.api.storable import INT64_MAX, Storable
from xpert_server.api.wire.conversations import (
    Conversation,
    ConversationPage,
    Feedback,
    FeedbackPage,
    MessagePage,
    conversation_json,
    feedback_json,
    message_json,
)
from xpert_server.auth.principal import Principal
from xpert_server.errors import NotFound
from xpert_server.services import Services
from xpert_server.storage.records import ThreadRecord

router = APIRouter(prefix="/conversations", tags=["conversations"])


class ConversationSearch(BaseModel):
    where: dict[str, Any] | None = None
    order: dict[str, Literal["ASC", "DESC", "asc", "desc"]] | None = None
    limit: int = Field(default=20, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=INT64_MAX)
    search: str | None = Field(default=None, max_length=200)


class ConversationPatch(BaseModel):
    title: Annotated[str | None, Storable] = Field(default=None, max_length=500)
    options: Annotated[dict[str, Any] | None, Storable] = None


class FeedbackCreate(BaseModel):
    rating: Literal["like", "dislike"]
    content: str | None = Field(default=None, max_length=10_000)


async def _conversation(services: Services, p: Principal, conversation_id: str) -> ThreadRecord:
    thread = await services.storage.get_thread_by_conversation(p, conversation_id)
    if thread is None:
        raise NotFound(f"Conversation '{conversation_id}' not found.")
    return thread


@router.post("/search", status_code=200, summary="Search conversations", response_model=ConversationPage)
async def search_conversations(
    body: ConversationSearch, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    order = {k: v.upper() for k, v in (body.order or {}).items()} or None
    page = await services.storage.search_conversations(
        p, where=body.where, order=order, limit=body.limit, offset=body.offset, search=body.search
    )
    return {"items": [conversation_json(t) for t in page.items], "total": page.total}


@router.get("/{conversation_id}", summary="Get a conversation", response_model=Conversation)
async def get_conversation(conversation_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return conversation_json(await _conversation(services, p, conversation_id))


@router.patch(
    "/{conversation_id}", summary="Rename a conversation or set its options", response_model=Conversation
)
async def patch_conversation(
    conversation_id: str, body: ConversationPatch, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread = await _conversation(services, p, conversation_id)
    meta: dict[str, Any] = {}
    if body.title is not None:
        meta["title"] = body.title
    if body.options is not None:
        meta["options"] = body.options
    updated = await services.storage.update_thread(p, thread.id, metadata=meta)
    if updated is None:
        raise NotFound(f"Conversation '{conversation_id}' not found.")
    return conversation_json(updated)


@router.delete(
    "/{conversation_id}",
    status_code=202,
    summary="Delete a conversation (and its thread)",
    response_class=Response,
    responses=EMPTY_202,
)
async def delete_conversation(conversation_id: str, services: ServicesDep, p: PrincipalDep) -> Response:
    thread = await _conversation(services, p, conversation_id)
    await services.delete_thread(p, thread.id)
    return Response(status_code=202)


@router.get(
    "/{conversation_id}/messages",
    summary="A conversation's messages, oldest first",
    response_model=MessagePage,
)
async def list_messages(
    conversation_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
) -> dict[str, Any]:
    thread = await _conversation(services, p, conversation_id)
    page = await services.storage.list_messages(p, thread.id, limit=limit, offset=offset)
    return {"items": [message_json(m, conversation_id) for m in page.items], "total": page.total}


@router.post(
    "/{conversation_id}/messages/{message_id}/feedbacks",
    status_code=201,
    summary="Rate a message",
    response_model=Feedback,
)
async def create_feedback(
    conversation_id: str, message_id: str, body: FeedbackCreate, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread = await _conversation(services, p, conversation_id)
    fb = await services.storage.add_feedback(p, thread.id, message_id, body.rating, body.content)
    if fb is None:
        raise NotFound(f"Message '{message_id}' not found.")
    return feedback_json(fb, conversation_id)


@router.get(
    "/{conversation_id}/messages/{message_id}/feedbacks",
    summary="A message's feedback",
    response_model=FeedbackPage,
)
async def list_feedbacks(
    conversation_id: str, message_id: str, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread = await _conversation(services, p, conversation_id)
    items = await services.storage.list_feedbacks(p, thread.id, message_id)
    return {"items": [feedback_json(f, conversation_id) for f in items], "total": len(items)}
