"""The client-secret scope matrix, generated from the app's own routes.

Every authenticated route × {a secret of this principal, the same secret on another principal's ids,
an expired secret, a secret whose parent key was revoked}. Routes on the allow-list (auth/scope.py) must
work for their own data and answer 404 for another principal's; every other route answers 403; expired
and revoked secrets answer 401 everywhere. A route added later shows up here by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.requests import Request

from tests.chatkit.common import ChatkitEnv, Tenant

# The routes that take no credential, one list for every route matrix.
from tests.hardening.test_isolation import PUBLIC
from tests.harness.chat import send
from xpert_server.auth.keys import hash_credential
from xpert_server.auth.principal import Principal
from xpert_server.auth.scope import SECRET_ROUTES, app_routes, enforce, request_route_key, route_key
from xpert_server.errors import Forbidden

PREFIX = "/api/ai"
# Path parameters naming data a principal owns (another principal's must answer 404).
OWNED = {"thread_id", "run_id", "conversation_id", "message_id", "feedback_id", "file_id"}


@dataclass
class Owned:
    """One principal's data: a thread with a finished run, its conversation, AI message and the principal's
    feedback on it, a file."""

    thread_id: str
    run_id: str
    conversation_id: str
    message_id: str
    feedback_id: str
    file_id: str | None


async def make_owned(tenant: Tenant, user: str) -> Owned:
    async with tenant.client(x_principal_user_id=user) as c:
        thread = (await c.post("/threads", json={})).json()
        tid = thread["thread_id"]
        done = await c.post(
            f"/threads/{tid}/runs/wait", json={"assistant_id": tenant.assistant_id, "input": send("hello")}
        )
        assert done.status_code == 201, done.text
        (run,) = (await c.get(f"/threads/{tid}/runs")).json()
        cid = thread["metadata"]["id"]
        messages = (await c.get(f"/conversations/{cid}/messages")).json()["items"]
        ai = [m for m in messages if m["role"] == "ai"][0]
        feedback_id = await new_feedback(c, cid, ai["id"])
        file_id = await upload(c)
    return Owned(tid, run["run_id"], cid, ai["id"], feedback_id, file_id)


async def new_feedback(c: httpx.AsyncClient, conversation_id: str, message_id: str) -> str:
    resp = await c.post(
        f"/conversations/{conversation_id}/messages/{message_id}/feedbacks", json={"rating": "like"}
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def upload(c: httpx.AsyncClient) -> str | None:
    resp = await c.post(
        "/contexts/file", files={"file": ("note.txt", b"the code word is heron", "text/plain")}
    )
    if resp.status_code == 404 and "Cannot POST" in resp.text:
        return None  # the files issue has not landed yet
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def api_routes(env: ChatkitEnv) -> list[tuple[str, str, str]]:
    """(method, template under the prefix, normalised template) of every API route but the public ones.
    Routes outside the prefix (the widget, the demo page) are not the API and take no credential."""
    out = []
    for method, template in app_routes(env.harness.app):
        key = route_key(method, template, PREFIX)
        if key in PUBLIC or not template.startswith(PREFIX + "/"):
            continue
        out.append((method, template.removeprefix(PREFIX), key[1]))
    return out


def fill(template: str, values: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name == "id" and "/contexts/" in template:
            name = "file_id"
        return values.get(name, "no-such-id")

    return re.sub(r"\{([^}]*)\}", one, template)


def params(template: str) -> set[str]:
    names = set(re.findall(r"\{([^}]*)\}", template))
    return {"file_id" if n == "id" and "/contexts/" in template else n for n in names}


# ---- requests per route: a valid call for routes on the allow-list -----------------------------------


class Caller:
    """Builds a valid request for each allow-listed route; mutating ones get fresh data of their own."""

    def __init__(self, tenant: Tenant, user: str, owned: Owned):
        self.tenant, self.user, self.owned = tenant, user, owned

    def values(self) -> dict[str, str]:
        o = self.owned
        return {
            "thread_id": o.thread_id,
            "run_id": o.run_id,
            "conversation_id": o.conversation_id,
            "message_id": o.message_id,
            "feedback_id": o.feedback_id,
            "assistant_id": self.tenant.assistant_id,
            "file_id": o.file_id or "",
        }

    async def fresh_thread(self) -> dict[str, Any]:
        async with self.tenant.client(x_principal_user_id=self.user) as c:
            thread: dict[str, Any] = (await c.post("/threads", json={})).json()
            return thread

    async def fresh_file(self) -> str:
        async with self.tenant.client(x_principal_user_id=self.user) as c:
            file_id = await upload(c)
        assert file_id is not None
        return file_id

    async def call(
        self, c: httpx.AsyncClient, method: str, template: str, key: str, own: bool
    ) -> httpx.Response:
        values = self.values()
        run_body = {"assistant_id": self.tenant.assistant_id, "input": send("hi")}
        body: Any = {}
        if own and key in {"/threads/{}/runs/stream", "/threads/{}/runs/wait", "/threads/{}/runs"}:
            values["thread_id"] = (await self.fresh_thread())["thread_id"]
        if own and (method, key) == ("DELETE", "/threads/{}"):
            values["thread_id"] = (await self.fresh_thread())["thread_id"]
        if own and (method, key) == ("DELETE", "/conversations/{}"):
            values["conversation_id"] = (await self.fresh_thread())["metadata"]["id"]
        if own and (method, key) == ("DELETE", "/contexts/file/{}"):
            values["file_id"] = await self.fresh_file()
        if own and (method, key) == ("DELETE", "/conversations/{}/messages/{}/feedbacks/{}"):
            async with self.tenant.client(x_principal_user_id=self.user) as owner:
                o = self.owned
                values["feedback_id"] = await new_feedback(owner, o.conversation_id, o.message_id)
        if key.endswith("/runs/stream") or key.endswith("/runs/wait") or key == "/threads/{}/runs":
            body = run_body
        elif key.endswith("/feedbacks") or (method, key) == (
            "PATCH",
            "/conversations/{}/messages/{}/feedbacks/{}",
        ):
            body = {"rating": "like"}
        elif (method, key) == ("PATCH", "/conversations/{}"):
            body = {"title": "renamed"}
        elif (method, key) == ("PATCH", "/threads/{}"):
            body = {"metadata": {"k": "v"}}
        elif (method, key) == ("POST", "/threads/{}/commands"):
            body = {"id": 1, "method": "state.get", "params": {}}
        url = fill(template, values)
        if (method, key) == ("POST", "/threads/{}/stream/events"):
            # A valid subscription never ends by itself (it waits for the thread's next run, and the
            # in-process transport reads whole bodies): an unknown channel is a 400 once the thread is
            # found and the caller let through, so the owner's call ends and anyone else's is a 404.
            body = {"channels": ["no-such-channel"]}
        if (method, key) == ("POST", "/contexts/file"):
            return await c.post(url, files={"file": ("a.txt", b"hello", "text/plain")})
        if method in ("POST", "PUT", "PATCH"):
            return await c.request(method, url, json=body)
        return await c.request(method, url)


@pytest.fixture(scope="module")
async def world(ck: ChatkitEnv) -> dict[str, Any]:
    tenant = await ck.tenant()
    alice, bob = await make_owned(tenant, "alice"), await make_owned(tenant, "bob")
    storage, auth = ck.harness.services.storage, ck.harness.services.auth
    expired = await tenant.secret(user="alice")
    record = await storage.find_client_secret(hash_credential(expired))
    assert record is not None
    await storage.expire_client_secret(record.id)
    parent, _ = await ck.harness.mint_key(tenant.org)
    orphan = await tenant.secret(user="alice", key=parent)
    (parent_record,) = [
        k for k in await storage.list_api_keys(tenant.org) if k.key_hash == hash_credential(parent)
    ]
    await storage.revoke_api_key(parent_record.id)
    auth.forget()
    return {"tenant": tenant, "alice": alice, "bob": bob, "expired": expired, "orphan": orphan}


def route_ids(env_routes: list[tuple[str, str, str]]) -> list[str]:
    return [f"{m} {t}" for m, t, _ in env_routes]


async def test_every_route_under_the_prefix_needs_a_credential(ck: ChatkitEnv) -> None:
    async with ck.harness.client(None) as c:
        for method, template, _ in api_routes(ck):
            kwargs: dict[str, Any] = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            resp = await c.request(method, fill(template, {}), **kwargs)
            assert resp.status_code == 401, f"{method} {template}: {resp.status_code} {resp.text}"


async def test_the_scope_matrix(ck: ChatkitEnv, world: dict[str, Any]) -> None:
    tenant: Tenant = world["tenant"]
    alice, bob = Caller(tenant, "alice", world["alice"]), Caller(tenant, "alice", world["bob"])
    failures: list[str] = []
    checked = 0
    for method, template, key in api_routes(ck):
        allowed = (method, key) in SECRET_ROUTES
        where = f"{method} {template}"
        if allowed and "file_id" in params(template) and world["alice"].file_id is None:
            continue  # files routes not built yet
        # expired and revoked-parent secrets: 401 on every route, allowed or not
        for secret, message in ((world["expired"], "Token expired"), (world["orphan"], "Invalid token")):
            async with tenant.as_secret(secret, "bearer") as c:
                resp = await alice.call(c, method, template, key, own=False)
            if resp.status_code != 401 or resp.json().get("message") != message:
                failures.append(
                    f"{where} with a {message.lower()} secret: {resp.status_code} {resp.text[:120]}"
                )
        # this principal's secret (a fresh one per route, so the rate limit stays out of the way)
        async with tenant.as_secret(await tenant.secret(user="alice")) as c:
            resp = await alice.call(c, method, template, key, own=True)
        past_scope = 200 <= resp.status_code < 300 or (
            key == "/threads/{}/stream/events" and resp.status_code == 400 and "channel" in resp.text
        )
        if allowed and not past_scope:
            failures.append(f"{where} (allowed) with its own data: {resp.status_code} {resp.text[:160]}")
        if not allowed and resp.status_code != 403:
            failures.append(f"{where} (not allowed): {resp.status_code} {resp.text[:120]}")
        # the same principal on another principal's ids
        if allowed and params(template) & OWNED:
            async with tenant.as_secret(await tenant.secret(user="alice")) as c:
                resp = await bob.call(c, method, template, key, own=False)
            if resp.status_code != 404:
                failures.append(f"{where} on another principal's ids: {resp.status_code} {resp.text[:120]}")
        checked += 1
    assert not failures, "\n".join(failures)
    assert checked >= 40


async def test_another_principals_data_survives_the_matrix(ck: ChatkitEnv, world: dict[str, Any]) -> None:
    tenant: Tenant = world["tenant"]
    bob: Owned = world["bob"]
    async with tenant.client(x_principal_user_id="bob") as c:
        assert (await c.get(f"/threads/{bob.thread_id}")).status_code == 200
        assert (await c.get(f"/conversations/{bob.conversation_id}")).json()["title"] != "renamed"


async def test_a_secret_cannot_mint_a_secret(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    secret = await tenant.secret()
    for header in ("x-client-secret", "bearer", "x-api-key"):
        async with tenant.as_secret(secret, header) as c:
            resp = await c.post("/v1/chatkit/sessions", json={"expires_after": 60})
        assert resp.status_code == 403
        assert resp.json()["message"] == "A client secret cannot mint a client secret: use an API key."


def test_every_allow_listed_route_exists(ck: ChatkitEnv) -> None:
    served = {route_key(m, t, PREFIX) for m, t in app_routes(ck.harness.app)}
    missing = SECRET_ROUTES - served
    if not any(path.startswith("/contexts/") for _, path in served):
        missing = {r for r in missing if not r[1].startswith("/contexts/")}  # the files issue has not landed
    assert not missing, f"allow-listed but not served: {sorted(missing)}"


def _request(method: str, path: str) -> Request:
    from fastapi.routing import APIRoute

    async def endpoint() -> None:
        return None

    return Request(
        {
            "type": "http",
            "method": method,
            "path": path,
            "headers": [],
            "route": APIRoute(path, endpoint, methods=[method]),
        }
    )


def test_a_new_route_is_closed_to_secrets_by_default() -> None:
    secret = Principal(org_id="o", kind="secret", secret_id="s", user_id="cs:s")
    key = Principal(org_id="o", kind="key", key_id="k")
    with pytest.raises(Forbidden):
        enforce(request_route_key(_request("POST", "/api/ai/brand-new/{thing_id}/launch"), PREFIX), secret)
    enforce(request_route_key(_request("POST", "/api/ai/brand-new/{thing_id}/launch"), PREFIX), key)
    # Listed routes pass whatever their parameter is called.
    enforce(request_route_key(_request("GET", "/api/ai/threads/{tid}/runs/{rid}/stream"), PREFIX), secret)
    assert route_key("GET", "/api/ai/threads/{thread_id}", PREFIX) == ("GET", "/threads/{}")
    assert route_key("GET", "/threads/{thread_id}", PREFIX) == ("GET", "/threads/{}")


# What the widget calls (chatkit.js) must stay open; administrative routes must stay closed. The matrix
# above checks enforcement against the allow-list; this pins the list itself.
WIDGET_NEEDS = {
    ("POST", "/assistants/search"),
    ("GET", "/assistants/{}"),
    ("POST", "/threads"),
    ("GET", "/threads/{}"),
    ("POST", "/threads/{}/runs/stream"),
    ("GET", "/threads/{}/runs"),
    ("GET", "/threads/{}/runs/{}/stream"),
    ("POST", "/threads/{}/runs/{}/cancel"),
    ("POST", "/conversations/search"),
    ("GET", "/conversations/{}/messages"),
    ("POST", "/contexts/file"),
}
NEVER_FOR_SECRETS = {
    ("POST", "/v1/chatkit/sessions"),
    ("POST", "/assistants"),
    ("PATCH", "/assistants/{}"),
    ("DELETE", "/assistants/{}"),
    ("POST", "/runs/stream"),
    ("POST", "/runs/wait"),
    ("POST", "/runs/batch"),
    ("POST", "/threads/{}/state"),
    ("POST", "/threads/{}/copy"),
    ("PUT", "/store/items"),
    ("POST", "/store/items/search"),
    ("POST", "/knowledges"),
    ("POST", "/knowledges/{}/bulk"),
}


def test_the_scope_is_what_a_widget_needs() -> None:
    assert WIDGET_NEEDS <= SECRET_ROUTES
    assert not NEVER_FOR_SECRETS & SECRET_ROUTES


async def test_another_principals_file_cannot_be_attached(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    async with tenant.client(x_principal_user_id="bob") as c:
        resp = await c.post(
            "/contexts/file", files={"file": ("bob.txt", b"Bob's code word is KESTREL-9.", "text/plain")}
        )
    assert resp.status_code == 201, resp.text
    bobs = resp.json()
    async with tenant.as_secret(await tenant.secret(user="alice")) as c:
        thread = (await c.post("/threads", json={})).json()
        run = await c.post(
            f"/threads/{thread['thread_id']}/runs/wait",
            json={
                "assistant_id": tenant.assistant_id,
                "input": send("What is the code word?", files=[{"id": bobs["id"]}]),
            },
        )
    assert run.status_code == 404, run.text
    assert "KESTREL" not in run.text
