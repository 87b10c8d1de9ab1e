"""The JSON shapes of the AI API, as TypedDicts.

Methods return plain `dict`/`list` values; these types only describe them (`total=False`: a server
may omit a field). Field names are the wire names, so `thread["thread_id"]`, `file["originalName"]`.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = [
    "AgentFile",
    "Assistant",
    "CancelResult",
    "ChatMessage",
    "ChatRequestHuman",
    "ChatSendMessage",
    "ChatSendRequest",
    "Checkpoint",
    "ClientSecret",
    "Conversation",
    "ConversationPage",
    "DocumentStatus",
    "Feedback",
    "IfExists",
    "Item",
    "KnowledgeChunk",
    "KnowledgeDocument",
    "Knowledgebase",
    "ListNamespacesResponse",
    "MessagePage",
    "MultitaskStrategy",
    "OnDisconnect",
    "Rating",
    "Run",
    "RunResult",
    "RunStatus",
    "RuntimeCapabilities",
    "SearchItemsResponse",
    "SortOrder",
    "Success",
    "Thread",
    "ThreadContextUsage",
    "ThreadState",
    "ThreadStatus",
]

RunStatus = Literal["pending", "running", "success", "error", "timeout", "interrupted"]
ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
MultitaskStrategy = Literal["reject", "interrupt", "rollback", "enqueue"]
OnDisconnect = Literal["cancel", "continue"]
IfExists = Literal["raise", "do_nothing"]
SortOrder = Literal["asc", "desc"]
Rating = Literal["like", "dislike"]


class Assistant(TypedDict, total=False):
    """An xpert. `assistant_id == xpert_id == graph_id`."""

    assistant_id: str
    xpert_id: str
    graph_id: str
    name: str
    description: str | None
    version: int
    created_at: str
    updated_at: str
    config: dict[str, Any]
    metadata: dict[str, Any]
    context: Any


class RuntimeCapabilities(TypedDict, total=False):
    skills: list[dict[str, Any]]
    plugins: list[dict[str, Any]]
    subAgents: list[dict[str, Any]]


class Thread(TypedDict, total=False):
    """`metadata.id` is the thread's conversation id."""

    thread_id: str
    status: ThreadStatus
    created_at: str
    updated_at: str
    created_by: Any
    updated_by: Any
    metadata: dict[str, Any]
    values: Any


class Checkpoint(TypedDict, total=False):
    thread_id: str
    checkpoint_ns: str
    checkpoint_id: str


class ThreadState(TypedDict, total=False):
    values: Any
    next: list[str]
    checkpoint: Checkpoint
    parent_checkpoint: Checkpoint | None
    metadata: dict[str, Any]
    created_at: str | None
    tasks: list[dict[str, Any]]


class ThreadContextUsage(TypedDict, total=False):
    thread_id: str
    agent_key: str | None
    run_id: str | None
    updated_at: str | None
    usage: dict[str, Any]


class Run(TypedDict, total=False):
    run_id: str
    thread_id: str
    assistant_id: str
    created_at: str
    updated_at: str
    status: RunStatus
    metadata: dict[str, Any]


class RunResult(TypedDict, total=False):
    """What `runs.wait` returns: all the reply's text."""

    role: str
    content: str


class CancelResult(TypedDict, total=False):
    canceledExecutionIds: list[str]


class ChatRequestHuman(TypedDict, total=False):
    input: str
    files: list[Any]


class ChatSendMessage(TypedDict, total=False):
    input: ChatRequestHuman
    clientMessageId: str


class _ChatSendRequired(TypedDict):
    action: Literal["send"]
    message: ChatSendMessage


class ChatSendRequest(_ChatSendRequired, total=False):
    """A run `input` that sends a user message (see `xpert_sdk.chat_input`)."""

    conversationId: str


Conversation = TypedDict(
    "Conversation",
    {
        "id": str,
        "threadId": str,
        "title": str | None,
        "status": str,
        "from": str,
        "fromEndUserId": str | None,
        "options": Any,
        "error": str | None,
        "operation": Any,
        "xpertId": str | None,
        "createdAt": str,
        "updatedAt": str,
    },
    total=False,
)


class ConversationPage(TypedDict, total=False):
    items: list[Conversation]
    total: int


class ChatMessage(TypedDict, total=False):
    id: str
    conversationId: str
    role: str
    content: Any
    reasoning: Any
    status: str
    error: str | None
    executionId: str | None
    createdAt: str
    updatedAt: str


class MessagePage(TypedDict, total=False):
    items: list[ChatMessage]
    total: int


class Feedback(TypedDict, total=False):
    id: str
    conversationId: str
    messageId: str
    rating: Rating
    createdAt: str


class AgentFile(TypedDict, total=False):
    """An uploaded context file; pass it (or `{"id": …}`) in a run's `input.files`."""

    id: str
    fileId: str
    url: str
    fileUrl: str
    originalName: str
    name: str
    size: int
    mimeType: str
    mimetype: str
    status: str
    parseStatus: str
    purpose: str
    parseMode: str
    capabilities: list[str]
    summary: str | None


class Knowledgebase(TypedDict, total=False):
    id: str
    name: str
    description: str | None
    permission: str
    recall: dict[str, Any]
    parserConfig: dict[str, Any]
    createdAt: str
    updatedAt: str


class KnowledgeDocument(TypedDict, total=False):
    id: str
    knowledgebaseId: str
    name: str
    type: str
    fileUrl: str
    status: str
    progress: float
    processMsg: str | None


class DocumentStatus(TypedDict, total=False):
    """`status`: waiting|validate|running|transformed|splitted|understood|embedding|cancel|finish|error."""

    id: str
    status: str
    progress: float
    processMsg: str | None


class KnowledgeChunk(TypedDict, total=False):
    content: str
    score: float
    metadata: dict[str, Any]
    documentId: str
    source: Any


class Item(TypedDict, total=False):
    namespace: list[str]
    key: str
    value: dict[str, Any]
    created_at: str
    updated_at: str
    score: float | None


class SearchItemsResponse(TypedDict, total=False):
    items: list[Item]


class ListNamespacesResponse(TypedDict, total=False):
    namespaces: list[list[str]]


class Success(TypedDict, total=False):
    success: bool


class ClientSecret(TypedDict, total=False):
    """A short-lived ChatKit credential for a browser: `cs-x-…`."""

    client_secret: str
    expires_at: str
    expires_after: int
