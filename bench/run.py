"""`make bench`: this server against the engine floor and the floor app (and, with BENCH_PEER=1,
`langgraph dev`), one table.

What it does, all on loopback, every process killed at the end (also on Ctrl-C or failure):
  1. raises the open-files limit; notes the machine (nproc, memory, Python, load average);
  2. the engine floor (bench/engine_floor.py): the same graphs run by bare LangGraph in-process, no
     server, with this server's checkpointer and stream modes, at the server workloads' -c and durations
     (wait `echo` -c 16, stream `tokens` -c 4 and -c 16, hold `slow` -c 200 and -c 1000), each figure in a
     fresh process of its own, once per run before the servers; every streaming figure of every mode
     below gets its ratio to it ("× eng"), and CPU µs per event is reported for the engine and each server;
  3. starts the floor app (`uvicorn floor_app:app` from ../shared/bench) and measures it (POST /threads)
     right before every workload, at that workload's -c: each ratio is to the floor measured beside it,
     which cancels much of the noise of a shared machine;
  4. embedded mode: `xpert serve` on a fresh temp data dir with `--xperts bench/xperts`, then the
     agent_bench.py workloads threads (-c 16), search (-c 16), wait on `echo` (-c 16), stream on `tokens`
     (-c 4 and -c 16, --end-event complete), hold on `slow` (-c 200 and -c 1000, --server-pid; each on
     a freshly started server warmed by a few `tokens` streams, so RSS per open stream is its own);
     then the server is stopped, its data cloned, 100,000 threads written into the clone through the
     storage layer (bench/preload_threads.py), and two servers, on the original (A) and the clone (B),
     re-run threads / wait / stream alternately (A B, B A, ...): the change of B's best round from A's
     is reported, both measured in the same minutes;
  5. PostgreSQL mode, the same, when 127.0.0.1:5432 answers: a throwaway database, dropped after; and
     PostgreSQL + Redis (scaled mode, one process with --with-worker) when 127.0.0.1:6379 answers too,
     and then hold `slow` -c 1000 once more on scaled mode as deployed: one `xpert serve` (API only, no
     --with-worker) plus one `xpert worker` process (XPERT_WORKER_CONCURRENCY=1024), RSS growth and CPU
     summed over the two (each one's own in BENCH_JSON's `_procs`);
  6. BENCH_PEER=1: `langgraph dev` (its own venv, /work/lgvenv) on the same graphs.py, same workloads
     (LangGraph input, stream_mode messages-tuple so it streams per token too, --n-jobs-per-worker 256);
  7. prints one table and appends it, dated, with the machine, to bench/RESULTS.md.

Knobs (environment):
  BENCH_QUICK=1          shorter runs (3-4 s), 15 s holds, 2 A/B rounds
  BENCH_PEER=1           add the `langgraph dev` column (creates /work/lgvenv if missing)
  BENCH_HOLD_SECONDS=N   hold duration (default 20, quick 15; the figures are from its last third)
  BENCH_PRELOAD=N        threads stored for the "100k" variant (default 100000; 0 skips the variant)
  BENCH_ROUNDS=N         A/B rounds of the stored-threads comparison (default 3, quick 2)
  BENCH_PG=0|1           PostgreSQL mode: default when 127.0.0.1:5432 is reachable; 0 skips it
  BENCH_PG_URL=...       server URL for the throwaway database (default postgresql://postgres@127.0.0.1:5432)
  BENCH_EMBEDDED=0       skip embedded mode
  BENCH_HOLD=0           skip the hold workloads (the engine floor's too)
  BENCH_ENGINE=0         skip the engine floor (no "engine floor" column, no "× eng" ratios)
  BENCH_ENGINE_ONLY=1    measure the engine floor alone (~1.5 min quick): no floor app, no server
  BENCH_TWO_PROC=0       skip the PostgreSQL + Redis "API + worker processes" hold
  BENCH_REDIS=0          skip the PostgreSQL + Redis column (by default run when 127.0.0.1:6379 answers and
                         `xpert serve` has --redis-url: --with-worker, XPERT_WORKER_CONCURRENCY=1024,
                         a unique XPERT_REDIS_PREFIX per server, its keys removed after)
  BENCH_RESULTS=path     where to append the results (default bench/RESULTS.md; "-" = don't write)
  BENCH_JSON=path        also write every workload's raw agent_bench JSON there
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = (ROOT / ".." / "shared" / "bench").resolve()
AGENT_BENCH = SHARED / "agent_bench.py"
ENGINE_FLOOR = ROOT / "bench" / "engine_floor.py"
ENGINE_LABEL = "engine floor"
LG_APP = SHARED / "langgraph_app"
LG_VENV = Path(os.environ.get("BENCH_LG_VENV", "/work/lgvenv"))
PY = sys.executable  # the project venv's python (make bench runs .venv/bin/python)
XPERT = str(Path(PY).parent / "xpert")
PREFIX = "/api/ai"
XPERT_INPUT = '{"input":"hi"}'
LG_INPUT = '{"messages":[{"role":"user","content":"hi"}]}'


def env_flag(name: str, default: bool = False) -> bool:
    v = os.environ.get(name)
    return default if v is None or v == "" else v not in ("0", "false", "no", "off")


def env_int(name: str, default: int) -> int:
    v = os.environ.get(name)
    return int(v) if v not in (None, "") else default


QUICK = env_flag("BENCH_QUICK")
PEER = env_flag("BENCH_PEER")
ENGINE_ONLY = env_flag("BENCH_ENGINE_ONLY")
HOLD_S = float(os.environ.get("BENCH_HOLD_SECONDS") or (15 if QUICK else 20))
PRELOAD = env_int("BENCH_PRELOAD", 100_000)
# (max requests, seconds) per workload: time-bounded, so a burst of load from elsewhere on the machine
# weighs less than in a count-bounded run (a fast floor run of 2,000 requests lasts 0.1 s).
SIZES: dict[str, tuple[int, float]] = {
    "floor": (1_000_000, 2.0) if QUICK else (1_000_000, 4.0),  # before every workload, at its -c
    "threads": (100_000, 3.0) if QUICK else (100_000, 10.0),
    "search": (100_000, 3.0) if QUICK else (100_000, 10.0),
    "wait": (100_000, 4.0) if QUICK else (100_000, 12.0),
    "stream4": (100_000, 4.0) if QUICK else (100_000, 12.0),
    "stream16": (100_000, 4.0) if QUICK else (100_000, 12.0),
}
WARMUP = 16
ROUNDS = env_int("BENCH_ROUNDS", 2 if QUICK else 3)  # A/B rounds of the stored-threads comparison


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- processes
class Procs:
    """Every process this script starts, each in its own session: stopped by its own group id."""

    def __init__(self) -> None:
        self.live: list[subprocess.Popen[Any]] = []

    def start(
        self, cmd: list[str], *, cwd: Path, env: dict[str, str] | None = None, log_path: Path | None = None
    ) -> subprocess.Popen[Any]:
        out = open(log_path, "ab") if log_path else subprocess.DEVNULL
        # no inherited XPERT_* settings: each server is configured by this script alone
        base = {k: v for k, v in os.environ.items() if not k.startswith("XPERT_")}
        p = subprocess.Popen(
            cmd,
            cwd=cwd,
            env={**base, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if log_path:
            out.close()  # type: ignore[union-attr]
        self.live.append(p)
        return p

    def stop(self, p: subprocess.Popen[Any], timeout: float = 15.0) -> None:
        if p.poll() is None:
            for sig, wait_s in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
                try:
                    os.killpg(p.pid, sig)  # the group this script created for p
                except ProcessLookupError:
                    break
                try:
                    p.wait(wait_s)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            try:  # its children, if any outlived it
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if p in self.live:
            self.live.remove(p)

    def stop_all(self) -> None:
        for p in list(reversed(self.live)):
            self.stop(p, timeout=5.0)


PROCS = Procs()


def _sigterm(_signo: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def raise_nofile() -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def free_port() -> int:
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port: int = s.getsockname()[1]
        if port != 2024:
            return port
    raise RuntimeError("no free loopback port")


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def http(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 10.0
) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        url, data=data, method=method, headers={"content-type": "application/json", **(headers or {})}
    )
    with urllib.request.urlopen(req, timeout=timeout) as r:
        raw = r.read()
    return json.loads(raw) if raw else None


def wait_ready(p: subprocess.Popen[Any], url: str, log_path: Path, limit: float = 90.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise RuntimeError(f"process exited ({p.returncode}) before ready; log:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=2.0) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"not ready after {limit:.0f} s at {url}; log:\n{tail(log_path)}")


def tail(path: Path, n: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def cpu_ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def tree_pids(pid: int) -> list[int]:
    """`pid` and its descendants (`langgraph dev` serves from a child process)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    todo.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return out


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of `pid` and its descendants."""
    return sum(cpu_ticks(p) or 0 for p in tree_pids(pid)) / os.sysconf("SC_CLK_TCK")


def tree_rss_kib(pid: int) -> int:
    total = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next((int(ln.split()[1]) for ln in f if ln.startswith("VmRSS:")), 0)
        except OSError:
            pass
    return total


class Sampler:
    """RSS peak (every 0.1 s, in a thread) and CPU of processes agent_bench does not see (a separate
    worker), over one workload."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.before = {p: tree_rss_kib(p) for p in pids}
        self.peak = dict(self.before)
        self.cpu0 = {p: tree_cpu_s(p) for p in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            for p in self.pids:
                self.peak[p] = max(self.peak[p], tree_rss_kib(p))

    def stop(self) -> list[dict[str, Any]]:
        self._stop.set()
        self._thread.join()
        return [
            {
                "pid": p,
                "rss_before_mib": round(self.before[p] / 1024, 1),
                "rss_peak_mib": round(max(self.peak[p], tree_rss_kib(p)) / 1024, 1),
                "cpu_s": round(tree_cpu_s(p) - self.cpu0[p], 2),
            }
            for p in self.pids
        ]


def settle(pid: int, limit: float = 30.0) -> None:
    """Wait (at most `limit` s) until the server is idle: < 5% of a core over 0.5 s."""
    clk = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + limit
    prev = cpu_ticks(pid)
    while prev is not None and time.monotonic() < deadline:
        time.sleep(0.5)
        cur = cpu_ticks(pid)
        if cur is None or (cur - prev) / clk < 0.025:
            return
        prev = cur


# --------------------------------------------------------------------------- agent_bench
RAW: list[dict[str, Any]] = []
REDIS_PREFIXES: list[str] = []  # removed from Redis at the end


def agent_bench(
    label: str, base_url: str, workload: str, *args: str, cap_s: float, header: str | None = None
) -> dict[str, Any] | None:
    cmd = [PY, str(AGENT_BENCH), "--base-url", base_url, "--workload", workload, "--json", *args]
    if header:
        cmd += ["--header", header]
    log(f"{label}: {workload} {' '.join(a for a in args if not a.startswith('{'))}")
    return json_child(label, workload, cmd, cap_s)


def json_child(label: str, workload: str, cmd: list[str], cap_s: float) -> dict[str, Any] | None:
    """Run a measuring process (agent_bench.py, engine_floor.py) to its end: its last JSON line."""
    p = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    PROCS.live.append(p)
    try:
        out, err = p.communicate(timeout=cap_s + 180.0)
    except subprocess.TimeoutExpired:
        PROCS.stop(p, timeout=2.0)
        log(f"  {label} {workload}: timed out")
        return None
    except BaseException:  # Ctrl-C / SIGTERM: the load generator goes too
        PROCS.stop(p, timeout=2.0)
        raise
    PROCS.live.remove(p)
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    if not lines:
        log(f"  {label} {workload}: no result (exit {p.returncode}): {err.strip()[-800:]}")
        return None
    res: dict[str, Any] = json.loads(lines[-1])
    RAW.append({"section": label, **res})
    if res.get("errors"):
        log(
            f"  {label} {workload}: {res['errors']} errors {res.get('error_kinds')}: {res.get('error_samples', [])[:2]}"
        )
    return res


def n_d(kind: str) -> list[str]:
    n, d = SIZES[kind]
    return ["-n", str(n), "-d", str(d)]


def engine_figure(workload: str, graph: str, c: int, seconds: float, n: int) -> dict[str, Any] | None:
    """One engine-floor figure, in a process of its own (bench/engine_floor.py)."""
    cmd = [
        PY,
        str(ENGINE_FLOOR),
        "--workload",
        workload,
        "--graph",
        graph,
        "-c",
        str(c),
        "-d",
        f"{seconds:g}",
    ]
    cmd += ["-n", str(n), "--json"]
    log(f"{ENGINE_LABEL}: {workload} {graph} -c {c}")
    return json_child(ENGINE_LABEL, workload, cmd, seconds)


def engine_section() -> dict[str, Any]:
    """The engine floor at the server workloads' concurrency and durations: wait `echo` -c 16, stream
    `tokens` -c 4 and -c 16, hold `slow` -c 200 and -c 1000 (each a fresh process)."""
    base: dict[str, Any] = {"wait": engine_figure("wait", "echo", 16, SIZES["wait"][1], SIZES["wait"][0])}
    for c in (4, 16):
        n, d = SIZES[f"stream{c}"]
        base[f"stream{c}"] = engine_figure("stream", "tokens", c, d, n)
    if env_flag("BENCH_HOLD", True):
        for c in (200, 1000):
            base[f"hold{c}"] = engine_figure("hold", "slow", c, HOLD_S, 0)
    return {"base": base}


def measure_floor(floor_url: str, c: int) -> dict[str, Any] | None:
    return agent_bench(
        "floor",
        floor_url,
        "post",
        "--path",
        "/threads",
        "-c",
        str(c),
        "--warmup",
        "200",
        *n_d("floor"),
        cap_s=SIZES["floor"][1],
    )


# --------------------------------------------------------------------------- servers
class Target:
    """One server under test: how to start it, address it and shape its bodies."""

    label = ""
    base_url = ""
    header: str | None = None
    pid = 0
    input_json = XPERT_INPUT
    stream_args: list[str] = []
    hold_args: list[str] = []

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def assistant(self, slug: str) -> str:
        raise NotImplementedError

    def other_pids(self) -> list[int]:
        """Processes besides `pid` that serve it (a separate worker): sampled by run.py itself."""
        return []


class XpertServer(Target):
    def __init__(
        self,
        label: str,
        data_dir: Path,
        database_url: str | None,
        redis_url: str | None = None,
        *,
        two_proc: bool = False,
    ):
        self.label = label
        self.data_dir = data_dir
        self.database_url = database_url
        self.key = "xb-" + secrets.token_hex(16)
        self.header = f"x-api-key: {self.key}"
        self.redis_url = redis_url
        self.stream_args = ["--end-event", "complete"]
        self.proc: subprocess.Popen[Any] | None = None
        # scaled mode as one API process (no --with-worker) plus one `xpert worker` process
        self.two_proc = two_proc
        self.worker: subprocess.Popen[Any] | None = None
        self._ids: dict[str, str] = {}

    def start(self) -> None:
        port = free_port()
        cmd = [
            XPERT,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(self.data_dir),
            "--xperts",
            str(ROOT / "bench" / "xperts"),
            "--log-level",
            "warning",
        ]
        if self.database_url:
            cmd += ["--database-url", self.database_url]
        log_path = self.data_dir / "server.log"
        # One key opens every stream of the hold workloads: lift the per-credential stream limit (100).
        env = {"XPERT_API_KEY": self.key, "XPERT_MAX_STREAMS_PER_CREDENTIAL": "0"}
        if self.redis_url:
            # scaled mode, one process that also executes runs; its own key prefix per start, so two
            # servers (the stored-threads A/B pair) never share queues; enough run slots for hold -c 1000
            prefix = "xbench-" + secrets.token_hex(5)
            REDIS_PREFIXES.append(prefix)
            cmd += ["--redis-url", self.redis_url] + ([] if self.two_proc else ["--with-worker"])
            env |= {"XPERT_REDIS_PREFIX": prefix, "XPERT_WORKER_CONCURRENCY": "1024"}
        self.proc = PROCS.start(cmd, cwd=ROOT, env=env, log_path=log_path)
        self.pid = self.proc.pid
        if self.two_proc and self.redis_url:
            # its readiness is the first run it executes (the warm-up streams before every hold)
            wcmd = [
                XPERT,
                "worker",
                "--data-dir",
                str(self.data_dir),
                "--xperts",
                str(ROOT / "bench" / "xperts"),
            ]
            wcmd += ["--redis-url", self.redis_url, "--log-level", "warning"]
            wcmd += ["--database-url", self.database_url] if self.database_url else []
            self.worker = PROCS.start(wcmd, cwd=ROOT, env=env, log_path=self.data_dir / "worker.log")
        self.base_url = f"http://127.0.0.1:{port}{PREFIX}"
        wait_ready(self.proc, self.base_url + "/ok", log_path)
        self._ids = {}

    def other_pids(self) -> list[int]:
        return [self.worker.pid] if self.worker is not None else []

    def stop(self) -> None:
        if self.worker is not None:
            PROCS.stop(self.worker)
            self.worker = None
        if self.proc is not None:
            PROCS.stop(self.proc)
            self.proc = None

    def assistant(self, slug: str) -> str:
        if slug not in self._ids:
            found = http(
                "POST",
                self.base_url + "/assistants/search",
                {"metadata": {"slug": slug}},
                {"x-api-key": self.key},
            )
            if not found:
                raise RuntimeError(f"no assistant with slug {slug!r} (is bench/xperts loaded?)")
            self._ids[slug] = found[0]["assistant_id"]
        return self._ids[slug]


class LangGraphDev(Target):
    def __init__(self, workdir: Path):
        self.label = "langgraph dev"
        self.workdir = workdir
        self.input_json = LG_INPUT
        # per-token events like ours (its default `values` mode sends ~2 events per run)
        self.stream_args = ["--stream-mode", "messages-tuple"]
        self.hold_args = ["--stream-mode", "messages-tuple"]
        self.proc: subprocess.Popen[Any] | None = None

    def start(self) -> None:
        ensure_lg_venv()
        self.workdir.mkdir(parents=True, exist_ok=True)
        # graph paths in langgraph.json are relative to the working directory: the same graphs.py, linked
        shutil.copy(LG_APP / "langgraph.json", self.workdir / "langgraph.json")
        link = self.workdir / "graphs.py"
        if not link.exists():
            link.symlink_to(LG_APP / "graphs.py")
        port = free_port()
        cmd = [
            str(LG_VENV / "bin" / "langgraph"),
            "dev",
            "--config",
            "langgraph.json",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-browser",
            "--no-reload",
            "--n-jobs-per-worker",
            "256",
            "--server-log-level",
            "warning",
        ]
        log_path = self.workdir / "server.log"
        self.proc = PROCS.start(cmd, cwd=self.workdir, log_path=log_path)
        self.pid = self.proc.pid
        self.base_url = f"http://127.0.0.1:{port}"
        wait_ready(self.proc, self.base_url + "/ok", log_path, limit=120.0)

    def stop(self) -> None:
        if self.proc is not None:
            PROCS.stop(self.proc)
            self.proc = None

    def assistant(self, slug: str) -> str:
        return slug  # its assistants are the graph names


def ensure_lg_venv() -> None:
    if (LG_VENV / "bin" / "langgraph").exists():
        return
    log(f"creating {LG_VENV} with langgraph-cli[inmem] (one time)")
    subprocess.run(["python3", "-m", "venv", str(LG_VENV)], check=True)
    subprocess.run([str(LG_VENV / "bin" / "pip"), "install", "-q", "langgraph-cli[inmem]"], check=True)


# --------------------------------------------------------------------------- workloads
def specs(t: Target, short: bool) -> list[tuple[str, int, str, list[str], str]]:
    """(result key, -c, workload, agent_bench args, size) for the non-hold workloads."""
    out: list[tuple[str, int, str, list[str], str]] = [("threads", 16, "threads", [], "threads")]
    if not short:
        out.append(("search", 16, "search", [], "search"))
    out.append(
        ("wait", 16, "wait", ["--assistant", t.assistant("echo"), "--input-json", t.input_json], "wait")
    )
    for c in (4, 16):
        out.append(
            (
                f"stream{c}",
                c,
                "stream",
                ["--assistant", t.assistant("tokens"), "--input-json", t.input_json, *t.stream_args],
                f"stream{c}",
            )
        )
    return out


def one(t: Target, label: str, c: int, workload: str, args: list[str], size: str) -> dict[str, Any] | None:
    settle(t.pid, limit=10.0)
    cpu0 = tree_cpu_s(t.pid)
    res = agent_bench(
        label,
        t.base_url,
        workload,
        "-c",
        str(c),
        "--warmup",
        str(min(c, WARMUP)),
        *args,
        *n_d(size),
        cap_s=SIZES[size][1],
        header=t.header,
    )
    if res is not None:
        # the server's CPU over the whole call: agent_bench's warm-up runs included (see cpu_us)
        res["_server_cpu_s"] = tree_cpu_s(t.pid) - cpu0
        res["_warmup"] = min(c, WARMUP)
    return res


def hold(t: Target, c: int) -> dict[str, Any] | None:
    """hold `slow` at -c on a fresh process (or pair), warmed by a few `tokens` streams: its RSS growth per
    open stream is its own (RSS taken by an earlier workload is rarely given back)."""
    t.stop()
    t.start()
    agent_bench(
        t.label + " warm-up",
        t.base_url,
        "stream",
        "--assistant",
        t.assistant("tokens"),
        "--input-json",
        t.input_json,
        *t.stream_args,
        "-c",
        "4",
        "-n",
        "16",
        cap_s=30.0,
        header=t.header,
    )
    for pid in (t.pid, *t.other_pids()):
        settle(pid, limit=10.0)
    sampler = Sampler([t.pid, *t.other_pids()])
    try:
        res = agent_bench(
            t.label,
            t.base_url,
            "hold",
            "--assistant",
            t.assistant("slow"),
            "--input-json",
            t.input_json,
            *t.hold_args,
            "-c",
            str(c),
            "-d",
            str(HOLD_S),
            "--server-pid",
            str(t.pid),
            "--timeout",
            "60",
            cap_s=HOLD_S + 60,
            header=t.header,
        )
    finally:
        procs = sampler.stop()
    if res is not None:
        res["_procs"] = procs  # every process serving it: CPU over the call, RSS before / peak
    for pid in (t.pid, *t.other_pids()):
        settle(pid, limit=20.0)
    return res


def run_suite(t: Target, floor_url: str, *, holds: bool) -> dict[str, Any]:
    """The workloads against a started target, each right after the floor app at the same -c (its result
    carries that floor as `_floor`)."""
    r: dict[str, Any] = {}
    for key, c, workload, args, size in specs(t, short=False):
        floor = measure_floor(floor_url, c)
        res = one(t, t.label, c, workload, args, size)
        if res is not None:
            res["_floor"] = floor
        r[key] = res
    settle(t.pid)
    if holds:
        for c in (200, 1000):
            r[f"hold{c}"] = hold(t, c)
    return r


def interleaved(a: Target, b: Target, floor_url: str, rounds: int) -> dict[str, Any]:
    """Same workloads on `a` (as is) and `b` (threads preloaded), alternated round by round (A B, B A, ...)
    so both see the same machine noise; one floor run per round. Lists of results per key."""
    out: dict[str, Any] = {"a": {}, "b": {}, "floor": {}}
    sa, sb = specs(a, short=True), specs(b, short=True)
    for (key, c, workload, args_a, size), (_k, _c, _w, args_b, _s) in zip(sa, sb, strict=True):
        for i in range(rounds):
            out["floor"].setdefault(key, []).append(measure_floor(floor_url, c))
            pair = [("a", a, args_a), ("b", b, args_b)]
            for side, t, args in pair if i % 2 == 0 else reversed(pair):
                lbl = f"{t.label} {'empty' if side == 'a' else f'+{PRELOAD:,} threads'} r{i + 1}"
                out[side].setdefault(key, []).append(one(t, lbl, c, workload, args, size))
    return out


def preload(database_url: str) -> dict[str, Any] | None:
    log(f"preloading {PRELOAD:,} threads through the storage layer")
    p = subprocess.run(
        [
            PY,
            str(ROOT / "bench" / "preload_threads.py"),
            "--database-url",
            database_url,
            "--count",
            str(PRELOAD),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if p.returncode != 0:
        log(f"  preload failed: {p.stderr.strip()[-800:]}")
        return None
    res: dict[str, Any] = json.loads(p.stdout.strip().splitlines()[-1])
    log(f"  {res['created']:,} threads in {res['seconds']} s")
    return res


def xpert_section(
    label: str,
    data_dir: Path,
    database_url: str | None,
    redis_url: str | None,
    floor_url: str,
    clone: Callable[[], tuple[Path, str | None]],
) -> dict[str, Any]:
    """The full suite on a fresh server; then the stored-threads comparison: the data is cloned, PRELOAD
    threads written into the clone, and servers on the original (A) and the clone (B) measured alternately."""
    sec: dict[str, Any] = {}
    srv = XpertServer(label, data_dir, database_url, redis_url)
    try:
        srv.start()
        log(f"{label}: server pid {srv.pid} at {srv.base_url}")
        sec["base"] = run_suite(srv, floor_url, holds=env_flag("BENCH_HOLD", True))
    finally:
        srv.stop()
    if redis_url and env_flag("BENCH_HOLD", True) and env_flag("BENCH_TWO_PROC", True):
        # scaled mode as deployed: one API process, one `xpert worker` (the same database and Redis)
        two = XpertServer(f"{label} 2-proc", data_dir, database_url, redis_url, two_proc=True)
        two.key, two.header = srv.key, srv.header
        try:
            sec["base"]["hold1000_2proc"] = hold(two, 1000)
        finally:
            two.stop()
    if PRELOAD > 0:
        b_dir, b_url = clone()
        sec["preload"] = preload(b_url or f"sqlite:///{b_dir / 'xpert.db'}")
        if sec["preload"]:
            srv_b = XpertServer(label, b_dir, b_url, redis_url)
            srv_b.key = srv.key  # the same key row is in the clone
            srv_b.header = srv.header
            try:
                srv.start()
                srv_b.start()
                sec["stored"] = interleaved(srv, srv_b, floor_url, ROUNDS)
            finally:
                srv_b.stop()
                srv.stop()
    return sec


def peer_section(workdir: Path, floor_url: str) -> dict[str, Any]:
    sec: dict[str, Any] = {}
    lg = LangGraphDev(workdir)
    try:
        lg.start()
        log(f"langgraph dev: pid {lg.pid} at {lg.base_url}")
        sec["base"] = run_suite(lg, floor_url, holds=env_flag("BENCH_HOLD", True))
    finally:
        lg.stop()
    return sec


# --------------------------------------------------------------------------- postgres / redis
def serve_supports(flag: str) -> bool:
    try:
        out = subprocess.run(
            [XPERT, "serve", "--help"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "COLUMNS": "200"},
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return flag in out


def pg_create(server_url: str, template: str | None = None) -> str:
    import psycopg

    name = "xbench_" + secrets.token_hex(6)
    with psycopg.connect(server_url + "/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return name


def pg_drop(server_url: str, name: str) -> None:
    import psycopg

    try:
        with psycopg.connect(server_url + "/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        log(f"dropped database {name}")
    except Exception as e:  # noqa: BLE001
        log(f"could not drop database {name}: {e}")


def redis_cleanup(prefix: str) -> None:
    try:
        import redis
    except ImportError:
        return
    try:
        r = redis.Redis(host="127.0.0.1", port=6379, db=0, socket_timeout=5)
        keys = list(r.scan_iter(match=prefix + "*", count=1000))[:1_000_000]
        for i in range(0, len(keys), 1000):
            r.delete(*keys[i : i + 1000])
    except Exception as e:  # noqa: BLE001
        log(f"redis cleanup failed: {e}")


# --------------------------------------------------------------------------- table
def g(d: Any, *path: str) -> Any:
    for k in path:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def fnum(v: float | None, unit: str = "") -> str:
    if v is None:
        return "—"
    s = f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}" if abs(v) >= 10 else f"{v:,.2f}"
    return s + unit


def ratio(v: float | None, ref: float | None, suffix: str = "×") -> str:
    if v is None or not ref:
        return "—"
    x = v / ref
    return (f"{x:.3f}" if x < 0.1 else f"{x:.2f}" if x < 10 else f"{x:.0f}") + suffix


def rss_per_stream(r: Any) -> float | None:
    """agent_bench's (peak - before) / open streams; meaningless (divides by 1) when none is open."""
    return g(r, "server", "rss_growth_per_open_stream_kib") if g(r, "streams_open_at_end") else None


def rss_all_per_stream(r: Any) -> float | None:
    """(peak - before), summed over every process serving the hold (API + worker), / open streams."""
    if g(r, "engine"):
        return rss_per_stream(r)
    procs, n = g(r, "_procs"), g(r, "streams_open_at_end")
    if not procs or not n:
        return None
    return sum(p["rss_peak_mib"] - p["rss_before_mib"] for p in procs) * 1024.0 / n


def cpu_us(r: Any, per: str = "event") -> float | None:
    """CPU µs per event (or per run) of whatever executed the workload: the engine's process over its timed
    part; a server's processes over the whole agent_bench call — its warm-up runs are counted as runs (with
    the measured runs' mean events), a hold's events are those received before its end."""
    if g(r, "engine"):
        return g(r, f"cpu_us_per_{per}")
    if g(r, "workload") == "hold":
        procs, events = g(r, "_procs"), g(r, "events")
        return sum(p["cpu_s"] for p in procs) * 1e6 / events if procs and events else None
    cpu, runs = g(r, "_server_cpu_s"), (g(r, "ok") or 0) + (g(r, "_warmup") or 0)
    n = runs if per == "run" else runs * (g(r, "events_per_run", "mean") or 0)
    return cpu * 1e6 / n if cpu is not None and n else None


def _hold_rows(c: int, key: str, what: str) -> list[tuple[str, str, Callable[[Any], Any], str, str, bool]]:
    label = f"hold `slow` -c {c}{what}"
    rss = rss_all_per_stream if key.endswith("2proc") else rss_per_stream
    return [
        (
            f"{label}, events/s (last third)",
            key,
            lambda r: g(r, "events_per_s_last_third"),
            "",
            f"ideal:{c}",
            True,
        ),
        (f"{label}, streams open at end", key, lambda r: g(r, "streams_open_at_end"), "", "none", False),
        (f"{label}, first event p50 ms", key, lambda r: g(r, "first_event_ms", "p50"), " ms", "none", True),
        (f"{label}, RSS KiB per open stream", key, rss, "", "none", True),
        (f"{label}, CPU µs per event", key, cpu_us, "", "none", True),
    ]


# (row label, result key, value extractor, unit, ratio kind: tput | lat | ideal:N | none, over the engine?)
ROWS: list[tuple[str, str, Callable[[Any], Any], str, str, bool]] = [
    ("threads create, req/s (-c 16)", "threads", lambda r: g(r, "req_per_s"), "", "tput", False),
    ("threads create, p50 ms", "threads", lambda r: g(r, "latency_ms", "p50"), " ms", "lat", False),
    ("assistants search, req/s (-c 16)", "search", lambda r: g(r, "req_per_s"), "", "tput", False),
    ("wait `echo`, runs/s (-c 16)", "wait", lambda r: g(r, "runs_per_s"), "", "tput", True),
    ("wait `echo`, wait p50 ms", "wait", lambda r: g(r, "wait_ms", "p50"), " ms", "lat", True),
    ("wait `echo`, CPU µs per run", "wait", lambda r: cpu_us(r, "run"), "", "none", True),
    ("stream `tokens`, runs/s (-c 4)", "stream4", lambda r: g(r, "runs_per_s"), "", "tput", True),
    (
        "stream `tokens`, first event p50 ms (-c 4)",
        "stream4",
        lambda r: g(r, "first_event_ms", "p50"),
        " ms",
        "lat",
        True,
    ),
    ("stream `tokens`, events/run", "stream4", lambda r: g(r, "events_per_run", "p50"), "", "none", False),
    ("stream `tokens`, CPU µs per event (-c 4)", "stream4", cpu_us, "", "none", True),
    ("stream `tokens`, runs/s (-c 16)", "stream16", lambda r: g(r, "runs_per_s"), "", "tput", True),
    (
        "stream `tokens`, first event p50 ms (-c 16)",
        "stream16",
        lambda r: g(r, "first_event_ms", "p50"),
        " ms",
        "lat",
        True,
    ),
    ("stream `tokens`, CPU µs per event (-c 16)", "stream16", cpu_us, "", "none", True),
    *_hold_rows(200, "hold200", ""),
    *_hold_rows(1000, "hold1000", ""),
    # scaled mode as one API process + one `xpert worker` (pg+redis only); the engine's figure is hold1000's
    *_hold_rows(1000, "hold1000_2proc", ", API + worker processes"),
]
# Rows re-measured with PRELOAD threads stored; `higher_better` decides the sign of a "drop".
STORED_ROWS: list[tuple[str, str, Callable[[Any], Any], str, str, bool]] = [
    ("threads create, req/s", "threads", lambda r: g(r, "req_per_s"), "", "tput", True),
    ("wait `echo`, runs/s", "wait", lambda r: g(r, "runs_per_s"), "", "tput", True),
    ("stream `tokens`, runs/s (-c 4)", "stream4", lambda r: g(r, "runs_per_s"), "", "tput", True),
    (
        "stream `tokens`, first event p50 ms (-c 4)",
        "stream4",
        lambda r: g(r, "first_event_ms", "p50"),
        " ms",
        "lat",
        False,
    ),
    ("stream `tokens`, runs/s (-c 16)", "stream16", lambda r: g(r, "runs_per_s"), "", "tput", True),
]


def ref_for(kind: str, res: dict[str, Any] | None) -> tuple[float | None, str]:
    """The reference a figure is divided by: the floor measured just before it (same -c), or the ideal."""
    if kind == "tput":
        return g(res, "_floor", "req_per_s"), "×"
    if kind == "lat":
        return g(res, "_floor", "latency_ms", "p50"), "× fl"
    if kind.startswith("ideal:"):
        return float(kind.split(":")[1]) * 10.0, " ideal"
    return None, ""


def value(res: dict[str, Any] | None, fn: Callable[[Any], Any]) -> float | None:
    return fn(res) if res is not None else None


def normalized(res: dict[str, Any] | None, fn: Callable[[Any], Any], kind: str) -> float | None:
    v = value(res, fn)
    ref, _ = ref_for(kind, res)
    return v / ref if v is not None and ref else None


def best_of(
    results: list[dict[str, Any] | None] | None, fn: Callable[[Any], Any], higher: bool
) -> float | None:
    """Best round: other people's load only ever slows a run down, so the best one is the least disturbed."""
    vals: list[float] = [v for v in (fn(r) for r in results or [] if r is not None) if v is not None]
    if not vals:
        return None
    return max(vals) if higher else min(vals)


def cell(res: dict[str, Any] | None, fn: Callable[[Any], Any], unit: str) -> str:
    if res is None:
        return "fail"
    s = fnum(fn(res), unit)
    if res.get("errors"):
        s += f" (E{res['errors']})"
    return s


def floor_summary(sec: dict[str, Any], c: int) -> tuple[str, str]:
    floors = [g(r, "_floor") for r in (sec.get("base") or {}).values()]
    floors += [f for fl in (g(sec, "stored", "floor") or {}).values() for f in fl]
    floors = [f for f in floors if g(f, "concurrency") == c and g(f, "req_per_s")]
    vals = [f["req_per_s"] for f in floors]
    lat = [g(f, "latency_ms", "p50") for f in floors if g(f, "latency_ms", "p50")]
    if not vals:
        return "—", "—"
    return (
        f"{fnum(sum(vals) / len(vals))} [{fnum(min(vals))}–{fnum(max(vals))}]",
        f"{fnum(sum(lat) / len(lat), ' ms')}",
    )


def build_table(sections: list[tuple[str, dict[str, Any]]]) -> str:
    """One column per section: the engine floor's a value alone; each server's a value, its ratio to the
    floor app and, when the engine floor ran, its ratio to it."""
    peer = next((s for n, s in sections if n == "langgraph dev"), None)
    emb = next((s for n, s in sections if n.startswith("xpert embedded")), None)
    eng = next((s for n, s in sections if n == ENGINE_LABEL), None)
    servers = [(n, s) for n, s in sections if n != ENGINE_LABEL]
    head = ["workload / figure"] + ([ENGINE_LABEL] if eng is not None else [])
    for name, _ in servers:
        head += [name, "ratio"] + (["÷ engine"] if eng is not None else [])
    vs_peer = peer is not None and emb is not None
    if vs_peer:
        head += ["embedded ÷ peer"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    extra = [""] if vs_peer else []
    lead = ["—"] if eng is not None else []  # the engine column of rows it has no figure for
    blank = [""] if eng is not None else []  # a server's "÷ engine" cell of those rows

    for c in (16, 4) if servers else ():
        row_t, row_l = (
            [f"floor POST /threads, req/s (-c {c}): mean [min–max]", *lead],
            [f"floor p50 ms (-c {c})", *lead],
        )
        for _n, sec in servers:
            t, lat = floor_summary(sec, c)
            row_t += [t, "1×", *blank]
            row_l += [lat, "", *blank]
        lines.append("| " + " | ".join(row_t + extra) + " |")
        lines.append("| " + " | ".join(row_l + extra) + " |")

    for label, key, fn, unit, kind, vs_eng in ROWS:
        if not any(key in (sec.get("base") or {}) for _n, sec in sections):
            continue  # nothing ran it (BENCH_HOLD=0; the 2-proc variant without pg+redis; engine only)
        row = [label]
        # the 2-proc variant is held against the engine's hold -c 1000, shown again in its rows
        eng_res = g(eng, "base", key.removesuffix("_2proc"))
        eng_v = value(eng_res, fn)
        if eng is not None:
            row.append(cell(eng_res, fn, unit) if eng_res is not None else "—")
        for _name, sec in servers:
            base = sec.get("base") or {}
            if key not in base:
                row += ["—", "", *blank]
                continue
            res = base[key]
            ref, suf = ref_for(kind, res)
            row += [cell(res, fn, unit), ratio(value(res, fn), ref, suf) if kind != "none" else ""]
            if eng is not None:
                row.append(ratio(value(res, fn), eng_v, "× eng") if vs_eng else "")
        if vs_peer:
            a, b = g(emb, "base", key), g(peer, "base", key)
            if kind == "tput" or kind.startswith("ideal"):
                row.append(ratio(value(a, fn), value(b, fn)))
            elif kind == "lat":
                row.append(ratio(value(a, fn), value(b, fn), "× time"))
            else:
                row.append("")
        lines.append("| " + " | ".join(row) + " |")

    if any(sec.get("stored") for _n, sec in servers):
        for label, key, fn, unit, kind, higher in STORED_ROWS:
            row = [f"{PRELOAD / 1000:g}k threads stored: {label}", *lead]
            for _name, sec in servers:
                st = sec.get("stored")
                if not st:
                    row += ["—", "", *blank]
                    continue
                va, vb = best_of(g(st, "a", key), fn, higher), best_of(g(st, "b", key), fn, higher)
                fails = sum(1 for r in (g(st, "b", key) or []) if r is None or r.get("errors"))
                s = fnum(vb, unit) + (f" (E/fail {fails})" if fails else "")
                if va and vb is not None:
                    change = 100.0 * (vb - va) / va
                    worse = -change if higher else change
                    s += f" ({change:+.1f}%{' DROP' if worse > 10 else ''} vs {fnum(va, unit)} empty)"
                if kind == "tput":
                    ref, suf = best_of(g(st, "floor", key), lambda r: g(r, "req_per_s"), True), "×"
                else:
                    ref, suf = (
                        best_of(g(st, "floor", key), lambda r: g(r, "latency_ms", "p50"), False),
                        "× fl",
                    )
                row += [s, ratio(vb, ref, suf), *blank]
            lines.append("| " + " | ".join(row + extra) + " |")
    return "\n".join(lines)


LEGEND = """\
`engine floor`: the same graphs run by bare LangGraph in one process, no server (bench/engine_floor.py: this
server's SQLite checkpointer and stream modes, one new thread per run, every streamed part one event; a
fresh process per figure), at the same -c and durations, measured once per run before the servers;
`÷ engine` is a server's figure over it (`× eng`: for rates < 1 is slower than the engine, for times, RSS and
CPU > 1 is more). CPU µs per event (per run for wait): CPU time over events of the engine's process over its
timed part, of the server's process(es) over the whole agent_bench call (its warm-up runs counted), so it
includes thread creation, HTTP, storing and sending; it moves far less with the machine's load than the
rates do. Every workload runs right after the floor app (`floor_app.py`, POST /threads) at the same -c; `ratio` is the
figure over that floor: throughput over its req/s (`×`), latency over its p50 (`× fl`); hold events/s over
the ideal 10 events/s per slot (`ideal`). Floor rows: mean [min–max] of those floor runs (the machine's
noise). `(E<n>)`: n requests/runs failed. `k threads stored` rows: best round of a server on a clone of
the data with that many threads written through the storage layer (B), alternated round by round with a
server on the original (A, "empty"); `(±x%)` is B's best against A's best (`DROP`: worse by > 10%); the
ratio is B over the best floor run of those rounds. Hold rows: a fresh server per hold; events/s over the
last third of the hold; RSS per open stream is (peak - start) / streams open at the end. `API + worker
processes` rows (pg+redis): scaled mode as `xpert serve` (no --with-worker) plus one `xpert worker`, RSS
growth and CPU summed over both processes. `embedded ÷ peer`: xpert embedded
over `langgraph dev` (latencies: ratio of times, < 1 is faster). Peer: `langgraph dev
--n-jobs-per-worker 256` (in-memory runtime), stream_mode `messages-tuple` (per-token events, like this
server's stream); its runs take LangGraph input."""


# --------------------------------------------------------------------------- machine / results
def machine() -> dict[str, Any]:
    mem_kb = 0
    try:
        with open("/proc/meminfo") as f:
            for ln in f:
                if ln.startswith("MemTotal:"):
                    mem_kb = int(ln.split()[1])
    except OSError:
        pass
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "")
    except OSError:
        pass
    commit = ""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        commit += " + uncommitted changes" if dirty else ""
    except (OSError, subprocess.SubprocessError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "mem_gib": round(mem_kb / 1048576, 1),
        "python": platform.python_version(),
        "loadavg": os.getloadavg(),
        "commit": commit,
        "kernel": platform.release(),
    }


def write_results(
    m: dict[str, Any], table: str, notes: list[str], started: dt.datetime, elapsed: float
) -> None:
    target = os.environ.get("BENCH_RESULTS", str(ROOT / "bench" / "RESULTS.md"))
    if target == "-":
        return
    path = Path(target)
    knobs = (
        ", ".join(f"{k}={os.environ[k]}" for k in sorted(os.environ) if k.startswith("BENCH_")) or "defaults"
    )
    la = m["loadavg"]
    parts = []
    if not path.exists():
        parts.append(
            "# `make bench` results\n\nOne dated section per run, appended by `bench/run.py` "
            "(see its docstring for the knobs). Absolute numbers depend on the machine's load; "
            "compare the ratios.\n"
        )
    parts.append(
        f"\n## {started.strftime('%Y-%m-%d %H:%M:%S %Z').strip()}\n\n"
        f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_gib']} GiB RAM, Linux {m['kernel']}, "
        f"Python {m['python']}\n"
        f"- load average at start: {la[0]:.2f} / {la[1]:.2f} / {la[2]:.2f} (1 / 5 / 15 min)\n"
        f"- code: {m['commit'] or 'unknown'}; knobs: {knobs}; wall time {elapsed / 60:.1f} min\n"
        + "".join(f"- {n}\n" for n in notes)
        + f"\n{table}\n\n{LEGEND}\n"
    )
    with open(path, "a") as f:
        f.write("".join(parts))
    log(f"appended to {path}")


# --------------------------------------------------------------------------- main
def main() -> int:
    signal.signal(signal.SIGTERM, _sigterm)
    signal.signal(signal.SIGHUP, _sigterm)
    started = dt.datetime.now().astimezone()
    t0 = time.monotonic()
    nofile = raise_nofile()
    m = machine()
    log(
        f"machine: {m['nproc']} CPUs, {m['mem_gib']} GiB, Python {m['python']}, load {m['loadavg']}, "
        f"open files {nofile[0]}; quick={QUICK} peer={PEER} hold={HOLD_S:g}s preload={PRELOAD}"
    )
    if nofile[0] < 4096:
        log(f"warning: open-files limit {nofile[0]}: hold -c 1000 may fail (raise `ulimit -n`)")
    for path in (AGENT_BENCH, SHARED / "floor_app.py"):
        if not path.exists():
            log(f"missing {path}")
            return 2
    notes: list[str] = []
    sections: list[tuple[str, dict[str, Any]]] = []
    work = Path(tempfile.mkdtemp(prefix="xpert-bench-"))
    pg_server = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
    pg_dbs: list[str] = []  # throwaway databases, dropped at the end whatever happens
    try:

        def attempt(name: str, fn: Callable[..., dict[str, Any]], *args: Any) -> None:
            try:
                sections.append((name, fn(*args)))
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                log(f"{name} failed: {e}")
                notes.append(f"{name}: failed ({str(e).splitlines()[0][:200]})")

        if ENGINE_ONLY or env_flag("BENCH_ENGINE", True):
            attempt(ENGINE_LABEL, engine_section)
        floor_url = "" if ENGINE_ONLY else start_floor(work)

        if env_flag("BENCH_EMBEDDED", True) and not ENGINE_ONLY:
            d = work / "embedded"
            d.mkdir()

            def clone_sqlite() -> tuple[Path, str | None]:
                dst = work / "embedded-stored"
                shutil.copytree(d, dst, ignore=shutil.ignore_patterns("server.log"))
                return dst, None

            attempt("xpert embedded", xpert_section, "xpert embedded", d, None, None, floor_url, clone_sqlite)

        pg_wanted = os.environ.get("BENCH_PG", "auto")
        pg_modes: list[tuple[str, str | None]] = []
        if pg_wanted != "0" and not ENGINE_ONLY and reachable("127.0.0.1", 5432):
            pg_modes.append(("xpert postgres", None))
            if env_flag("BENCH_REDIS", True) and reachable("127.0.0.1", 6379):
                if serve_supports("--redis-url"):
                    pg_modes.append(("xpert pg+redis", "redis://127.0.0.1:6379/0"))
                else:
                    notes.append("PostgreSQL + Redis mode skipped: `xpert serve` has no --redis-url")
        elif pg_wanted == "1" and not ENGINE_ONLY:
            notes.append("PostgreSQL mode requested but 127.0.0.1:5432 is not reachable")
        for i, (label, redis_url) in enumerate(pg_modes):
            try:
                pg_dbs.append(pg_create(pg_server))
                log(f"created database {pg_dbs[-1]}")
            except Exception as e:  # noqa: BLE001
                log(f"PostgreSQL reachable but database creation failed: {e}")
                notes.append(f"{label} skipped: {e}")
                continue
            pdir = work / f"pg{i}"
            pdir.mkdir()
            url = f"{pg_server}/{pg_dbs[-1]}"

            def clone_pg(pdir: Path = pdir, template: str = pg_dbs[-1]) -> tuple[Path, str | None]:
                name = pg_create(pg_server, template=template)
                pg_dbs.append(name)
                dst = pdir.with_name(pdir.name + "-stored")
                dst.mkdir()
                return dst, f"{pg_server}/{name}"

            attempt(label, xpert_section, label, pdir, url, redis_url, floor_url, clone_pg)
            for name in pg_dbs:  # their servers were stopped by xpert_section
                pg_drop(pg_server, name)
            pg_dbs.clear()

        if PEER and not ENGINE_ONLY:
            attempt("langgraph dev", peer_section, work / "langgraph", floor_url)
    except KeyboardInterrupt:
        log("interrupted: stopping every process started here")
        notes.append("run interrupted")
    except RuntimeError as e:  # the floor app did not start
        log(str(e))
        notes.append(f"failed: {str(e).splitlines()[0]}")
    finally:
        PROCS.stop_all()
        for name in pg_dbs:
            pg_drop(pg_server, name)
        for prefix in REDIS_PREFIXES:
            redis_cleanup(prefix)
        if os.environ.get("BENCH_JSON"):
            Path(os.environ["BENCH_JSON"]).write_text(
                json.dumps({"machine": m, "sections": dict(sections), "raw": RAW}, indent=1, default=str)
            )
        if any(r.get("errors") for r in RAW) or any("failed" in n for n in notes):
            keep = Path(tempfile.mkdtemp(prefix="xpert-bench-logs-"))
            for f in work.rglob("*.log"):
                dst = keep / f.relative_to(work)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(f, dst)
            notes.append(f"errors: server logs kept in {keep}")
            log(f"errors seen: server logs kept in {keep}")
        shutil.rmtree(work, ignore_errors=True)
    if not sections:
        log("nothing measured")
        return 1
    for name, sec in sections:
        if g(sec, "preload"):
            notes.append(
                f"{name}: {sec['preload']['created']:,} threads preloaded in {sec['preload']['seconds']} s"
            )
    table = build_table(sections)
    print()
    print(table)
    print()
    print(LEGEND)
    write_results(m, table, notes, started, time.monotonic() - t0)
    return 130 if "run interrupted" in notes else 0


def start_floor(work: Path) -> str:
    """The floor app (a bare Starlette POST): its URL."""
    port = free_port()
    log_path = work / "floor.log"
    cmd = [PY, "-m", "uvicorn", "floor_app:app", "--host", "127.0.0.1", "--port", str(port)]
    p = PROCS.start([*cmd, "--no-access-log", "--log-level", "warning"], cwd=SHARED, log_path=log_path)
    wait_until_listening(p, port, log_path)
    return f"http://127.0.0.1:{port}"


def wait_until_listening(p: subprocess.Popen[Any], port: int, log_path: Path, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise RuntimeError(f"floor app exited ({p.returncode}); log:\n{tail(log_path)}")
        if reachable("127.0.0.1", port):
            return
        time.sleep(0.2)
    raise RuntimeError(f"floor app not listening after {limit:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
