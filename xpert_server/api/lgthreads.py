"""LangGraph's thread-centric protocol (the SDKs' v2 streaming, docs/langgraph.md): commands on a thread
(`run.start`, `input.respond`, `state.get`) and the thread's protocol event stream. A command starts an
ordinary LangGraph run on the thread (the same path as `POST /threads/{id}/runs`); the stream renders the
thread's runs from their stored frames (runs/v2stream.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Request
from starlette.responses import StreamingResponse

from xpert_server.api.deps import PrincipalDep, ServicesDep, load_assistant
from xpert_server.api.lgruns import thread_for_run
from xpert_server.api.runs import RunCreate, start_run
from xpert_server.api.sse import sse_response
from xpert_server.api.threads import load_thread
from xpert_server.api.wire.base import SSE_SCHEMA
from xpert_server.api.wire.lgthreads import CommandReply, ProtocolCommand
from xpert_server.api.wire.threads import state_json
from xpert_server.auth.principal import Principal
from xpert_server.errors import ApiError, BadRequest, NotFound
from xpert_server.limits.streams import stream_slot
from xpert_server.runs import threadstate, v2stream
from xpert_server.runs.sse import MEDIA_TYPE
from xpert_server.runs.v2events import RUN_MODES
from xpert_server.services import Services
from xpert_server.storage.records import AlreadyExists, ThreadRecord

router = APIRouter(prefix="/threads/{thread_id}", tags=["runs"])

# Commands of the protocol that need a live session (LangGraph serves them over its WebSocket).
NOT_SUPPORTED = frozenset(
    {
        "subscription.subscribe",
        "subscription.unsubscribe",
        "subscription.reconnect",
        "agent.getTree",
        "input.inject",
        "state.listCheckpoints",
        "state.fork",
    }
)
MULTITASK = ("reject", "interrupt", "rollback", "enqueue")


def protocol_error(code: str, message: str, status: int = 400) -> ApiError:
    """The protocol's error code (`invalid_argument`, `no_such_interrupt`, …) leads the message."""
    return ApiError(f"{code}: {message}", status)


@router.post("/commands", summary="A protocol command on the thread (run.start, input.respond, state.get)")
async def command(
    thread_id: str, body: ProtocolCommand, services: ServicesDep, p: PrincipalDep, request: Request
) -> CommandReply:
    if body.method == "run.start":
        result = await _run_start(services, p, thread_id, body.params, request.url.path)
    elif body.method == "input.respond":
        thread = await load_thread(services, p, thread_id)
        result = await _input_respond(services, p, thread, body.params, request.url.path)
    elif body.method == "state.get":
        thread = await load_thread(services, p, thread_id)
        state = state_json(thread_id, await threadstate.read_state(services.checkpointer, thread.id, None))
        checkpoint = state["checkpoint"]
        result = {"values": state["values"]}
        if checkpoint is not None:
            result["checkpoint"] = {"id": checkpoint["checkpoint_id"]}
    elif body.method in NOT_SUPPORTED:
        await load_thread(services, p, thread_id)
        raise protocol_error(
            "not_supported", f"{body.method} is not served over HTTP here (docs/langgraph.md)"
        )
    else:
        raise protocol_error("unknown_command", f"Unknown protocol command: {body.method}")
    # Each HTTP command is a session of its own on LangGraph's server too: nothing applied to a stream yet.
    return CommandReply(type="success", id=body.id, result=result, meta={"applied_through_seq": 0})  # type: ignore[arg-type]


def _run_body(params: dict[str, Any], assistant_id: str) -> dict[str, Any]:
    """The LangGraph run a protocol command starts: the modes the event stream renders, subgraphs too."""
    config = params.get("config")
    if config is not None and not isinstance(config, dict):
        raise protocol_error("invalid_argument", "config: Expected an object")
    metadata = params.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise protocol_error("invalid_argument", "metadata: Expected an object")
    strategy = params.get("multitask_strategy", params.get("multitaskStrategy"))
    body: dict[str, Any] = {
        "assistant_id": assistant_id,
        "protocol": "langgraph",
        "stream_mode": RUN_MODES,
        "stream_subgraphs": True,
        # LangGraph's default for protocol runs: queue behind a running one.
        "multitask_strategy": strategy if strategy in MULTITASK else "enqueue",
        "config": config,
        "metadata": metadata,
    }
    configurable = (config or {}).get("configurable")
    fork = configurable.get("checkpoint_id") if isinstance(configurable, dict) else None
    if fork is not None:  # the SDKs fold `forkFrom` into config.configurable.checkpoint_id
        body["checkpoint_id"] = str(fork)
    return body


