"""Execute one run: the xpert's LangGraph graph, streamed into XpertAI's frames.

Order on the wire: on_conversation_start → on_message_start → on_agent_start → deltas → on_agent_end →
on_message_end → on_conversation_end → (status committed) → complete. Errors inside the graph end
the run normally with `status: "error"`; a cancel ends it `interrupted` with the thread back to idle.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.types import Command, Send

from xpert_server.agents.provider import GraphProvider
from xpert_server.agents.stream import EVENT_KEY, FRAME_KEY, content_pieces
from xpert_server.agents.toolnode import output_text
from xpert_server.encoding import dumps, new_id, ts
from xpert_server.runs import frames
from xpert_server.runs.eventlog import COMPLETE, EventLog
from xpert_server.runs.failures import describe
from xpert_server.runs.input import ChatInput
from xpert_server.runs.lgstream import Renderer, requested_modes
from xpert_server.runs.protocol import is_langgraph
from xpert_server.runs.reply import Reply
from xpert_server.runs.state import to_jsonable
from xpert_server.runs.written import state_changes
from xpert_server.storage.records import AssistantRecord, MessageRecord, RunRecord, ThreadRecord, TokenUsage
from xpert_server.telemetry import Tracing, run_ids

log = logging.getLogger("xpert.runs")


@dataclass
class RunJob:
    """Everything one execution needs, loaded once when the run was accepted."""

    run: RunRecord
    thread: ThreadRecord
    assistant: AssistantRecord
    chat: ChatInput
    ai_message_id: str
    # A re-queued attempt (scaled mode, runs/worker.py): an earlier attempt sent the start frames, and when
    # it left a checkpoint of this run the graph continues from there instead of taking the input again.
    resumed: bool = False
    from_checkpoint: bool = False
    # The time limit of the process that accepted the run (scaled mode: a worker honours it, not its own).
    timeout: float | None = None
    # The run was stored `running` when accepted (runs/inprocess.py's runs start at once): no status write.
    running: bool = False


class RunWriter(Protocol):
    """All an execution writes besides frames: the run's status, then its end (and the one thing it reads:
    the messages written over the API, for the model's history). SQLStorage is one; a
    worker's `LeasedWriter` (runs/leased.py) is another, which fences the end with the run's lease."""

    async def set_run_status(self, run_id: str, status: str, error: str | None = None) -> None: ...

    async def finish_run(
        self,
        run: RunRecord,
        *,
        status: str,
        thread_status: str,
        error: str | None = None,
        messages: Sequence[MessageRecord] = (),
        usage: Sequence[TokenUsage] = (),
    ) -> None: ...

    async def written_messages(self, thread_id: str) -> list[MessageRecord]: ...


class Executor:
    def __init__(
        self,
        storage: RunWriter,
        events: EventLog,
        graphs: GraphProvider,
        run_timeout: float,
        *,
        tracing: Tracing | None = None,
    ):
        self.tracing = tracing or Tracing()
        self.storage = storage
        self.events = events
        self.graphs = graphs
        self.run_timeout = run_timeout
        self._work_tasks: dict[str, asyncio.Task[Any]] = {}
        self._cancel_requested: set[str] = set()
        self._finishing: set[str] = set()

    async def execute(self, job: RunJob) -> None:
        # The run's span is current for its whole execution: the graph's task, its model and tool calls
        # (and their HTTP requests, which carry its traceparent) are its children.
        with self.tracing.run(job.run, job.assistant.public_id, job.thread.public_id):
            await self._execute(job)

    async def _execute(self, job: RunJob) -> None:
        run, thread, assistant = job.run, job.thread, job.assistant
        agent_key = assistant.slug or assistant.public_id
        # A LangGraph run stores LangGraph's events (runs/lgstream.py), not XpertAI's frames.
        lg = (
            Renderer(
                requested_modes(run.kwargs.get("stream_mode")),
                bool(run.kwargs.get("stream_subgraphs")),
                lambda data, name: self.events.append(run.id, data, name),
                (thread.id, thread.public_id),
            )
            if is_langgraph(run.kwargs)
            else None
        )
        emit = self._emitter(run.id) if lg is None else _silent
        started = time.monotonic()
        now_iso = ts(time.time())
        if lg is not None and not job.resumed:
            lg.metadata(run.id)
        if not job.resumed:  # a client streaming a re-queued run sees one story: one set of start frames
            emit(
                frames.event(
                    "on_conversation_start",
                    {
                        "id": thread.conversation_id,
                        "title": thread.title,
                        "status": "busy",
                        "createdAt": ts(thread.created_at),
                        "updatedAt": now_iso,
                    },
                )
            )
            emit(
                frames.event(
                    "on_message_start",
                    {
                        "id": job.ai_message_id,
                        "role": "ai",
                        "content": "",
                        "executionId": run.id,
                        "conversationId": thread.conversation_id,
                        "status": "thinking",
                    },
                )
            )
            emit(
                frames.event(
                    "on_agent_start",
                    {
                        "id": run.id,
                        "agentKey": agent_key,
                        "status": "running",
                        "threadId": thread.public_id,
                        "xpertId": assistant.public_id,
                    },
                )
            )
        reply = Reply()
        status, error, operation = "success", None, None
        kind: str | None = None  # what failed (an exception's class), for `runs/wait`'s `__error__`
        # Only the graph's work is cancellable: it runs as a child task, so a cancel (even a second
        # one, or one that lands while the run starts or finishes) can never skip `_finish` and
        # leave the run `running` and its thread `busy`.
        if run.id in self._cancel_requested:
            status, error = "interrupted", "Cancelled by the user."
        else:
            work = asyncio.create_task(self._work(job, agent_key, reply, emit, lg), name=f"graph-{run.id}")
            self._work_tasks[run.id] = work
            try:
                operation = await asyncio.shield(work)
                if operation is not None:
                    status = "interrupted"
            except asyncio.CancelledError:
                outer = asyncio.current_task()
                if outer is not None and outer.cancelling():
                    # The run's own task was cancelled (server shutdown): stop the graph, finish anyway.
                    outer.uncancel()
                    work.cancel()
                    await asyncio.wait({work})
                    status, error = "interrupted", "The server stopped during this run."
                else:
                    status, error = "interrupted", "Cancelled by the user."
            except Exception as e:  # noqa: BLE001 - handled below from the child's outcome
                status, error, kind = self._failure(run.id, e, job.timeout or self.run_timeout)
            finally:
                self._work_tasks.pop(run.id, None)
        self._cancel_requested.discard(run.id)
        self._finishing.add(run.id)
        try:
            if lg is not None and status in ("error", "timeout"):
                lg.error(kind or "RunError", error or "The run failed.")
            await self._finish(job, agent_key, reply, status, (error, kind), operation, started, emit)
        finally:
            self._finishing.discard(run.id)

    async def _work(self, job: RunJob, agent_key: str, reply: Reply, emit: Any, lg: Renderer | None) -> Any:
        if not job.running:
            await self.storage.set_run_status(job.run.id, "running")
        async with asyncio.timeout(job.timeout or self.run_timeout):
            return await self._stream(job, agent_key, reply, emit, lg)

    def _failure(self, run_id: str, e: BaseException, timeout: float) -> tuple[str, str, str]:
        if isinstance(e, asyncio.CancelledError):
            return "interrupted", "Cancelled by the user.", "CancelledError"
        if isinstance(e, TimeoutError):
            return "timeout", f"The run exceeded its time limit of {timeout:g} s.", "TimeoutError"
        # An error inside the graph ends the run normally, as XpertAI does; its message names the URL
        # that failed (the model's, an MCP server's) for the client and for this log line alike.
        failure = describe(e)
        log.warning("run %s failed: %s", run_id, failure.message)
        return "error", failure.message, failure.kind

    def stop(self, run_id: str) -> bool:
        """A cancel reached the process executing this run: stop its graph, or end it before its graph
        starts. True when this request is what stops it (False: already cancelled — a double click is a
        no-op — or already finishing)."""
        if run_id in self._cancel_requested:
            return False
        work = self._work_tasks.get(run_id)
        if work is not None:
            if work.done():
                return False
            self._cancel_requested.add(run_id)
            work.cancel()
            return True
        if run_id in self._finishing:
            return False
        self.stop_before_start(run_id)
        return True

    def stop_before_start(self, run_id: str) -> None:
        """A run accepted but not yet executing: it will end `interrupted` without running."""
        self._cancel_requested.add(run_id)

    def _emitter(self, run_id: str) -> Any:
        def emit(payload: dict[str, Any], event: str | None = None) -> None:
            self.events.append(run_id, dumps(payload), event)

        return emit

    async def _stream(self, job: RunJob, agent_key: str, reply: Reply, emit: Any, lg: Renderer | None) -> Any:
        run = job.run
        configurable: dict[str, Any] = {
            **caller_configurable(job.assistant.config, run.kwargs.get("config")),
            "thread_id": job.thread.id,
            "checkpoint_ns": "",
            "run_id": run.id,
            **self.graphs.run_configurable(run, job.chat),
        }
        spans = self.tracing.callbacks(run_ids(job.run, job.assistant.public_id, job.thread.public_id))
        config = RunnableConfig(configurable=configurable, callbacks=spans)
        # LangGraph's runtime context (`Runtime[Context]`): the assistant's, then the run's on top; `{}` when
        # neither gives one, so a context schema's defaults apply, as on LangGraph's server.
        context = {**(job.assistant.context or {}), **(run.kwargs.get("context") or {})}
        async with self.graphs.for_run(job.assistant, config, context) as graph:
            return await self._run_graph(graph, job, config, context, agent_key, reply, emit, lg)

    async def _run_graph(
        self,
        graph: Any,
        job: RunJob,
        config: RunnableConfig,
        context: Any,
        agent_key: str,
        reply: Reply,
        emit: Any,
        lg: Renderer | None,
    ) -> Any:
        configurable = config["configurable"]
        if job.from_checkpoint:
            configurable.pop("checkpoint_id", None)  # the run's own latest checkpoint, not its fork point
        elif job.chat.action == "resume" and not (await graph.aget_state(config)).interrupts:
            # LangGraph would run the graph again from its last input: refuse instead.
            raise NothingToResume("This thread has no pending interrupt (approval or client tool) to resume.")
        fallback_id = new_id()
        tools = ToolFrames()
        interrupts: list[Any] = []
        modes = ["messages", "updates", "custom"]
        options: dict[str, Any] = {"context": context}
        if lg is not None:
            modes += [m for m in lg.graph_modes if m not in modes]
            options.update(graph_options(job.run.kwargs), subgraphs=lg.subgraphs)
        graph_input = None if job.from_checkpoint else await self._with_written(job, graph, config)
        parts: AsyncIterator[Any]
        if lg is not None and lg.with_events:
            parts = _parts_of_events(
                graph.astream_events(graph_input, config, version="v2", stream_mode=modes, **options), lg
            )
        else:
            # (mode, payload) pairs: the list of stream modes makes each part a pair ((ns, mode, payload)
            # with subgraphs).
            parts = graph.astream(graph_input, config, stream_mode=modes, **options)
        async for part in parts:
            ns, mode, payload = part if len(part) == 3 else ((), *part)
            if lg is not None:
                lg.part(ns, mode, payload)
            if mode == "messages":
                message, meta = payload
                # The model a chunk came from (LangChain's tracing metadata): what its usage is counted to.
                reply.model = (
                    str(meta.get("ls_model_name") or reply.model) if isinstance(meta, dict) else reply.model
                )
                self._on_message(message, agent_key, reply, emit, fallback_id, tools)
            elif mode == "custom" and isinstance(payload, dict):
                self._on_custom(payload, agent_key, reply, emit, tools)
            elif mode == "updates" and isinstance(payload, dict) and not ns:
                if "__interrupt__" in payload:
                    interrupts.extend(payload["__interrupt__"])
                tools.remember(payload)
        if not interrupts:
            return None
        operation = await _operation(graph, config, interrupts)
        emit(frames.event("on_interrupt", operation))
        return operation

    async def _with_written(self, job: RunJob, graph: Any, config: RunnableConfig) -> Any:
        """The run's input, led by what brings the messages written over the API into the state it starts
        from (runs/written.py). A resume answers an interrupt: the next run takes them."""
        value = self._graph_input(job)
        saver = getattr(graph, "checkpointer", None)
        if job.chat.action == "resume" or saver is None or not isinstance(value, dict):
            return value
        if not isinstance(value.get("messages"), list):
            return value
        records = await self.storage.written_messages(job.thread.id)
        tup = await saver.aget_tuple(config)
        state = tup.checkpoint["channel_values"].get("messages", []) if tup is not None else []
        changes = state_changes(state, records, job.thread.id)
        return {**value, "messages": [*changes, *value["messages"]]} if changes else value

    def _graph_input(self, job: RunJob) -> Any:
        chat = job.chat
        if chat.action == "passthrough":
            return chat.raw
        if chat.command is not None:  # LangGraph's own `command`, as its server takes it
            return command_of(chat.command)
        if chat.action == "resume":
            value = {"decision": chat.decision, "payload": chat.payload, "patch": chat.patch}
            if self.graphs.is_agent(job.assistant):
                return Command(
                    resume=value
                )  # the agent graph reads decision, payload and patch (agents/approval.py)
            # A custom graph's `interrupt()` gets the client's payload itself, as on XpertAI.
            return Command(resume=value if chat.patch or chat.payload is None else chat.payload)
        return {"messages": [HumanMessage(content=chat.text, id=new_id())]}

    def _on_message(
        self,
        message: BaseMessage,
        agent_key: str,
        reply: Reply,
        emit: Any,
        fallback_id: str,
        tools: ToolFrames,
    ) -> None:
        if isinstance(message, AIMessageChunk | AIMessage):
            block_id = message.id or fallback_id
            reasoning = message.additional_kwargs.get("reasoning_content")
            if isinstance(reasoning, str) and reasoning:
                reply.add_text(block_id, reasoning, "reasoning")
                emit(frames.text(block_id, reasoning, agent_key, "reasoning"))
            for kind, piece in content_pieces(message.content):
                reply.add_text(block_id, piece, kind)
                emit(frames.text(block_id, piece, agent_key, kind))
            reply.add_usage(getattr(message, "usage_metadata", None))
        elif isinstance(message, ToolMessage):
            call_id = message.tool_call_id
            if tools.ended(call_id):
                return  # the graph streamed this call's component itself (the agent graph's tools node does)
            # A custom graph's tool (e.g. LangGraph's ToolNode): one running frame, then the end frame.
            if not tools.started(call_id):
                start = tools.start_data(call_id, message.name)
                reply.add_component(call_id, start)
                emit(frames.component(call_id, agent_key, start))
                tools.mark(call_id, "running")
            status = "fail" if message.status == "error" else "success"
            data = {"status": status, "output": output_text(message), "end_date": ts(time.time())}
            reply.add_component(call_id, data)
            emit(frames.component(call_id, agent_key, data))
            tools.mark(call_id, status)

    @staticmethod
    def _on_custom(
        payload: dict[str, Any], agent_key: str, reply: Reply, emit: Any, tools: ToolFrames
    ) -> None:
        """Frames graph code emitted itself (see agents/stream.py)."""
        body = payload.get(FRAME_KEY)
        if isinstance(body, dict):
            body.setdefault("agentKey", agent_key)  # frames of sub-agents arrive tagged with their own
            if body.get("type") == "component" and isinstance(body.get("data"), dict):
                reply.add_component(str(body.get("id")), body["data"])
                tools.mark(str(body.get("id")), str(body["data"].get("status") or "running"))
            elif body.get("type") in ("text", "reasoning"):
                reply.add_text(str(body.get("id")), str(body.get("text", "")), str(body["type"]))
            emit(frames.message(body))
            return
        ev = payload.get(EVENT_KEY)
        if isinstance(ev, dict) and isinstance(ev.get("event"), str):
            emit(frames.event(ev["event"], dict(ev.get("data") or {})))

    async def _finish(
        self,
        job: RunJob,
        agent_key: str,
        reply: Reply,
        status: str,
        failure: tuple[str | None, str | None],
        operation: Any,
        started: float,
        emit: Any,
    ) -> None:
        run, thread = job.run, job.thread
        error, kind = failure
        thread_status = {"success": "idle", "interrupted": "idle", "error": "error", "timeout": "error"}[
            status
        ]
        if operation is not None:
            thread_status = "interrupted"
        conv_status = thread_status
        emit(
            frames.event(
                "on_agent_end",
                {
                    "id": run.id,
                    "agentKey": agent_key,
                    "status": status,
                    "error": error,
                    "elapsedTime": int((time.monotonic() - started) * 1000),
                    "inputTokens": reply.input_tokens,
                    "outputTokens": reply.output_tokens,
                    "totalTokens": reply.input_tokens + reply.output_tokens,
                    "tokens": reply.input_tokens + reply.output_tokens,
                    "xpertId": job.assistant.public_id,
                },
            )
        )
        emit(
            frames.event(
                "on_message_end",
                {
                    "id": job.ai_message_id,
                    "conversationId": thread.conversation_id,
                    "executionId": run.id,
                    "role": "ai",
                    "status": status,
                    "error": error,
                },
            )
        )
        emit(
            frames.event(
                "on_conversation_end",
                {
                    "id": thread.conversation_id,
                    "title": thread.title,
                    "status": conv_status,
                    "operation": operation,
                    "error": error,
                    # What failed, for `runs/wait`'s `__error__` and SDKs (the run's own end: sub-agents' are not it).
                    **({"errorKind": kind} if kind and conv_status == "error" else {}),
                },
            )
        )
        now = time.time()
        ai_message = MessageRecord(
            id=job.ai_message_id,
            thread_id=thread.id,
            role="ai",
            content=reply.content,
            reasoning=reply.reasoning,
            status=status,
            error=error,
            execution_id=run.id,
            created_at=run.created_at,
            updated_at=now,
        )
        # Status first, then `complete`: a client that saw `complete` finds the run finished.
        await self.storage.finish_run(
            run,
            status=status,
            thread_status=thread_status,
            error=error,
            messages=[ai_message],
            usage=reply.usage(),
        )
        self.events.append(run.id, dumps(frames.COMPLETE), COMPLETE)  # both protocols' readers stop here
        await self.events.sync()
        # One line per run, in whichever process executed it (an API process or a worker).
        log.info(
            "run %s %s in %d ms (xpert %s, thread %s)",
            run.id,
            status,
            (time.monotonic() - started) * 1000,
            agent_key,
            thread.public_id,
        )


class NothingToResume(RuntimeError):
    pass


def _silent(payload: dict[str, Any], event: str | None = None) -> None:
    """A LangGraph run's XpertAI frames: built for its reply, not stored."""


