"""Redis restarted mid-run (a redis-server of this test's own, never the machine's shared one): runs in
flight finish, runs accepted while Redis is down are not lost, and a client streaming across the restart
sees one story (frames Redis lost are read from the database)."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import REQUIRE_SERVICES
from tests.harness.app import free_port
from tests.harness.cluster import Cluster
from tests.runs.sse import FrameReader
from tests.scale.common import assert_one_story, assistant, body, read_until, step_texts, write_xperts


class OwnRedis:
    def __init__(self, root: Path):
        self.port = free_port()
        self.root = root
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while (
            subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout.strip()
            != b"PONG"
        ):
            assert self.proc.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        if REQUIRE_SERVICES:
            pytest.fail("redis-server is required (XPERT_REQUIRE_SERVICES=1) but not installed")
        pytest.skip("redis-server not installed")
    r = OwnRedis(tmp_path)
    r.start()
    try:
        yield r
    finally:
        r.kill()


async def test_runs_survive_a_redis_restart(scale_db: str, own_redis: OwnRedis, tmp_path: Path) -> None:
    cluster = Cluster(
        tmp_path / "cluster",
        scale_db,
        own_redis.url,
        f"xpert-scale-{secrets.token_hex(4)}",
        write_xperts(tmp_path / "xperts"),
    )
    try:
        api = await cluster.api()
        await cluster.workers(2, via=api)
        async with api.client() as c:
            steps = await assistant(c, "steps")
            threads = [(await c.post("/threads", json={})).json()["thread_id"] for _ in range(6)]
            before = [
                (await c.post(f"/threads/{t}/runs", json=body(steps, n=30, delay=0.1))).json()["run_id"]
                for t in threads[:5]
            ]
            async with c.stream(
                "POST", f"/threads/{threads[5]}/runs/stream", json=body(steps, n=30, delay=0.1)
            ) as resp:
                reader = FrameReader(resp)
                await read_until(reader, 6)
                own_redis.kill()
                # Accepted while Redis is down: queued in the database, claimed by the workers' poll.
                during = [
                    (await c.post("/runs", json=body(steps, n=3, delay=0.05))).json()["run_id"]
                    for _ in range(3)
                ]
                await asyncio.sleep(1.5)
                own_redis.start()  # empty: every stream it held is gone
                await reader.rest()
        assert_one_story(reader.frames)
        assert step_texts(reader.frames) == [f"s{i} " for i in range(30)]
        deadline = time.monotonic() + 60
        while True:
            with psycopg.connect(scale_db) as conn:
                rows = dict(conn.execute("SELECT id, status FROM runs").fetchall())
            if all(s == "success" for s in rows.values()):
                break
            assert time.monotonic() < deadline, rows
            await asyncio.sleep(0.2)
        assert set(before) | set(during) <= set(rows) and len(rows) == 9, rows
    finally:
        cluster.stop_all()
