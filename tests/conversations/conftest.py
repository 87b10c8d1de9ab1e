"""Fixtures of the conversation tests: the run tests' app (test xperts and the demo) plus `recall`, an xpert
that answers with the history it was given (tests/conversations/graphs.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import API_BACKEND
from tests.runs.common import RUNS_ORG, RunsEnv, assistant_id, open_env, write_xperts

GRAPHS = Path(__file__).resolve().parent / "graphs.py"


@pytest.fixture(scope="session")
async def env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunsEnv]:
    data_dir = tmp_path_factory.mktemp("conversations-data")
    if API_BACKEND == "postgres":
        url = str(request.getfixturevalue("pg_url"))
    else:
        url = f"sqlite:///{data_dir / 'xpert.db'}"
    xperts = write_xperts(tmp_path_factory.mktemp("conversations-xperts"))
    (xperts / "recall.yaml").write_text(
        f"name: Recall\nslug: recall\norg: {RUNS_ORG}\ngraph: {GRAPHS}:recall\n", encoding="utf-8"
    )
    async with open_env(data_dir, url, xperts) as e:
        async with await e.asgi() as c:
            e.ids["recall"] = await assistant_id(c, "recall")
        yield e
