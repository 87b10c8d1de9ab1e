"""Execute one run: the xpert's LangGraph graph, streamed into XpertAI's frames.

Order on the wire: on_conversation_start → on_message_start → on_agent_start → deltas → on_agent_end →
on_message_end → on_conversation_end → (status committed) → complete. Errors inside the graph end
the run normally with `status: "error"`; a cancel ends it `interrupted` with the thread back to idle.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from langgraph.types import Command

from xpert_server.agents.provider import GraphProvider
from xpert_server.agents.stream import EVENT_KEY, FRAME_KEY
from xpert_server.api.shapes import ts
from xpert_server.encoding import dumps, new_id
from xpert_server.runs import frames
from xpert_server.runs.eventlog import COMPLETE, LocalEventLog
from xpert_server.runs.input import ChatInput
from xpert_server.runs.reply import Reply
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import AssistantRecord, MessageRecord, RunRecord, ThreadRecord

log = logging.getLogger("xpert.runs")


@dataclass
class RunJob:
    """Everything one execution needs, loaded once when the run was accepted."""

    run: RunRecord
    thread: ThreadRecord
    assistant: AssistantRecord
    chat: ChatInput
    ai_message_id: str


class Executor:
    def __init__(self, storage: SQLStorage, events: LocalEventLog, graphs: GraphProvider, run_timeout: float):
        self.storage = storage
        self.events = events
        self.graphs = graphs
        self.run_timeout = run_timeout

    async def execute(self, job: RunJob) -> None:
        run, thread, assistant = job.run, job.thread, job.assistant
        agent_key = assistant.slug or assistant.id
        emit = self._emitter(run.id)
        started = time.monotonic()
        now_iso = ts(time.time())
        emit(frames.event("on_conversation_start", {
            "id": thread.conversation_id, "title": thread.title, "status": "busy",
            "createdAt": ts(thread.created_at), "updatedAt": now_iso}))
        emit(frames.event("on_message_start", {
            "id": job.ai_message_id, "role": "ai", "content": "", "executionId": run.id,
            "conversationId": thread.conversation_id, "status": "thinking"}))
        emit(frames.event("on_agent_start", {
            "id": run.id, "agentKey": agent_key, "status": "running", "threadId": thread.id,
            "xpertId": assistant.id}))
        await self.storage.set_run_status(run.id, "running")

        reply = Reply()
        status, error, operation = "success", None, None
        try:
            async with asyncio.timeout(self.run_timeout):
                operation = await self._stream(job, agent_key, reply, emit)
            if operation is not None:
                status = "interrupted"
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            status, error = "interrupted", "Cancelled by the user."
        except TimeoutError:
            status, error = "timeout", f"The run exceeded its time limit of {self.run_timeout:g} s."
        except Exception as e:  # noqa: BLE001 - an error inside the graph ends the run normally, as XpertAI does
            log.warning("run %s failed: %s: %s", run.id, type(e).__name__, e)
            status, error = "error", f"{type(e).__name__}: {e}" if str(e) else type(e).__name__

        await self._finish(job, agent_key, reply, status, error, operation, started, emit)

    def _emitter(self, run_id: str) -> Any:
        def emit(payload: dict[str, Any], event: str | None = None) -> None:
            self.events.append(run_id, dumps(payload), event)

        return emit

    async def _stream(self, job: RunJob, agent_key: str, reply: Reply, emit: Any) -> Any:
        graph = self.graphs.get(job.assistant)
        config: dict[str, Any] = {
            "configurable": {"thread_id": job.thread.id, "checkpoint_ns": "", "run_id": job.run.id,
                             **self.graphs.run_configurable(job.run, job.chat)},
        }
        fallback_id = new_id()
        operation = None
        async for mode, payload in graph.astream(
            self._graph_input(job), config, stream_mode=["messages", "updates", "custom"]
        ):
            if mode == "messages":
                message, _meta = payload
                self._on_message(message, agent_key, reply, emit, fallback_id)
            elif mode == "custom" and isinstance(payload, dict):
                self._on_custom(payload, reply, emit)
            elif mode == "updates" and isinstance(payload, dict) and "__interrupt__" in payload:
                interrupts = [
                    {"id": getattr(i, "id", None), "value": getattr(i, "value", i)} for i in payload["__interrupt__"]
                ]
                operation = {"tasks": [{"interrupts": interrupts}]}
                emit(frames.event("on_interrupt", operation))
        return operation

    def _graph_input(self, job: RunJob) -> Any:
        chat = job.chat
        if chat.action == "passthrough":
            return chat.raw
        if chat.action == "resume":
            return Command(resume={"decision": chat.decision, "payload": chat.payload, "patch": chat.patch}
                           if chat.patch or chat.payload is None else chat.payload)
        return {"messages": [HumanMessage(content=chat.text, id=new_id())]}

    def _on_message(self, message: BaseMessage, agent_key: str, reply: Reply, emit: Any, fallback_id: str) -> None:
        if isinstance(message, AIMessageChunk | AIMessage):
            block_id = message.id or fallback_id
            reasoning = message.additional_kwargs.get("reasoning_content")
            if isinstance(reasoning, str) and reasoning:
                reply.add_text(block_id, reasoning, "reasoning")
                emit(frames.text(block_id, reasoning, agent_key, "reasoning"))
            for kind, piece in _content_pieces(message.content):
                reply.add_text(block_id, piece, kind)
                emit(frames.text(block_id, piece, agent_key, kind))
            reply.add_usage(getattr(message, "usage_metadata", None))
        elif isinstance(message, ToolMessage):
            data = {"status": "fail" if message.status == "error" else "success", "output": message.content,
                    "end_date": ts(time.time())}
            reply.add_component(message.tool_call_id, data)
            emit(frames.component(message.tool_call_id, agent_key, data))

    @staticmethod
    def _on_custom(payload: dict[str, Any], reply: Reply, emit: Any) -> None:
        """Frames graph code emitted itself (see agents/stream.py)."""
        body = payload.get(FRAME_KEY)
        if isinstance(body, dict):
            if body.get("type") == "component" and isinstance(body.get("data"), dict):
                reply.add_component(str(body.get("id")), body["data"])
            elif body.get("type") in ("text", "reasoning"):
                reply.add_text(str(body.get("id")), str(body.get("text", "")), str(body["type"]))
            emit(frames.message(body))
            return
        ev = payload.get(EVENT_KEY)
        if isinstance(ev, dict) and isinstance(ev.get("event"), str):
            emit(frames.event(ev["event"], dict(ev.get("data") or {})))

    async def _finish(
        self, job: RunJob, agent_key: str, reply: Reply, status: str, error: str | None, operation: Any,
        started: float, emit: Any,
    ) -> None:
        run, thread = job.run, job.thread
        thread_status = {"success": "idle", "interrupted": "idle", "error": "error", "timeout": "error"}[status]
        if operation is not None:
            thread_status = "interrupted"
        conv_status = thread_status
        emit(frames.event("on_agent_end", {
            "id": run.id, "agentKey": agent_key, "status": status, "error": error,
            "elapsedTime": int((time.monotonic() - started) * 1000), "inputTokens": reply.input_tokens,
            "outputTokens": reply.output_tokens, "totalTokens": reply.input_tokens + reply.output_tokens,
            "tokens": reply.input_tokens + reply.output_tokens, "xpertId": job.assistant.id}))
        emit(frames.event("on_message_end", {
            "id": job.ai_message_id, "conversationId": thread.conversation_id, "executionId": run.id,
            "role": "ai", "status": status, "error": error}))
        emit(frames.event("on_conversation_end", {
            "id": thread.conversation_id, "title": thread.title, "status": conv_status,
            "operation": operation, "error": error}))
        now = time.time()
        ai_message = MessageRecord(
            id=job.ai_message_id, thread_id=thread.id, role="ai", content=reply.content,
            reasoning=reply.reasoning, status=status, error=error, execution_id=run.id,
            created_at=run.created_at, updated_at=now,
        )
        # Status first, then `complete`: a client that saw `complete` finds the run finished.
        await self.storage.finish_run(run, status=status, thread_status=thread_status, error=error,
                                      messages=[ai_message])
        emit(frames.COMPLETE, COMPLETE)
        await self.events.sync()


def _content_pieces(content: Any) -> list[tuple[str, str]]:
    if isinstance(content, str):
        return [("text", content)] if content else []
    pieces: list[tuple[str, str]] = []
    if isinstance(content, list):
        for block in content:
            if isinstance(block, str) and block:
                pieces.append(("text", block))
            elif isinstance(block, dict):
                kind = block.get("type")
                if kind == "text" and block.get("text"):
                    pieces.append(("text", str(block["text"])))
                elif kind in ("reasoning", "thinking"):
                    value = block.get("reasoning") or block.get("thinking") or block.get("text")
                    if value:
                        pieces.append(("reasoning", str(value)))
    return pieces
