"""Console sessions: a browser signed in to `/console` with an org admin key.

The key is traded once (`POST /console/sessions`, the key in `x-api-key`) for a random session token that
lives only in an HttpOnly, SameSite=Strict cookie scoped to the API's path, stored hashed (storage/sql/
console.py) so every process accepts it. Every request made with the cookie must also carry the session's
CSRF token in `x-xpert-csrf` (derived from the token, so no second secret is stored): a page that can make
the browser send the cookie cannot read or guess it. So the cookie works for the console's own fetches only,
and only on the routes listed in `CONSOLE_ROUTES` (deny by default, as in auth/roles.py and auth/scope.py).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from xpert_server.auth.principal import Principal
from xpert_server.errors import Forbidden

SESSION_PREFIX = "xs-"
COOKIE = "xpert_console"
CSRF_HEADER = "x-xpert-csrf"

# What the console's pages call: manage xperts, keys and connections, read usage and run statistics, mint
# playground secrets, look at and end its own session; (part two) trace runs and decide approvals, read
# conversations and feedback, manage knowledge, read and redeliver webhooks. Nothing else answers a cookie.
CONSOLE_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/console/session"),
        ("DELETE", "/console/session"),
        ("GET", "/console/stats"),
        ("POST", "/assistants/search"),
        ("POST", "/assistants/count"),
        ("POST", "/assistants"),
        ("GET", "/assistants/{}"),
        ("PATCH", "/assistants/{}"),
        ("DELETE", "/assistants/{}"),
        ("GET", "/assistants/{}/versions"),
        ("POST", "/assistants/{}/versions"),
        ("GET", "/assistants/{}/graph"),
        ("GET", "/keys"),
        ("POST", "/keys"),
        ("DELETE", "/keys/{}"),
        ("GET", "/connections"),
        ("POST", "/connections"),
        ("GET", "/connections/{}"),
        ("PATCH", "/connections/{}"),
        ("DELETE", "/connections/{}"),
        ("GET", "/usage"),
        ("POST", "/v1/chatkit/sessions"),
        # part two: threads, their conversations (with feedback) and runs — read, traced (a run's stream
        # replays its stored frames, then follows it), cancelled, resumed with a decision (approvals)
        ("POST", "/threads/search"),
        ("GET", "/threads/{}"),
        ("GET", "/threads/{}/runs"),
        ("POST", "/threads/{}/runs"),
        ("GET", "/threads/{}/runs/{}"),
        ("GET", "/threads/{}/runs/{}/stream"),
        ("POST", "/threads/{}/runs/{}/cancel"),
        ("GET", "/conversations/{}/messages"),
        ("GET", "/conversations/{}/messages/{}/feedbacks"),
        # knowledge bases: create, upload (a file, then documents made from it), ingest, watch, search
        ("GET", "/knowledges"),
        ("POST", "/knowledges"),
        ("GET", "/knowledges/{}"),
        ("GET", "/knowledges/{}/documents"),
        ("POST", "/knowledges/{}/bulk"),
        ("POST", "/knowledges/{}/process"),
        ("GET", "/knowledges/{}/status"),
        ("POST", "/knowledges/{}/search"),
        ("POST", "/contexts/file"),
        # webhooks: subscriptions, the delivery log, redelivery
        ("GET", "/webhooks"),
        ("GET", "/webhooks/deliveries"),
        ("GET", "/webhooks/deliveries/{}"),
        ("POST", "/webhooks/deliveries/{}/redeliver"),
    }
)

# An operator's session (made from an operator key, `xpert keys create --operator`) sees the server, not an
# org: its own session and the System page, nothing else. An org admin's session never reaches the System page.
OPERATOR_SESSION_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/console/session"),
        ("DELETE", "/console/session"),
        ("GET", "/console/system"),
    }
)
# Operator keys live in an org no API caller can name (not a valid org slug), so they hold no org's data.
OPERATOR_ORG = "*operator"

CONSOLE_DENIED = "A console session may not call this route: use an API key."
OPERATOR_ONLY = (
    "Only the server's operator sees this: sign in to the console with an operator key "
    "(`xpert keys create --operator`), never an org admin key."
)
ADMIN_ONLY = (
    "Only an org admin key that is not bound to one xpert can sign in to the console; "
    "this credential cannot (see docs/console.md)."
)


def generate_session() -> str:
    return SESSION_PREFIX + secrets.token_hex(32)


def csrf_token(session: str) -> str:
    """The session's CSRF token: a one-way function of the session token, so it reveals nothing of it."""
    return hashlib.sha256(b"xpert-console-csrf:" + session.encode()).hexdigest()


def csrf_ok(session: str, presented: str | None) -> bool:
    return presented is not None and hmac.compare_digest(csrf_token(session), presented)


def may_sign_in(p: Principal) -> None:
    """403 unless `p` is an org admin key bound to no xpert (the console manages the whole org), or the
    operator's key (the System page)."""
    if p.kind == "key" and p.role == "operator":
        return
    if p.kind != "key" or p.role != "admin" or p.xpert_id is not None:
        raise Forbidden(ADMIN_ONLY)


def enforce(key: tuple[str, str] | None, p: Principal) -> None:
    """403 unless a console session's request targets a console route. Other credentials pass untouched."""
    if key in OPERATOR_SESSION_ROUTES and key not in CONSOLE_ROUTES and p.role != "operator":
        raise Forbidden(OPERATOR_ONLY)  # whatever the credential: the System page is the operator's
    if p.kind != "console":
        return
    allowed = OPERATOR_SESSION_ROUTES if p.role == "operator" else CONSOLE_ROUTES
    if key is None or key not in allowed:
        raise Forbidden(CONSOLE_DENIED)
