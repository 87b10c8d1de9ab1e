"""Fixtures of the ChatKit tests: an app (in process) on the suite's backend, and helpers to mint secrets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.chatkit.common import ChatkitEnv, open_chatkit_env


@pytest.fixture(scope="session")
async def ck(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ChatkitEnv]:
    async with open_chatkit_env(request, tmp_path_factory) as env:
        yield env
