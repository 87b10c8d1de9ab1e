"""The events a webhook may carry, and their bodies.

A body is made once, when the event is written to the outbox, so every attempt sends the same bytes (and
the same `webhook-id`). Bodies follow Standard Webhooks: `{"type", "timestamp", "data"}`; `data` never
holds message text, keys or secrets — a receiver that wants the reply reads the run with its API key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from xpert_server.encoding import dumps, ts

if TYPE_CHECKING:  # storage imports this module inside its transactions
    from xpert_server.storage.records import RunRecord

RUN_SUCCEEDED = "run.succeeded"
RUN_FAILED = "run.failed"
RUN_INTERRUPTED = "run.interrupted"  # waiting for a person: an approval or a client tool's result
RUN_CANCELLED = "run.cancelled"
DOCUMENT_PROCESSED = "knowledge.document.processed"
DOCUMENT_FAILED = "knowledge.document.failed"

EventType = Literal[
    "run.succeeded",
    "run.failed",
    "run.interrupted",
    "run.cancelled",
    "knowledge.document.processed",
    "knowledge.document.failed",
]
EVENT_TYPES: tuple[str, ...] = (
    RUN_SUCCEEDED,
    RUN_FAILED,
    RUN_INTERRUPTED,
    RUN_CANCELLED,
    DOCUMENT_PROCESSED,
    DOCUMENT_FAILED,
)


def run_event(status: str, thread_status: str) -> str:
    """The event of a run that ended with `status`, leaving its thread `thread_status`."""
    if thread_status == "interrupted":
        return RUN_INTERRUPTED
    if status == "success":
        return RUN_SUCCEEDED
    if status == "interrupted":  # a cancel: the run was stopped, the thread is free
        return RUN_CANCELLED
    return RUN_FAILED  # error, timeout


def run_body(
    event: str, run: RunRecord, *, thread_id: str, status: str, error: str | None, at: float
) -> bytes:
    """`thread_id`: the thread's public id. Shaped like the API's run object, plus its error."""
    data: dict[str, Any] = {
        "run_id": run.id,
        "thread_id": thread_id,
        "assistant_id": run.assistant_id,
        "status": status,
        "error": error,
        "metadata": run.metadata,
        "created_at": ts(run.created_at),
        "updated_at": ts(at),
    }
    return dumps({"type": event, "timestamp": ts(at), "data": data})


def document_body(event: str, doc: Any, *, at: float) -> bytes:
    """`doc`: a knowledge_documents row."""
    data = {
        "document_id": doc.id,
        "knowledgebase_id": doc.kb_id,
        "name": doc.name,
        "status": doc.status,
        "chunk_count": doc.chunk_count,
        "message": doc.process_msg,
    }
    return dumps({"type": event, "timestamp": ts(at), "data": data})
