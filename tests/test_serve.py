"""A real `xpert serve` subprocess: the first start, the seed's calls, and keys managed while it runs.

On `XPERT_TEST_BACKEND=postgres` each server gets a fresh PostgreSQL database instead of SQLite.
"""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import API_BACKEND, PG_ADMIN_URL, _service_missing
from tests.harness.served import Served, cli, server_env, serving

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
            xpert(store, "keys", "revoke", key_id, "--yes")
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


# --- where it listens: the port, a taken port, the banner ---------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def taken_port(host: str = "127.0.0.1") -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as other:
        other.bind((host, 0))
        other.listen()
        yield other.getsockname()[1]


def test_a_taken_port_says_what_to_do_before_anything_starts(tmp_path: Path) -> None:
    with taken_port() as port:
        started = time.monotonic()
        proc = cli("serve", "--port", str(port), "--data-dir", str(tmp_path / "data"))
        took = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr
    assert f"Cannot listen on 127.0.0.1:{port}: the port is already in use" in proc.stderr
    assert f"make serve PORT={port + 1}" in proc.stderr and f"--port {port + 1}" in proc.stderr
    assert "Traceback" not in proc.stderr and "Errno" not in proc.stderr, proc.stderr
    assert not (tmp_path / "data" / "xpert.db").exists(), "nothing starts before the port is ours"
    assert took < 30  # imports only (a loaded 2-core machine): nothing waits on a database or the port


def test_make_serve_passes_port_and_host(tmp_path: Path) -> None:
    # The venv of this test run stands in for make's own (-o: never reinstall it); 127.0.0.2 is loopback too.
    venv = Path(sys.prefix)
    with taken_port("127.0.0.2") as port:
        proc = subprocess.run(
            ["make", "-s", "-C", str(ROOT), "serve", f"PORT={port}", "HOST=127.0.0.2", f"VENV={venv}"]
            + ["-o", f"{venv}/.installed"],
            capture_output=True,
            text=True,
            env=server_env(XPERT_DATA_DIR=str(tmp_path / "data")),
            timeout=60,
            check=False,
        )
    assert proc.returncode != 0
    assert f"Cannot listen on 127.0.0.2:{port}: the port is already in use" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_banner_names_the_address_and_each_request_is_logged(store: list[str]) -> None:
    with running_server(store, key=f"sk-x-tests-{secrets.token_hex(16)}") as server:
        out = server.wait_for(re.compile(r"xpert-server is listening on .*\n(?:  .*\n){5}")).group(0)
        base, api = server.base, server.api
        assert out.splitlines() == [
            f"xpert-server is listening on {base}",
            f"  Demo page:  {base}/",
            f"  API docs:   {api}/docs",
            f"  Console:    {base}/console",
            f"  Terminal:   xpert chat --api-url {api}",
            f"  API base:   XPERTAI_API_URL={api}",
        ]
        for url in (f"{base}/", f"{api}/docs", f"{base}/console"):
            assert httpx.get(url, timeout=10).status_code == 200, url
        head = httpx.head(f"{base}/", timeout=10)
        assert head.status_code == 200 and head.content == b""
        server.wait_for(re.compile(r"xpert\.access: HEAD / 200 \d+\.\dms -\n"))