async def _parts_of_events(events: AsyncIterator[Any], lg: Renderer) -> AsyncIterator[Any]:
    """The graph stream's parts out of `astream_events` (the root's `on_chain_stream` chunks); every other
    event goes to the `events` mode."""
    async for ev in events:
        if ev.get("event") == "on_chain_stream" and not ev.get("parent_ids"):
            yield ev["data"]["chunk"]
        else:
            lg.event(ev)


# Configurable keys the server sets or LangGraph keeps for itself: a caller's config never overrides them.
_RESERVED = frozenset({"thread_id", "checkpoint_ns", "checkpoint_id", "checkpoint_map", "run_id"})


def caller_configurable(*configs: Any) -> dict[str, Any]:
    """`config.configurable` of the assistant, then the run's, without the keys the server owns."""
    out: dict[str, Any] = {}
    for config in configs:
        configurable = config.get("configurable") if isinstance(config, dict) else None
        if isinstance(configurable, dict):
            out.update(
                (k, v)
                for k, v in configurable.items()
                if isinstance(k, str)
                and k not in _RESERVED
                and not k.startswith(("__", "xpert_", "langgraph_"))
            )
    return out


def graph_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """LangGraph's run options that go to `astream` as they are."""
    return {
        k: kwargs[k]
        for k in ("interrupt_before", "interrupt_after", "durability")
        if kwargs.get(k) is not None
    }


