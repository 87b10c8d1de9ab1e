"""The JSON body check, as pure ASGI middleware: every JSON body is parsed strictly before a handler sees it.

FastAPI parses bodies with Python's `json`, which accepts what no backend can store or serialise: lone
surrogates (`"\\ud800"`: a 500 from the database or orjson), `NaN`/`Infinity` and numbers that overflow
to infinity (which then "run now"), and nesting deep enough that orjson's encoder (255 levels) or a
recursive validator fails on the way to storage. One strict parse here (orjson, plus a depth bound
checked without recursion) turns all of these into a 400 on every route at once; valid bodies reach the
handler byte for byte.

Every body except a multipart upload is JSON here, whatever its content type: LangGraph's server reads
bodies that way, and its clients rely on it (agent-chat-ui's Next.js passthrough forwards bodies as
`text/plain`), some send no content type. FastAPI would hand such a body to validation as bytes ("Input should be a valid
dictionary"), so a checked body reaches the handler labelled `application/json`. No credential rides in
a cookie alone (API keys and client secrets are headers; the console's cookie needs its CSRF header), so
a cross-site "simple" `text/plain` POST can still authenticate as nobody.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xpert_server.encoding import dumps
from xpert_server.errors import envelope

# Deep enough for any real request (state values, configs, JSON Schemas), shallow enough that the
# server's own wrapping of a body (records, frames, checkpoints) stays under orjson's 255 levels.
MAX_JSON_DEPTH = 100
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


class InvalidJSON(ValueError):
    pass


def check_json(body: bytes) -> None:
    """Raise InvalidJSON (with a message for the client) unless `body` is strict JSON, at most
    MAX_JSON_DEPTH levels deep."""
    try:
        value = orjson.loads(body)  # refuses lone surrogates, NaN, Infinity, overflowing numbers
    except orjson.JSONDecodeError as e:
        raise InvalidJSON(f"Invalid JSON body: {e}") from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise InvalidJSON(f"Invalid JSON body: nested deeper than {MAX_JSON_DEPTH} levels.")


def _depth_exceeds(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _media_type(scope: Scope) -> bytes | None:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value.split(b";", 1)[0].strip().lower()
    return None


def _is_json(scope: Scope) -> bool:
    """Every body but a multipart upload's (the upload routes read those themselves)."""
    media = _media_type(scope)
    if media is None:
        return scope["method"] not in _NO_BODY
    return not media.startswith(b"multipart/")


def _as_json(scope: Scope) -> Scope:
    """The scope with the body labelled `application/json`, so FastAPI parses what was checked here."""
    media = _media_type(scope)
    if media is not None and (media == b"application/json" or media.endswith(b"+json")):
        return scope
    headers = [(n, v) for n, v in scope["headers"] if n != b"content-type"]
    return {**scope, "headers": [*headers, (b"content-type", b"application/json")]}


class JSONBodyMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before sending its body: nothing to answer
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body:
            try:
                check_json(body)
            except InvalidJSON as e:
                await _send_400(send, str(e))
                return
            scope = _as_json(scope)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: disconnects, which streaming responses watch for

        await self.app(scope, replay, send)


async def _send_400(send: Send, message: str) -> None:
    body = dumps(envelope(400, message))
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
