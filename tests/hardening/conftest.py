"""The app the route matrices (test_isolation.py, test_privileges.py) share: each builds its own org A."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.harness.app import ApiHarness, open_harness
from tests.harness.dns import everything_public


@pytest.fixture(scope="package")
async def harness(
    api_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ApiHarness]:
    # The operator's connections the field matrix names (`model.connection`, `mcp[].connection`).
    operator = tmp_path_factory.mktemp("matrix-operator") / "connections.yaml"
    operator.write_text(
        "models: {sample-llm: {base_url: 'http://127.0.0.1:9/v1', models: [m]}}\n"
        "mcp: {sample-mcp: {command: 'true'}}\n",
        encoding="utf-8",
    )
    # No rate limit on minting secrets: the matrices make one request per route with each. Webhooks may
    # target loopback: org A's subscription and its run's own webhook name closed ports.
    async with open_harness(
        tmp_path_factory.mktemp("matrix-data"),
        api_database_url,
        secret_rate_limit=0,
        webhook_private_orgs=("*",),
        connections_file=operator,
    ) as h:
        h.services.connections.resolver = everything_public()  # connections made here are never used
        yield h
