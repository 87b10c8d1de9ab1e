"""A real `xpert serve` subprocess: the first start, the seed's calls, and keys managed while it runs.

On `XPERT_TEST_BACKEND=postgres` each server gets a fresh PostgreSQL database instead of SQLite.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import API_BACKEND, PG_ADMIN_URL, _service_missing
from tests.harness.served import Served, cli, serving

KEY = re.compile(r"sk-x-[0-9a-f]{48}")
BODY_LIMIT = 4096


@pytest.fixture
def store(tmp_path: Path) -> Iterator[list[str]]:
    """Arguments choosing where the server (and the CLI beside it) keep their data."""
    data = ["--data-dir", str(tmp_path / "data")]
    if API_BACKEND != "postgres":
        yield data
        return
    import psycopg

    name = f"xpert_serve_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as e:  # any failure to connect means "no PostgreSQL here"
        _service_missing("PostgreSQL", e)
        raise
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [*data, "--database-url", f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"]
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_server(store: list[str], key: str | None = None, **settings: str) -> Iterator[Served]:
    """`xpert serve` on `store` (its `--data-dir` and, on PostgreSQL, `--database-url`); without `key`, a
    first start that prints its own key."""
    with serving(
        Path(store[1]),
        args=tuple(store[2:]),
        key=key,
        first_start_key=key is None,
        log_level=None,
        **settings,
    ) as server:
        yield server


def xpert(store: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    proc = cli(*args, *store)
    assert proc.returncode == 0, f"xpert {' '.join(args)} failed:\n{proc.stderr}"
    return proc


def within(seconds: float, check: Callable[[], bool]) -> float:
    """Poll `check` until true; return how long it took. Fails after `seconds`."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < seconds, f"not within {seconds}s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_first_start_key_runs_the_seed_flow_and_cli_keys_reach_the_running_server(
    store: list[str], tmp_path: Path
) -> None:
    with running_server(store, XPERT_MAX_BODY_BYTES=str(BODY_LIMIT)) as server:
        key = server.wait_for(KEY).group(0)
        with httpx.Client(base_url=server.api, headers={"x-api-key": key}, timeout=10) as c:
            found = c.post("/assistants/search", json={"limit": 1, "offset": 0, "metadata": {"slug": "demo"}})
            assert found.status_code == 201, found.text
            (demo,) = found.json()
            assert demo["xpert_id"] == demo["assistant_id"] == demo["graph_id"]
            thread = c.post("/threads", json={})
            assert thread.status_code == 201 and thread.json()["thread_id"]

            # Bodies over the limit get 413, with or without Content-Length.
            big = {"metadata": {"pad": "x" * BODY_LIMIT}}
            assert c.post("/threads", json=big).status_code == 413
            chunked = c.post(
                "/threads",
                content=iter([b'{"metadata": {"pad": "', b"x" * BODY_LIMIT, b'"}}']),
                headers={"content-type": "application/json"},
            )
            assert "content-length" not in chunked.request.headers
            assert chunked.status_code == 413 and chunked.json()["statusCode"] == 413

        # A key created by the CLI works at once; revoked, it is refused within the auth cache's second.
        new_key = xpert(store, "keys", "create", "--name", "live").stdout.splitlines()[-1]
        assert KEY.fullmatch(new_key)
        with httpx.Client(
            base_url=server.api, headers={"authorization": f"Bearer {new_key}"}, timeout=10
        ) as c:
            within(1.0, lambda: c.post("/threads/count", json={}).status_code == 201)
            (row,) = [line for line in xpert(store, "keys", "list").stdout.splitlines() if " live " in line]
            key_id = row.strip().strip("│").split("│")[0].strip()
            xpert(store, "keys", "revoke", key_id)
            took = within(2.0, lambda: c.post("/threads/count", json={}).status_code == 401)
            assert took <= 1.5
            assert c.post("/threads/count", json={}).json()["message"] == "Invalid token"

    if API_BACKEND != "postgres":
        for path in (tmp_path / "data").glob("xpert.db*"):
            assert key.encode() not in path.read_bytes(), f"{path} holds the key in plain text"
            assert new_key.encode() not in path.read_bytes(), f"{path} holds the key in plain text"


def test_xpert_api_key_from_the_environment_is_accepted_verbatim(store: list[str], tmp_path: Path) -> None:
    mine = "sk-x-mykey-" + secrets.token_hex(8)
    with running_server(store, key=mine) as server:
        with httpx.Client(base_url=server.api, timeout=10) as c:
            ok = c.post(
                "/assistants/search", json={"metadata": {"slug": "demo"}}, headers={"x-api-key": mine}
            )
            assert ok.status_code == 201 and len(ok.json()) == 1
            for other in (mine + "x", mine[:-1], "sk-x-mykey"):
                assert c.post("/threads", json={}, headers={"x-api-key": other}).status_code == 401
        assert not KEY.search(server.output()), "no first-start key when XPERT_API_KEY is set"
    if API_BACKEND != "postgres":
        for path in (tmp_path / "data").glob("xpert.db*"):
            assert mine.encode() not in path.read_bytes()
