"""Webhooks across processes: two API processes and a worker on one database each deliver the outbox, and
every event reaches the receiver once (a delivery is leased to one process per attempt)."""

from __future__ import annotations

import asyncio

from tests.harness.cluster import Cluster
from tests.scale.common import assistant, body
from tests.webhooks.receiver import receiving

EVENTS = 12


async def test_two_processes_deliver_each_event_once(cluster: Cluster) -> None:
    fast = {"XPERT_WEBHOOK_PRIVATE_ORGS": "*", "XPERT_WEBHOOK_POLL": "0.02"}
    cluster.env.update(fast)
    a = await cluster.api()
    b = await cluster.api()
    await cluster.worker(via=a)
    async with receiving() as rx:
        async with a.client() as c:
            made = await c.post("/webhooks", json={"url": rx.url, "events": ["run.succeeded"]})
            assert made.status_code == 201, made.text
            steps = await assistant(c, "steps")

        async def one(i: int) -> None:
            async with (a if i % 2 else b).client() as c:
                thread = (await c.post("/threads", json={})).json()["thread_id"]
                done = await c.post(f"/threads/{thread}/runs/wait", json=body(steps, n=1, delay=0))
                assert done.status_code == 201, done.text

        await asyncio.gather(*(one(i) for i in range(EVENTS)))
        got = await rx.until(EVENTS, timeout=60)
        await asyncio.sleep(1.0)  # time for any second delivery to arrive
        ids = [g.id for g in rx.got]
        assert len(ids) == len(set(ids)) == EVENTS, f"{len(ids)} deliveries of {len(set(ids))} events"
        assert {g.json["data"]["status"] for g in got} == {"success"}
        async with b.client() as c:
            log = (await c.get("/webhooks/deliveries", params={"limit": 100})).json()
        assert sorted(d["id"] for d in log) == sorted(ids)
        assert all(d["status"] == "succeeded" and d["attempts"] == 1 for d in log)
