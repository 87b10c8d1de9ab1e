"""A crash loses no event: a server SIGKILLed while a run executes ends the run at restart (recovery) and
delivers its `run.failed`; the outbox row was written in the transaction that ended it."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from tests.harness.scripted import LONG, write_xperts
from tests.harness.served import start
from tests.webhooks.receiver import receiving

SETTINGS = {"XPERT_WEBHOOK_PRIVATE_ORGS": "*", "XPERT_WEBHOOK_POLL": "0.05", "XPERT_WEBHOOK_BACKOFF": "0.05"}


async def test_a_killed_server_delivers_the_runs_end_after_restart(tmp_path: Path) -> None:
    xperts = write_xperts(tmp_path / "xperts", org="default", org_b=None)
    data = tmp_path / "data"
    served = start(data, args=("--xperts", str(xperts)), **SETTINGS)
    try:
        async with receiving() as rx:
            async with httpx.AsyncClient(base_url=served.api, headers={"x-api-key": served.key}) as c:
                made = await c.post("/webhooks", json={"url": rx.url, "events": ["run.failed"]})
                assert made.status_code == 201, made.text
                slow = (await c.post("/assistants/search", json={"metadata": {"slug": "slow"}})).json()[0]
                thread = (await c.post("/threads", json={})).json()["thread_id"]
                run = await c.post(
                    f"/threads/{thread}/runs",
                    json={"assistant_id": slow["assistant_id"], "input": {"input": "hi"}, "context": LONG},
                )
                assert run.status_code == 201, run.text
                run_id = run.json()["run_id"]
                deadline = time.monotonic() + 20
                while (await c.get(f"/threads/{thread}/runs/{run_id}")).json()["status"] != "running":
                    assert time.monotonic() < deadline, "the run never started"
                    await asyncio.sleep(0.05)
            served.kill()
            assert rx.got == []
            served = start(data, key=served.key, args=("--xperts", str(xperts)), **SETTINGS)
            (got,) = await rx.until(1)
            event = got.json
            assert event["type"] == "run.failed" and event["data"]["run_id"] == run_id
            assert event["data"]["status"] == "error" and event["data"]["error"]
    finally:
        served.stop()
