"""`make soak`: a long, bounded, mixed load against `xpert serve` on loopback, with the server's RSS sampled.

What it does:
  1. starts `xpert serve` on a free loopback port with a fresh temporary data dir (SQLite; or
     SOAK_DATABASE_URL), the demo xpert (offline model) and a known key; seeds a knowledge base;
  2. runs SOAK_WORKERS (default 6) client loops for SOAK_SECONDS (default 1800), each doing, with a short
     pause between operations (bounded: it is a leak hunt, not a throughput test), a weighted mix of:
     thread create (some deleted again), run + wait, run + stream (read to `complete`), upload (some
     deleted again), searches (threads, conversations, assistants, the knowledge base);
  3. samples the server's RSS every SOAK_SAMPLE_SECONDS (default 10) from /proc, and (unless SOAK_PROBE=0)
     runs the server under bench/soak_probe.py, whose thread records every 30 s where that memory is:
     glibc's heap in use and free, SQLite's own heap, the Python heap's block count;
  4. prints a report: requests and errors by kind, the load average, RSS start/after warm-up/end/max, the
     least-squares slope of RSS after the warm-up (SOAK_WARMUP_SECONDS, default a fifth of the run, at
     most 300 s) in MiB per 10 minutes, the slopes from 5, 10, 15, 20 and 30 minutes on (so a slow warm-up
     and a steady leak look different), and the probe's figures after the warm-up and at the end. Targets:
     slope < 1 MiB / 10 min, 0 errors; the exit status is 1 when one is missed. SOAK_JSON=path also
     writes the samples, slopes and counts as JSON.

What grew before (60 minutes, 6 loops: +5.7 MiB / 10 min, not levelling) was glibc's free memory, not the
program's: memray --native (SOAK_MEMRAY=path) found 4 MiB made after minute 5 still live at minute 18, and
Python's blocks and SQLite's heap were flat; xpert_server/heap.py says why and what the server does about it.

Knobs for a leak hunt: SOAK_PORT (a fixed port), SOAK_START_SECONDS (time allowed for the start, default
90), SOAK_MEMRAY=path (needs `pip install memray`), SOAK_PROBE=path (keep the probe's lines there; see bench/soak_probe.py for
SOAK_PROBE_TYPES, SOAK_TRACEMALLOC and SOAK_MALLOC_TRIM).

The server is stopped at the end (also on Ctrl-C or failure); its log is kept beside the report's data dir
only when something failed.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "/api/ai"


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


SECONDS = env_float("SOAK_SECONDS", 1800)
WORKERS = int(env_float("SOAK_WORKERS", 6))
SAMPLE = env_float("SOAK_SAMPLE_SECONDS", 10)
WARMUP = env_float("SOAK_WARMUP_SECONDS", min(300.0, SECONDS / 5))
FROM_MINUTES = (5, 10, 15, 20, 30)
PAUSE = env_float("SOAK_PAUSE_SECONDS", 0.05)
TARGET_SLOPE = 1.0  # MiB per 10 minutes
MIX = [("thread", 3), ("wait", 3), ("stream", 3), ("upload", 2), ("search", 4)]


def log(msg: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def slope_per_10min(samples: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MiB), in MiB per 10 minutes."""
    if len(samples) < 3:
        return None
    n = len(samples)
    mt = sum(t for t, _ in samples) / n
    mr = sum(r for _, r in samples) / n
    den = sum((t - mt) ** 2 for t, _ in samples)
    if den == 0:
        return None
    return sum((t - mt) * (r - mr) for t, r in samples) / den * 600


@dataclass
class Tally:
    ok: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.examples) < 10:
            self.examples.append(f"{kind}: {what}")


def send(text: str) -> dict[str, Any]:
    return {"action": "send", "message": {"input": {"input": text}}}


