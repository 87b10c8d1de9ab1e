"""The browser tests' world: the app served by uvicorn on a free port (demo page on), a customer's page
on another port (another origin) with the example back end, and Debian's Chromium driven by Playwright.

Chromium comes from `apt-get install chromium` (.ci/run does it), never from `playwright install`. Where it
is missing the browser tests skip, unless XPERT_REQUIRE_SERVICES=1: then they fail.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
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


def load_example_backend(api_url: str) -> Any:
    """examples/chatkit_backend.py, with its SDK client pointed at the test server (instead of the env)."""
    spec = importlib.util.spec_from_file_location(
        "chatkit_backend_example", ROOT / "examples" / "chatkit_backend.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.Client = functools.partial(module.Client, api_url=api_url, api_key=API_KEY)
    return module


SHOP_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>A shop that embeds the chat</title>
<link rel="icon" href="data:,">
<style>body{{margin:0;font:15px system-ui;background:#fafaf7}} #chat{{height:640px;margin:20px}}</style>
<script type="module">
  import {{ createChatKit }} from "{base}/chatkit/chatkit.js";
  createChatKit(document.getElementById("chat"), {{
    api: {{
      apiUrl: "{base}/api/ai",
      xpertId: "{xpert_id}",
      async getClientSecret(current) {{
        const response = await fetch("/api/chatkit/session", {{ method: "POST" }});
        return (await response.json()).client_secret;
      }},
    }},
    theme: {{ colorScheme: "dark", color: {{ accent: {{ primary: "#0f766e", level: 1 }} }} }},
    startScreen: {{ greeting: "Questions about your order?" }},
    composer: {{ placeholder: "Ask the shop assistant…" }},
  }});
</script></head>
<body><h1 style="margin:20px">The shop</h1><div id="chat"></div></body></html>
"""


def shop_app(base: str, xpert_id: str) -> Starlette:
    """The customer's site on another origin: a page embedding the widget, and the example back end."""
    backend = load_example_backend(base + "/api/ai")
    page = SHOP_PAGE.format(base=base, xpert_id=xpert_id)

    async def index(request: Request) -> Response:
        return HTMLResponse(page)

    routes = [Route("/", index), *backend.app.routes]
    return Starlette(routes=routes)


def write_xperts(folder: Path) -> Path:
    return xpert_files(folder, GRAPHS, ("slow", "steps"))


@dataclass
class Live:
    harness: ApiHarness
    base: str  # the API's origin: http://127.0.0.1:<port>
    shop: str  # the customer's origin: another port
    ids: dict[str, str] = field(default_factory=dict)


@asynccontextmanager
async def open_live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Live]:
    api_sock, shop_sock = bound_socket(), bound_socket()
    base = f"http://127.0.0.1:{api_sock.getsockname()[1]}"
    shop = f"http://127.0.0.1:{shop_sock.getsockname()[1]}"
    url = suite_database(request, tmp_path_factory.mktemp("chatkit-browser-db"))
    xperts = write_xperts(tmp_path_factory.mktemp("chatkit-xperts"))
    async with open_harness(
        tmp_path_factory.mktemp("chatkit-browser-data"),
        url,
        api_key=API_KEY,
        cors_origins=(shop,),
        xperts_dir=xperts,
        demo_overrides=True,
    ) as harness:
        live = Live(harness, base, shop)
        async with harness.client(API_KEY) as c:
            for slug in ("demo", "slow", "steps"):
                found = (
                    await c.post("/assistants/search", json={"limit": 1, "metadata": {"slug": slug}})
                ).json()
                live.ids[slug] = found[0]["assistant_id"]
        async with (
            serve_in_process(harness.app, sock=api_sock),
            serve_in_process(shop_app(base, live.ids["demo"]), sock=shop_sock, lifespan="on"),
        ):
            yield live
