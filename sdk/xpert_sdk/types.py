"""The JSON shapes of the AI API, as TypedDicts.

Methods return plain `dict`/`list` values; these types only describe them (`total=False`: a server
may omit a field). Field names are the wire names, so `thread["thread_id"]`, `file["originalName"]`.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = [
    "AgentFile",
    "Assistant",
    "AssistantDeleted",
    "AssistantVersion",
    "CancelResult",
    "ChatMessage",
    "ChatRequestHuman",
    "ChatSendMessage",
    "ChatSendRequest",
    "Checkpoint",
    "ClientSecret",
    "Connection",
    "ConnectionDeleted",
    "ConnectionKind",
    "Conversation",
    "ConversationPage",
    "Cron",
    "Deleted",
    "DocumentStatus",
    "Feedback",
    "FeedbackPage",
    "GraphSchema",
    "IfExists",
    "Item",
    "KnowledgeChunk",
    "KnowledgeDocument",
    "KnowledgeSearchMode",
    "KnowledgeSearchResult",
    "Knowledgebase",
    "ListNamespacesResponse",
    "MessagePage",
    "MessageRole",
    "MultitaskStrategy",
    "OnDisconnect",
    "Rating",
    "Run",
    "RunResult",
    "RunStatus",
    "RuntimeCapabilities",
    "SearchItemsResponse",
    "SortOrder",
    "StateUpdate",
    "Success",
    "Thread",
    "ThreadContextUsage",
    "ThreadPruned",
    "ThreadState",
    "ThreadStatus",
    "ThreadTTL",
    "ThreadUsageTotals",
    "Webhook",
    "WebhookAttempt",
    "WebhookDeleted",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSigningSecret",
]

RunStatus = Literal["pending", "running", "success", "error", "timeout", "interrupted"]
ThreadStatus = Literal["idle", "busy", "interrupted", "error"]
MultitaskStrategy = Literal["reject", "interrupt", "rollback", "enqueue"]
OnDisconnect = Literal["cancel", "continue"]
IfExists = Literal["raise", "do_nothing"]
SortOrder = Literal["asc", "desc"]
Rating = Literal["like", "dislike"]
MessageRole = Literal["human", "ai", "system"]
WebhookEvent = Literal[
    "run.succeeded",
    "run.failed",
    "run.interrupted",
    "run.cancelled",
    "knowledge.document.processed",
    "knowledge.document.failed",
]
KnowledgeSearchMode = Literal["hybrid", "dense", "lexical"]
ConnectionKind = Literal["model", "mcp"]


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


class AssistantVersion(TypedDict, total=False):
    """One published version of an xpert (`assistants.get_versions`), with its full definition."""

    assistant_id: str
    xpert_id: str
    graph_id: str
    version: int
    name: str
    description: str | None
    config: dict[str, Any]
    metadata: dict[str, Any]
    definition: dict[str, Any]
    created_at: str


class AssistantDeleted(TypedDict, total=False):
    """What `assistants.delete` returns on xpert-server."""

    success: bool
    assistant_id: str


class RuntimeCapabilities(TypedDict, total=False):
    skills: list[dict[str, Any]]
    plugins: list[dict[str, Any]]
    subAgents: list[dict[str, Any]]
    knowledgebases: list[dict[str, Any]]


class GraphSchema(TypedDict, total=False):
    """A graph's JSON schemas (`assistants.get_subgraphs` maps each subgraph's namespace to one)."""

    graph_id: str
    input_schema: Any
    output_schema: Any
    state_schema: Any
    config_schema: Any
    context_schema: Any


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


class ThreadTTL(TypedDict, total=False):
    """LangGraph's thread `ttl`: minutes of inactivity, then `delete` (default) or `keep_latest`."""

    ttl: float
    strategy: Literal["delete", "keep_latest"]


class ThreadPruned(TypedDict, total=False):
    pruned_count: int


class Cron(TypedDict, total=False):
    """A schedule of runs (LangGraph's shape). `thread_id` None: each tick runs on a new thread;
    `next_run_date` None once it has ended or while it is disabled."""

    cron_id: str
    assistant_id: str
    thread_id: str | None
    on_run_completed: Literal["delete", "keep"] | None
    end_time: str | None
    schedule: str
    timezone: str | None
    created_at: str
    updated_at: str
    payload: dict[str, Any]
    user_id: str | None
    next_run_date: str | None
    metadata: dict[str, Any]
    enabled: bool


class Checkpoint(TypedDict, total=False):
    thread_id: str
    checkpoint_ns: str
    checkpoint_id: str


class ThreadState(TypedDict, total=False):
    """A thread's state; `checkpoint` is None (and `values` empty) before its first run."""

    values: Any
    next: list[str]
    checkpoint: Checkpoint | None
    parent_checkpoint: Checkpoint | None
    metadata: dict[str, Any]
    created_at: str | None
    tasks: list[dict[str, Any]]


