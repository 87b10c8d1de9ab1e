"""Fixtures of the ChatKit tests: an app (in process) on the suite's backend, helpers to mint secrets, and
the browser tests' live world (one per test module), Chromium and a recorded page."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page

from tests.chatkit.browser import Live, Recorder, chromium, open_live, require_chromium
from tests.chatkit.common import ChatkitEnv, open_chatkit_env


@pytest.fixture(scope="session")
async def ck(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ChatkitEnv]:
    async with open_chatkit_env(request, tmp_path_factory) as env:
        yield env


@pytest.fixture(scope="module")
async def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Live]:
    require_chromium()
    async with open_live(request, tmp_path_factory) as world:
        yield world


@pytest.fixture(scope="module")
async def browser(live: Live) -> AsyncIterator[Browser]:
    async with chromium() as b:
        yield b


@pytest.fixture
async def page(browser: Browser, live: Live) -> AsyncIterator[tuple[Page, Recorder]]:
    context = await browser.new_context(viewport={"width": 1180, "height": 760})
    p = await context.new_page()
    rec = Recorder()
    p.on("response", lambda r: rec.responses.append(r))
    p.on("request", lambda q: rec.requests.append(q))
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield p, rec
        assert not errors, errors
        assert not await rec.leaks(), "an API key reached the browser"
        assert rec.responses, "nothing was recorded"
    finally:
        await context.close()
