"""A cluster of real processes: `xpert serve` and `xpert worker` subprocesses on free ports, against one
PostgreSQL database and one Redis key prefix of the test's own, serving the xperts of one folder.

Each process gets only the XPERT_* variables set here (the test process's own are dropped), so a test
says exactly which deployment it runs: `Cluster.env` is shared by every process it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.harness.app import free_port

XPERT = Path(sys.executable).with_name("xpert")
KEY = "sk-x-scale-tests-0123456789abcdef"
PREFIX = "/api/ai"


@dataclass
class Proc:
    kind: str
    popen: subprocess.Popen[str]
    log: Path
    base: str = ""  # API processes: http://127.0.0.1:<port>/api/ai

    def client(self, **kw: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base, headers={"x-api-key": KEY}, timeout=kw.pop("timeout", 30), **kw
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)


@dataclass
class Cluster:
    root: Path
    database_url: str
    redis_url: str
    prefix: str
    xperts: Path
    env: dict[str, str] = field(default_factory=dict)
    procs: list[Proc] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.files = self.root / "files"  # XPERT_FILES_DIR: the folder every process shares
        self.env = {
            "XPERT_API_KEY": KEY,
            "XPERT_REDIS_PREFIX": self.prefix,
            "XPERT_LOG_LEVEL": "warning",
            "XPERT_LEASE_SECONDS": "2",
            "XPERT_FILES_DIR": str(self.files),
            "XPERT_FILE_URL_SECRET": "scale-tests-file-url-secret",
            # One secrets key for the deployment: what one process seals (webhook, connection secrets),
            # every other opens.
            "XPERT_CONNECTIONS_SECRET": "scale-tests-secrets-key",
            **self.env,
        }

    def _spawn(self, kind: str, args: list[str], extra_env: dict[str, str] | None) -> Proc:
        env = {k: v for k, v in os.environ.items() if not k.startswith("XPERT_")}
        env.update(self.env)
        env.update(extra_env or {})
        n = len(self.procs)
        data = self.root / f"{kind}-{n}"
        log = self.root / f"{kind}-{n}.log"
        with log.open("w") as out:
            popen = subprocess.Popen(
                [
                    str(XPERT),
                    *args,
                    "--data-dir",
                    str(data),
                    "--xperts",
                    str(self.xperts),
                    "--database-url",
                    self.database_url,
                    "--redis-url",
                    self.redis_url,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                text=True,
            )
        proc = Proc(kind, popen, log)
        self.procs.append(proc)
        return proc

    async def api(self, *more: str, env: dict[str, str] | None = None) -> Proc:
        port = free_port()
        proc = self._spawn("api", ["serve", "--port", str(port), *more], env)
        proc.base = f"http://127.0.0.1:{port}{PREFIX}"
        await self._until(proc, lambda c: c.get("/ok"), "answer /ok")
        return proc

    async def worker(self, *more: str, env: dict[str, str] | None = None, via: Proc | None = None) -> Proc:
        """Start a worker; with `via` (an API process), wait until /info counts it alive."""
        before = await self.workers_alive(via) if via is not None else 0
        proc = self._spawn("worker", ["worker", *more], env)
        if via is not None:
            deadline = time.monotonic() + 60
            while await self.workers_alive(via) <= before:
                assert proc.popen.poll() is None, f"xpert worker exited:\n{proc.output()}"
                assert time.monotonic() < deadline, f"the worker never registered:\n{proc.output()}"
                await asyncio.sleep(0.1)
        return proc

    async def workers_alive(self, via: Proc) -> int:
        return int((await self.info(via))["workersAlive"])

    async def info(self, via: Proc) -> dict[str, Any]:
        async with via.client() as c:
            resp = await c.get("/info")
        assert resp.status_code == 200, f"/info: {resp.status_code} {resp.text}\n{via.output()}"
        return dict(resp.json())

    async def _until(self, proc: Proc, probe: Any, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=proc.base, timeout=2) as c:
            while True:
                assert proc.popen.poll() is None, (
                    f"{proc.kind} exited with {proc.popen.returncode}:\n{proc.output()}"
                )
                with contextlib.suppress(httpx.TransportError):
                    if (await probe(c)).status_code == 200:
                        return
                assert time.monotonic() < deadline, (
                    f"{proc.kind} did not {what} within {timeout} s:\n{proc.output()}"
                )
                await asyncio.sleep(0.05)

    def stop_all(self) -> None:
        for p in self.procs:
            p.kill(signal.SIGTERM)
        for p in self.procs:
            try:
                p.popen.wait(15)
            except subprocess.TimeoutExpired:
                p.kill(signal.SIGKILL)
                p.popen.wait(5)
