"""What a ChatKit client secret may call: an allow-list of routes, checked in one place (`get_principal`).

Deny by default: a route added later is closed to secrets until it is listed here. Entries are
`(METHOD, path template under the API prefix)`; parameter names do not matter (`{thread_id}` and `{id}`
both match `{}`), so renaming a path parameter cannot silently open or close a route.

Which *rows* a secret sees is not decided here: its principal (`user_id`) limits threads, conversations,
runs and files to its own in storage, so another principal's ids answer 404.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request

from xpert_server.auth.principal import Principal
from xpert_server.errors import Forbidden

# What a chat widget needs, and nothing else.
SECRET_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        # read the xpert it chats with
        ("POST", "/assistants/search"),
        ("POST", "/assistants/count"),
        ("GET", "/assistants/{}"),
        ("GET", "/assistants/{}/runtime-capabilities"),
        # its own threads
        ("POST", "/threads"),
        ("POST", "/threads/search"),
        ("POST", "/threads/count"),
        ("GET", "/threads/{}"),
        ("PATCH", "/threads/{}"),
        ("DELETE", "/threads/{}"),
        # runs on them: start, watch, rejoin, stop
        ("POST", "/threads/{}/runs/stream"),
        ("POST", "/threads/{}/runs/wait"),
        ("POST", "/threads/{}/runs"),
        ("GET", "/threads/{}/runs"),
        ("GET", "/threads/{}/runs/{}"),
        ("GET", "/threads/{}/runs/{}/stream"),
        ("GET", "/threads/{}/runs/{}/join"),
        ("POST", "/threads/{}/runs/{}/cancel"),
        ("GET", "/threads/{}/stream"),  # every run of its own thread, as each run's join shows it
        # LangGraph's thread-centric protocol: start, answer an interrupt, read its own thread's events
        ("POST", "/threads/{}/commands"),
        ("POST", "/threads/{}/stream/events"),
        # its conversations: new chat, history sidebar, rename, delete; read their messages (writing
        # messages needs an API key); give, read, change and take back its own feedback
        ("POST", "/conversations"),
        ("POST", "/conversations/search"),
        ("GET", "/conversations/{}"),
        ("PATCH", "/conversations/{}"),
        ("DELETE", "/conversations/{}"),
        ("GET", "/conversations/{}/messages"),
        ("POST", "/conversations/{}/messages/search"),
        ("GET", "/conversations/{}/messages/{}"),
        ("POST", "/conversations/{}/messages/{}/feedbacks"),
        ("GET", "/conversations/{}/messages/{}/feedbacks"),
        ("POST", "/conversations/{}/messages/{}/feedbacks/search"),
        ("GET", "/conversations/{}/messages/{}/feedbacks/{}"),
        ("PATCH", "/conversations/{}/messages/{}/feedbacks/{}"),
        ("DELETE", "/conversations/{}/messages/{}/feedbacks/{}"),
        # attachments
        ("POST", "/contexts/file"),
        ("DELETE", "/contexts/file/{}"),
        ("GET", "/contexts/file/{}"),
        ("GET", "/contexts/file/{}/content"),
    }
)

# Clearer words for denials people are likely to meet.
_MESSAGE_WRITE = "A client secret may read a conversation's messages; writing them needs an API key."
DENY_MESSAGES: dict[tuple[str, str], str] = {
    ("POST", "/v1/chatkit/sessions"): "A client secret cannot mint a client secret: use an API key.",
    ("POST", "/console/sessions"): "A client secret cannot sign in to the console: use an org admin key.",
    ("POST", "/conversations/{}/messages"): _MESSAGE_WRITE,
    ("PATCH", "/conversations/{}/messages/{}"): _MESSAGE_WRITE,
    ("DELETE", "/conversations/{}/messages/{}"): _MESSAGE_WRITE,
}
DENIED = "A client secret may not call this route."

_PARAM = re.compile(r"\{[^}]*\}")


@lru_cache(maxsize=1024)  # per request: the routes' templates are few, a regex per call is not free
def route_key(method: str, template: str, prefix: str) -> tuple[str, str]:
    """`("GET", "/api/ai/threads/{thread_id}")` → `("GET", "/threads/{}")` for prefix `/api/ai`."""
    prefix = prefix.rstrip("/")
    if prefix and template.startswith(prefix + "/"):
        template = template[len(prefix) :]
    return method.upper(), _PARAM.sub("{}", template)


def route_template(request: Request) -> str | None:
    """The matched route's path template, e.g. `/api/ai/threads/{thread_id}`.

    FastAPI ≥0.16x keeps the fully prefixed template in its effective route context, while
    `scope["route"]` holds the path as declared on its own router; either works with `route_key`.
    """
    fastapi_scope = request.scope.get("fastapi")
    context = fastapi_scope.get("effective_route_context") if isinstance(fastapi_scope, dict) else None
    for candidate in (context, request.scope.get("route")):
        template = getattr(candidate, "path_format", None) or getattr(candidate, "path", None)
        if isinstance(template, str):
            return template
    return None


def request_route_key(request: Request, prefix: str) -> tuple[str, str] | None:
    """The request's route key (see `route_key`), computed once per request by `get_principal`; None for
    a request no route matched (which both checks deny rather than guess)."""
    template = route_template(request)
    return None if template is None else route_key(request.method, template, prefix)


def enforce(key: tuple[str, str] | None, p: Principal) -> None:
    """403 unless a client secret's request targets an allow-listed route. Keys pass untouched."""
    if p.kind != "secret":
        return
    if key is None or key not in SECRET_ROUTES:
        raise Forbidden(DENY_MESSAGES.get(key, DENIED) if key else DENIED)


def app_routes(app: Starlette) -> list[tuple[str, str]]:
    """Every (METHOD, full path template) the app serves: the input of an isolation matrix."""
    try:
        from fastapi.routing import iter_route_contexts

        contexts: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI: routes are flat and carry their full path
        contexts = list(app.routes)
    out: list[tuple[str, str]] = []
    for route in contexts:
        template = getattr(route, "path_format", None) or getattr(route, "path", None)
        for method in sorted(getattr(route, "methods", None) or ()):
            if isinstance(template, str) and method != "HEAD":
                out.append((method, template))
    return out
