"""What an `app` key may call: an allow-list of routes, checked in one place (`api/deps.get_principal`).

Deny by default: a route added later needs an `admin` key until it is listed here, so a new route that
changes the org cannot open to apps by accident. Entries are `(METHOD, path template under the API prefix)`
as in auth/scope.py (parameter names do not matter). Client secrets are narrower still (auth/scope.py);
every route a secret may call must be an app route (a test checks it).

`admin` keys may call every route, and what they may *declare* is still bounded: the xpert fields only the
operator may set are in agents/operator_fields.py.
"""

from __future__ import annotations

from xpert_server.auth.principal import Principal
from xpert_server.auth.scope import route_key
from xpert_server.errors import Forbidden

# Using the org's xperts: read them, talk to them, keep the conversation and its files, mint browser secrets.
APP_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {
        # xperts: read only
        ("POST", "/assistants/search"),
        ("POST", "/assistants/count"),
        ("GET", "/assistants/{}"),
        ("GET", "/assistants/{}/versions"),
        ("POST", "/assistants/{}/versions"),
        ("GET", "/assistants/{}/runtime-capabilities"),
        ("GET", "/assistants/{}/graph"),
        ("GET", "/assistants/{}/schemas"),
        ("GET", "/assistants/{}/subgraphs"),
        ("GET", "/assistants/{}/subgraphs/{}"),
        # threads, their state and runs
        ("POST", "/threads"),
        ("POST", "/threads/search"),
        ("POST", "/threads/count"),
        ("GET", "/threads/{}"),
        ("PATCH", "/threads/{}"),
        ("DELETE", "/threads/{}"),
        ("POST", "/threads/{}/history"),
        ("POST", "/threads/{}/copy"),
        ("GET", "/threads/{}/context-usage"),
        ("GET", "/threads/{}/state"),
        ("POST", "/threads/{}/state"),
        ("PATCH", "/threads/{}/state"),
        ("GET", "/threads/{}/state/{}"),
        ("POST", "/threads/{}/state/checkpoint"),
        ("GET", "/threads/{}/stream"),
        ("POST", "/threads/{}/commands"),
        ("POST", "/threads/{}/stream/events"),
        ("POST", "/threads/{}/runs/stream"),
        ("POST", "/threads/{}/runs/wait"),
        ("POST", "/threads/{}/runs"),
        ("GET", "/threads/{}/runs"),
        ("GET", "/threads/{}/runs/{}"),
        ("GET", "/threads/{}/runs/{}/stream"),
        ("GET", "/threads/{}/runs/{}/join"),
        ("POST", "/threads/{}/runs/{}/cancel"),
        ("DELETE", "/threads/{}/runs/{}"),
        ("POST", "/runs/stream"),
        ("POST", "/runs/wait"),
        ("POST", "/runs"),
        ("POST", "/runs/batch"),
        ("GET", "/runs/{}/stream"),
        # conversations, messages, feedback
        ("POST", "/conversations"),
        ("POST", "/conversations/search"),
        ("GET", "/conversations/{}"),
        ("PATCH", "/conversations/{}"),
        ("DELETE", "/conversations/{}"),
        ("GET", "/conversations/{}/messages"),
        ("POST", "/conversations/{}/messages"),
        ("POST", "/conversations/{}/messages/search"),
        ("GET", "/conversations/{}/messages/{}"),
        ("PATCH", "/conversations/{}/messages/{}"),
        ("DELETE", "/conversations/{}/messages/{}"),
        ("POST", "/conversations/{}/messages/{}/feedbacks"),
        ("GET", "/conversations/{}/messages/{}/feedbacks"),
        ("POST", "/conversations/{}/messages/{}/feedbacks/search"),
        ("GET", "/conversations/{}/messages/{}/feedbacks/{}"),
        ("PATCH", "/conversations/{}/messages/{}/feedbacks/{}"),
        ("DELETE", "/conversations/{}/messages/{}/feedbacks/{}"),
        # the store
        ("PUT", "/store/items"),
        ("GET", "/store/items"),
        ("DELETE", "/store/items"),
        ("POST", "/store/items/search"),
        ("POST", "/store/namespaces"),
        # context files
        ("POST", "/contexts/file"),
        ("GET", "/contexts/file/{}"),
        ("DELETE", "/contexts/file/{}"),
        ("GET", "/contexts/file/{}/content"),
        # knowledge bases: read and search
        ("GET", "/knowledges"),
        ("GET", "/knowledges/{}"),
        ("GET", "/knowledges/{}/documents"),
        ("GET", "/knowledges/{}/status"),
        ("POST", "/knowledges/{}/search"),
        # browser widgets
        ("POST", "/v1/chatkit/sessions"),
    }
)

NEEDS_ADMIN = "This route needs an admin key; this key's role is 'app' (see docs/security.md)."


def enforce(key: tuple[str, str] | None, p: Principal) -> None:
    """403 unless an `app` key's request targets an app route (`key` from `scope.request_route_key`).
    Admin keys and the server pass untouched; client secrets are checked against their own, narrower list
    (auth/scope.py) before this."""
    if p.is_admin:
        return
    if key is None or key not in APP_ROUTES:
        raise Forbidden(NEEDS_ADMIN)


def required_role(method: str, template: str, prefix: str) -> str:
    """`app` or `admin`: the least role a key needs for this route (docs/security.md's table)."""
    return "app" if route_key(method, template, prefix) in APP_ROUTES else "admin"