class Load:
    def __init__(self, client: httpx.AsyncClient, assistant_id: str, kb_id: str | None, tally: Tally):
        self.c = client
        self.assistant_id = assistant_id
        self.kb_id = kb_id
        self.tally = tally

    async def expect(self, kind: str, resp: httpx.Response, *statuses: int) -> httpx.Response | None:
        if resp.status_code in statuses:
            self.tally.ok[kind] += 1
            return resp
        self.tally.error(
            kind, f"{resp.request.method} {resp.request.url.path}: {resp.status_code} {resp.text[:200]}"
        )
        return None

    async def thread(self, rnd: random.Random) -> str | None:
        resp = await self.expect(
            "thread", await self.c.post("/threads", json={"metadata": {"soak": True}}), 201
        )
        if resp is None:
            return None
        tid: str = resp.json()["thread_id"]
        return tid

    async def op_thread(self, rnd: random.Random) -> None:
        tid = await self.thread(rnd)
        if tid and rnd.random() < 0.5:
            await self.expect("delete", await self.c.delete(f"/threads/{tid}"), 202)

    async def op_wait(self, rnd: random.Random) -> None:
        tid = await self.thread(rnd)
        if tid:
            body = {"assistant_id": self.assistant_id, "input": send(f"hello {rnd.randint(0, 10**6)}")}
            await self.expect("wait", await self.c.post(f"/threads/{tid}/runs/wait", json=body), 201)

    async def op_stream(self, rnd: random.Random) -> None:
        tid = await self.thread(rnd)
        if not tid:
            return
        body = {"assistant_id": self.assistant_id, "input": send(f"what is {rnd.randint(2, 99)}*7")}
        async with self.c.stream("POST", f"/threads/{tid}/runs/stream", json=body) as resp:
            text = (await resp.aread()).decode()
        if resp.status_code == 200 and '"type":"complete"' in text:
            self.tally.ok["stream"] += 1
        else:
            self.tally.error("stream", f"{resp.status_code} {text[-200:]}")

    async def op_upload(self, rnd: random.Random) -> None:
        words = " ".join(rnd.choice(["alpha", "beta", "gamma", "delta", "soak", "leak"]) for _ in range(600))
        content = (words * rnd.randint(1, 8)).encode()
        resp = await self.expect(
            "upload",
            await self.c.post(
                "/contexts/file", files={"file": (f"soak-{rnd.randint(0, 999)}.txt", content, "text/plain")}
            ),
            201,
        )
        if resp is not None and rnd.random() < 0.7:
            await self.expect("delete", await self.c.delete(f"/contexts/file/{resp.json()['id']}"), 200)

    async def op_search(self, rnd: random.Random) -> None:
        choice = rnd.randrange(4)
        if choice == 0:
            await self.expect("search", await self.c.post("/threads/search", json={"limit": 10}), 200)
        elif choice == 1:
            await self.expect("search", await self.c.post("/conversations/search", json={"limit": 10}), 200)
        elif choice == 2:
            await self.expect("search", await self.c.post("/assistants/search", json={"limit": 5}), 201)
        elif self.kb_id:
            await self.expect(
                "search",
                await self.c.post(
                    f"/knowledges/{self.kb_id}/search", json={"query": rnd.choice(["soak", "memory", "leak"])}
                ),
                201,
            )


async def worker(load: Load, seed: int, deadline: float) -> None:
    rnd = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    while time.monotonic() < deadline:
        kind = rnd.choices(kinds, weights)[0]
        try:
            await getattr(load, f"op_{kind}")(rnd)
        except httpx.HTTPError as e:
            load.tally.error(kind, f"{type(e).__name__}: {e}")
            await asyncio.sleep(1)
        await asyncio.sleep(PAUSE)


async def sampler(pid: int, started: float, deadline: float, samples: list[tuple[float, float]]) -> None:
    while True:
        rss = rss_mib(pid)
        if rss is not None:
            samples.append((time.monotonic() - started, rss))
        if time.monotonic() >= deadline:
            return
        await asyncio.sleep(min(SAMPLE, max(0.0, deadline - time.monotonic())))


async def seed_knowledge(c: httpx.AsyncClient) -> str | None:
    kb = await c.post("/knowledges", json={"name": "soak kb"})
    if kb.status_code != 201:
        log(f"no knowledge base ({kb.status_code}): searches skip it")
        return None
    kb_id: str = kb.json()["id"]
    docs = [
        {"text": f"Document {i}: memory leaks show as RSS that keeps growing under a steady load."}
        for i in range(5)
    ]
    await c.post(f"/knowledges/{kb_id}/bulk", json=docs)
    return kb_id


async def soak(base: str, key: str, pid: int) -> tuple[Tally, list[tuple[float, float]], float, float]:
    limits = httpx.Limits(max_connections=WORKERS * 2, max_keepalive_connections=WORKERS * 2)
    async with httpx.AsyncClient(
        base_url=base + PREFIX, headers={"x-api-key": key}, timeout=120, limits=limits
    ) as c:
        (demo,) = (await c.post("/assistants/search", json={"metadata": {"slug": "demo"}})).json()
        kb_id = await seed_knowledge(c)
        tally = Tally()
        load = Load(c, demo["assistant_id"], kb_id, tally)
        samples: list[tuple[float, float]] = []
        started = time.monotonic()
        deadline = started + SECONDS
        progress = asyncio.create_task(report_progress(tally, samples, started, deadline))
        await asyncio.gather(
            sampler(pid, started, deadline, samples), *(worker(load, i, deadline) for i in range(WORKERS))
        )
        progress.cancel()
        return tally, samples, time.monotonic() - started, started


