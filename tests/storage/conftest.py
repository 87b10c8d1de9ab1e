"""The storage backends every conformance test runs against: SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from xpert_server.storage import SQLStorage, create_storage


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def storage(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[SQLStorage]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('conf') / 'x.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    s = create_storage(url)
    await s.open()
    yield s
    await s.close()
