"""Fixtures of the run tests: one app with the test xperts (ticker, boom, echo) and the demo, served both
in process and by a real uvicorn, on the suite's backend (XPERT_TEST_BACKEND)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import suite_database
from tests.runs.common import RunsEnv, open_env, write_xperts


@pytest.fixture(scope="session")
async def env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunsEnv]:
    data_dir = tmp_path_factory.mktemp("runs-data")
    url = suite_database(request, data_dir)
    xperts = write_xperts(tmp_path_factory.mktemp("runs-xperts"))
    async with open_env(data_dir, url, xperts) as e:
        yield e
