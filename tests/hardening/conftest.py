"""The app the route matrices (test_isolation.py, test_privileges.py) share: each builds its own org A."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import own_database
from tests.harness.app import ApiHarness, open_harness
from tests.harness.dns import everything_public


@pytest.fixture(scope="package")
async def harness(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ApiHarness]:
    # A database of its own: its webhook policy (any org may target loopback) must not deliver the shared
    # database's webhooks, which other suites expect refused.
    url = own_database(request, tmp_path_factory.mktemp("matrix-db"), "xpert_matrix")
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
        url,
        secret_rate_limit=0,
        webhook_private_orgs=("*",),
        connections_file=operator,
    ) as h:
        h.services.connections.resolver = everything_public()  # connections made here are never used
        yield h
