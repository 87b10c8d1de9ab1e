"""Fixtures of the conversation tests: the run tests' app (test xperts and the demo) plus `recall`, an xpert
that answers with the history it was given (tests/graphs_scripted.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import suite_database
from tests.harness.xperts import SCRIPTED
from tests.harness.xperts import write_xperts as xpert_files
from tests.runs.common import RUNS_ORG, RunsEnv, assistant_id, open_env, write_xperts


@pytest.fixture(scope="session")
async def env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunsEnv]:
    data_dir = tmp_path_factory.mktemp("conversations-data")
    url = suite_database(request, data_dir)
    xperts = xpert_files(
        write_xperts(tmp_path_factory.mktemp("conversations-xperts")), SCRIPTED, ["recall"], RUNS_ORG
    )
    async with open_env(data_dir, url, xperts) as e:
        async with await e.asgi() as c:
            e.ids["recall"] = await assistant_id(c, "recall")
        yield e
