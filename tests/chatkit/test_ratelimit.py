"""Per-secret request limits (60/min by default → 429 + Retry-After); per-key limits only when configured."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.chatkit.common import ChatkitEnv, open_chatkit_env
from xpert_server.auth.principal import Principal
from xpert_server.errors import TooManyRequests
from xpert_server.limits.rate import LocalRateLimiter, RequestLimits


async def test_a_secret_gets_60_requests_a_minute(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    secret = await tenant.secret()
    async with tenant.as_secret(secret) as c:
        statuses = [(await c.post("/threads/count", json={})).status_code for _ in range(60)]
        assert statuses == [201] * 60
        resp = await c.post("/threads/count", json={})
    assert resp.status_code == 429
    assert resp.json()["statusCode"] == 429
    assert int(resp.headers["retry-after"]) >= 1
    # The limit is per secret: the same visitor's next secret, and the key, are unaffected.
    async with tenant.as_secret(await tenant.secret()) as c:
        assert (await c.post("/threads/count", json={})).status_code == 201


async def test_api_keys_are_not_limited_by_default(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    async with tenant.client() as c:
        statuses = {(await c.post("/threads/count", json={})).status_code for _ in range(100)}
    assert statuses == {201}


@pytest.fixture(scope="module")
async def limited(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ChatkitEnv]:
    async with open_chatkit_env(request, tmp_path_factory, key_rate_limit=5, secret_rate_limit=3) as env:
        yield env


async def test_limits_are_configurable(limited: ChatkitEnv) -> None:
    tenant = await limited.tenant()  # uses the key once (POST /assistants)
    async with tenant.client() as c:
        statuses = [(await c.post("/threads/count", json={})).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 201, 429]
    # The key is spent, so the secret comes from a fresh key of the same org.
    async with tenant.as_secret(await _secret_with_fresh_key(limited, tenant.org)) as c:
        statuses = [(await c.post("/threads/count", json={})).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]


async def _secret_with_fresh_key(env: ChatkitEnv, org: str) -> str:
    key, _ = await env.harness.mint_key(org)
    async with env.harness.client(key) as c:
        resp = await c.post("/v1/chatkit/sessions", json={})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["client_secret"])


async def test_buckets_refill_over_the_window() -> None:
    now = [1000.0]
    limits = RequestLimits(LocalRateLimiter(clock=lambda: now[0]), per_secret=60)
    p = Principal(org_id="o", kind="secret", secret_id="s1", user_id="cs:s1")
    for _ in range(60):
        await limits.check(p)
    with pytest.raises(TooManyRequests) as exc:
        await limits.check(p)
    assert exc.value.status_code == 429
    assert exc.value.headers == {"Retry-After": "1"}
    now[0] += 1.0  # one second refills one request at 60/min
    await limits.check(p)
    with pytest.raises(TooManyRequests):
        await limits.check(p)
    now[0] += 60.0
    for _ in range(60):
        await limits.check(p)
    # Another secret has its own bucket; keys pass when their limit is off.
    await limits.check(Principal(org_id="o", kind="secret", secret_id="s2", user_id="cs:s2"))
    for _ in range(200):
        await limits.check(Principal(org_id="o", kind="key", key_id="k"))
