"""The console in a real browser (Playwright + Debian's Chromium) against a served app with seeded runs:
sign in, read the overview's charts, create an app key (shown once), create an xpert and chat with it in
the playground, revoke the key, sign out; every page at 390 px without sideways scrolling; axe-core finds
no serious or critical violation; the key never reaches the browser's storage.

Screenshots go to test-artifacts/ (console-<page>-<desktop|phone>.png)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests.agents.fake_openai import FakeOpenAI
from tests.chatkit.browser import ARTIFACTS, chromium, require_chromium
from tests.conftest import suite_database
from tests.console.axe import axe_source
from tests.harness.app import ApiHarness, new_org, open_harness
from tests.harness.chat import send
from tests.harness.uvicorn import bound_socket, serve_in_process

TIMEOUT = 20_000
DONE = re.compile(r"^(success|error|interrupted)$")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass
class World:
    harness: ApiHarness
    base: str
    key: str  # the org admin key that signs in
    org: str
    ids: dict[str, str]


@pytest.fixture(scope="module")
async def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[World]:
    require_chromium()
    fake, org = FakeOpenAI(), new_org()
    folder = tmp_path_factory.mktemp("console-xperts")
    async with serve_in_process(fake.app(), "") as llm:
        for slug, name, url in (
            ("support", "Support bot", f"{llm.base_url}/v1"),
            ("broken", "Broken bot", "http://127.0.0.1:9/v1"),  # nothing listens: its runs end in error
        ):
            (folder / f"{slug}.yaml").write_text(
                textwrap.dedent(
                    f"""
                    name: {name}
                    slug: {slug}
                    org: {org}
                    model: {{provider: openai, name: tool-bot, base_url: '{url}', options: {{max_retries: 0}}}}
                    """
                ),
                encoding="utf-8",
            )
        url = suite_database(request, tmp_path_factory.mktemp("console-browser-db"))
        async with open_harness(tmp_path_factory.mktemp("console-data"), url, xperts_dir=folder) as h:
            key, _ = await h.mint_key(org)
            ids: dict[str, str] = {}
            async with h.client(key) as c:
                for slug in ("support", "broken"):
                    found = (await c.post("/assistants/search", json={"metadata": {"slug": slug}})).json()
                    ids[slug] = found[0]["assistant_id"]
                for slug, n in (("support", 3), ("broken", 1)):
                    for i in range(n):
                        tid = (await c.post("/threads", json={})).json()["thread_id"]
                        await c.post(
                            f"/threads/{tid}/runs/wait",
                            json={"assistant_id": ids[slug], "input": send(f"hello {i}")},
                        )
            sock = bound_socket()
            async with serve_in_process(h.app, sock=sock):
                yield World(h, f"http://127.0.0.1:{sock.getsockname()[1]}", key, org, ids)


@pytest.fixture(scope="module")
async def browser(world: World) -> AsyncIterator[Browser]:
    async with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def axe(request: pytest.FixtureRequest) -> str:
    return axe_source(request.config)


async def new_page(browser: Browser, viewport: dict[str, int]) -> Page:
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = await context.new_page()
    page.on("dialog", lambda d: d.accept())
    page.set_default_timeout(TIMEOUT)
    return page


async def shot(p: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await p.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


async def sign_in(p: Page, w: World, key: str | None = None) -> None:
    await p.goto(f"{w.base}/console")
    await p.get_by_label("Org admin API key").fill(key or w.key)
    await p.get_by_role("button", name="Sign in").click()


async def overflow(p: Page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return int(await p.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


async def axe_violations(p: Page, axe: str) -> list[str]:
    if not await p.evaluate("typeof window.axe !== 'undefined'"):
        await p.evaluate(axe)  # through the debugging protocol: the page's CSP stays as it is
    found = await p.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(" ")).slice(0, 3).join("; ")})`)"""
    )
    return list(found)


async def check_page(p: Page, axe: str, name: str, failures: list[str]) -> None:
    await expect(p.locator("#view h1, #signin:not([hidden]) h1").first).to_be_visible()
    await expect(p.locator("[aria-busy=true]")).to_have_count(0)
    wide = await overflow(p)
    if wide > 0:
        failures.append(f"{name}: {wide}px of horizontal overflow")
    failures.extend(f"{name}: {v}" for v in await axe_violations(p, axe))
    await shot(p, name)


