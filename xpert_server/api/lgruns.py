"""What the run handlers do differently for LangGraph's protocol (runs/protocol.py): the stored body,
the `Content-Location`/`Location` headers its SDKs read, and `runs/wait`'s final state values."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from xpert_server.api.deps import load_assistant, require_storable_id
from xpert_server.api.threads import load_thread
from xpert_server.auth.principal import Principal
from xpert_server.runs.lgstream import final_values, run_error
from xpert_server.runs.protocol import is_langgraph, protocol_of
from xpert_server.services import Services
from xpert_server.storage.records import RunRecord, ThreadRecord


async def langgraph_payload(
    services: Services, thread: ThreadRecord, payload: dict[str, Any]
) -> dict[str, Any]:
    """The run body as stored: `protocol: "langgraph"` when the rule says so (absent for XpertAI, so an
    XpertAI run's kwargs stay as they were), LangGraph's default `multitask_strategy` (`enqueue`; XpertAI's
    is `reject`), and LangGraph's `checkpoint` as the `checkpoint_id` to fork."""
    can_continue = False
    if payload.get("input") is None and not payload.get("protocol"):
        can_continue = await services.checkpointer.latest(thread.id) is not None
    if protocol_of(payload, can_continue) != "langgraph":
        return payload
    out = {"multitask_strategy": "enqueue", **payload, "protocol": "langgraph"}
    checkpoint = out.get("checkpoint")
    if isinstance(checkpoint, dict) and checkpoint.get("checkpoint_id") and not out.get("checkpoint_id"):
        out["checkpoint_id"] = str(checkpoint["checkpoint_id"])
    return out


async def thread_for_run(
    services: Services, p: Principal, thread_id: str, if_not_exists: str | None
) -> ThreadRecord:
    """The run's thread; with LangGraph's `if_not_exists: "create"` a missing one is made with that id."""
    if if_not_exists == "create":
        require_storable_id("Thread", thread_id)
        found = await services.storage.get_thread(p, thread_id)
        if found is not None:
            return found
        return await services.storage.create_thread(p, thread_id=thread_id, if_exists="do_nothing")
    return await load_thread(services, p, thread_id)


def run_locations(request: Request, run: RunRecord, prefix: str) -> dict[str, str]:
    """`Content-Location` names the created run (the SDKs' `on_run_created` reads it); a LangGraph stream
    also gets `Location`, its join, where langgraph-sdk reconnects with `Last-Event-ID` after a drop.
    Both relative to the API's base URL, which is how the SDKs resolve them."""
    path = request.url.path
    prefix = prefix.rstrip("/")
    if prefix and path.startswith(prefix):
        path = path[len(prefix) :]
    base = path.rsplit("/runs", 1)[0]
    headers = {"Content-Location": f"{base}/runs/{run.id}"}
    if is_langgraph(run.kwargs) and path.endswith("/runs/stream"):
        headers["Location"] = f"{base}/runs/{run.id}/stream"
    return headers


# Created: XpertAI's server answers 201 (NestJS's POST), LangGraph's 200. A run's protocol is known from its
# body (runs/protocol.py), so its creates answer as its clients' server would; a thread create's body does
# not tell the two clients apart, so it keeps XpertAI's 201 (both SDKs accept either).
CREATED_XPERTAI = 201
CREATED_LANGGRAPH = 200


def langgraph_created(model: Any) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI entry of a create's LangGraph status (the route's own `status_code` is XpertAI's 201)."""
    return {
        CREATED_LANGGRAPH: {"model": model, "description": "Created (a LangGraph run: LangGraph's status)"}
    }


def created_status(runs: list[RunRecord]) -> int:
    """The status of a request that created `runs`: LangGraph's 200 when they are all LangGraph runs."""
    return CREATED_LANGGRAPH if runs and all(is_langgraph(r.kwargs) for r in runs) else CREATED_XPERTAI


async def run_result(services: Services, p: Principal, run: RunRecord) -> dict[str, Any]:
    """`runs/wait` and `join`: XpertAI's `{role, content}` reply, or LangGraph's final state values."""
    if not is_langgraph(run.kwargs):
        return await services.runs.result(run.id)
    assistant = await load_assistant(services, p, run.assistant_id)
    error = await run_error(services.runs.follow(run.id))
    async with services.graphs.reading(assistant) as graph:
        return await final_values(graph, run.thread_id, error)
