"""The app of the "runs, part two" tests, on the suite's backend (XPERT_TEST_BACKEND)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import API_BACKEND
from tests.runs2.common import Env, open_env, write_xperts


@pytest.fixture(scope="session")
def backend_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database URL of this suite's backend: the session's PostgreSQL, or a fresh SQLite file."""
    if API_BACKEND == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return f"sqlite:///{tmp_path_factory.mktemp('runs2-db') / 'xpert.db'}"


@pytest.fixture(scope="session")
async def env(backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Env]:
    data_dir = tmp_path_factory.mktemp("runs2-data")
    xperts = write_xperts(tmp_path_factory.mktemp("runs2-xperts"))
    async with open_env(data_dir, backend_url, xperts) as e:
        yield e
