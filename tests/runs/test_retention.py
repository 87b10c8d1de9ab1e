"""Retention: the Sweeper removes stored frames older than the retention period (and expired
Idempotency-Keys); younger frames stay."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.harness.chat import run_body
from tests.harness.scripted import QUICK, ScriptedEnv
from tests.runs.common import list_runs, new_thread, ok
from xpert_server.config import Settings
from xpert_server.runs import recovery


@pytest.fixture
def sweeper(scripted: ScriptedEnv) -> Iterator[recovery.Sweeper]:
    s = scripted.harness.services.sweeper
    saved = s.retention
    yield s
    s.retention = saved


async def _run(scripted: ScriptedEnv, c: httpx.AsyncClient, text: str) -> tuple[str, str]:
    """A quick run on a new thread: (thread id, run id)."""
    tid = (await new_thread(c))["thread_id"]
    ok(await c.post(f"/threads/{tid}/runs/wait", json=run_body(scripted.ids["slow"], text, QUICK)), 201)
    (run,) = await list_runs(c, tid)
    return tid, str(run["run_id"])


def test_defaults() -> None:
    assert Settings().frame_retention == 7 * 24 * 3600
    assert Settings.from_env({"XPERT_FRAME_RETENTION": "60"}).frame_retention == 60.0
    assert recovery.IDEMPOTENCY_TTL == 24 * 3600


async def test_the_sweeper_uses_the_setting(scripted: ScriptedEnv) -> None:
    assert (
        scripted.harness.services.sweeper.retention
        == scripted.harness.services.settings.frame_retention
        == 7 * 24 * 3600
    )


async def test_old_frames_go_young_frames_stay(scripted: ScriptedEnv, sweeper: recovery.Sweeper) -> None:
    storage = scripted.harness.services.storage
    async with await scripted.asgi() as c:
        _, old = await _run(scripted, c, "old")
        old_frames = await storage.read_events(old)
        assert old_frames and old_frames[-1][1] == "complete"
        # Frames are stamped by the wall clock: a moment between the two runs' frames is the cutoff.
        await asyncio.sleep(0.05)
        between = time.time()
        await asyncio.sleep(0.05)
        young_thread, young = await _run(scripted, c, "young")
        young_frames = await storage.read_events(young)
        assert young_frames

        sweeper.retention = time.time() - between  # older than `old`'s frames, younger than `young`'s
        gone, _ = await sweeper.sweep_once()
        assert gone >= len(old_frames)
        assert await storage.read_events(old) == []
        assert await storage.read_events(young) == young_frames

        sweeper.retention = 3600.0  # nothing is that old
        assert (await sweeper.sweep_once())[0] == 0
        assert await storage.read_events(young) == young_frames

        sweeper.retention = 0.0
        gone, _ = await sweeper.sweep_once()
        assert gone >= len(young_frames)
        assert await storage.read_events(young) == []
        # The runs themselves stay, and so does the thread's state.
        assert ok(await c.get(f"/threads/{young_thread}/runs/{young}"))["status"] == "success"
        assert len(ok(await c.get(f"/threads/{young_thread}/state"))["values"]["messages"]) == 2


async def test_expired_idempotency_keys_go(
    scripted: ScriptedEnv, sweeper: recovery.Sweeper, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = {"Idempotency-Key": f"k-{secrets.token_hex(8)}"}
    async with await scripted.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        body = run_body(scripted.ids["slow"], "once", QUICK)
        ok(await c.post(f"/threads/{tid}/runs/wait", json=body, headers=h), 201)
        ok(await c.post(f"/threads/{tid}/runs/wait", json=body, headers=h), 201)
        assert len(await list_runs(c, tid)) == 1
        sweeper.retention = 3600.0
        _, keys = await sweeper.sweep_once()
        assert keys == 0
        ok(await c.post(f"/threads/{tid}/runs/wait", json=body, headers=h), 201)
        assert len(await list_runs(c, tid)) == 1
        monkeypatch.setattr(recovery, "IDEMPOTENCY_TTL", 0.0)
        _, keys = await sweeper.sweep_once()
        assert keys >= 1
        # The key is forgotten: the same request is a new run now.
        ok(await c.post(f"/threads/{tid}/runs/wait", json=body, headers=h), 201)
        assert len(await list_runs(c, tid)) == 2