async def test_the_console_end_to_end(browser: Browser, world: World, axe: str) -> None:
    w = world
    p = await new_page(browser, DESKTOP)
    failures: list[str] = []
    await p.goto(f"{w.base}/console")
    await check_page(p, axe, "signin-desktop", failures)
    await sign_in(p, w)
    await expect(p.get_by_role("navigation", name="Console sections")).to_be_visible()
    await expect(p.get_by_role("heading", name="Overview", level=1)).to_be_visible()

    # The key is nowhere the page's scripts (or anyone with them) could read it again.
    stored = await p.evaluate(
        "JSON.stringify([Object.assign({}, localStorage), Object.assign({}, sessionStorage), document.cookie])"
    )
    assert w.key not in stored and "xs-" not in stored, stored
    assert await p.get_by_label("Org admin API key").input_value() == ""

    # Overview: the seeded runs (3 good, 1 failed) in the totals and in the charts' numbers.
    await expect(p.locator("[data-total=runs] dd")).to_have_text("4")
    await expect(p.locator("[data-total=errors] dd")).to_have_text("1 (25.0%)")
    bars = p.locator("figure:has-text('Runs and errors') rect.bar")
    values = [
        int(v or 0) for v in await bars.evaluate_all("els => els.map(e => e.getAttribute('data-value'))")
    ]
    assert sum(values) == 4, values
    hover = await p.locator("figure:has-text('Runs and errors') rect.hit title").all_text_contents()
    assert any("runs: 3" in t and "errors: 1" in t for t in hover), hover
    assert await p.locator("figure:has-text('Run latency') circle.dot title").count() >= 2
    tokens = await p.locator("figure:has-text('Tokens by model') rect.bar title").all_text_contents()
    assert any("tool-bot" in t and "tokens" in t for t in tokens), tokens
    await expect(p.locator("table:has(caption:text('Runs by xpert'))")).to_contain_text("Support bot")
    await check_page(p, axe, "overview-desktop", failures)
    await p.get_by_label("Xpert", exact=True).select_option(label="Broken bot")
    await expect(p.locator("[data-total=runs] dd")).to_have_text("1")

    # Keys: create an app key, shown once, that works; then revoke it.
    await p.get_by_role("link", name="Keys").click()
    await expect(p.get_by_role("heading", name="API keys")).to_be_visible()
    await p.get_by_label("Name", exact=True).fill("ci app key")
    await p.get_by_label("Role").select_option("app")
    await p.get_by_label("Expires").select_option(label="30 days")
    await p.get_by_role("button", name="Create key").click()
    new_key = await p.get_by_label("The new key").input_value()
    assert new_key.startswith("sk-x-"), new_key
    async with httpx.AsyncClient(base_url=f"{w.base}/api/ai", headers={"x-api-key": new_key}) as c:
        assert (await c.post("/assistants/search", json={})).status_code == 201
        assert (await c.get("/keys")).status_code == 403  # an app key
    row = p.locator("tr", has_text="ci app key")
    await expect(row).to_contain_text("active")
    await expect(p.locator("tr", has_text="this session")).to_contain_text(w.key[-4:])
    await check_page(p, axe, "keys-desktop", failures)
    await row.get_by_role("button", name=re.compile("Revoke")).click()
    await expect(p.locator("tr", has_text="ci app key")).to_contain_text("revoked")
    async with httpx.AsyncClient(base_url=f"{w.base}/api/ai", headers={"x-api-key": new_key}) as c:
        assert (await c.post("/assistants/search", json={})).status_code == 401

    # Connections: the page lists them and creates one of the org's.
    await p.get_by_role("link", name="Connections").click()
    await expect(p.get_by_role("heading", name="Connections", level=1)).to_be_visible()
    await p.get_by_label("Name", exact=True).fill("team-llm")
    await p.get_by_label("URL").fill("https://1.1.1.1/v1")
    await p.get_by_label("Models (comma-separated)").fill("small, large")
    await p.get_by_label("API key", exact=True).fill("sk-provider-secret-123456")
    await p.get_by_role("button", name="Create connection").click()
    await expect(p.locator("tr", has_text="team-llm")).to_contain_text("small, large")
    assert "sk-provider-secret-123456" not in await p.content()
    await check_page(p, axe, "connections-desktop", failures)

    # Xperts: create one, see its detail, chat with it in the playground.
    await p.get_by_role("link", name="Xperts").click()
    await expect(p.get_by_role("heading", name="Xperts", level=1)).to_be_visible()
    await check_page(p, axe, "xperts-desktop", failures)
    await p.get_by_label("Name", exact=True).fill("Playground bot")
    await p.get_by_label("System prompt").fill("You are terse.")
    await p.get_by_role("button", name="Create xpert").click()
    await expect(p.get_by_role("heading", name="Playground bot", level=1)).to_be_visible()
    await expect(p.locator("pre.code")).to_contain_text('"system_prompt": "You are terse."')
    # An operator-only field is refused with the API's own 403 message, shown next to the form.
    await p.get_by_label("Other definition fields (JSON object)").fill(json.dumps({"graph": "x.py:g"}))
    await p.get_by_role("button", name="Save changes").click()
    await expect(p.locator("#view form .error")).to_contain_text("Not allowed")
    await expect(p.locator("#view form .error")).to_contain_text("graph")
    await p.get_by_label("Other definition fields (JSON object)").fill("")
    await check_page(p, axe, "xpert-desktop", failures)
    await p.get_by_role("button", name="Open the playground").click()
    composer = p.locator("textarea[name=message]")
    await expect(composer).to_be_visible()
    await composer.fill("What time is it?")
    await composer.press("Enter")
    ai = p.locator("[data-role=ai]").last
    await expect(ai).to_have_attribute("data-status", DONE)
    assert await ai.get_attribute("data-status") == "success"
    assert (await ai.inner_text()).strip()
    await shot(p, "playground-desktop")

    # Sign out: the cookie is gone and worthless, the page is back at the sign-in form.
    await p.get_by_role("button", name="Sign out").click()
    await expect(p.get_by_label("Org admin API key")).to_be_visible()
    assert not [c for c in await p.context.cookies() if c["name"] == "xpert_console"]
    await p.reload()
    await expect(p.get_by_label("Org admin API key")).to_be_visible()
    await p.context.close()
    assert not failures, "\n".join(failures)