async def _run_start(
    services: Services, p: Principal, thread_id: str, params: dict[str, Any], path: str
) -> dict[str, Any]:
    assistant_id = params.get("assistant_id")
    if not isinstance(assistant_id, str) or not assistant_id:
        raise protocol_error("invalid_argument", "run.start requires an assistant_id.")
    body = _run_body(params, assistant_id)
    body["input"] = params.get("input")
    run = _validated(body)
    await load_assistant(services, p, assistant_id)  # before the thread is made: a bad command makes nothing
    # The SDKs mint the thread id; the thread is made by its first run, as on LangGraph's server. An id
    # another principal of the org holds is a 404, as on every thread route (a 409 would tell it exists).
    try:
        thread = await thread_for_run(services, p, thread_id, "create")
    except AlreadyExists:
        raise NotFound(f"Thread '{thread_id}' not found.") from None
    accepted = await start_run(services, p, thread, run, None, path)
    return {"run_id": accepted.run.id}


async def _input_respond(
    services: Services, p: Principal, thread: ThreadRecord, params: dict[str, Any], path: str
) -> dict[str, Any]:
    answers = _answers(params)
    pending = await _pending_interrupts(services, thread)
    unknown = [iid for iid in answers if iid not in pending]
    if unknown:
        raise protocol_error(
            "no_such_interrupt", f"Unknown or already-consumed interrupt: {unknown[0]}", status=404
        )
    runs = await services.storage.list_runs(p, thread.id, limit=1)
    if not runs:
        raise protocol_error("no_such_run", "No interrupted run is bound to this thread.", status=404)
    body = _run_body(params, runs[0].assistant_id)
    command: dict[str, Any] = {"resume": answers}
    for key in ("update", "goto"):
        if params.get(key) is not None:
            command[key] = params[key]
    body["command"] = command
    await start_run(services, p, thread, _validated(body), None, path)
    return {}


def _answers(params: dict[str, Any]) -> dict[str, Any]:
    """`{interrupt_id: response}`: one (`interrupt_id`, `response`) or a batch (`responses`)."""
    entries = params.get("responses")
    if entries is None:
        entries = [params]
    if not isinstance(entries, list) or not entries:
        raise protocol_error("invalid_argument", "input.respond requires at least one response.")
    out: dict[str, Any] = {}
    for entry in entries:
        iid = entry.get("interrupt_id") if isinstance(entry, dict) else None
        if not isinstance(iid, str) or not iid:
            raise protocol_error("invalid_argument", "input.respond requires an interrupt_id.")
        namespace = entry.get("namespace", [])
        if not isinstance(namespace, list) or not all(isinstance(s, str) for s in namespace):
            raise protocol_error(
                "invalid_argument", "input.respond requires namespace to be a list of strings."
            )
        out[iid] = entry.get("response")
    return out


async def _pending_interrupts(services: Services, thread: ThreadRecord) -> set[str]:
    state = state_json(thread.id, await threadstate.read_state(services.checkpointer, thread.id, None))
    return {
        str(i.get("id"))
        for task in state["tasks"]
        for i in task.get("interrupts") or ()
        if isinstance(i, dict) and i.get("id")
    }


def _validated(body: dict[str, Any]) -> RunCreate:
    try:
        return RunCreate.model_validate(body)
    except ValueError as e:
        raise BadRequest(f"invalid_argument: {e}") from None


@router.post(
    "/stream/events",
    summary="The thread's protocol event stream (SSE; `since` resumes after a seq)",
    response_class=StreamingResponse,
    responses={200: {"content": {MEDIA_TYPE: {"schema": SSE_SCHEMA}}}},
)
async def stream_events(
    thread_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    request: Request,
    body: Annotated[dict[str, Any], Body()],
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=64)] = None,
) -> StreamingResponse:
    # The thread first: another caller's thread is a 404 whatever the body says.
    thread = await load_thread(services, p, thread_id)
    sub = v2stream.subscription_of(body, last_event_id)
    events = v2stream.follow_events(
        services.storage, services.runs, p, thread.id, sub, services.settings.keepalive_interval
    )
    return sse_response(events, release=stream_slot(request, p))
