"""Helpers of the cron tests: steer a clock to a cron's next tick, wait for the runs it made."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx

from tests.harness.chat import send
from tests.harness.responses import ok
from tests.harness.scripted import QUICK

# How long a test waits for the scheduler (it looks every 0.1 s in-process, 0.2 s in the served processes).
PATIENCE = 20.0
# After a tick fired: long enough for every process to have looked many times.
SETTLE = 1.5


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def cron_body(assistant_id: str, schedule: str = "* * * * *", **more: Any) -> dict[str, Any]:
    """A cron running the scripted `slow` xpert with a quick reply."""
    return {
        "assistant_id": assistant_id,
        "schedule": schedule,
        "input": send("tick"),
        "context": QUICK,
        **more,
    }


async def until(probe: Callable[[], Awaitable[Any]], what: str, timeout: float = PATIENCE) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = await probe()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def cron_runs(c: httpx.AsyncClient, thread_id: str) -> list[dict[str, Any]]:
    """The thread's runs (oldest first)."""
    runs: list[dict[str, Any]] = ok(await c.get(f"/threads/{thread_id}/runs", params={"limit": 100}))
    return runs[::-1]


async def runs_reach(c: httpx.AsyncClient, thread_id: str, n: int) -> list[dict[str, Any]]:
    """Wait until the thread has `n` runs, all finished; then make sure no more come (once per tick)."""

    async def finished() -> list[dict[str, Any]] | None:
        runs = await cron_runs(c, thread_id)
        assert len(runs) <= n, f"more runs than ticks: {len(runs)} > {n}"
        return runs if len(runs) == n and all(r["status"] == "success" for r in runs) else None

    runs: list[dict[str, Any]] = await until(finished, f"{n} run(s) on {thread_id}")
    await asyncio.sleep(SETTLE)
    assert len(await cron_runs(c, thread_id)) == n, "a tick fired twice"
    return runs


async def get_cron(c: httpx.AsyncClient, cron_id: str) -> dict[str, Any]:
    (found,) = [
        x for x in ok(await c.post("/runs/crons/search", json={"limit": 1000})) if x["cron_id"] == cron_id
    ]
    return dict(found)
