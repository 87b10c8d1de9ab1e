"""Crons across real processes (tests/harness/clocked.py: the served app on a clock the test steers through a
file), in the session's mode: two embedded servers on one SQLite file, or, with XPERT_TEST_BACKEND=postgres
and XPERT_TEST_REDIS=1, two scaled processes on PostgreSQL + Redis. A per-minute cron fires once per tick
whichever process looks first; a process SIGKILLed and restarted neither fires a tick twice nor makes up the
ticks it missed in a burst."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import API_BACKEND, scratch_database
from tests.crons.common import PATIENCE, cron_body, cron_runs, epoch, get_cron, runs_reach, until
from tests.harness.app import SCALED, TEST_REDIS_URL, free_port
from tests.harness.clock import FileClock
from tests.harness.responses import ok
from tests.harness.served import server_env, spawn
from tests.harness.xperts import SCRIPTED, write_xperts

KEY = "sk-x-crons-tests-0123456789abcdef"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Deployment:
    folder: Path
    env: dict[str, str]
    clock: FileClock
    procs: list[tuple[subprocess.Popen[str], str]] = field(default_factory=list)

    async def start(self) -> str:
        """One more process of the deployment; its API's base URL once it answers /ok."""
        n, port = len(self.procs), free_port()
        env = server_env(**self.env, XPERT_DATA_DIR=str(self.folder / f"data-{n}"), PYTHONPATH=str(ROOT))
        log = (self.folder / f"proc-{n}.log").open("w")
        proc = spawn(
            [str(port), str(self.clock.path)],
            env=env,
            out=log,
            program=(sys.executable, "-m", "tests.harness.clocked"),
        )
        base = f"http://127.0.0.1:{port}/api/ai"
        self.procs.append((proc, base))
        deadline = time.monotonic() + 120
        async with httpx.AsyncClient(base_url=base, timeout=2) as c:
            while True:
                assert proc.poll() is None, (self.folder / f"proc-{n}.log").read_text()
                with contextlib.suppress(httpx.TransportError):
                    if (await c.get("/ok")).status_code == 200:
                        return base
                assert time.monotonic() < deadline, "the process did not answer /ok"
                await asyncio.sleep(0.1)

    def kill(self, base: str) -> None:
        for proc, b in self.procs:
            if b == base and proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)

    def stop_all(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc, _ in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@contextlib.contextmanager
def database(folder: Path) -> Iterator[str]:
    if API_BACKEND == "postgres":
        with scratch_database("xpert_crons") as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'shared.db'}"


@pytest.fixture
async def deployment(tmp_path: Path) -> AsyncIterator[Deployment]:
    with database(tmp_path) as url:
        env = {
            "XPERT_API_KEY": KEY,
            "XPERT_DATABASE_URL": url,
            "XPERT_XPERTS_DIR": str(write_xperts(tmp_path / "xperts", SCRIPTED, ["slow"])),
            "XPERT_CRON_INTERVAL": "0.2",
            "XPERT_LOG_LEVEL": "warning",
            "XPERT_FILES_DIR": str(tmp_path / "files"),
            "XPERT_FILE_URL_SECRET": "crons-tests-file-url-secret",
            "XPERT_CONNECTIONS_SECRET": "crons-tests-secrets-key",
        }
        if SCALED:
            prefix = f"xpert-crons-{secrets.token_hex(4)}"
            env |= {
                "XPERT_REDIS_URL": TEST_REDIS_URL,
                "XPERT_REDIS_PREFIX": prefix,
                "XPERT_WITH_WORKER": "1",
                "XPERT_LEASE_SECONDS": "2",
            }
        d = Deployment(tmp_path, env, FileClock(tmp_path / "clock"))
        try:
            yield d
        finally:
            d.stop_all()
            if SCALED:
                from tests.scale.conftest import drop_prefix

                await drop_prefix(TEST_REDIS_URL, env["XPERT_REDIS_PREFIX"])


def client(base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, headers={"x-api-key": KEY}, timeout=30)


async def tick(d: Deployment, c: httpx.AsyncClient, cron_id: str, tid: str, n: int) -> None:
    """Steer every process's clock to the cron's next tick; the thread then has exactly `n` runs."""
    d.clock.move_to(epoch((await get_cron(c, cron_id))["next_run_date"]) + 1)
    await runs_reach(c, tid, n)


async def test_two_processes_fire_each_tick_once_and_a_restart_neither_doubles_nor_bursts(
    deployment: Deployment,
) -> None:
    d = deployment
    now = d.clock()
    d.clock.move_to(now - now % 60 + 65)  # 5 s past a whole minute: 55 s before the next tick
    # One after the other: the first migrates the fresh database alone (a loaded machine is slow to start two).
    first = await d.start()
    second = await d.start()
    async with client(first) as c1, client(second) as c2:
        slow = ok(await c1.post("/assistants/search", json={"metadata": {"slug": "slow"}}), 201)[0][
            "assistant_id"
        ]
        tid = ok(await c1.post("/threads", json={}), 201)["thread_id"]
        cron = ok(await c1.post(f"/threads/{tid}/runs/crons", json=cron_body(slow)), 201)
        for n in (1, 2, 3):
            await tick(d, c2, cron["cron_id"], tid, n)
        # SIGKILL one process and start it again: the other fires the ticks meanwhile, still once each.
        d.kill(first)
        await tick(d, c2, cron["cron_id"], tid, 4)
        first = await d.start()
    async with client(first) as c1:
        await tick(d, c1, cron["cron_id"], tid, 5)
        # Nothing runs for five ticks (both killed), then one process starts: no burst, the next run is the
        # next tick after it started.
        was = epoch((await get_cron(c1, cron["cron_id"]))["next_run_date"])
        d.kill(first)
        d.kill(second)
        d.clock.advance(5 * 60)
    first = await d.start()
    async with client(first) as c1:

        async def skipped() -> float | None:
            found = epoch((await get_cron(c1, cron["cron_id"]))["next_run_date"])
            return found if found != was else None

        following = await until(skipped, "the missed ticks to be skipped", PATIENCE)
        assert following > d.clock() - 1
        assert len(await cron_runs(c1, tid)) == 5
        await tick(d, c1, cron["cron_id"], tid, 6)
        runs = await cron_runs(c1, tid)
        assert {r["metadata"]["cron_id"] for r in runs} == {cron["cron_id"]}
