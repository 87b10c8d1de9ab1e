"""The browser tests' world: the app served by uvicorn on a free port (demo page on), a customer's page
on another port (another origin) with the example back end, and Debian's Chromium driven by Playwright.

Chromium comes from `apt-get install chromium` (.ci/run does it), never from `playwright install`. Where it
is missing the browser tests skip, unless XPERT_REQUIRE_SERVICES=1: then they fail.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright import async_api as pw
from playwright.async_api import Page, expect
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.conftest import REQUIRE_SERVICES, suite_database
from tests.harness.app import ApiHarness, open_harness
from tests.harness.uvicorn import bound_socket, serve_in_process
from tests.harness.xperts import write_xperts as xpert_files

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = ROOT / "test-artifacts"
GRAPHS = Path(__file__).resolve().parent / "graphs.py"
# The server's API key: the tests check that no response the browser receives ever contains it.
API_KEY = "sk-x-" + "5ec7e7" * 8


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing (install Debian's: apt-get install -y chromium)"
    if REQUIRE_SERVICES:
        pytest.fail(f"Chromium is required (XPERT_REQUIRE_SERVICES=1): {reason}")
    pytest.skip(reason)


@asynccontextmanager
async def chromium() -> AsyncIterator[pw.Browser]:
    """Debian's Chromium under Playwright, closed (and Playwright stopped) on the way out: the one launch
    every browser test uses."""
    playwright = await pw.async_playwright().start()
    try:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()
    finally:
        await playwright.stop()


def load_example_backend(api_url: str, xpert_id: str | None, api_key: str = API_KEY) -> Any:
    """examples/chatkit_backend.py as its README runs it, configured for the test server (instead of the env)."""
    spec = importlib.util.spec_from_file_location(
        "chatkit_backend_example", ROOT / "examples" / "chatkit_backend.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.API_URL, module.XPERT_ID = api_url, xpert_id
    module.Client = functools.partial(module.Client, api_key=api_key)
    return module


def shop_app(base: str, xpert_id: str) -> Starlette:
    """The customer's site on another origin: the example back end, its page and its session route."""
    app: Starlette = load_example_backend(base + "/api/ai", xpert_id).app
    return app


def troubled_app(base: str, xpert_id: str, trouble: dict[str, str]) -> Starlette:
    """The example's page on a third origin whose session goes wrong as `trouble` says: `plain500` (a
    framework's bare "Internal Server Error") or `key` (the example back end holding that key)."""
    page = load_example_backend(base + "/api/ai", xpert_id)

    async def session(request: Request) -> Response:
        if trouble.get("session") == "plain500":
            return PlainTextResponse("Internal Server Error", status_code=500)
        backend = load_example_backend(base + "/api/ai", xpert_id, api_key=trouble["key"])
        answer: Response = await run_in_threadpool(backend.session, request)
        return answer

    return Starlette(routes=[Route("/", page.page), Route("/api/chatkit/session", session, methods=["POST"])])


def write_xperts(folder: Path) -> Path:
    return xpert_files(folder, GRAPHS, ("slow", "steps"))


@dataclass
class Live:
    harness: ApiHarness
    base: str  # the API's origin: http://127.0.0.1:<port>
    shop: str  # the customer's origin: another port
    troubled: str  # a third origin, whose session back end fails as `trouble` says
    ids: dict[str, str] = field(default_factory=dict)
    trouble: dict[str, str] = field(default_factory=dict)


@asynccontextmanager
async def open_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Live]:
    api_sock, shop_sock, troubled_sock = bound_socket(), bound_socket(), bound_socket()
    base = f"http://127.0.0.1:{api_sock.getsockname()[1]}"
    shop = f"http://127.0.0.1:{shop_sock.getsockname()[1]}"
    troubled = f"http://127.0.0.1:{troubled_sock.getsockname()[1]}"
    url = suite_database(request, tmp_path_factory.mktemp("chatkit-browser-db"))
    xperts = write_xperts(tmp_path_factory.mktemp("chatkit-xperts"))
    async with open_harness(
        tmp_path_factory.mktemp("chatkit-browser-data"),
        url,
        api_key=API_KEY,
        cors_origins=(shop, troubled),
        xperts_dir=xperts,
        demo_overrides=True,
    ) as harness:
        live = Live(harness, base, shop, troubled)
        async with harness.client(API_KEY) as c:
            for slug in ("demo", "slow", "steps"):
                found = (
                    await c.post("/assistants/search", json={"limit": 1, "metadata": {"slug": slug}})
                ).json()
                live.ids[slug] = found[0]["assistant_id"]
        async with (
            serve_in_process(harness.app, sock=api_sock),
            serve_in_process(shop_app(base, live.ids["demo"]), sock=shop_sock, lifespan="on"),
            serve_in_process(
                troubled_app(base, live.ids["demo"], live.trouble), sock=troubled_sock, lifespan="on"
            ),
        ):
            yield live


# ---- helpers of the browser tests -----------------------------------------------------------------------

TIMEOUT = 20_000
DONE = re.compile(r"^(success|error|interrupted)$")


class Recorder:
    """Every response a page receives, to prove no API key ever reaches the browser."""

    def __init__(self) -> None:
        self.responses: list[pw.Response] = []
        self.requests: list[pw.Request] = []

    async def leaks(self) -> list[str]:
        found = []
        for r in self.responses:
            try:
                body = (await r.body()).decode("utf-8", "replace")
            except Exception:  # noqa: BLE001 - aborted streams (stop, reload) have no body to read
                body = ""
            headers = json.dumps(await r.all_headers())
            for text in (body, headers):
                if API_KEY in text or re.search(r"sk-x-[0-9a-f]{8}", text):
                    found.append(r.url)
        return found

    def api_calls(self, method: str, pattern: str) -> list[pw.Request]:
        return [q for q in self.requests if q.method == method and re.search(pattern, q.url)]


async def shot(p: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await p.screenshot(path=str(ARTIFACTS / f"chatkit-{name}.png"))


def composer(p: Page) -> Any:
    return p.locator("textarea[name=message]")


async def say(p: Page, text: str) -> None:
    await composer(p).fill(text)
    await composer(p).press("Enter")


async def reply(p: Page, index: int = -1) -> Any:
    """The AI message at `index`, once finished."""
    ai = p.locator("[data-role=ai]").nth(index)
    await expect(ai).to_have_attribute("data-status", DONE, timeout=TIMEOUT)
    return ai


async def open_demo(p: Page, live: Live, query: str = "") -> None:
    await p.goto(f"{live.base}/{query}")
    await expect(composer(p)).to_be_visible(timeout=TIMEOUT)