async def report_progress(
    tally: Tally, samples: list[tuple[float, float]], started: float, deadline: float
) -> None:
    while time.monotonic() < deadline:
        await asyncio.sleep(60)
        rss = f"{samples[-1][1]:.1f} MiB" if samples else "?"
        log(
            f"{time.monotonic() - started:.0f}/{SECONDS:.0f} s: {sum(tally.ok.values())} ok, "
            f"{sum(tally.errors.values())} errors, RSS {rss}"
        )


def server_command(data_dir: Path, port: int) -> list[str]:
    """This checkout's server (start_server puts it first on PYTHONPATH): with the sampling thread of
    bench/soak_probe.py when SOAK_PROBE=path, under `memray run --native` when SOAK_MEMRAY=path."""
    args = ["serve", "--port", str(port), "--data-dir", str(data_dir)]
    entry = (
        [str(ROOT / "bench" / "soak_probe.py")]
        if os.environ.get("SOAK_PROBE")
        else ["-m", "xpert_server.cli"]
    )
    if os.environ.get("SOAK_MEMRAY"):
        # --native resolves C frames (SQLite, pydantic-core, the interpreter's own allocations)
        return [
            sys.executable,
            "-m",
            "memray",
            "run",
            "--native",
            "-o",
            os.environ["SOAK_MEMRAY"],
            *entry,
            *args,
        ]
    return [sys.executable, *entry, *args]


def probe_path(data_dir: Path) -> Path | None:
    """Where bench/soak_probe.py writes (SOAK_PROBE; beside the data dir unless given; none with 0)."""
    given = os.environ.get("SOAK_PROBE")
    if given == "0":
        return None
    return Path(given) if given else data_dir.parent / "probe.jsonl"


