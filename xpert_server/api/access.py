"""Every request, once: HEAD answered wherever GET is, and one access-log line.

HEAD is GET without the body (RFC 9110 §9.3.2): the request goes to the GET route, its status and headers
are sent, its body is not; a streamed GET ends at its first chunk (the server then tells the handler the
client is gone).

The access line is logged at info level by `xpert.access` when the response has ended: method, path,
status, milliseconds and the credential's id (`key:…`, `secret:…`, `console:…`, or `-`). Never the query
string (a client may put a secret there) nor a header: ids only, which name a credential without being one.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("xpert.access")


class AccessMiddleware:
    """Pure ASGI (a BaseHTTPMiddleware would buffer streaming responses)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # The dict the route's `request.state` writes the principal into, shared by every copy of the scope.
        scope.setdefault("state", {})
        method = scope["method"]
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}
        status = 0
        ended = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, ended
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and head:
                if not ended:
                    ended = True
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if log.isEnabledFor(logging.INFO):
                ms = (time.perf_counter() - started) * 1000
                # The path as sent, without its query string; %r-free so a log line stays one line.
                path = scope.get("path", "").replace("\n", "%0A").replace("\r", "%0D")
                log.info("%s %s %s %.1fms %s", method, path, status or "-", ms, credential(scope))


def credential(scope: Scope) -> str:
    """The id of the credential the request authenticated with (set by api/deps.py), or `-`."""
    state: Any = scope.get("state") or {}
    principal = state.get("principal") if isinstance(state, dict) else None
    if principal is None:
        return "-"
    if principal.secret_id:
        return f"secret:{principal.secret_id}"
    if principal.session_id:
        return f"console:{principal.session_id}"
    if principal.key_id:
        return f"key:{principal.key_id}"
    return str(principal.kind)
