"""A real `xpert serve` subprocess for the hardening suites: started on a free loopback port with a known
key, its output drained to a file, stopped (or SIGKILLed) on demand."""

from __future__ import annotations

import os
import resource
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.helpers import free_port

XPERT = Path(sys.executable).with_name("xpert")
PREFIX = "/api/ai"


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    port: int
    key: str
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> str:
        return self.base + PREFIX

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def client(self, credential: str | None = None, **headers: str) -> httpx.Client:
        h = {k.replace("_", "-"): v for k, v in headers.items()}
        if credential is not None:
            h["x-api-key"] = credential
        return httpx.Client(base_url=self.api, headers=h, timeout=60)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no chance to tidy up."""
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


def server_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XPERT_")}
    env.update(settings)
    return env


def start(data_dir: Path, *, key: str | None = None, port: int | None = None, args: tuple[str, ...] = (),
          ready_timeout: float = 60, open_files: int | None = None, **settings: str) -> Served:
    """Start `xpert serve` on `data_dir` (SQLite there unless XPERT_DATABASE_URL is given) and wait for /ok.
    `open_files`: the server's open-files limit, soft and hard (`ulimit -n`)."""

    def limit_files() -> None:
        if open_files is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))

    key = key or f"sk-x-hardening-{secrets.token_hex(16)}"
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"{data_dir.name}-server-{port}.log"
    env = server_env(**{"XPERT_API_KEY": key, "XPERT_LOG_LEVEL": "warning", **settings})
    with open(log_path, "ab") as out:
        proc = subprocess.Popen(
            [str(XPERT), "serve", "--port", str(port), "--data-dir", str(data_dir), *args],
            stdout=out, stderr=subprocess.STDOUT, env=env, preexec_fn=limit_files if open_files else None,
        )
    served = Served(proc=proc, port=port, key=key, log_path=log_path)
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