class StateUpdate(TypedDict, total=False):
    """What `threads.update_state` returns: the checkpoint it wrote (`patch_state`: the one it patched)."""

    checkpoint: Checkpoint


class ThreadUsageTotals(TypedDict, total=False):
    """Every run of a thread together."""

    runs: int
    input_tokens: int
    output_tokens: int
    total_tokens: int


class ThreadContextUsage(TypedDict, total=False):
    """`usage`: the latest run's tokens (XpertAI's shape); `thread_usage`: all the thread's runs."""

    thread_id: str
    agent_key: str | None
    run_id: str | None
    updated_at: str | None
    usage: dict[str, Any]
    thread_usage: ThreadUsageTotals


class Run(TypedDict, total=False):
    run_id: str
    thread_id: str
    assistant_id: str
    created_at: str
    updated_at: str
    status: RunStatus
    metadata: dict[str, Any]
    multitask_strategy: MultitaskStrategy


class RunResult(TypedDict, total=False):
    """What `runs.wait` and `runs.join` return: all the reply's text."""

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
        "projectId": str | None,
        "taskId": str | None,
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
    attachments: list[Any] | None
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
    content: str | None
    createdById: str | None
    createdAt: str
    updatedAt: str


class FeedbackPage(TypedDict, total=False):
    items: list[Feedback]
    total: int


class AgentFile(TypedDict, total=False):
    """An uploaded context file; pass it (or `{"id": …}`) in a run's `input.files`."""

    id: str
    fileId: str
    storageFileId: str
    url: str
    fileUrl: str
    originalName: str
    name: str
    size: int
    mimeType: str
    mimetype: str
    status: str
    parseStatus: str
    parseError: str | None
    purpose: str
    parseMode: str
    capabilities: list[str]
    summary: str | None
    sha256: str
    createdAt: str
    updatedAt: str


class Connection(TypedDict, total=False):
    """A named model endpoint or MCP server; `hint` shows at most the end of its key or its header names."""

    name: str
    kind: ConnectionKind
    scope: Literal["server", "org"]
    url: str | None
    transport: str | None
    models: list[str]
    description: str | None
    hint: str | None
    created_at: str | None
    updated_at: str | None


class ConnectionDeleted(Connection, total=False):
    success: bool


class Deleted(TypedDict, total=False):
    """What deleting a file, a knowledge base or a run returns."""

    id: str
    deleted: bool
    affected: int


class Knowledgebase(TypedDict, total=False):
    id: str
    name: str
    description: str | None
    permission: str
    recall: dict[str, Any]
    parserConfig: dict[str, Any]
    type: str
    embeddingModel: str
    createdById: str | None
    createdAt: str
    updatedAt: str


class KnowledgeDocument(TypedDict, total=False):
    id: str
    knowledgebaseId: str
    name: str
    type: str
    fileId: str | None
    fileUrl: str
    status: str
    progress: float
    processMsg: str | None
    chunkNum: int
    createdAt: str
    updatedAt: str


class DocumentStatus(TypedDict, total=False):
    """`status`: waiting|validate|running|transformed|splitted|understood|embedding|cancel|finish|error."""

    id: str
    status: str
    progress: float
    processMsg: str | None


class KnowledgeChunk(TypedDict, total=False):
    """One search hit: `score` is 0..1, higher is closer."""

    content: str
    score: float
    document_id: str
    document_name: str
    chunk_id: str
    knowledgebase_id: str
    metadata: dict[str, Any]
    documentId: str
    source: Any


class KnowledgeSearchResult(TypedDict, total=False):
    """What `knowledges.search` returns."""

    items: list[KnowledgeChunk]


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


class Webhook(TypedDict, total=False):
    """A webhook subscription. `secret` only in the reply that created it or rotated its secret."""

    id: str
    url: str
    events: list[WebhookEvent]
    description: str | None
    active: bool
    secret_hint: str
    secret: str
    created_at: str
    updated_at: str


class WebhookDeleted(TypedDict, total=False):
    id: str
    deleted: bool


class WebhookSigningSecret(TypedDict, total=False):
    """The org's secret for the `webhook` URLs runs name (`whsec_…`)."""

    secret: str
    created_at: str


class WebhookAttempt(TypedDict, total=False):
    attempt: int
    at: str
    status_code: int | None
    latency_ms: float
    response: str | None
    error: str | None


class WebhookDelivery(TypedDict, total=False):
    """One event for one target. `id` is the `webhook-id` header of every attempt; `attempt_log` only
    from `get_delivery`."""

    id: str
    webhook_id: str | None
    event: WebhookEvent
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    next_attempt_at: str | None
    last_status: int | None
    last_error: str | None
    created_at: str
    updated_at: str
    payload: dict[str, Any]
    attempt_log: list[WebhookAttempt]
