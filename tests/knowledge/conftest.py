"""Fixtures of the knowledge tests: an app on the suite's backend (XPERT_TEST_BACKEND) with two test
xperts in their own org, and an app on the other backend for the tests that must cover both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import API_BACKEND, suite_database
from tests.harness.app import ApiHarness, open_harness

KB_ORG = "kb-tests"
MANUALS_KB = "kb-tests-manuals"


def write_xperts(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reader.yaml").write_text(
        f"name: Reader\nslug: reader\norg: {KB_ORG}\nsystem_prompt: Answer from the attached files.\n",
        encoding="utf-8",
    )
    (folder / "librarian.yaml").write_text(
        f"name: Librarian\nslug: librarian\norg: {KB_ORG}\nknowledge: [{MANUALS_KB}]\n"
        "system_prompt: Answer from the knowledge base and cite the document.\n",
        encoding="utf-8",
    )
    return folder


@dataclass
class KEnv:
    harness: ApiHarness
    data_dir: Path
    files_dir: Path
    backend: str

    async def client(self, org: str | None = None, **headers: str) -> httpx.AsyncClient:
        key, _ = await self.harness.mint_key(org)
        return self.harness.client(key, **headers)


async def _open(data_dir: Path, url: str, backend: str, xperts: Path | None) -> AsyncIterator[KEnv]:
    files_dir = data_dir / "uploads"
    async with open_harness(data_dir, url, xperts_dir=xperts, files_dir=files_dir) as h:
        yield KEnv(h, data_dir, files_dir, backend)


@pytest.fixture(scope="session")
async def kenv(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[KEnv]:
    data_dir = tmp_path_factory.mktemp("kb-data")
    url = suite_database(request, data_dir)
    xperts = write_xperts(tmp_path_factory.mktemp("kb-xperts"))
    async for env in _open(data_dir, url, API_BACKEND, xperts):
        yield env


@pytest.fixture(scope="session")
async def other_kenv(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[KEnv]:
    """The backend the suite is not running on (so search is tested on SQLite and PostgreSQL)."""
    data_dir = tmp_path_factory.mktemp("kb-other")
    if API_BACKEND == "postgres":
        backend, url = "sqlite", f"sqlite:///{data_dir / 'x.db'}"
    else:
        backend, url = "postgres", str(request.getfixturevalue("pg_url"))
    async for env in _open(data_dir, url, backend, None):
        yield env


@pytest.fixture(params=["suite", "other"])
def any_kenv(request: pytest.FixtureRequest) -> KEnv:
    env: KEnv = request.getfixturevalue("kenv" if request.param == "suite" else "other_kenv")
    return env
