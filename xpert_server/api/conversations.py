"""Conversations: the chat record of a thread, as XpertAI's ChatKit reads it. One per thread: `POST` makes an
idle thread with its conversation; a run on that thread (or one whose input names its `conversationId`)
continues it. Messages and feedback: api/messages.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from xpert_server.api.deps import PrincipalDep, ServicesDep, load_assistant, require_storable_id
from xpert_server.api.openapi import EMPTY_202
from xpert_server.api.storable import INT64_MAX, Storable
from xpert_server.api.wire.conversations import Conversation, ConversationPage, conversation_json
from xpert_server.auth.principal import Principal
from xpert_server.errors import BadRequest, Conflict, NotFound
from xpert_server.runs.input import conversation_of
from xpert_server.services import Services
from xpert_server.storage.records import ThreadRecord

router = APIRouter(prefix="/conversations", tags=["conversations"])

UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Order = dict[str, Literal["ASC", "DESC", "asc", "desc"]]


class ConversationCreate(BaseModel):
    """XpertAI's `Partial<IChatConversation>`. Read-only fields a client echoes back (status, createdAt, …)
    are ignored, as XpertAI does."""

    id: str | None = Field(default=None, pattern=UUID)
    threadId: str | None = Field(
        default=None, min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
    )
    title: Annotated[str | None, Storable] = Field(default=None, max_length=500)
    options: Annotated[dict[str, Any] | None, Storable] = None
    xpertId: Annotated[str | None, Storable] = Field(default=None, min_length=1, max_length=128)
    projectId: str | None = None
    from_: Annotated[str | None, Storable] = Field(default=None, alias="from", min_length=1, max_length=32)


class ConversationSearch(BaseModel):
    where: dict[str, Any] | None = None
    order: Order | None = None
    limit: int = Field(default=20, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=INT64_MAX)
    search: str | None = Field(default=None, max_length=200)


class ConversationPatch(BaseModel):
    title: Annotated[str | None, Storable] = Field(default=None, max_length=500)
    options: Annotated[dict[str, Any] | None, Storable] = None


async def load_conversation(services: Services, p: Principal, conversation_id: str) -> ThreadRecord:
    """The conversation's thread if this caller may see it; 404 otherwise."""
    require_storable_id("Conversation", conversation_id)
    thread = await services.storage.get_thread_by_conversation(p, conversation_id)
    if thread is None:
        raise NotFound(f"Conversation '{conversation_id}' not found.")
    return thread


async def conversation_thread(services: Services, p: Principal, run_input: Any) -> ThreadRecord | None:
    """The thread of the conversation a run's input names (`conversationId`), or None when it names none."""
    conversation_id = conversation_of(run_input)
    return None if conversation_id is None else await load_conversation(services, p, conversation_id)


@router.post(
    "",
    status_code=201,
    summary="Start a conversation (on an idle thread of its own)",
    response_model=Conversation,
)
async def create_conversation(
    body: ConversationCreate, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    if body.projectId:
        raise BadRequest("projectId: XpertAI projects are not part of this server; leave it out.")
    xpert_id = body.xpertId or p.xpert_id  # a credential bound to one xpert talks to that one
    if xpert_id is not None:
        xpert_id = (await load_assistant(services, p, xpert_id)).public_id
    if body.id is not None and await services.storage.get_thread_by_conversation(p, body.id) is not None:
        raise Conflict(f"Conversation '{body.id}' already exists: PATCH it to change it.")
    if body.threadId is not None and await services.storage.get_thread(p, body.threadId) is not None:
        raise Conflict(
            f"Thread '{body.threadId}' already exists and has its conversation (one per thread): "
            "search conversations with where.threadId to find it."
        )
    metadata: dict[str, Any] = {}
    for key, value in (("title", body.title), ("options", body.options), ("from", body.from_)):
        if value is not None:
            metadata[key] = value
    thread = await services.storage.create_thread(
        p, thread_id=body.threadId, assistant_id=xpert_id, metadata=metadata, conversation_id=body.id
    )
    return conversation_json(thread)


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
    return conversation_json(await load_conversation(services, p, conversation_id))


@router.patch(
    "/{conversation_id}", summary="Rename a conversation or set its options", response_model=Conversation
)
async def patch_conversation(
    conversation_id: str, body: ConversationPatch, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    thread = await load_conversation(services, p, conversation_id)
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
    thread = await load_conversation(services, p, conversation_id)
    await services.delete_thread(p, thread.id)
    return Response(status_code=202)
