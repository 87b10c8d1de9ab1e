"""Crons in one process, on the harness's steered clock: a per-minute cron fires once per tick; `end_time`
ends it; ticks missed while nothing looked are skipped (the next run is the next tick after); each fired run
is an ordinary run that names its cron; disabling, re-enabling and deleting; stateless crons' threads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.crons.common import SETTLE, cron_body, cron_runs, epoch, get_cron, runs_reach, until
from tests.harness.clock import SteeredClock, manual_clock
from tests.harness.responses import ok
from tests.harness.scripted import ScriptedEnv
from xpert_server.api.crons import start_cron_run
from xpert_server.crons.scheduler import CronScheduler


def steer_to(clock: SteeredClock, when: float) -> None:
    clock.advance(when - clock())


def minute_start(clock: SteeredClock) -> float:
    """Steer "now" to 5 s past the next whole minute (the wall clock goes on, but a test has 55 s before a
    per-minute tick), and return it."""
    now = clock()
    steer_to(clock, now - now % 60 + 65)
    return clock()


async def thread_cron(env: ScriptedEnv, c: httpx.AsyncClient, **more: Any) -> tuple[str, dict[str, Any]]:
    tid = ok(await c.post("/threads", json={}), 201)["thread_id"]
    cron = ok(await c.post(f"/threads/{tid}/runs/crons", json=cron_body(env.ids["slow"], **more)), 201)
    return tid, cron


async def test_a_per_minute_cron_fires_once_per_tick(env: ScriptedEnv) -> None:
    async with await env.alone() as c, asyncio.timeout(120):
        with manual_clock(env.harness.services) as clock:
            minute_start(clock)
            tid, cron = await thread_cron(env, c)
            assert cron["thread_id"] == tid and cron["schedule"] == "* * * * *" and cron["enabled"] is True
            first = epoch(cron["next_run_date"])
            assert first % 60 == 0 and 0 < first - clock() <= 60
            await asyncio.sleep(SETTLE)
            assert await cron_runs(c, tid) == []  # nothing before its first tick
            for n in (1, 2, 3):
                steer_to(clock, epoch((await get_cron(c, cron["cron_id"]))["next_run_date"]) + 1)
                runs = await runs_reach(c, tid, n)
                assert epoch((await get_cron(c, cron["cron_id"]))["next_run_date"]) == first + 60 * n
            # Ordinary runs that name their cron, with its payload's metadata.
            assert [r["metadata"]["cron_id"] for r in runs] == [cron["cron_id"]] * 3
            (run,) = [r for r in runs[:1]]
            got = ok(await c.get(f"/threads/{tid}/runs/{run['run_id']}"))
            assert got["status"] == "success"
            joined = await c.get(f"/threads/{tid}/runs/{run['run_id']}/stream")
            assert joined.status_code == 200 and "on_conversation_end" in joined.text


async def test_two_schedulers_looking_at_once_fire_a_tick_once(env: ScriptedEnv) -> None:
    """Two schedulers on one database (as two processes would be) race for the same due tick."""
    async with await env.alone() as c:
        with manual_clock(env.harness.services) as clock:
            minute_start(clock)
            tid, cron = await thread_cron(env, c)
            steer_to(clock, epoch(cron["next_run_date"]) + 1)
            others = [CronScheduler(env.harness.services, start_cron_run) for _ in range(4)]
            started = await asyncio.gather(*(s.tick_once() for s in others))
            runs = await runs_reach(c, tid, 1)
            assert sum(len(s) for s in started) <= 1 and len(runs) == 1


async def test_end_time_stops_it(env: ScriptedEnv) -> None:
    async with await env.alone() as c:
        with manual_clock(env.harness.services) as clock:
            minute_start(clock)
            now = clock()
            end = now - now % 60 + 90  # one tick (the next minute) before it, the one after past it
            iso = datetime.fromtimestamp(end, UTC).isoformat()
            tid, cron = await thread_cron(env, c, end_time=iso)
            assert epoch(cron["end_time"]) == end
            steer_to(clock, epoch(cron["next_run_date"]) + 1)
            await runs_reach(c, tid, 1)
            assert (await get_cron(c, cron["cron_id"]))["next_run_date"] is None  # it has ended
            for _ in range(3):
                clock.advance(60)
                await asyncio.sleep(0.3)
            await runs_reach(c, tid, 1)


async def test_missed_ticks_are_skipped_not_replayed(env: ScriptedEnv) -> None:
    """Five ticks pass while nothing looks (the clock jumps past them): none fires, no burst; the next run
    is the next tick after the scheduler saw them."""
    async with await env.alone() as c:
        with manual_clock(env.harness.services) as clock:
            minute_start(clock)
            tid, cron = await thread_cron(env, c)
            steer_to(clock, epoch(cron["next_run_date"]) + 5 * 60 + 10)
            after = await until(
                lambda: _moved(c, cron["cron_id"], epoch(cron["next_run_date"])), "the skipped tick"
            )
            assert epoch(after) > clock() - 1  # the next tick after now: nothing owed
            await asyncio.sleep(SETTLE)
            assert await cron_runs(c, tid) == []
            steer_to(clock, epoch(after) + 1)
            await runs_reach(c, tid, 1)


async def _moved(c: httpx.AsyncClient, cron_id: str, was: float) -> str | None:
    now = (await get_cron(c, cron_id))["next_run_date"]
    return now if now is not None and epoch(now) != was else None


async def test_disabled_crons_do_not_fire_and_resume_at_the_next_tick(env: ScriptedEnv) -> None:
    async with await env.alone() as c:
        with manual_clock(env.harness.services) as clock:
            minute_start(clock)
            tid, cron = await thread_cron(env, c, enabled=False)
            assert cron["enabled"] is False and cron["next_run_date"] is None
            clock.advance(180)
            await asyncio.sleep(SETTLE)
            assert await cron_runs(c, tid) == []
            patched = ok(await c.patch(f"/runs/crons/{cron['cron_id']}", json={"enabled": True}))
            assert patched["enabled"] is True and 0 < epoch(patched["next_run_date"]) - clock() <= 60
            steer_to(clock, epoch(patched["next_run_date"]) + 1)
            await runs_reach(c, tid, 1)
            assert ok(await c.delete(f"/runs/crons/{cron['cron_id']}"))["deleted"] is True
            clock.advance(120)
            await asyncio.sleep(SETTLE)
            await runs_reach(c, tid, 1)
            assert (await c.delete(f"/runs/crons/{cron['cron_id']}")).status_code == 404


async def test_a_stateless_cron_runs_on_new_threads_deleted_unless_kept(env: ScriptedEnv) -> None:
    async with await env.alone() as c:
        with manual_clock(env.harness.services) as clock:
            minute_start(clock)
            gone = ok(await c.post("/runs/crons", json=cron_body(env.ids["slow"])), 201)
            kept = ok(
                await c.post("/runs/crons", json=cron_body(env.ids["slow"], on_run_completed="keep")), 201
            )
            assert gone["thread_id"] is None and gone["on_run_completed"] == "delete"
            assert kept["on_run_completed"] == "keep"
            steer_to(clock, epoch(gone["next_run_date"]) + 1)

            async def kept_thread() -> list[dict[str, Any]]:
                found = ok(await c.post("/threads/search", json={"metadata": {"cron_id": kept["cron_id"]}}))
                return [t for t in found if t["status"] == "idle"]

            (thread,) = await until(kept_thread, "the kept thread")
            (run,) = await runs_reach(c, thread["thread_id"], 1)
            assert run["metadata"]["cron_id"] == kept["cron_id"]

            async def deleted() -> bool:
                found = ok(await c.post("/threads/search", json={"metadata": {"cron_id": gone["cron_id"]}}))
                return found == []

            await until(deleted, "the stateless run's thread to go")


async def test_search_count_and_patch(env: ScriptedEnv) -> None:
    async with await env.alone() as c:
        tid, cron = await thread_cron(env, c, metadata={"team": "digest"}, timezone="America/New_York")
        await c.post("/runs/crons", json=cron_body(env.ids["slow"], schedule="0 9 * * *"))
        assert ok(await c.post("/runs/crons/count", json={}), 201) == 2
        assert ok(await c.post("/runs/crons/count", json={"thread_id": tid}), 201) == 1
        assert ok(await c.post("/runs/crons/count", json={"metadata": {"team": "digest"}}), 201) == 1
        found = ok(
            await c.post("/runs/crons/search", json={"thread_id": tid, "select": ["cron_id", "schedule"]})
        )
        assert found == [{"cron_id": cron["cron_id"], "schedule": "* * * * *"}]
        assert len(ok(await c.post("/runs/crons/search", json={"sort_by": "next_run_date", "limit": 1}))) == 1
        assert ok(await c.post("/runs/crons/search", json={"enabled": False})) == []
        patched = ok(await c.patch(f"/runs/crons/{cron['cron_id']}", json={"schedule": "30 8 * * 1-5"}))
        assert patched["schedule"] == "30 8 * * 1-5" and patched["timezone"] == "America/New_York"
        from zoneinfo import ZoneInfo

        local = datetime.fromtimestamp(epoch(patched["next_run_date"]), ZoneInfo("America/New_York"))
        assert (local.hour, local.minute) == (8, 30) and local.weekday() < 5


async def test_bad_input_is_a_clear_4xx_and_changes_nothing(env: ScriptedEnv) -> None:
    async with await env.alone() as c:
        tid = ok(await c.post("/threads", json={}), 201)["thread_id"]
        slow = env.ids["slow"]
        for body, words in (
            (cron_body(slow, schedule="every minute"), "schedule"),
            (cron_body(slow, schedule="61 * * * *"), "schedule"),
            (cron_body(slow, timezone="Mars/Olympus"), "timezone"),
            ({"assistant_id": slow}, "schedule"),
            (cron_body("no-such-xpert"), "not found"),
            (cron_body(slow, end_time="soon"), "end_time"),
        ):
            resp = await c.post(f"/threads/{tid}/runs/crons", json=body)
            assert 400 <= resp.status_code < 500 and words in resp.text.lower(), (body, resp.text)
        assert (await c.post("/threads/nope/runs/crons", json=cron_body(slow))).status_code == 404
        assert ok(await c.post("/runs/crons/count", json={}), 201) == 0
        cron = ok(await c.post(f"/threads/{tid}/runs/crons", json=cron_body(slow)), 201)
        resp = await c.patch(f"/runs/crons/{cron['cron_id']}", json={"schedule": "nope"})
        assert resp.status_code == 400 and "schedule" in resp.text
        assert (await get_cron(c, cron["cron_id"]))["schedule"] == "* * * * *"
        assert (await c.patch("/runs/crons/missing", json={"enabled": False})).status_code == 404
