"""The deployment surface: `--workers N` (forked API processes on one port), refusals with a clear
message, limits that hold across processes, `/info` (public) and `/metrics` (a key)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from tests.harness.cluster import KEY, Cluster
from tests.harness.served import cli
from tests.runs.sse import parse
from tests.scale.common import assert_one_story, assistant, body


def test_several_api_processes_need_postgres_and_redis(tmp_path: Path) -> None:
    done = cli("serve", "--workers", "2", "--data-dir", str(tmp_path))
    assert done.returncode == 2
    assert "--workers 2" in done.stderr and "postgresql://" in done.stderr and "redis://" in done.stderr
    done = cli("worker", "--data-dir", str(tmp_path))
    assert done.returncode == 2 and "--redis-url" in done.stderr


async def test_workers_n_forks_processes_that_share_nothing_but_the_services(cluster: Cluster) -> None:
    api = await cluster.api("--workers", "2", "--with-worker")
    deadline = time.monotonic() + 60
    while (await cluster.info(api))["processesAlive"] < 2:  # /ok answered: one of the two is up
        assert time.monotonic() < deadline, api.output()
        await asyncio.sleep(0.1)
    async with api.client() as c:
        seen = set()
        for _ in range(40):  # new connections: the kernel spreads them over the two processes
            async with httpx.AsyncClient(base_url=api.base, timeout=10) as fresh:
                info = (await fresh.get("/info")).json()
            seen.add(info["process"]["id"])
            if len(seen) == 2:
                break
        assert info["mode"] == "scaled" and info["processesAlive"] == 2 and info["workersAlive"] == 2
        assert all(p.startswith("api+worker-") for p in seen)
        steps = await assistant(c, "steps")
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        frames = parse((await c.post(f"/threads/{tid}/runs/stream", json=body(steps, n=3, delay=0.01))).text)
        assert_one_story(frames)


async def test_limits_hold_across_api_processes(cluster: Cluster) -> None:
    cluster.env["XPERT_KEY_RATE_LIMIT"] = "6"
    a, b = await cluster.apis(2)
    statuses = []
    async with a.client() as ca, b.client() as cb:
        for i in range(8):
            statuses.append((await (ca if i % 2 else cb).post("/threads/count", json={})).status_code)
        refused = await ca.post("/threads/count", json={})
    # Each process alone would allow 6: together they allow 6.
    assert statuses == [201] * 6 + [429] * 2, statuses
    assert int(refused.headers["retry-after"]) >= 1


async def test_info_is_public_and_metrics_need_a_key(cluster: Cluster) -> None:
    api = await cluster.api()
    await cluster.worker(via=api)
    async with api.client() as c:
        once = await assistant(c, "once")
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        assert (await c.post(f"/threads/{tid}/runs/wait", json=body(once))).status_code == 201
    async with httpx.AsyncClient(base_url=api.base.removesuffix("/api/ai"), timeout=10) as anon:
        info = (await anon.get("/api/ai/info")).json()
        assert info["mode"] == "scaled" and info["database"] == "postgresql" and info["workersAlive"] == 1
        assert info["queueDepth"] == 0 and isinstance(info["version"], str)
        # Health of both services, without their URLs (nothing to learn about where they are).
        assert info["health"]["database"]["ok"] is True and info["health"]["redis"]["ok"] is True
        assert "redis://" not in str(info) and "postgresql://" not in str(info)
        assert (await anon.get("/api/ai/metrics")).status_code == 401
        resp = await anon.get("/api/ai/metrics", headers={"x-api-key": KEY})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    text = resp.text
    assert 'xpert_runs{status="success"} 1' in text
    assert "xpert_queue_depth 0" in text and "xpert_workers_alive 1" in text
    assert "xpert_open_streams 0" in text
    assert (
        'xpert_http_request_duration_seconds_bucket{method="POST",route="/api/ai/threads/{thread_id}/runs/wait"'
        in text
    )
