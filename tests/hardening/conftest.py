"""The app the route matrices (test_isolation.py, test_privileges.py) share: each builds its own org A."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.harness.app import ApiHarness, open_harness


@pytest.fixture(scope="package")
async def harness(
    api_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ApiHarness]:
    # No rate limit on minting secrets: the matrices make one request per route with each.
    async with open_harness(
        tmp_path_factory.mktemp("matrix-data"), api_database_url, secret_rate_limit=0
    ) as h:
        yield h
