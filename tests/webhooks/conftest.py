"""Webhook tests run on a database of their own: every process delivers its database's whole outbox, so
a harness of the shared test database (which does not allow private targets) must not see these."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import API_BACKEND, scratch_database
from tests.harness.app import ApiHarness, open_harness

# Loopback receivers are private addresses: these tests' orgs may reach them (the operator's setting).
FAST = {
    "webhook_private_orgs": ("*",),
    "webhook_poll": 0.05,
    "webhook_backoff": 0.05,
    "webhook_timeout": 2.0,
}


@pytest.fixture
def webhook_db(tmp_path: Path) -> Any:
    if API_BACKEND == "postgres":
        with scratch_database("xpert_webhooks") as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'webhooks.db'}"


@pytest.fixture
async def hooks(webhook_db: str, tmp_path: Path) -> AsyncIterator[ApiHarness]:
    async with open_harness(tmp_path / "data", webhook_db, **FAST) as h:
        yield h
