"""Console sessions over HTTP: who may sign in, the cookie's attributes, CSRF on every request, the routes a
session may call, expiry, sign-out, key revocation, several processes, and the overview's statistics."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.harness.app import ApiHarness, open_harness
from tests.harness.chat import send
from xpert_server.auth.console import (
    ADMIN_ONLY,
    CONSOLE_DENIED,
    COOKIE,
    CSRF_HEADER,
    OPERATOR_ONLY,
    OPERATOR_ORG,
)
from xpert_server.auth.roles import NEEDS_ADMIN, OPERATOR_KEY_ONLY_SIGNS_IN
from xpert_server.console_system import MASK


@pytest.fixture
async def two(api_database_url: str, tmp_path: Path) -> AsyncIterator[tuple[ApiHarness, ApiHarness]]:
    """Two processes on one database: a session made by one is honoured (and ended) by the other."""
    async with (
        open_harness(tmp_path / "a", api_database_url, console_session_ttl=600) as a,
        open_harness(tmp_path / "b", api_database_url, console_session_ttl=600) as b,
    ):
        yield a, b


async def sign_in(h: ApiHarness, key: str) -> tuple[httpx.AsyncClient, str]:
    """A browser-like client holding the session cookie (no key), and the CSRF token."""
    async with h.client(key) as c:
        resp = await c.post("/console/sessions")
    assert resp.status_code == 201, resp.text
    cookie = resp.headers["set-cookie"]
    for part in ("HttpOnly", "SameSite=strict", "Path=/api/ai", "Max-Age=600"):
        assert part.lower() in cookie.lower(), cookie
    token = resp.cookies[COOKIE]
    assert token not in resp.text and key not in resp.text
    browser = h.client(None)
    browser.cookies.set(COOKIE, token, path="/api/ai")
    return browser, resp.json()["csrf_token"]


async def test_sign_in_csrf_routes_and_sign_out(two: tuple[ApiHarness, ApiHarness]) -> None:
    a, b = two
    key, org = await a.mint_key()
    browser, csrf = await sign_in(a, key)
    async with browser:
        # Without the CSRF header, or with a wrong one, the cookie is worth nothing: reads included.
        for headers in ({}, {CSRF_HEADER: "0" * 64}):
            resp = await browser.get("/keys", headers=headers)
            assert resp.status_code == 403 and CSRF_HEADER in resp.json()["message"], resp.text
            resp = await browser.post("/keys", json={"name": "x"}, headers=headers)
            assert resp.status_code == 403, resp.text
        ok = {CSRF_HEADER: csrf}
        listed = await browser.get("/keys", headers=ok)
        assert listed.status_code == 200, listed.text
        made = await browser.post("/keys", json={"name": "from console", "role": "app"}, headers=ok)
        assert made.status_code == 201 and made.json()["key"].startswith("sk-x-"), made.text
        me = await browser.get("/console/session", headers=ok)
        assert me.status_code == 200 and me.json()["org_id"] == org and me.json()["csrf_token"] == csrf
        (signed_in,) = [k for k in listed.json() if k["hint"][-4:] == key[-4:]]
        assert me.json()["key_id"] == signed_in["id"]
        # Only the console's routes: a thread, a run or the store are an API key's business.
        for method, path in (("POST", "/threads"), ("PUT", "/store/items"), ("POST", "/console/sessions")):
            resp = await browser.request(method, path, json={}, headers=ok)
            assert (resp.status_code, resp.json()["message"]) == (403, CONSOLE_DENIED), (path, resp.text)
        # Another process honours it (the session is in the database)…
        other = b.client(None)
        other.cookies.set(COOKIE, browser.cookies[COOKIE], path="/api/ai")
        async with other:
            assert (await other.get("/keys", headers=ok)).status_code == 200
            out = await browser.delete("/console/session", headers=ok)
            assert out.status_code == 200 and out.json() == {"success": True}
            assert COOKIE in out.headers["set-cookie"] and "max-age=0" in out.headers["set-cookie"].lower()
            # …and forgets it at sign-out, at once.
            gone = await other.get("/keys", headers=ok)
            assert gone.status_code == 401 and "sign in" in gone.json()["message"], gone.text


async def test_only_an_unbound_admin_key_signs_in(two: tuple[ApiHarness, ApiHarness]) -> None:
    a, _ = two
    admin, org = await a.mint_key()
    async with a.client(admin) as c:
        xpert = (await c.post("/assistants", json={"name": "X", "slug": "x"})).json()["assistant_id"]
        minted = await c.post("/v1/chatkit/sessions", json={})
    app_key, _ = await a.mint_key(org, role="app")
    bound_app, _ = await a.mint_key(org, role="app", xpert_id=xpert)
    bound_admin, _ = await a.mint_key(org, role="admin", xpert_id=xpert)
    cases = {
        "app key": ({"x-api-key": app_key}, NEEDS_ADMIN),
        "bound app key": ({"x-api-key": bound_app}, NEEDS_ADMIN),
        "bound admin key": ({"x-api-key": bound_admin}, ADMIN_ONLY),
        "client secret": ({"x-client-secret": minted.json()["client_secret"]}, "client secret"),
    }
    for name, (headers, message) in cases.items():
        async with a.client(None, **{k.replace("-", "_"): v for k, v in headers.items()}) as c:
            resp = await c.post("/console/sessions")
        assert resp.status_code == 403, (name, resp.text)
        assert message in resp.json()["message"], (name, resp.text)
        assert "set-cookie" not in resp.headers, name
    async with a.client(None) as c:
        assert (await c.post("/console/sessions")).status_code == 401


async def test_expiry_and_key_revocation_end_a_session(two: tuple[ApiHarness, ApiHarness]) -> None:
    a, _ = two
    key, org = await a.mint_key()
    browser, csrf = await sign_in(a, key)
    ok = {CSRF_HEADER: csrf}
    async with browser:
        assert (await browser.get("/keys", headers=ok)).status_code == 200
        a.services.storage.clock.advance(601)  # type: ignore[attr-defined]
        try:
            resp = await browser.get("/keys", headers=ok)
            assert resp.status_code == 401 and "expired" in resp.json()["message"], resp.text
        finally:
            a.services.storage.clock.advance(-601)  # type: ignore[attr-defined]
    key2, _ = await a.mint_key(org)
    browser, csrf = await sign_in(a, key2)
    ok = {CSRF_HEADER: csrf}
    async with browser, a.client(key) as admin:
        (mine,) = [k for k in (await admin.get("/keys")).json() if k["hint"][-4:] == key2[-4:]]
        assert (await admin.delete(f"/keys/{mine['id']}")).status_code == 200
        resp = await browser.get("/keys", headers=ok)
        assert resp.status_code == 401, resp.text


async def test_a_session_sees_its_org_only_and_mints_playground_secrets(
    two: tuple[ApiHarness, ApiHarness],
) -> None:
    a, _ = two
    key_a, _ = await a.mint_key()
    key_b, _ = await a.mint_key()
    async with a.client(key_a) as c:
        xa = (await c.post("/assistants", json={"name": "A's", "slug": "a"})).json()["assistant_id"]
    browser, csrf = await sign_in(a, key_b)
    ok = {CSRF_HEADER: csrf}
    async with browser:
        assert (await browser.get(f"/assistants/{xa}", headers=ok)).status_code == 404
        assert (await browser.get("/console/stats", params={"xpert_id": xa}, headers=ok)).status_code == 404
        assert (
            await browser.post("/v1/chatkit/sessions", json={"xpert_id": xa}, headers=ok)
        ).status_code == 404
        assert (await browser.post("/v1/chatkit/sessions", json={}, headers=ok)).status_code == 400
        xb = (await browser.post("/assistants", json={"name": "B's", "slug": "b"}, headers=ok)).json()
        minted = await browser.post("/v1/chatkit/sessions", json={"xpert_id": xb["assistant_id"]}, headers=ok)
        assert minted.status_code == 201, minted.text
        secret = minted.json()["client_secret"]
    async with a.client(None, x_client_secret=secret) as s:
        assert (await s.get(f"/assistants/{xb['assistant_id']}")).status_code == 200
        assert (await s.get(f"/assistants/{xa}")).status_code == 404


async def test_stats_count_runs_errors_latency_and_tokens(two: tuple[ApiHarness, ApiHarness]) -> None:
    a, _ = two
    key, org = await a.mint_key()
    async with a.client(key) as c:
        xpert = (await c.post("/assistants", json={"name": "Counted", "slug": "counted"})).json()[
            "assistant_id"
        ]
        for i in range(3):
            tid = (await c.post("/threads", json={})).json()["thread_id"]
            done = await c.post(
                f"/threads/{tid}/runs/wait", json={"assistant_id": xpert, "input": send(f"hi {i}")}
            )
            assert done.status_code == 201, done.text
        stats = (await c.get("/console/stats", params={"days": 1, "bucket": "hour"})).json()
        assert (await c.get("/console/stats", params={"days": 30, "bucket": "hour"})).status_code == 400
        one = (await c.get("/console/stats", params={"xpert_id": xpert})).json()
    assert stats["org_id"] == org and stats["bucket"] == "hour" and stats["complete"] is True
    assert stats["totals"]["runs"] == 3 and stats["totals"]["errors"] == 0
    assert stats["totals"]["p50_ms"] is not None and stats["totals"]["p95_ms"] >= stats["totals"]["p50_ms"]
    assert sum(b["runs"] for b in stats["buckets"]) == 3 and len(stats["buckets"]) in (24, 25)
    (x,) = stats["xperts"]
    assert (x["xpert_id"], x["name"], x["runs"], sum(x["runs_series"])) == (xpert, "Counted", 3, 3)
    assert one["xpert_id"] == xpert and one["totals"]["runs"] == 3 and len(one["buckets"]) in (14, 15)


async def test_the_console_files_are_served_with_the_api_prefix_and_a_strict_csp(
    two: tuple[ApiHarness, ApiHarness],
) -> None:
    a, _ = two
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=a.app), base_url="http://test") as c:
        page = await c.get("/console")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert '<meta name="xpert-api" content="/api/ai">' in page.text
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        for name in ("console.js", "console-api.js", "console-charts.js", "console-pages.js", "console.css"):
            asset = await c.get(f"/console/{name}")
            assert asset.status_code == 200 and asset.text, name
        assert (await c.get("/console/../config.py")).status_code == 404
        assert (await c.get("/console/console.html")).status_code == 404
        # No file names anything outside this origin (no CDN): the only URL is SVG's namespace.
        for name in ("console.js", "console-api.js", "console-charts.js", "console-pages.js", "console.css"):
            text = (await c.get(f"/console/{name}")).text.replace("http://www.w3.org/2000/svg", "")
            assert not re.search(r"https?://", text), name
        assert not re.search(r"https?://", page.text)


async def test_the_system_page_is_the_operators_alone(two: tuple[ApiHarness, ApiHarness]) -> None:
    a, _ = two
    admin, org = await a.mint_key()
    operator, _ = await a.mint_key(OPERATOR_ORG, role="operator")
    # An org admin — key or console session — never sees the server.
    async with a.client(admin) as c:
        resp = await c.get("/console/system")
        assert (resp.status_code, resp.json()["message"]) == (403, OPERATOR_ONLY), resp.text
    browser, csrf = await sign_in(a, admin)
    async with browser:
        resp = await browser.get("/console/system", headers={CSRF_HEADER: csrf})
        assert (resp.status_code, resp.json()["message"]) == (403, OPERATOR_ONLY), resp.text
    # The operator's key answers nothing but the console's sign-in…
    async with a.client(operator) as c:
        for method, path in (("GET", "/console/system"), ("GET", "/keys"), ("POST", "/threads/search")):
            resp = await c.request(method, path, json={})
            assert (resp.status_code, resp.json()["message"]) == (403, OPERATOR_KEY_ONLY_SIGNS_IN), resp.text
    # …and its session sees the server: every org, the stores, the settings with secrets masked; no org's data.
    browser, csrf = await sign_in(a, operator)
    async with browser:
        ok = {CSRF_HEADER: csrf}
        me = (await browser.get("/console/session", headers=ok)).json()
        assert me["role"] == "operator"
        resp = await browser.get("/console/system", headers=ok)
        assert resp.status_code == 200, resp.text
        system = resp.json()
        assert system["mode"] in ("embedded", "scaled") and system["version"]
        assert system["health"]["database"]["ok"] is True
        orgs = {o["id"]: o for o in system["orgs"]}
        assert org in orgs and OPERATOR_ORG not in orgs and orgs[org]["keys"] >= 1
        settings = {x["name"]: x["value"] for x in system["settings"]}
        assert settings["connections_secret"] == MASK  # the harness sets one
        assert a.services.settings.connections_secret not in resp.text
        for method, path in (("GET", "/console/stats"), ("GET", "/keys"), ("POST", "/assistants/search")):
            resp = await browser.request(method, path, json={}, headers=ok)
            assert (resp.status_code, resp.json()["message"]) == (403, CONSOLE_DENIED), (path, resp.text)
