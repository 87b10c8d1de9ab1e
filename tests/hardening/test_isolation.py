"""The isolation matrix, generated from the app's routes: a route added later is in it by itself (and fails
`test_every_route_is_covered` until it says which body it takes and which ids it names).

Org A owns real data (tests/harness/world.py): two xperts (X1 with the data, X2), a thread with a finished
run on X1, its conversation and AI message, an uploaded file, a knowledge base with a document, a store
item, the thread's data created for end user "alice", all carrying a marker string. Every API route is then called with A's ids by

    no credential, a wrong key, a revoked key, an expired key, A's key naming org B (organization-id),
    a key of org B, a key of org A bound to X2, a client secret of another principal of org A,
    a client secret of org B, an expired secret,

and must answer the documented status: 401 ("Unauthorized", "Invalid token", "ApiKey expired",
"Token expired"), 403 for a scope, binding or organization-header mismatch, 404 for ids of another tenant
or principal (never 403, which would tell that they exist) and never 2xx on A's data; and no body,
whatever its status, may carry anything of A's. A's data is checked untouched afterwards.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.harness.app import ApiHarness
from tests.harness.chat import send
from tests.harness.world import World, build_world, key_record_id, mint_secret
from xpert_server.api.deps import NOT_ALLOWED_ASSISTANT
from xpert_server.api.info import METRICS_ARE_THE_OPERATORS
from xpert_server.api.webhooks import BOUND_KEY_REFUSED as WEBHOOKS_BOUND_KEY_REFUSED
from xpert_server.auth.console import ADMIN_ONLY as CONSOLE_ADMIN_ONLY
from xpert_server.auth.console import CONSOLE_ROUTES, COOKIE, CSRF_HEADER
from xpert_server.auth.keys import hash_credential
from xpert_server.auth.scope import SECRET_ROUTES, app_routes, route_key

PREFIX = "/api/ai"
# Routes that take no credential (exempt from the matrix), listed one by one.
PUBLIC = {
    ("GET", "/ok"),
    ("GET", "/info"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/docs/assets/{}"),  # Swagger UI's and ReDoc's scripts (api/docs.py)
    ("GET", "/redoc"),
    ("GET", "/chatkit/{}"),  # the widget's files
    ("GET", "/console"),  # the console's page and files (what it shows comes from the API, signed in)
    ("GET", "/console/{}"),
    ("GET", "/"),  # the demo page
    ("GET", "/demo/{}"),
    ("POST", "/demo/session"),  # the demo's back end: mints from its own key, in the default org only
}
# Path parameters naming data of one principal (threads and what hangs off them, files).
PRINCIPAL_OWNED = {"thread_id", "run_id", "conversation_id", "message_id", "feedback_id", "file_id"}
# Path parameters naming data of one org.
ORG_OWNED = PRINCIPAL_OWNED | {
    "assistant_id",
    "kb_id",
    "key_id",
    "connection_name",
    "webhook_id",
    "delivery_id",
}
# Path parameters naming something inside a thread or an xpert the path names too: a checkpoint, a subgraph.
NESTED = {"checkpoint_id", "namespace"}


def body_for(method: str, key: str, a: World) -> tuple[Any, bool]:
    """(a valid JSON body for this route, whether the body itself names A's ids). Every route with a body
    is listed: a new one fails `test_every_route_is_covered` until it is added here."""
    x1, tid = a.ids["assistant_id"], a.ids["thread_id"]
    run = {"assistant_id": x1, "input": send("what is the marker?")}
    bodies: dict[tuple[str, str], tuple[Any, bool]] = {
        ("POST", "/assistants/search"): ({"metadata": {"slug": "iso-x1"}}, False),
        ("POST", "/assistants/count"): ({"metadata": {"slug": "iso-x1"}}, False),
        ("POST", "/assistants"): ({"name": "Intruder", "slug": f"intruder-{secrets.token_hex(3)}"}, False),
        ("PATCH", "/assistants/{}"): ({"description": "pwned"}, False),
        ("POST", "/assistants/{}/versions"): ({}, False),
        ("POST", "/assistants/{}/latest"): ({"version": 1}, False),
        ("POST", "/threads"): ({"assistant_id": x1}, True),
        ("POST", "/threads/search"): ({"ids": [tid]}, False),
        ("POST", "/threads/count"): ({"metadata": {"marker": a.marker}}, False),
        ("PATCH", "/threads/{}"): ({"metadata": {"marker": "pwned"}}, False),
        ("POST", "/threads/{}/history"): ({}, False),
        ("POST", "/threads/{}/copy"): ({}, False),
        ("POST", "/threads/{}/runs/stream"): (run, False),
        ("POST", "/threads/{}/runs/wait"): (run, False),
        ("POST", "/threads/{}/runs"): (run, False),
        ("POST", "/threads/{}/runs/{}/cancel"): ({}, False),
        # `run.start` makes a thread of the caller's own under a free id (another org may hold the same id:
        # tests/langgraph/test_v2_python.py checks that); answering an interrupt needs the thread itself.
        ("POST", "/threads/{}/commands"): (
            {"id": 1, "method": "input.respond", "params": {"interrupt_id": "iso", "response": a.marker}},
            False,
        ),
        # A valid subscription never ends by itself (it waits for the thread's next run): an unknown channel
        # is a 400 once the thread is found, so its owner's call ends and anyone else's is still a 404.
        ("POST", "/threads/{}/stream/events"): ({"channels": ["no-such-channel"]}, False),
        ("POST", "/threads/{}/state"): ({"values": {}}, False),
        ("PATCH", "/threads/{}/state"): ({"metadata": {"marker": "pwned"}}, False),
        ("POST", "/threads/{}/state/checkpoint"): ({"checkpoint": {}}, False),
        ("POST", "/runs/stream"): (run, True),
        ("POST", "/runs/wait"): (run, True),
        ("POST", "/runs"): (run, True),
        ("POST", "/runs/batch"): ([run], True),
        ("POST", "/conversations/search"): ({"search": a.marker}, False),
        ("PATCH", "/conversations/{}"): ({"title": "pwned"}, False),
        ("POST", "/conversations/{}/messages/{}/feedbacks"): ({"rating": "dislike"}, False),
        ("POST", "/conversations"): ({"title": "intruder", "xpertId": x1}, True),
        ("POST", "/webhooks"): ({"url": "http://127.0.0.1:9/intruder"}, False),
        ("PATCH", "/webhooks/{}"): ({"url": "http://127.0.0.1:9/pwned"}, False),
        ("POST", "/webhooks/{}/rotate-secret"): ({}, False),
        ("POST", "/webhooks/signing-secret/rotate"): ({}, False),
        ("POST", "/webhooks/deliveries/{}/redeliver"): ({}, False),
        ("POST", "/conversations/{}/messages"): ({"role": "human", "content": "pwned"}, False),
        ("POST", "/conversations/{}/messages/search"): ({"where": {"role": "ai"}}, False),
        ("PATCH", "/conversations/{}/messages/{}"): ({"content": "pwned"}, False),
        ("POST", "/conversations/{}/messages/{}/feedbacks/search"): ({}, False),
        ("PATCH", "/conversations/{}/messages/{}/feedbacks/{}"): ({"rating": "dislike"}, False),
        ("PUT", "/store/items"): ({"namespace": ["iso"], "key": "k", "value": {"pwned": True}}, False),
        ("DELETE", "/store/items"): ({"namespace": ["iso"], "key": "k"}, False),
        ("POST", "/store/items/search"): ({"namespace_prefix": ["iso"]}, False),
        ("POST", "/store/namespaces"): ({}, False),
        ("POST", "/v1/chatkit/sessions"): ({"expires_after": 60}, False),
        ("POST", "/knowledges"): ({"name": "intruder kb"}, False),
        ("PUT", "/knowledges/{}"): ({"name": "pwned"}, False),
        ("POST", "/knowledges/{}/bulk"): ([{"text": "pwned"}], False),
        ("POST", "/knowledges/{}/process"): ({"ids": [a.ids["document_id"]]}, False),
        ("POST", "/knowledges/{}/documents/delete"): ({"ids": [a.ids["document_id"]]}, False),
        ("POST", "/knowledges/{}/search"): ({"query": "marker"}, False),
        ("POST", "/keys"): ({"name": "intruder", "role": "admin"}, False),
        ("POST", "/console/sessions"): ({}, False),
        ("POST", "/connections"): (
            {
                "name": f"intruder-{secrets.token_hex(3)}",
                "kind": "model",
                "url": "https://models.iso.test/v1",
            },
            False,
        ),
        ("PATCH", "/connections/{}"): ({"description": "pwned", "api_key": "sk-pwned-0000000000000"}, False),
    }
    if (method, key) in bodies:
        return bodies[(method, key)]
    if method in ("POST", "PUT", "PATCH") and (method, key) != ("POST", "/contexts/file"):
        raise KeyError(f"{method} {key}: no body listed in test_isolation.body_for")
    return None, False


def params(template: str) -> list[str]:
    return ["file_id" if n == "id" else n for n in re.findall(r"\{([^}]*)\}", template)]


def api_routes(app: Any) -> list[tuple[str, str, str]]:
    """(method, path under the prefix, normalised key) of every route that needs a credential."""
    out = []
    for method, template in app_routes(app):
        key = route_key(method, template, PREFIX)
        if key not in PUBLIC:
            out.append((method, template.removeprefix(PREFIX), key[1]))
    return out


async def call(c: httpx.AsyncClient, method: str, template: str, key: str, a: World) -> httpx.Response:
    url = re.sub(r"\{([^}]*)\}", lambda m: a.ids["file_id" if m.group(1) == "id" else m.group(1)], template)
    if (method, key) == ("POST", "/contexts/file"):
        return await c.post(url, files={"file": ("intruder.txt", b"intruder", "text/plain")})
    if (method, key) == ("GET", "/store/items"):
        return await c.get(url, params={"namespace": "iso", "key": "k"})
    body, _ = body_for(method, key, a)
    if body is None:
        return await c.request(method, url)
    return await c.request(method, url, json=body)


@dataclass
class Caller:
    name: str
    headers: dict[str, str]
    status: str  # "401", "403" (refused everywhere), "other-org", "bound" (to X2), "principal" (not alice)
    message: str | None = None  # the 401's message
    secret: bool = False
    console: bool = False  # a console session (auth/console.py): its own routes only


@pytest.fixture(scope="module")
async def world(harness: ApiHarness) -> tuple[World, list[Caller]]:
    h = harness
    a = await build_world(h, "iso", principal="alice")
    key, org = a.key, a.org
    revoked, _ = await h.mint_key(org)
    a.ids["key_id"] = await key_record_id(h, org, revoked)  # what `/keys/{key_id}` names
    await h.services.storage.revoke_api_key(a.ids["key_id"])
    expired, _ = await h.mint_key(org, expires_in=-1)  # expired when made: no waiting on the clock
    b_key, b_org = await h.mint_key()
    bound, _ = await h.mint_key(org, xpert_id=a.ids["other_assistant_id"])
    other_principal = await mint_secret(h, key, "mallory")
    b_secret = await mint_secret(h, b_key, "alice")  # the same user name, in another org
    expired_secret = await mint_secret(h, key, "alice")
    record = await h.services.storage.find_client_secret(hash_credential(expired_secret))
    assert record is not None
    await h.services.storage.expire_client_secret(record.id)
    b_console = await console_headers(h, b_key)
    a_console = await console_headers(h, key)
    gone_console = await console_headers(h, key)
    async with h.client(None, **{k.replace("-", "_"): v for k, v in gone_console.items()}) as c:
        assert (await c.delete("/console/session")).status_code == 200
    h.services.auth.forget()
    callers = [
        Caller("no credential", {}, "401", "Unauthorized"),
        Caller("wrong key", {"x-api-key": "sk-x-" + secrets.token_hex(24)}, "401", "Invalid token"),
        Caller("revoked key", {"authorization": f"Bearer {revoked}"}, "401", "Invalid token"),
        Caller("expired key", {"x-api-key": expired}, "401", "ApiKey expired"),
        Caller("A's key naming org B", {"x-api-key": key, "organization-id": b_org}, "403"),
        Caller("key of org B", {"x-api-key": b_key}, "other-org"),
        Caller("key bound to another xpert", {"x-api-key": bound}, "bound"),
        Caller("secret of another principal", {"x-client-secret": other_principal}, "principal", secret=True),
        Caller("secret of org B", {"authorization": f"Bearer {b_secret}"}, "other-org", secret=True),
        Caller("expired secret", {"x-api-key": expired_secret}, "401", "Token expired", secret=True),
        Caller("console of org B", b_console, "other-org", console=True),
        Caller("A's console without its CSRF token", {"cookie": a_console["cookie"]}, "403", console=True),
        Caller("A's console signed out", gone_console, "401", "Invalid console session: sign in again."),
    ]
    return a, callers


async def console_headers(h: ApiHarness, admin_key: str) -> dict[str, str]:
    """A signed-in console's credentials: its session cookie and its CSRF token (auth/console.py)."""
    async with h.client(admin_key) as c:
        resp = await c.post("/console/sessions")
    assert resp.status_code == 201, resp.text
    return {"cookie": f"{COOKIE}={resp.cookies[COOKIE]}", CSRF_HEADER: resp.json()["csrf_token"]}


def expectation(
    caller: Caller, method: str, key: str, template: str, a: World
) -> tuple[set[int] | None, str]:
    """(allowed statuses, or None for "any but 403 and 5xx"; why)."""
    names = set(params(template))
    _, names_a_in_body = (
        body_for(method, key, a)
        if (method, key) not in {("POST", "/contexts/file"), ("GET", "/store/items")}
        else (None, False)
    )
    if caller.status in ("401", "403"):
        return {int(caller.status)}, caller.status
    if caller.secret and (method, key) not in SECRET_ROUTES:
        return {403}, "outside a client secret's scope"
    if caller.console and (method, key) not in CONSOLE_ROUTES:
        return {403}, "outside a console session's routes"
    if key == "/metrics":  # the deployment's numbers: the default org's admins only (none of these callers)
        return {403}, "the operator's metrics"
    if caller.status == "other-org":
        if names & ORG_OWNED or names_a_in_body:
            return {404}, "ids of another org"
        return None, "the caller's own org"
    if caller.status == "principal":
        if names & PRINCIPAL_OWNED:
            return {404}, "ids of another principal"
        return None, "the org's shared xperts, or the caller's own data"
    # A key bound to X2: X1 and what names it are refused; A's threads (X1's) are invisible to it.
    if (
        "assistant_id" in names
        or names_a_in_body
        or (method, key) in BOUND_REFUSED
        or key.startswith("/webhooks")
    ):
        return {403}, "another xpert than the key's (or a new one, or the org's connections or webhooks)"
    if names_a_thread(template):
        return {404}, "a thread of another xpert than the key's"
    return None, "org-level data (files, knowledge, store) the binding does not cover"


async def test_the_isolation_matrix(harness: ApiHarness, world: tuple[World, list[Caller]]) -> None:
    a, callers = world
    failures: list[str] = []
    checked = 0
    for method, template, key in api_routes(harness.app):
        for caller in callers:
            if caller.console and (method, key) == ("DELETE", "/console/session"):
                continue  # signing out would end the session for the cells after (tests/console signs out)
            if caller.status == "bound" and (
                org_level_write(method, template) or (method, key) in THREAD_LISTINGS
            ):
                # Org-level writes it may do (same org), and they would destroy the fixtures; thread listings
                # show its own threads: test_a_key_bound_to_another_xpert_cannot_read_its_threads looks there.
                continue
            async with harness.client(
                None, **{k.replace("-", "_"): v for k, v in caller.headers.items()}
            ) as c:
                resp = await call(c, method, template, key, a)
            allowed, why = expectation(caller, method, key, template, a)
            where = f"{method} {template} by {caller.name}"
            if allowed is None:
                if resp.status_code == 403 or resp.status_code >= 500:
                    failures.append(f"{where} ({why}): {resp.status_code} {resp.text[:150]}")
            elif resp.status_code not in allowed:
                failures.append(
                    f"{where} ({why}): expected {sorted(allowed)}, got {resp.status_code} {resp.text[:150]}"
                )
            elif caller.message and resp.json().get("message") != caller.message:
                failures.append(
                    f"{where}: message {resp.json().get('message')!r}, expected {caller.message!r}"
                )
            elif (
                allowed == {403}
                and caller.status == "bound"
                and resp.json().get("message") != bound_refusal(key)
            ):
                failures.append(f"{where}: message {resp.json().get('message')!r}")
            if caller.status not in ("401", "403"):
                leaked = a.leaks(resp.text, sent=sent_text(resp.request), exempt=EXEMPT[caller.status])
                if leaked:
                    failures.append(f"{where}: the body shows A's {leaked}: {resp.text[:200]}")
            checked += 1
    assert not failures, f"{len(failures)} of {checked} cells:\n" + "\n".join(failures)
    assert checked >= 500


def bound_refusal(key: str) -> str:
    """What a key bound to another xpert is told where it is refused."""
    if key == "/metrics":
        return METRICS_ARE_THE_OPERATORS
    if key.startswith("/webhooks"):
        return WEBHOOKS_BOUND_KEY_REFUSED
    if key == "/console/sessions":
        return CONSOLE_ADMIN_ONLY
    return NOT_ALLOWED_ASSISTANT


def sent_text(request: httpx.Request) -> str:
    try:
        return str(request.url) + request.content.decode(errors="replace")
    except httpx.RequestNotRead:  # a streamed upload: our own file, nothing of A's
        return str(request.url)


# What a key bound to one xpert may not do although it names no xpert: make xperts, change connections.
BOUND_REFUSED = {("POST", "/assistants"), ("POST", "/connections"), ("POST", "/console/sessions")}


def names_a_thread(template: str) -> bool:
    return bool(
        set(params(template)) & {"thread_id", "run_id", "conversation_id", "message_id", "feedback_id"}
    )


# What a caller may legitimately see of A's: nothing from another org; the org's xperts (not alice's data)
# for another principal; for a bound key, the org-level data its binding does not cover (knowledge, files,
# the store: the marker is in them), but neither X1 nor A's threads.
EXEMPT: dict[str, set[str]] = {
    "other-org": set(),
    "principal": {"assistant_id", "other_assistant_id", "kb_id", "document_id"},
    "bound": {"other_assistant_id", "kb_id", "document_id", "file_id", "marker", "connection_name"},
}
# Thread listings answer 200 with the caller's own threads (the marker may be exempt): checked for a bound key
# by test_a_key_bound_to_another_xpert_cannot_read_its_threads.
THREAD_LISTINGS = {("POST", "/threads/search"), ("POST", "/threads/count"), ("POST", "/conversations/search")}


def org_level_write(method: str, template: str) -> bool:
    return method in ("PUT", "PATCH", "DELETE") and not template.startswith("/assistants")


def test_every_route_is_covered(harness: ApiHarness, world: tuple[World, list[Caller]]) -> None:
    a, _ = world
    unknown: list[str] = []
    for method, template, key in api_routes(harness.app):
        extra = set(params(template)) - ORG_OWNED - NESTED
        if extra:
            unknown.append(f"{method} {template}: path parameter(s) {sorted(extra)} not filled by the matrix")
        try:
            body_for(method, key, a)
        except KeyError as e:
            unknown.append(str(e))
    assert not unknown, "\n".join(unknown)
    assert len(api_routes(harness.app)) >= 60


async def test_a_key_bound_to_another_xpert_cannot_read_its_threads(
    harness: ApiHarness, world: tuple[World, list[Caller]]
) -> None:
    a, callers = world
    (bound,) = [c for c in callers if c.status == "bound"]
    reads = [(m, t, k) for m, t, k in api_routes(harness.app) if names_a_thread(t) and m == "GET"]
    assert len(reads) >= 10
    answered: list[str] = []
    async with harness.client(None, x_api_key=bound.headers["x-api-key"]) as c:
        for method, template, key in reads:
            resp = await call(c, method, template, key, a)
            if resp.status_code < 300:
                answered.append(f"{method} {template}: {resp.status_code}")
        found = (await c.post("/threads/search", json={"ids": [a.ids["thread_id"]]})).json()
        listed = (await c.post("/conversations/search", json={})).json()["items"]
    assert not answered and found == [], "\n".join(answered)
    # Conversations made in the matrix (POST /conversations) only: its own (bound to its xpert) and those of
    # its org not tied to any xpert yet; none of X1's.
    assert all(i["xpertId"] in (a.ids["other_assistant_id"], None) for i in listed), listed
    assert a.ids["conversation_id"] not in [i["id"] for i in listed]


async def test_org_a_is_untouched(harness: ApiHarness, world: tuple[World, list[Caller]]) -> None:
    a, _ = world
    async with harness.client(a.key) as c:
        thread = (await c.get(f"/threads/{a.ids['thread_id']}")).json()
        assert thread["metadata"]["marker"] == a.marker
        conversation = (await c.get(f"/conversations/{a.ids['conversation_id']}")).json()
        assert conversation["title"] != "pwned"
        assert (await c.get(f"/assistants/{a.ids['assistant_id']}")).json()["description"] != "pwned"
        item = (await c.get("/store/items", params={"namespace": "iso", "key": "k"})).json()
        assert item["value"] == {"m": a.marker}
        assert (await c.get(f"/knowledges/{a.ids['kb_id']}")).json()["name"] == f"kb {a.marker}"
        state = (await c.get(f"/threads/{a.ids['thread_id']}/state")).json()
        assert state["checkpoint"]["checkpoint_id"] == a.ids["checkpoint_id"]
        assert state["metadata"].get("marker") != "pwned"
        assert len((await c.get(f"/threads/{a.ids['thread_id']}/runs")).json()) == 1
        content = await c.get(f"/contexts/file/{a.ids['file_id']}/content")
        assert content.content == a.marker.encode()
        cid, mid = a.ids["conversation_id"], a.ids["message_id"]
        feedbacks = (await c.get(f"/conversations/{cid}/messages/{mid}/feedbacks")).json()
        assert [(f["id"], f["rating"], f["content"]) for f in feedbacks["items"]] == [
            (a.ids["feedback_id"], "like", a.marker)
        ]
        messages = (await c.get(f"/conversations/{cid}/messages")).json()["items"]
        assert [m["role"] for m in messages] == ["human", "ai"] and "pwned" not in str(messages)
        shown = (await c.get(f"/connections/{a.ids['connection_name']}")).json()
        assert shown["description"] == f"connection {a.marker}" and shown["hint"] == f"…{a.marker[-4:]}"


def test_the_public_routes_are_served(harness: ApiHarness) -> None:
    served = {route_key(m, t, PREFIX) for m, t in app_routes(harness.app)}
    assert {("GET", "/ok"), ("GET", "/openapi.json"), ("GET", "/chatkit/{}")} <= served
    assert PUBLIC - served <= {("GET", "/"), ("GET", "/demo/{}"), ("POST", "/demo/session")}
