"""One app of the scripted xperts for the cron tests (tests/harness/scripted.py), looking for due crons every
0.1 s, on the harness's steered clock: tests move "now" to a tick instead of waiting for it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.harness.scripted import ScriptedEnv, open_env, write_xperts


@pytest.fixture(scope="module")
async def env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ScriptedEnv]:
    from tests.conftest import suite_database

    url = suite_database(request, tmp_path_factory.mktemp("crons-db"))
    xperts = write_xperts(tmp_path_factory.mktemp("crons-xperts"))
    async with open_env(tmp_path_factory.mktemp("crons-data"), url, xperts, cron_interval=0.1) as e:
        yield e