def start_server(data_dir: Path, key: str, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XPERT_")}
    env.update(XPERT_API_KEY=key, XPERT_LOG_LEVEL="warning", XPERT_SECRET_RATE_LIMIT="0")
    probe = probe_path(data_dir)
    if probe is not None:
        env["SOAK_PROBE"] = str(probe)
    # measure this checkout's code, not whatever the venv's editable install points at
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "sdk"), env.get("PYTHONPATH", "")]).rstrip(
        os.pathsep
    )
    if os.environ.get("SOAK_DATABASE_URL"):
        env["XPERT_DATABASE_URL"] = os.environ["SOAK_DATABASE_URL"]
    log_file = open(data_dir.parent / "server.log", "ab")
    proc = subprocess.Popen(
        server_command(data_dir, port),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    log_file.close()
    # tracemalloc or memray make the start several times slower on a loaded machine
    deadline = time.monotonic() + env_float("SOAK_START_SECONDS", 90)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited ({proc.returncode}); log: {data_dir.parent / 'server.log'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{PREFIX}/ok", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    stop(proc)
    raise SystemExit("server never answered /ok")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def data_size_mib(data_dir: Path) -> float:
    return sum(p.stat().st_size for p in data_dir.rglob("*") if p.is_file()) / 2**20


def from_minutes(samples: list[tuple[float, float]], elapsed: float) -> dict[int, float]:
    """The slope from each of FROM_MINUTES on, where at least ten minutes of samples follow it."""
    out: dict[int, float] = {}
    for minutes in FROM_MINUTES:
        if elapsed - minutes * 60 >= 600:
            slope = slope_per_10min([(t, r) for t, r in samples if t >= minutes * 60])
            if slope is not None:
                out[minutes] = slope
    return out


def probe_lines(path: Path | None, started: float) -> list[dict[str, Any]]:
    """The probe's lines, each with `at`: seconds since the load started (negative: during the start)."""
    if path is None or not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for line in lines:
        line["at"] = line["monotonic"] - started
    return lines


def heap_line(label: str, line: dict[str, Any]) -> str:
    m = line["malloc"]
    mib = 2**20
    return (
        f"  {label} ({line['at']:.0f} s): RSS {line['rss_mib']:.1f} MiB; glibc heap {m['in_use'] / mib:.1f} in use, "
        f"{m['free'] / mib:.1f} free, {m['mmap'] / mib:.1f} mmapped; SQLite {(line['sqlite'] or 0) / mib:.1f}; "
        f"Python {line['py_blocks']:,} blocks; {line['threads']} threads"
    )


def report(
    tally: Tally,
    samples: list[tuple[float, float]],
    elapsed: float,
    data_mib: float,
    load: tuple[tuple[float, ...], tuple[float, ...]],
    probe: list[dict[str, Any]],
) -> tuple[str, bool, dict[str, Any]]:
    after = [(t, r) for t, r in samples if t >= WARMUP]
    slope = slope_per_10min(after)
    froms = from_minutes(samples, elapsed)
    total = sum(tally.ok.values()) + sum(tally.errors.values())
    errors = sum(tally.errors.values())
    rss_at = after[0][1] if after else float("nan")
    ok = errors == 0 and slope is not None and slope < TARGET_SLOPE
    kinds = sorted(set(tally.ok) | set(tally.errors))
    lines = [
        f"soak report: {elapsed:.0f} s of mixed loopback load, {WORKERS} workers ({PAUSE * 1000:.0f} ms pause), "
        f"{'PostgreSQL' if os.environ.get('SOAK_DATABASE_URL') else 'SQLite'}; machine: {os.cpu_count()} CPUs, "
        f"load average {load[0][0]:.1f} at the start, {load[1][0]:.1f} at the end "
        f"(15-min {load[1][2]:.1f})",
        f"requests: {total} ({total / max(elapsed, 1):.1f}/s): "
        + ", ".join(
            f"{k} {tally.ok[k]}" + (f" (+{tally.errors[k]} errors)" if tally.errors[k] else "") for k in kinds
        ),
        f"errors: {errors} (target 0)" + ("".join(f"\n  - {e}" for e in tally.examples)),
        f"RSS: start {samples[0][1]:.1f} MiB, after warm-up ({WARMUP:.0f} s) {rss_at:.1f} MiB, "
        f"end {samples[-1][1]:.1f} MiB, max {max(r for _, r in samples):.1f} MiB ({len(samples)} samples)"
        if samples
        else "RSS: no samples",
        f"RSS slope after warm-up: {slope:+.2f} MiB / 10 min (target < {TARGET_SLOPE:g})"
        if slope is not None
        else "RSS slope after warm-up: not enough samples",
        "RSS slope from N min on (MiB / 10 min): "
        + (", ".join(f"{m} min {v:+.2f}" for m, v in froms.items()) or "run too short"),
    ]
    if probe:
        warm = min(probe, key=lambda line: abs(line["at"] - WARMUP))
        lines += ["where the memory is (bench/soak_probe.py):", heap_line("after warm-up", warm)]
        lines.append(heap_line("end", probe[-1]))
    lines += [
        f"data dir at the end: {data_mib:.0f} MiB (SQLite keeps up to 8 MiB of page cache in each of the storage's "
        "7 connections, only for the pages it reads: the soak's working set keeps it near 11 MiB in all)",
        "RSS samples (s: MiB): "
        + ", ".join(f"{t:.0f}: {r:.1f}" for t, r in samples[:: max(1, len(samples) // 40)]),
        f"result: {'PASS' if ok else 'FAIL'}",
    ]
    figures = {"slope": slope, "from_minutes": froms, "warmup": WARMUP, "loadavg": load}
    return "\n".join(lines), ok, figures


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="xpert-soak-"))
    key = f"sk-x-soak-{secrets.token_hex(16)}"
    port = int(os.environ.get("SOAK_PORT") or free_port())
    log(f"starting xpert serve on 127.0.0.1:{port} ({work}); {SECONDS:.0f} s, warm-up {WARMUP:.0f} s")
    load_at_start = os.getloadavg()
    proc = start_server(work / "data", key, port)
    ok = False
    try:
        tally, samples, elapsed, started = asyncio.run(soak(f"http://127.0.0.1:{port}", key, proc.pid))
        load = (load_at_start, os.getloadavg())
        probe = probe_lines(probe_path(work / "data"), started)
        text, ok, figures = report(tally, samples, elapsed, data_size_mib(work / "data"), load, probe)
        print(text, flush=True)
        if os.environ.get("SOAK_JSON"):
            Path(os.environ["SOAK_JSON"]).write_text(
                json.dumps(
                    {
                        "seconds": elapsed,
                        "workers": WORKERS,
                        **figures,
                        "samples": samples,
                        "probe": probe,
                        "ok": dict(tally.ok),
                        "errors": dict(tally.errors),
                        "examples": tally.examples,
                    },
                    indent=1,
                )
            )
    except KeyboardInterrupt:
        log("interrupted")
    finally:
        stop(proc)
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"server log kept: {work / 'server.log'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
