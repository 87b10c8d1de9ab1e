"""`xpert serve` that cannot start says why in one line and exits, in bounded time, and a signal stops it at
any step of start-up; `/info` reports the health of the database and Redis. Real processes throughout."""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import scratch_database
from tests.harness.app import SCALED, TEST_REDIS_URL, ApiHarness, free_port
from tests.harness.served import spawn
from xpert_server.storage.postgres import MIGRATION_LOCK_ID

FAIL_WITHIN = 15.0  # seconds from launch to exit, imports included (a loaded 2-core machine)


def serve(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """`xpert serve` with its output on a pipe: these tests read how it fails or stops."""
    return spawn(["serve", "--port", str(free_port()), "--data-dir", str(tmp_path / "data"), *args])


def fails_fast(tmp_path: Path, *args: str) -> str:
    started = time.monotonic()
    proc = serve(tmp_path, *args)
    try:
        out, _ = proc.communicate(timeout=FAIL_WITHIN)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError(f"xpert serve still running after {FAIL_WITHIN:g} s:\n{out[-3000:]}") from None
    assert proc.returncode == 1, (proc.returncode, out)
    assert time.monotonic() - started < FAIL_WITHIN
    assert "Traceback" not in out, out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out  # one line: what is wrong and what to do
    return lines[0]


def unused_database_url() -> str:
    with scratch_database("xpert_gone") as url:
        pass  # made and dropped: a name that certainly does not exist now
    return url


def test_a_database_that_does_not_exist_says_how_to_create_it(tmp_path: Path) -> None:
    url = unused_database_url()
    name = url.rsplit("/", 1)[1]
    line = fails_fast(tmp_path, "--database-url", url)
    assert f"'{name}' does not exist" in line and "createdb -h 127.0.0.1 -p 5432" in line and name in line, (
        line
    )


def test_postgresql_down_says_where_it_looked(tmp_path: Path) -> None:
    port = free_port()
    line = fails_fast(tmp_path, "--database-url", f"postgresql://postgres@127.0.0.1:{port}/test")
    assert f"127.0.0.1:{port}" in line and "connection refused" in line and "--database-url" in line, line


def test_redis_unreachable_in_scaled_mode_says_so(tmp_path: Path) -> None:
    port = free_port()
    with scratch_database("xpert_startup") as url:
        line = fails_fast(tmp_path, "--database-url", url, "--redis-url", f"redis://127.0.0.1:{port}/0")
    assert f"Redis at 127.0.0.1:{port}" in line and "--redis-url" in line, line


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_a_start_up_that_waits_on_the_database(tmp_path: Path, sig: signal.Signals) -> None:
    """Start-up blocked inside the application (migrations wait for a lock another process holds):
    uvicorn alone would only flag the signal and wait forever."""
    with scratch_database("xpert_startup") as url, psycopg.connect(url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_ID,))
        proc = serve(tmp_path, "--database-url", url)
        out = ""
        try:
            assert proc.stdout is not None
            deadline = time.monotonic() + FAIL_WITHIN
            while "Waiting for application startup" not in out:
                assert time.monotonic() < deadline and proc.poll() is None, out
                out += proc.stdout.readline()
            time.sleep(0.5)  # inside start-up, waiting on the lock
            proc.send_signal(sig)
            rest, _ = proc.communicate(timeout=10)
            out += rest
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode != 0, out
    assert "interrupted by a signal" in out, out
    assert len(re.findall(r"^\s+File ", out, re.MULTILINE)) <= 12, out  # no driver's 100-line traceback


async def test_info_reports_database_and_redis_health(api: ApiHarness) -> None:
    async with api.client() as c:
        info = (await c.get("/info")).json()
    health = info["health"]
    assert health["database"]["ok"] is True and health["database"]["latencyMs"] >= 0
    if SCALED:
        assert health["redis"]["ok"] is True, health
    else:
        assert health["redis"] is None


async def test_info_reports_redis_down(tmp_path: Path) -> None:
    """A scaled app whose Redis went away after start: /info still answers, saying so."""
    from tests.harness.app import open_harness
    from xpert_server.runs.broker import connect_redis

    with scratch_database("xpert_startup") as url:
        async with open_harness(
            tmp_path, url, redis_url=TEST_REDIS_URL, redis_prefix=f"x-{free_port()}", with_worker=True
        ) as h:
            wiring = h.services.wiring
            assert wiring is not None and wiring.redis is not None
            real = wiring.redis
            wiring.redis = connect_redis(f"redis://127.0.0.1:{free_port()}/0")  # where nothing listens
            try:
                async with h.client() as c:
                    info = (await c.get("/info")).json()
            finally:
                await wiring.redis.aclose()
                wiring.redis = real
    assert info["health"]["database"]["ok"] is True
    assert info["health"]["redis"]["ok"] is False and "Error" in info["health"]["redis"]["error"], info
