"""Request limits: body size as pure ASGI middleware (oversize bodies get 413 before a handler reads them),
and `Storable`, for values the databases cannot hold."""

from __future__ import annotations

from typing import TypeVar

from pydantic import AfterValidator, ValidationInfo
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xpert_server.encoding import INT64_MAX, INT64_MIN, dumps, unstorable_paths
from xpert_server.errors import envelope

__all__ = [
    "INT32_MAX",
    "INT64_MAX",
    "INT64_MIN",
    "BodyLimitMiddleware",
    "Storable",
    "check_storable",
    "unstorable_paths",
]

T = TypeVar("T")


class _TooLarge(HTTPException):
    """Raised from `receive`: FastAPI re-raises HTTPExceptions met while reading a body, so the
    error handler renders a 413 envelope; anything else would become its generic 400."""

    def __init__(self, limit: int):
        super().__init__(413, f"Request body is larger than the limit of {limit} bytes.")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body: int, max_upload: int):
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body
        length: int | None = None
        for name, value in scope["headers"]:
            if name == b"content-type" and value.startswith(b"multipart/"):
                limit = self.max_upload
            elif name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    length = None
        if length is not None and length > limit:
            await _send_413(send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_413(send, limit)


async def _send_413(send: Send, limit: int) -> None:
    body = dumps(envelope(413, f"Request body is larger than the limit of {limit} bytes."))
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --- values no backend can store ------------------------------------------------------------------

INT32_MAX = 2**31 - 1


def check_storable(value: T, path: str = "") -> T:
    """`value`, or ValueError naming each path in it that storage would refuse."""
    bad = unstorable_paths(value, path)
    if bad:
        where = ", ".join(p for p in bad if p)
        raise ValueError(
            "must not contain NUL characters or integers beyond 64 bits" + (f" (at {where})" if where else "")
        )
    return value


def _storable_field(value: T, info: ValidationInfo) -> T:
    return check_storable(value, info.field_name or "")


# A request field whose value is stored: answer 400 naming the field, on every backend alike,
# instead of a database error (500) on PostgreSQL only.
Storable = AfterValidator(_storable_field)
