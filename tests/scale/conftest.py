"""Fixtures of the scale-out tests: a fresh PostgreSQL database and a Redis key prefix per test.

Redis is the machine's shared one (XPERT_TEST_REDIS_URL, default 127.0.0.1:6379): keys live under the
test's own prefix and are deleted after it (never FLUSHALL). Without PostgreSQL or Redis the tests skip,
unless XPERT_REQUIRE_SERVICES=1 (CI), where they fail.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import _service_missing, scratch_database
from tests.harness.app import TEST_REDIS_URL
from tests.harness.cluster import Cluster
from tests.scale.common import write_xperts


@pytest.fixture
def scale_db() -> Iterator[str]:
    with scratch_database("xpert_scale") as url:
        yield url


async def drop_prefix(url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    r = Redis.from_url(url)
    try:
        async for key in r.scan_iter(match=f"{prefix}:*", count=1000):
            await r.delete(key)
    finally:
        await r.aclose()


@pytest.fixture
async def redis_url() -> str:
    from redis.asyncio import Redis

    r = Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=2)
    try:
        await r.ping()
    except Exception as e:
        _service_missing("Redis", e)
        raise
    finally:
        await r.aclose()
    return TEST_REDIS_URL


@pytest.fixture
async def cluster(scale_db: str, redis_url: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    c = Cluster(
        tmp_path,
        scale_db,
        redis_url,
        f"xpert-scale-{secrets.token_hex(4)}",
        write_xperts(tmp_path / "xperts"),
    )
    try:
        yield c
    finally:
        c.stop_all()
        await drop_prefix(redis_url, c.prefix)
