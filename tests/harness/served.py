"""Real `xpert` subprocesses. `spawn` is the one way a test launches `xpert` (serve, worker) as a process:
only the XPERT_* settings given here reach it (the test process's own are dropped). `start`/`serving` run
`xpert serve` on a free loopback port with a known key, its output drained to a file, and wait for /ok;
stopped (or SIGKILLed) on demand. `cli` runs a one-shot `xpert` command. The SDK, hardening, restart,
timeout, start-up and scale suites all launch through here."""

from __future__ import annotations

import os
import re
import resource
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from tests.harness.app import SESSION_SECRETS_KEY, free_port

XPERT = Path(sys.executable).with_name("xpert")
PREFIX = "/api/ai"


def server_env(**settings: str) -> dict[str, str]:
    """The environment without the caller's XPERT_* / XPERTAI_* settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XPERT_", "XPERTAI_"))}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings)
    return env


def spawn(
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    out: IO[Any] | None = None,
    preexec_fn: Callable[[], None] | None = None,
    stdin: bool = False,
    xpert: Path = XPERT,
) -> subprocess.Popen[str]:
    """Launch `xpert ARGS` without waiting for it: its output (stderr too) to `out`, else to a pipe
    (`proc.stdout`); with `stdin`, a pipe to write to. `env` defaults to `server_env()`: none of the test
    process's XPERT_* settings. `xpert`: another installation's command (tests/test_wheel.py)."""
    return subprocess.Popen(
        [str(xpert), *args],
        stdin=subprocess.PIPE if stdin else None,
        stdout=out if out is not None else subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env if env is not None else server_env(),
        text=True,
        preexec_fn=preexec_fn,
    )


def cli(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 60,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `xpert ARGS` to its end (stdout and stderr apart); the caller checks its exit status. By default
    without the test process's XPERT_* settings, on a wide terminal so that tables show whole ids."""
    return subprocess.run(
        [str(XPERT), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env if env is not None else server_env(COLUMNS="250"),
        timeout=timeout,
        check=False,
        preexec_fn=preexec_fn,
    )


@dataclass
class Served:
    proc: subprocess.Popen[str]
    port: int
    key: str
    data_dir: Path
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return self.base + PREFIX

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 10) -> re.Match[str]:
        """The first match of `pattern` in the server's output, waiting up to `timeout` s for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = pattern.search(self.output())
            if found:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{pattern.pattern!r} never appeared in the server's output:\n{self.output()}")

    def client(self, credential: str | None = None, **headers: str) -> httpx.Client:
        h = {k.replace("_", "-"): v for k, v in headers.items()}
        if credential is not None:
            h["x-api-key"] = credential
        return httpx.Client(base_url=self.api, headers=h, timeout=60)

    def async_client(self, credential: str | None = None, timeout: float = 30) -> httpx.AsyncClient:
        headers = {"x-api-key": credential} if credential is not None else {}
        return httpx.AsyncClient(base_url=self.api, headers=headers, timeout=timeout)

    def client_env(self, url: str | None = None) -> dict[str, str]:
        """The environment an SDK program needs to reach this server."""
        return server_env(XPERTAI_API_URL=url or self.api, XPERTAI_API_KEY=self.key)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no chance to tidy up."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def start(
    data_dir: Path,
    *,
    key: str | None = None,
    port: int | None = None,
    args: tuple[str, ...] = (),
    ready_timeout: float = 60,
    open_files: int | None = None,
    log_level: str | None = "warning",
    first_start_key: bool = False,
    xpert: Path = XPERT,
    **settings: str,
) -> Served:
    """Start `xpert serve` on `data_dir` (SQLite there unless XPERT_DATABASE_URL or --database-url is given)
    and wait for /ok. `open_files`: the server's open-files limit, soft and hard (`ulimit -n`).
    `first_start_key`: no XPERT_API_KEY, so a new deployment prints a key of its own (`key` is then "").
    `xpert`: the command of another installation (a wheel installed in a venv of its own)."""

    def limit_files() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    key = "" if first_start_key else key or f"sk-x-tests-{secrets.token_hex(16)}"
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"{data_dir.name}-server-{port}.log"
    env = server_env(
        **({"XPERT_API_KEY": key} if key else {}), **({"XPERT_LOG_LEVEL": log_level} if log_level else {})
    )
    # A served server may share the session's database with its in-process apps (the fuzzer's PostgreSQL
    # server): one deployment, so one secrets key (what one seals, the other opens) unless the test names one.
    env["XPERT_CONNECTIONS_SECRET"] = SESSION_SECRETS_KEY
    env.update(settings)
    if xpert != XPERT:  # another installation runs its own code, never this checkout's (PYTHONPATH)
        env.pop("PYTHONPATH", None)
    with open(log_path, "a") as out:
        proc = spawn(
            ["serve", "--port", str(port), "--data-dir", str(data_dir), *args],
            env=env,
            out=out,
            preexec_fn=limit_files if open_files else None,
            xpert=xpert,
        )
    served = Served(proc=proc, port=port, key=key, data_dir=data_dir, log_path=log_path)
    deadline = time.monotonic() + ready_timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"server exited ({proc.returncode}):\n{served.output()}")
        if time.monotonic() > deadline:
            served.stop()
            raise AssertionError(f"server never answered /ok:\n{served.output()}")
        try:
            if httpx.get(f"{served.api}/ok", timeout=1).status_code == 200:
                return served
        except httpx.TransportError:
            time.sleep(0.05)


@contextmanager
def serving(data_dir: Path, **kwargs: Any) -> Iterator[Served]:
    served = start(data_dir, **kwargs)
    try:
        yield served
    finally:
        served.stop()
