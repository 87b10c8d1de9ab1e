"""200 runs over 2 workers: every one ends `success`, executed exactly once (counted in the database, where
the `once` graph records each execution with the pid that ran it), and both workers took a share."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import psycopg

from tests.harness.cluster import Cluster
from tests.scale.common import assistant, body

RUNS = 200


async def test_200_runs_over_2_workers_each_execute_exactly_once(cluster: Cluster) -> None:
    a, b = await cluster.apis(2)
    workers = await cluster.workers(2, "--concurrency", "16", via=a)
    async with a.client() as ca, b.client() as cb:
        once = await assistant(ca, "once")
        sem = asyncio.Semaphore(32)

        async def start(i: int) -> str:
            c = ca if i % 2 else cb  # accepted by both API processes
            async with sem:
                resp = await c.post("/runs", json=body(once, f"run {i}", delay=0.02))
                assert resp.status_code == 201, resp.text
                return str(resp.json()["run_id"])

        run_ids = await asyncio.gather(*(start(i) for i in range(RUNS)))
        assert len(set(run_ids)) == RUNS
        deadline = time.monotonic() + 120
        while True:
            with psycopg.connect(cluster.database_url) as conn:
                statuses = dict(conn.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall())
            if statuses.get("success") == RUNS:
                break
            assert not set(statuses) - {"pending", "running", "success"}, statuses
            assert time.monotonic() < deadline, statuses
            await asyncio.sleep(0.2)
        info = (await ca.get("/info")).json()
    with psycopg.connect(cluster.database_url) as conn:
        rows = conn.execute("SELECT key, value FROM store_items WHERE namespace = 'exec'").fetchall()
        left = conn.execute("SELECT count(*) FROM run_queue").fetchone()
        # Every run's stored story ends with exactly one `complete` (a worker renewing its leases as a run
        # ends must not take the finished run for a lost one and drop its last frames).
        ends = conn.execute(
            "SELECT run_id, count(*) FROM run_events WHERE event = 'complete' GROUP BY run_id"
        ).fetchall()
    executions = Counter(value["run_id"] for _, value in rows)
    assert set(executions) == set(run_ids)
    assert all(n == 1 for n in executions.values()), [r for r, n in executions.items() if n != 1]
    pids = Counter(value["pid"] for _, value in rows)
    assert set(pids) == {w.popen.pid for w in workers}, pids  # both workers executed runs, and only they
    assert left == (0,)
    assert len(ends) == RUNS and all(n == 1 for _, n in ends), [e for e in ends if e[1] != 1]
    assert info["queueDepth"] == 0 and info["workersAlive"] == 2
