"""The API docs pages work with no internet: every script and stylesheet they name is served by this server,
and Swagger UI renders the operations in Chromium while every request to another origin is refused."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.async_api import Route

from tests.chatkit.browser import chromium, require_chromium
from tests.harness.app import ApiHarness
from tests.harness.uvicorn import serve_in_process

# src/href/spec-url attributes and the URLs FastAPI's page scripts pass to Swagger UI (`url: '…'`).
REFERENCE = re.compile(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']|url:\s*'([^']+)'""")


def references(page: str) -> list[str]:
    return [a or b for a, b in REFERENCE.findall(page)]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_docs_pages_name_only_local_assets_and_they_are_served(api: ApiHarness, page: str) -> None:
    async with api.client() as c:
        resp = await c.get(page)
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
        assert "connect-src 'self'" in resp.headers["content-security-policy"]
        assert "cdn." not in resp.text and "googleapis" not in resp.text
        urls = references(resp.text)
        assert any(u.endswith(".js") for u in urls) and "/api/ai/openapi.json" in urls, urls
        for url in urls:
            absolute = urljoin(str(resp.url), url)
            assert urlsplit(absolute).netloc == "test", f"{page} names another origin: {url}"
            path = urlsplit(absolute).path
            assert path.startswith(api.prefix + "/"), url
            asset = await c.get(path.removeprefix(api.prefix))  # the client's base URL has the prefix
            assert asset.status_code == 200 and asset.content, url
        js = await c.get("/docs/assets/swagger-ui-bundle.js")
        assert js.headers["content-type"].startswith("text/javascript") and len(js.content) > 500_000


async def test_a_docs_asset_not_listed_is_not_found(api: ApiHarness) -> None:
    async with api.client() as c:
        for name in ("core.py", "..%2F__init__.py", "nothing.js"):
            resp = await c.get(f"/docs/assets/{name}")
            assert resp.status_code == 404, name


async def test_swagger_ui_renders_the_operations_with_the_network_cut_off(api: ApiHarness) -> None:
    require_chromium()
    refused: list[str] = []
    async with serve_in_process(api.app) as live:
        origin = live.base_url.rstrip("/")

        async def only_this_server(route: Route) -> None:
            if route.request.url.startswith(origin + "/"):
                await route.continue_()
            else:
                refused.append(route.request.url)
                await route.abort()

        async with chromium() as browser:
            page = await browser.new_page()
            await page.route("**/*", only_this_server)
            await page.goto(f"{origin}/api/ai/docs")
            operations = page.locator(".opblock-summary-path")
            await operations.first.wait_for(timeout=20_000)
            paths = await operations.all_inner_texts()
            assert len(paths) > 50 and any("/api/ai/threads" in p for p in paths), paths[:5]
            await page.goto(f"{origin}/api/ai/redoc")
            await page.locator("h1", has_text="xpert-server AI API").first.wait_for(timeout=20_000)
    assert refused == [], refused
