"""The widget files, the demo page and its back end, and CORS, over HTTP (no browser)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.chatkit.common import SECRET_RE, ChatkitEnv, open_chatkit_env
from tests.harness.app import open_harness
from xpert_server.api.demo import DEMO_KEY_NAME, demo_enabled
from xpert_server.app import create_app
from xpert_server.auth.scope import app_routes
from xpert_server.config import Settings

STATIC = Path(__file__).resolve().parents[2] / "xpert_server" / "static"
SHOP = "https://shop.example"


async def test_the_widget_module_is_served_without_a_credential(ck: ChatkitEnv) -> None:
    async with ck.harness.client(None) as c:
        js = await c.get("http://test/chatkit/chatkit.js")
        css = await c.get("http://test/chatkit/chatkit.css")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert css.headers["content-type"].startswith("text/css")
    for resp in (js, css):
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in resp.headers["content-security-policy"]
    assert "export function createChatKit(" in js.text
    assert 'const TAG = "xpertai-chatkit"' in js.text


@pytest.mark.parametrize("name", ["nope.js", "..%2F..%2Fapp.py", "demo.html", "%2e%2e"])
async def test_only_the_widget_files_are_served(ck: ChatkitEnv, name: str) -> None:
    async with ck.harness.client(None) as c:
        assert (await c.get(f"http://test/chatkit/{name}")).status_code == 404


def test_the_widget_never_parses_html() -> None:
    source = (STATIC / "chatkit.js").read_text(encoding="utf-8")
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "DOMParser",
        "eval(",
        "new Function",
    ):
        assert sink not in source, sink
    # No CDN and no build step: the module imports nothing at all.
    assert not re.search(r"^\s*import\s", source, re.MULTILINE)


def test_the_demo_is_served_only_on_loopback_or_on_request() -> None:
    assert demo_enabled(Settings(host="127.0.0.1"))
    assert demo_enabled(Settings(host="::1"))
    assert demo_enabled(Settings(host="localhost"))
    assert not demo_enabled(Settings(host="0.0.0.0"))
    assert not demo_enabled(Settings(host="192.168.1.20"))
    assert demo_enabled(Settings(host="0.0.0.0", demo=True))
    public = {(m, p) for m, p in app_routes(create_app(Settings(host="0.0.0.0")))}
    assert ("GET", "/") not in public and ("POST", "/demo/session") not in public
    assert ("GET", "/chatkit/{name}") in public  # the widget is for every deployment
    forced = {(m, p) for m, p in app_routes(create_app(Settings(host="0.0.0.0", demo=True)))}
    assert ("GET", "/") in forced


async def test_the_demo_page_has_a_strict_policy(ck: ChatkitEnv) -> None:
    async with ck.harness.client(None) as c:
        page = await c.get("http://test/")
        script = await c.get("http://test/demo/demo.js")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    for directive in ("default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert '<script type="module" src="/demo/demo.js">' in page.text
    assert script.status_code == 200 and "getClientSecret" in script.text


async def test_the_demo_back_end_mints_secrets_for_one_visitor(ck: ChatkitEnv) -> None:
    async with ck.harness.client(None) as c:
        first = await c.post("http://localhost/demo/session?expires_after=5")
        assert first.status_code == 200, first.text
        body = first.json()
        cookie = first.cookies.get("xpert_demo_visitor")
        again = (await c.post("http://localhost/demo/session")).json()  # the client keeps the cookie
    assert re.match(SECRET_RE, body["client_secret"])
    assert body["expires_after"] == 600  # the test-only overrides are off here
    assert body["organizationId"] == "default"
    assert body["apiUrl"] == "http://localhost/api/ai"
    assert "sk-x-" not in first.text
    set_cookie = first.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "path=/demo" in set_cookie
    assert cookie and re.match(r"^[0-9a-f]{32}$", cookie)
    async with ck.harness.client(None, x_client_secret=body["client_secret"]) as c:
        demo = (await c.get(f"/assistants/{body['xpertId']}")).json()
        assert demo["metadata"]["slug"] == "demo"
        thread = (await c.post("/threads", json={})).json()
    assert thread["created_by"] == f"demo:{cookie}"
    # The same visitor's next secret sees the thread; another visitor's does not.
    async with ck.harness.client(None, x_client_secret=again["client_secret"]) as c:
        assert (await c.get(f"/threads/{thread['thread_id']}")).status_code == 200
    async with ck.harness.client(None) as stranger:
        other = (await stranger.post("http://localhost/demo/session")).json()
    async with ck.harness.client(None, x_client_secret=other["client_secret"]) as c:
        assert (await c.get(f"/threads/{thread['thread_id']}")).status_code == 404


# ---- CORS ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def shop(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ChatkitEnv]:
    async with open_chatkit_env(request, tmp_path_factory, cors_origins=(SHOP,)) as env:
        yield env


def test_cors_origins_come_from_the_environment() -> None:
    settings = Settings.from_env({"XPERT_CORS_ORIGINS": "https://a.example, https://b.example"})
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert Settings.from_env({}).cors_origins == ()


async def test_cors_opens_the_api_and_the_widget_to_configured_origins(shop: ChatkitEnv) -> None:
    async with shop.harness.client(None) as c:
        preflight = await c.options(
            "/threads",
            headers={
                "origin": SHOP,
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization, content-type, last-event-id",
            },
        )
        widget = await c.get("http://test/chatkit/chatkit.js", headers={"origin": SHOP})
        denied = await c.post("/threads", json={}, headers={"origin": SHOP})
        stranger = await c.get("http://test/chatkit/chatkit.js", headers={"origin": "https://evil.example"})
        demo = await c.post("http://localhost/demo/session", headers={"origin": SHOP})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == SHOP
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "last-event-id" in allowed
    assert widget.headers["access-control-allow-origin"] == SHOP
    # Errors are readable cross-origin too, and Retry-After is exposed for 429s.
    assert denied.status_code == 401 and denied.headers["access-control-allow-origin"] == SHOP
    assert "retry-after" in denied.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in stranger.headers
    assert "access-control-allow-origin" not in demo.headers  # demo secrets stay same-origin


async def test_no_cors_by_default(ck: ChatkitEnv) -> None:
    async with ck.harness.client(None) as c:
        preflight = await c.options(
            "/threads", headers={"origin": SHOP, "access-control-request-method": "POST"}
        )
        widget = await c.get("http://test/chatkit/chatkit.js", headers={"origin": SHOP})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in widget.headers


async def test_revoking_the_demo_key_turns_the_demo_off(tmp_path: Path) -> None:
    # Its own SQLite app whatever the suite's backend: the demo key lives in the shared default org.
    async with open_harness(tmp_path, f"sqlite:///{tmp_path / 'xpert.db'}") as harness:
        async with harness.client(None) as c:
            minted = (await c.post("http://localhost/demo/session")).json()
        storage = harness.services.storage
        (demo_key,) = [k for k in await storage.list_api_keys("default") if k.name == DEMO_KEY_NAME]
        await storage.revoke_api_key(demo_key.id)
        harness.services.auth.forget()
        async with harness.client(None, x_client_secret=minted["client_secret"]) as c:
            resp = await c.post("/threads", json={})
        assert resp.status_code == 401 and resp.json()["message"] == "Invalid token"
        async with harness.client(None) as c:
            again = await c.post("http://localhost/demo/session")
        assert again.status_code == 403
        assert [k.name for k in await storage.list_api_keys("default")].count(DEMO_KEY_NAME) == 1


async def test_on_a_loopback_server_the_demo_page_offers_every_xpert_of_the_default_org(
    ck: ChatkitEnv,
) -> None:
    key, _ = await ck.harness.mint_key("default")
    async with ck.harness.client(key) as c:
        made = await c.post("/assistants", json={"name": "Picked", "slug": "picked"})
        assert made.status_code == 201, made.text
    async with ck.harness.client(None) as c:
        plain = (await c.post("http://localhost/demo/session")).json()
        picked = (await c.post("http://localhost/demo/session?xpert=picked")).json()
        missing = await c.post("http://localhost/demo/session?xpert=nobody")
    assert plain["xpert"] == "demo" and picked["xpert"] == "picked"
    assert {"slug": "picked", "name": "Picked"} in plain["xperts"]
    assert {"slug": "demo", "name": "Demo"} in plain["xperts"]
    assert picked["xpertId"] == made.json()["assistant_id"]
    assert missing.status_code == 404 and "nobody" in missing.json()["message"]
    async with ck.harness.client(None, x_client_secret=picked["client_secret"]) as c:
        demo = await c.get(f"/assistants/{plain['xpertId']}")
    assert demo.status_code == 403  # the picked xpert's secret is bound to it


async def test_with_demo_on_a_public_interface_the_page_offers_only_the_demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    async with open_chatkit_env(request, tmp_path_factory, host="0.0.0.0", demo=True) as env:
        key, _ = await env.harness.mint_key("default")
        async with env.harness.client(key) as c:
            made = await c.post("/assistants", json={"name": "Private", "slug": "private"})
            assert made.status_code == 201, made.text
        async with env.harness.client(None) as c:
            body = (await c.post("http://localhost/demo/session?xpert=private")).json()
    assert body["xpert"] == "demo" and body["xperts"] == [{"slug": "demo", "name": "Demo"}]
    assert body["xpertId"] != made.json()["assistant_id"]


def test_the_docs_show_the_example_back_end() -> None:
    root = Path(__file__).resolve().parents[2]
    example = (root / "examples" / "chatkit_backend.py").read_text(encoding="utf-8")
    code = example[example.index("import json") :]
    docs = (root / "docs" / "chatkit.md").read_text(encoding="utf-8")
    assert code in docs  # the recipe is the file the browser test runs, word for word
    assert (
        "uvicorn chatkit_backend:app --port 3000" in docs
        and "XPERT_CORS_ORIGINS=http://127.0.0.1:3000" in docs
    )
    # The page's snippet hands the widget the session Response: no `response.json()` left to throw.
    assert 'getClientSecret: (current) => fetch("/api/chatkit/session", { method: "POST" })' in docs
    assert "(await response.json()).client_secret" not in docs


@pytest.mark.parametrize(
    "host", ["attacker.example:8000", "attacker.example", "127.0.0.1.attacker.example", ""]
)
async def test_the_demo_back_end_refuses_a_host_that_is_not_this_server(ck: ChatkitEnv, host: str) -> None:
    """DNS rebinding: a page on attacker.example resolved to 127.0.0.1 must not get a secret."""
    async with ck.harness.client(None) as c:
        resp = await c.post("http://localhost/demo/session", headers={"host": host})
    assert resp.status_code == 403, resp.text
    assert "client_secret" not in resp.text and "cs-x-" not in resp.text
    assert "xpert_demo_visitor" not in resp.headers.get("set-cookie", "")


@pytest.mark.parametrize("host", ["localhost:8000", "127.0.0.1", "[::1]:8000", "LOCALHOST"])
async def test_the_demo_back_end_answers_loopback_names(ck: ChatkitEnv, host: str) -> None:
    async with ck.harness.client(None) as c:
        resp = await c.post("http://localhost/demo/session", headers={"host": host})
    assert resp.status_code == 200, resp.text


def test_the_demo_hosts_are_loopback_the_bound_host_and_the_configured_ones() -> None:
    from xpert_server.api.demo import demo_host_names

    assert demo_host_names(Settings()) == {"localhost", "127.0.0.1", "::1"}
    assert "0.0.0.0" not in demo_host_names(Settings(host="0.0.0.0", demo=True))
    assert "10.0.0.5" in demo_host_names(Settings(host="10.0.0.5", demo=True))
    configured = Settings.from_env({"XPERT_DEMO_HOSTS": "chat.example.com, Demo.Example"})
    assert {"chat.example.com", "demo.example"} <= demo_host_names(configured)
