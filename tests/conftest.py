"""Shared fixtures: real databases (SQLite files, and a fresh PostgreSQL database per session), the API
suite's app, and the app of the scripted xperts (runs, store and assistant tests share it).

PostgreSQL comes from XPERT_TEST_PG_URL (default 127.0.0.1:5432, trust auth, database `test`, as this
machine kind provides). Each session creates its own database and drops it after. Where PostgreSQL
is missing the tests that need it skip with one line, unless XPERT_REQUIRE_SERVICES=1 (CI): then
they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.harness.app import SCALED, ApiHarness, open_harness
from tests.harness.scripted import ScriptedEnv, open_env, write_xperts

PG_ADMIN_URL = os.environ.get("XPERT_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("XPERT_REQUIRE_SERVICES") == "1"
# The API suite's backend: "sqlite" (default) or "postgres" (CI runs both).
API_BACKEND = os.environ.get("XPERT_TEST_BACKEND", "sqlite")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "any_mode: nothing the test runs follows XPERT_TEST_BACKEND or XPERT_TEST_REDIS (plain code, the CLI, "
        "`xpert serve` subprocesses on their own SQLite): its run on the default backend covers every mode, "
        "so a PostgreSQL or Redis run leaves it out",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if API_BACKEND == "sqlite" and not SCALED:
        return
    left_out = [item for item in items if item.get_closest_marker("any_mode")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not item.get_closest_marker("any_mode")]


def _service_missing(what: str, err: Exception) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (XPERT_REQUIRE_SERVICES=1) but unreachable: {err}")
    pytest.skip(f"{what} not reachable ({type(err).__name__}); set XPERT_TEST_PG_URL to run these tests")


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database named `<prefix>_<random>` (its URL), dropped afterwards."""
    import psycopg

    name = f"{prefix}_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as e:
        _service_missing("PostgreSQL", e)
        raise
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def suite_database(request: pytest.FixtureRequest, folder: Path) -> str:
    """A database URL on the suite's backend: the session's PostgreSQL database, or a SQLite file in
    `folder`."""
    if API_BACKEND == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return f"sqlite:///{folder / 'xpert.db'}"


def own_database(request: pytest.FixtureRequest, folder: Path, prefix: str) -> str:
    """A database of the calling fixture's own on the suite's backend, dropped when that fixture ends.

    For an app whose settings differ from the shared test database's apps in what a process does with the
    whole database (webhook targets it may reach, say): every process delivers its database's whole
    outbox, so a harness of the shared database would deliver — or refuse — this app's webhooks."""
    if API_BACKEND != "postgres":
        return f"sqlite:///{folder / 'xpert.db'}"
    scratch = scratch_database(prefix)
    url = scratch.__enter__()
    request.addfinalizer(lambda: scratch.__exit__(None, None, None))
    return url


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database made for this test session, dropped afterwards."""
    with scratch_database("xpert_test") as url:
        yield url


@pytest.fixture(scope="session")
def api_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    return suite_database(request, tmp_path_factory.mktemp("api-db"))


@pytest.fixture(scope="session")
async def api(api_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ApiHarness]:
    """One app for the whole API suite; tests isolate themselves by minting keys in fresh orgs."""
    data_dir: Path = tmp_path_factory.mktemp("api-data")
    async with open_harness(data_dir, api_database_url) as harness:
        yield harness


@pytest.fixture(scope="session")
def backend_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database URL on the suite's backend: the session's PostgreSQL, or a fresh SQLite file."""
    return suite_database(request, tmp_path_factory.mktemp("scripted-db"))


@pytest.fixture(scope="session")
async def scripted(backend_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ScriptedEnv]:
    """One app serving the scripted xperts (tests/graphs_scripted.py), in process and over real HTTP."""
    data_dir = tmp_path_factory.mktemp("scripted-data")
    xperts = write_xperts(tmp_path_factory.mktemp("scripted-xperts"))
    async with open_env(data_dir, backend_url, xperts) as e:
        yield e