def command_of(command: dict[str, Any]) -> Command[Any]:
    goto = command.get("goto")
    if goto is not None:
        items = goto if isinstance(goto, list) else [goto]
        goto = [g if isinstance(g, str) else Send(g["node"], g.get("input")) for g in items]
    kwargs: dict[str, Any] = {k: command[k] for k in ("resume", "update") if k in command}
    if goto is not None:
        kwargs["goto"] = goto
    return Command(**kwargs)


class ToolFrames:
    """Which tool calls of this run already have component frames, so each gets one `running` and one end."""

    def __init__(self) -> None:
        self._status: dict[str, str] = {}
        self._calls: dict[str, dict[str, Any]] = {}

    def mark(self, call_id: str, status: str) -> None:
        if self._status.get(call_id) in ("success", "fail"):
            return
        self._status[call_id] = status

    def started(self, call_id: str) -> bool:
        return call_id in self._status

    def ended(self, call_id: str) -> bool:
        return self._status.get(call_id) in ("success", "fail")

    def remember(self, update: dict[str, Any]) -> None:
        """Tool calls of AI messages in a node update (for custom graphs' ToolMessages later)."""
        for value in update.values():
            messages = value.get("messages") if isinstance(value, dict) else None
            for m in messages if isinstance(messages, list) else []:
                if isinstance(m, AIMessage):
                    for call in m.tool_calls:
                        if call.get("id"):
                            self._calls[str(call["id"])] = dict(call)

    def start_data(self, call_id: str, name: str | None) -> dict[str, Any]:
        call = self._calls.get(call_id, {})
        tool = call.get("name") or name or "tool"
        return {
            "category": "Tool",
            "tool": tool,
            "title": tool,
            "status": "running",
            "input": call.get("args", {}),
            "created_date": ts(time.time()),
        }