async def test_every_page_fits_a_phone(browser: Browser, world: World, axe: str) -> None:
    w = world
    p = await new_page(browser, PHONE)
    failures: list[str] = []
    await p.goto(f"{w.base}/console")
    await check_page(p, axe, "signin-phone", failures)
    await sign_in(p, w)
    await expect(p.locator("[data-total=runs] dd")).not_to_have_text("")
    for name, hash_ in (
        ("overview", "#/overview"),
        ("xperts", "#/xperts"),
        ("xpert", f"#/xperts/{w.ids['support']}"),
        ("keys", "#/keys"),
        ("connections", "#/connections"),
    ):
        await p.goto(f"{w.base}/console{hash_}")
        await check_page(p, axe, f"{name}-phone", failures)
    await p.goto(f"{w.base}/console#/xperts/{w.ids['support']}")
    await p.get_by_role("button", name="Open the playground").click()
    await expect(p.locator("textarea[name=message]")).to_be_visible()
    await check_page(p, axe, "playground-phone", failures)
    await p.context.close()
    assert not failures, "\n".join(failures)


async def test_other_credentials_cannot_sign_in(browser: Browser, world: World) -> None:
    w = world
    h = w.harness
    app_key, _ = await h.mint_key(w.org, role="app")
    bound_key, _ = await h.mint_key(w.org, role="admin", xpert_id=w.ids["support"])
    async with h.client(w.key) as c:
        secret = (await c.post("/v1/chatkit/sessions", json={})).json()["client_secret"]
    p = await new_page(browser, DESKTOP)
    for credential, words in (
        (app_key, "needs an admin key"),
        (bound_key, "not bound to one xpert"),
        (secret, "client secret cannot sign in"),
        ("sk-x-" + "0" * 48, "Invalid token"),
    ):
        await sign_in(p, w, credential)
        error = p.locator("#signin-error")
        await expect(error).to_contain_text(words)
        await expect(error).to_contain_text("(40")
        await expect(p.get_by_role("navigation", name="Console sections")).to_be_hidden()
        assert not [c for c in await p.context.cookies() if c["name"] == "xpert_console"]
    await p.context.close()


async def test_editing_a_yaml_xpert_keeps_its_declared_model(browser: Browser, world: World) -> None:
    w = world
    p = await new_page(browser, DESKTOP)
    await sign_in(p, w)
    await expect(p.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    # The charts' numbers are also a table, for keyboards and screen readers.
    runs = p.locator("figure:has-text('Runs and errors') details.numbers")
    await runs.locator("summary").click()
    async with w.harness.client(w.key) as c:
        totals = (await c.get("/console/stats")).json()["totals"]
    cells = runs.locator("tbody tr").first.locator("td")
    await expect(cells).to_have_text([str(totals["runs"] - totals["errors"]), str(totals["errors"])])
    await p.goto(f"{w.base}/console#/xperts/{w.ids['support']}")
    await expect(p.get_by_role("heading", name="Support bot", level=1)).to_be_visible()
    await expect(p.get_by_role("region", name="Model and connections")).to_contain_text("tool-bot")
    await expect(p.get_by_label("Model connection")).to_have_value("__keep__")
    await p.get_by_label("Description").fill("Answers support questions.")
    await p.get_by_role("button", name="Save changes").click()
    await expect(p.locator("p.muted", has_text="version 2")).to_be_visible()
    async with w.harness.client(w.key) as c:
        (latest, *_) = (await c.get(f"/assistants/{w.ids['support']}/versions")).json()
    assert latest["description"] == "Answers support questions."
    assert latest["definition"]["model"]["name"] == "tool-bot"
    await p.context.close()
