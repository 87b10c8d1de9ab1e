"""Scaled mode on one machine: runs/s on `tokens` with 1 and 2 `xpert worker` processes, and the stream's
first-event latency through API processes that execute nothing (the worker is another process).

    .venv/bin/python bench/scale_bench.py [-c 16] [-n 400] [--workers 1,2] [--split]

Starts two API processes (`xpert serve --redis-url …`, no worker), then for each worker count that many
`xpert worker --concurrency 32`, and drives agent_bench.py's `stream` workload (`tokens`, until
`complete`) at API process A (with --split: half the clients at A, half at B, figures summed/merged).
Also, for reference, the same workload on one embedded process (`xpert serve`, PostgreSQL, no Redis).
A throwaway PostgreSQL database and a Redis key prefix of its own; everything it starts is stopped and
dropped at the end. Needs PostgreSQL (BENCH_PG_URL) and Redis (BENCH_REDIS_URL) on loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AGENT_BENCH = (ROOT / ".." / "shared" / "bench" / "agent_bench.py").resolve()
XPERT = Path(sys.executable).with_name("xpert")
PG = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
KEY = "sk-x-scale-bench-" + secrets.token_hex(8)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Procs:
    def __init__(self, root: Path, env: dict[str, str]):
        self.root, self.env, self.all = root, env, []  # type: ignore[var-annotated]

    def start(self, name: str, *args: str, extra: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("wb")
        p = subprocess.Popen(
            [str(XPERT), *args], stdout=log, stderr=subprocess.STDOUT, env={**self.env, **(extra or {})}
        )
        self.all.append(p)
        return p

    def stop(self, p: subprocess.Popen[bytes]) -> None:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self) -> None:
        for p in self.all:
            self.stop(p)


def get(url: str, headers: dict[str, str] | None = None) -> Any:
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.loads(r.read())


def post(url: str, body: Any) -> Any:
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"x-api-key": KEY, "content-type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def wait_ok(base: str, p: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while True:
        assert p.poll() is None, f"process exited {p.returncode}"
        try:
            if get(f"{base}/ok").get("ok"):
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)


def wait_workers(base: str, n: int) -> None:
    deadline = time.monotonic() + 90
    while get(f"{base}/info")["workersAlive"] != n:
        assert time.monotonic() < deadline, "workers did not register"
        time.sleep(0.1)


def agent_bench(bases: list[str], assistant: str, c: int, n: int) -> dict[str, Any]:
    """agent_bench `stream` at each base (c/len(bases) clients each, at once); merged figures."""
    per = max(1, c // len(bases))
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(AGENT_BENCH),
                "--base-url",
                b,
                "--header",
                f"x-api-key: {KEY}",
                "--workload",
                "stream",
                "--assistant",
                assistant,
                "--input-json",
                '{"input":"hi"}',
                "--end-event",
                "complete",
                "-c",
                str(per),
                "-n",
                str(n // len(bases)),
                "--warmup",
                str(per),
                "--json",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for b in bases
    ]
    results = [json.loads(p.communicate()[0]) for p in procs]
    first = sorted(r["first_event_ms"]["p50"] for r in results)
    return {
        "runs_per_s": round(sum(r["runs_per_s"] for r in results), 1),
        "first_event_p50_ms": first[len(first) // 2] if len(first) % 2 else round(sum(first) / 2, 1),
        "first_event_p90_ms": max(r["first_event_ms"]["p90"] for r in results),
        "errors": sum(r.get("errors", 0) for r in results),
        "events_per_run": results[0]["events_per_run"]["p50"],
    }


def drain_rate(base: str, db_url: str, assistant: str, n: int) -> dict[str, Any]:
    """Workers alone: `n` background runs queued at once (POST /runs/batch, no stream to serve), timed from
    the first POST until the database shows them all `success`."""
    import psycopg

    with psycopg.connect(db_url) as conn:
        before = conn.execute("SELECT count(*) FROM runs WHERE status = 'success'").fetchone()[0]
    started = time.perf_counter()
    for i in range(0, n, 100):
        post(f"{base}/runs/batch", [{"assistant_id": assistant, "input": {"input": "hi"}}] * min(100, n - i))
    while True:
        with psycopg.connect(db_url) as conn:
            done = conn.execute("SELECT count(*) FROM runs WHERE status = 'success'").fetchone()[0] - before
        if done >= n:
            break
        time.sleep(0.05)
    return {
        "runs": n,
        "seconds": round(time.perf_counter() - started, 2),
        "runs_per_s": round(n / (time.perf_counter() - started), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-c", type=int, default=16)
    ap.add_argument("-n", type=int, default=400)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--split", action="store_true", help="drive both API processes (else only A)")
    ap.add_argument("--no-embedded", action="store_true")
    args = ap.parse_args()
    import psycopg

    db = f"xpert_scale_bench_{secrets.token_hex(4)}"
    prefix = f"xpert-bench-{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{db}"')
    root = Path(tempfile.mkdtemp(prefix="xpert-scale-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("XPERT_")}
    env.update(
        {
            "XPERT_DATABASE_URL": f"{PG}/{db}",
            "XPERT_REDIS_URL": REDIS,
            "XPERT_REDIS_PREFIX": prefix,
            "XPERT_API_KEY": KEY,
            "XPERT_LOG_LEVEL": "warning",
            "XPERT_XPERTS_DIR": str(ROOT / "bench" / "xperts"),
            "XPERT_DATA_DIR": str(root / "data"),
            "XPERT_FILES_DIR": str(root / "files"),
        }
    )
    procs = Procs(root, env)
    out: dict[str, Any] = {
        "machine": {"nproc": os.cpu_count(), "load": os.getloadavg()},
        "c": args.c,
        "n": args.n,
    }
    try:
        ports = [free_port(), free_port()]
        apis = [procs.start(f"api{i}", "serve", "--port", str(p)) for i, p in enumerate(ports)]
        bases = [f"http://127.0.0.1:{p}/api/ai" for p in ports]
        for b, p in zip(bases, apis, strict=True):
            wait_ok(b, p)
        tokens = post(f"{bases[0]}/assistants/search", {"metadata": {"slug": "tokens"}})[0]["assistant_id"]
        targets = bases if args.split else bases[:1]
        workers: list[subprocess.Popen[bytes]] = []
        for count in [int(x) for x in args.workers.split(",")]:
            while len(workers) < count:
                workers.append(procs.start(f"worker{len(workers)}", "worker", "--concurrency", "32"))
            while len(workers) > count:
                procs.stop(workers.pop())
            wait_workers(bases[0], count)
            out[f"scaled_{count}_workers"] = agent_bench(targets, tokens, args.c, args.n)
            print(f"{count} worker(s), stream: {out[f'scaled_{count}_workers']}", flush=True)
            out[f"drain_{count}_workers"] = drain_rate(bases[0], env["XPERT_DATABASE_URL"], tokens, args.n)
            print(f"{count} worker(s), queue drain: {out[f'drain_{count}_workers']}", flush=True)
        for w in workers:
            procs.stop(w)
        for a in apis:
            procs.stop(a)
        if not args.no_embedded:
            port = free_port()
            emb_env = {"XPERT_REDIS_URL": ""}
            p = procs.start("embedded", "serve", "--port", str(port), extra=emb_env)
            base = f"http://127.0.0.1:{port}/api/ai"
            wait_ok(base, p)
            out["embedded_postgres"] = agent_bench([base], tokens, args.c, args.n)
            print(f"embedded (PostgreSQL, one process): {out['embedded_postgres']}", flush=True)
    finally:
        procs.stop_all()
        cleanup(db, prefix, root)
    print(json.dumps(out, indent=2))


def cleanup(db: str, prefix: str, root: Path) -> None:
    import psycopg

    if os.environ.get("BENCH_KEEP"):
        print(f"kept: database {db}, logs in {root}", file=sys.stderr)
        return
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    try:
        from redis import Redis

        r = Redis.from_url(REDIS)
        for key in r.scan_iter(match=f"{prefix}:*", count=1000):
            r.delete(key)
    except Exception as e:  # noqa: BLE001 - cleanup is best effort
        print(f"redis cleanup: {e}", file=sys.stderr)


if __name__ == "__main__":
    main()
