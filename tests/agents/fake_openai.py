"""A scripted OpenAI-compatible chat server for the agent tests (real HTTP, real SSE chunks).

The `model` of each request picks a behaviour:
- `tool-bot`: after tool results it answers "Tool said: <results>"; a user message `call NAME {json}`
  (several joined by ` && `) becomes tool calls, streamed as `tool_calls` deltas with the arguments in
  pieces; anything else gets "You said: <text>".
- `thinker`: streams `reasoning_content` deltas, then the answer "Answer: 42".
- `flaky`: like tool-bot, but a user message containing "explode" gets two text chunks and then an SSE
  `error` event, as a provider does when it fails mid-stream.
- `looper`: calls `current_time` whenever tools are offered; without tools it says "Done without tools".
Every response ends with a usage chunk (when `stream_options.include_usage` asks for one): prompt tokens
= 100 + 10 per message, completion tokens = 5 per chunk of content or arguments. Requests and the usage
sent are recorded for the tests.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Usage:
    model: str
    prompt: int
    completion: int


@dataclass
class FakeOpenAI:
    requests: list[dict[str, Any]] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)
    hits: dict[str, int] = field(default_factory=dict)  # GET paths served (the http_get tests read these)
    # The Authorization header of each completion request (the connection tests check which key was sent).
    authorizations: list[str | None] = field(default_factory=list)
    # The W3C traceparent of each completion request (the tracing tests check it continues the caller's).
    traceparents: list[str | None] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/chat/completions", self.completions, methods=["POST"]),
                Route("/hello", self.hello, methods=["GET"]),
                Route("/redirect", self.redirect, methods=["GET"]),
            ]
        )

    async def hello(self, request: Request) -> Response:
        self.hits["/hello"] = self.hits.get("/hello", 0) + 1
        return PlainTextResponse(f"hello from the test server (Host: {request.headers.get('host')})")

    async def redirect(self, request: Request) -> Response:
        self.hits["/redirect"] = self.hits.get("/redirect", 0) + 1
        return Response(status_code=302, headers={"location": request.query_params.get("to", "/hello")})

    async def completions(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.authorizations.append(request.headers.get("authorization"))
        self.traceparents.append(request.headers.get("traceparent"))
        steps = script(body)
        if not body.get("stream"):
            return JSONResponse({"error": {"message": "this fake only streams"}}, status_code=400)
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamingResponse(self._sse(body, steps, include_usage), media_type="text/event-stream")

    async def _sse(
        self, body: dict[str, Any], steps: list[dict[str, Any]], include_usage: bool
    ) -> AsyncIterator[str]:
        cid = f"chatcmpl-{uuid.uuid4().hex[:12]}"
        model = body["model"]
        pieces = 0
        finish = "stop"
        for step in steps:
            if "error" in step:
                yield f"data: {json.dumps({'error': {'message': step['error'], 'type': 'server_error'}})}\n\n"
                return
            if step.get("tool_calls"):
                finish = "tool_calls"
            delta = {"role": "assistant", **step} if pieces == 0 else step
            pieces += 1
            yield _chunk(cid, model, delta, None)
        yield _chunk(cid, model, {}, finish)
        prompt = 100 + 10 * len(body.get("messages") or [])
        completion = 5 * pieces
        self.usage.append(Usage(model, prompt, completion))
        if include_usage:
            usage = {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            }
            yield f"data: {json.dumps({'id': cid, 'object': 'chat.completion.chunk', 'created': 0, 'model': model, 'choices': [], 'usage': usage})}\n\n"
        yield "data: [DONE]\n\n"


def _chunk(cid: str, model: str, delta: dict[str, Any], finish: str | None) -> str:
    payload = {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(payload)}\n\n"


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""


def _words(text: str) -> list[dict[str, Any]]:
    words = text.split(" ")
    return [{"content": (w if i == 0 else " " + w)} for i, w in enumerate(words)]


def _tool_calls(spec: str) -> list[dict[str, Any]]:
    """`call a {..} && call b {..}` → streamed tool-call deltas (id and name first, arguments in pieces)."""
    steps: list[dict[str, Any]] = []
    for index, part in enumerate(s.strip() for s in spec.split("&&")):
        _, name, *rest = part.split(" ", 2)
        args = rest[0] if rest else "{}"
        call_id = f"call_{uuid.uuid4().hex[:10]}"
        steps.append(
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": ""},
                    }
                ]
            }
        )
        for i in range(0, len(args), 7):
            steps.append({"tool_calls": [{"index": index, "function": {"arguments": args[i : i + 7]}}]})
    return steps


def script(body: dict[str, Any]) -> list[dict[str, Any]]:
    model = body["model"]
    messages = body.get("messages") or []
    last = messages[-1] if messages else {}
    tools = body.get("tools") or []
    if model == "thinker":
        return [
            {"reasoning_content": "Let me think"},
            {"reasoning_content": " about it."},
            *_words("Answer: 42"),
        ]
    if model == "looper":
        if tools:
            return _tool_calls("call current_time {}")
        return _words("Done without tools")
    if last.get("role") == "tool":
        results = []
        for m in reversed(messages):
            if m.get("role") != "tool":
                break
            results.append(_text(m.get("content")))
        return _words("Tool said: " + " | ".join(reversed(results)))
    text = _text(last.get("content")).strip()
    if model == "flaky" and "explode" in text:
        return [{"content": "Partial"}, {"content": " answer"}, {"error": "The model server fell over"}]
    if text.startswith("call "):
        return _tool_calls(text)
    return _words(f"You said: {text}")