async def _operation(graph: Any, config: RunnableConfig, interrupts: list[Any]) -> dict[str, Any]:
    """The `on_interrupt` payload: LangGraph's tasks with their interrupts (ids, names and paths included,
    which ChatKit requires to recognise client-tool and approval requests)."""
    tasks: list[dict[str, Any]] = []
    # The run's latest checkpoint, even when it started from an older one (a fork's `checkpoint_id`).
    latest = {"configurable": {k: v for k, v in config["configurable"].items() if k != "checkpoint_id"}}
    try:
        state = await graph.aget_state(latest)
        for task in state.tasks:
            if task.interrupts:
                tasks.append(
                    {
                        "id": task.id,
                        "name": task.name,
                        "path": list(task.path),
                        "interrupts": [{"id": i.id, "value": to_jsonable(i.value)} for i in task.interrupts],
                    }
                )
    except Exception:  # the stream's own interrupt list below is a fine fallback
        log.warning("reading the interrupted state failed", exc_info=True)
    if not tasks:
        tasks = [
            {
                "id": new_id(),
                "name": "interrupt",
                "path": [],
                "interrupts": [
                    {
                        "id": str(getattr(i, "id", "") or new_id()),
                        "value": to_jsonable(getattr(i, "value", i)),
                    }
                    for i in interrupts
                ],
            }
        ]
    return {"tasks": tasks}
