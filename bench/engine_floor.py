"""The engine floor: the benchmark graphs run by bare LangGraph in this process, no server, one figure.

What a server cannot beat: the same graphs (`../shared/bench/langgraph_app/graphs.py`) executed the way
this server executes them, minus everything the server adds (HTTP, auth, run and thread records, framing,
storing and sending frames). Exactly as `runs/executor.py` runs a graph in embedded mode:
  - the compiled graph copied with this server's checkpointer attached (`agents/graphs.py` `attach`,
    `runs/checkpoint.py` `open_checkpointer`: AsyncSqliteSaver on its own file, WAL, synchronous=NORMAL),
    here on a fresh temp data dir; one new thread per run, like agent_bench's runs;
  - input `{"messages": [HumanMessage("hi")]}`, config `{"configurable": {thread_id, checkpoint_ns: "",
    run_id}}`, `context={}`, and `graph.astream(..., stream_mode=["messages", "updates", "custom"])` — the
    server's modes: per-token `messages` parts (like the server's stream), plus one `updates` part per run.
    Every part the stream yields is one event.
Workloads, at agent_bench's concurrency and shapes (the JSON keys are agent_bench's, so `run.py`'s table
reads either):
  wait    (`echo`):   -c workers each running runs back to back (the stream drained) for -d seconds:
                      runs_per_s, wait_ms (one run's wall time);
  stream  (`tokens`): the same, per run: first_event_ms (astream called to first part), events_per_run;
  hold    (`slow`):   -c slots, each a run after a run until -d seconds are over (the last ones cancelled):
                      events_per_s_last_third, first_event_ms, streams_open_at_end, and RSS per open stream
                      = (peak RSS during the hold - RSS before it) / streams open at the end, as agent_bench
                      reports a server's. Before a hold, a few `tokens` runs warm the process up (as run.py
                      warms a fresh server).
Every workload also reports `cpu_us_per_event`: this process's CPU time (user + system) over the timed part
/ events in it (hold: the whole hold, and `cpu_us_per_event_last_third`); it moves far less with other load
on the machine than the rates do. Run one figure per process (`run.py` does): RSS and CPU are then its own.

  .venv/bin/python bench/engine_floor.py --workload hold --graph slow -c 1000 -d 15
  .venv/bin/python bench/engine_floor.py --workload stream --graph tokens -c 4 -d 4 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage

ROOT = Path(__file__).resolve().parent.parent
GRAPHS_DIR = (ROOT / ".." / "shared" / "bench" / "langgraph_app").resolve()
MODES = ["messages", "updates", "custom"]  # what runs/executor.py streams a graph with
WARMUP = 16  # min(c, 16) runs before the timed part, as run.py asks of agent_bench


def cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def summarize_ms(vals_s: list[float]) -> dict[str, Any]:
    """agent_bench's shape: seconds in, milliseconds out (linear-interpolated percentiles)."""
    if not vals_s:
        return {"n": 0}
    v = sorted(x * 1000.0 for x in vals_s)

    def pct(p: float) -> float:
        k = (len(v) - 1) * p / 100.0
        f = int(k)
        c = min(f + 1, len(v) - 1)
        return round(v[f] + (v[c] - v[f]) * (k - f), 2)

    return {
        "n": len(v),
        "mean": round(sum(v) / len(v), 2),
        "p50": pct(50),
        "p90": pct(90),
        "max": round(v[-1], 2),
    }


class Engine:
    """The graphs with the server's checkpointer attached; one run = one new thread."""

    def __init__(self, graphs: dict[str, Any], saver: Any, modes: list[str]):
        self.graphs = {name: g.copy(update={"checkpointer": saver}) for name, g in graphs.items()}
        self.modes = modes
        self.errors = 0
        self.error_samples: list[str] = []

    async def run(self, graph: str, on_part: Callable[[float], None] | None = None) -> int:
        """One run streamed to its end; `on_part(t)` at each part. Returns its parts (events)."""
        config: Any = {
            "configurable": {"thread_id": str(uuid.uuid4()), "checkpoint_ns": "", "run_id": str(uuid.uuid4())}
        }
        graph_input = {"messages": [HumanMessage(content="hi", id=str(uuid.uuid4()))]}
        n = 0
        async for _part in self.graphs[graph].astream(
            graph_input, config, stream_mode=self.modes, context={}
        ):
            n += 1
            if on_part is not None:
                on_part(time.perf_counter())
        return n

    def failed(self, e: BaseException) -> None:
        self.errors += 1
        if len(self.error_samples) < 3:
            self.error_samples.append(f"{type(e).__name__}: {e}")


async def pool(conc: int, total: int, seconds: float, job: Callable[[], Awaitable[None]]) -> float:
    """`job()` from `conc` workers until `total` jobs started or `seconds` passed (agent_bench's pool)."""
    deadline = time.perf_counter() + seconds
    issued = 0

    async def worker() -> None:
        nonlocal issued
        while time.perf_counter() < deadline and issued < total:
            issued += 1
            await job()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(conc)))
    return time.perf_counter() - t0


async def runs_workload(eng: Engine, graph: str, conc: int, total: int, seconds: float) -> dict[str, Any]:
    """wait / stream: runs back to back from `conc` workers; per run its wall time, first part, parts."""
    lat: list[float] = []
    ttfe: list[float] = []
    events: list[int] = []

    async def job() -> None:
        t0 = time.perf_counter()
        first: list[float] = []
        try:
            n = await eng.run(graph, lambda t: first.append(t) if not first else None)
        except Exception as e:  # noqa: BLE001 - counted, as agent_bench counts a failed run
            eng.failed(e)
            return
        lat.append(time.perf_counter() - t0)
        ttfe.append(first[0] - t0 if first else lat[-1])
        events.append(n)

    await pool(conc, min(conc, WARMUP), 1e9, job)
    lat.clear()
    ttfe.clear()
    events.clear()
    c0 = cpu_s()
    elapsed = await pool(conc, total, seconds, job)
    cpu = cpu_s() - c0
    ev = sorted(events)
    return {
        "ok": len(lat),
        "elapsed_s": round(elapsed, 3),
        "runs_per_s": round(len(lat) / elapsed, 2),
        "events_per_s": round(sum(ev) / elapsed, 1),
        "events_per_run": {"n": len(ev), "mean": round(sum(ev) / len(ev), 2), "p50": ev[len(ev) // 2]}
        if ev
        else {"n": 0},
        "wait_ms": summarize_ms(lat),
        "first_event_ms": summarize_ms(ttfe),
        "cpu_s": round(cpu, 3),
        "cpu_us_per_event": round(cpu * 1e6 / sum(ev), 1) if sum(ev) else None,
        "cpu_us_per_run": round(cpu * 1e6 / len(lat), 1) if lat else None,
    }


class PeakRss:
    """RSS sampled every 0.1 s by a thread (the event loop is saturated during a hold), the peak kept."""

    def __init__(self) -> None:
        self.peak = rss_kib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, rss_kib())

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kib())
        return self.peak


async def hold_workload(eng: Engine, graph: str, conc: int, seconds: float) -> dict[str, Any]:
    """`conc` slots, each running `graph` after `graph` for `seconds`; agent_bench's hold figures."""

    async def warm() -> None:
        await eng.run("tokens")

    await pool(4, 16, 1e9, warm)  # as run.py warms a fresh server: 16 `tokens` streams at -c 4
    rss0 = rss_kib()
    sampler = PeakRss()
    state = ["idle"] * conc
    ev_count = [0] * conc
    ttfe: list[float] = []
    t_start = time.perf_counter()
    deadline = t_start + seconds

    async def slot(i: int) -> None:
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            seen = [False]

            def on_part(t: float, seen: list[bool] = seen, t0: float = t0) -> None:
                if not seen[0]:
                    seen[0] = True
                    ttfe.append(t - t0)
                if t < deadline:
                    ev_count[i] += 1

            state[i] = "open"
            try:
                await eng.run(graph, on_part)
            except Exception as e:  # noqa: BLE001
                eng.failed(e)
                state[i] = "error"
                return
            state[i] = "done"

    c0 = cpu_s()
    tasks = [asyncio.create_task(slot(i)) for i in range(conc)]
    steady_t0 = steady_ev0 = steady_c0 = None
    while (remaining := deadline - time.perf_counter()) > 0:
        await asyncio.sleep(min(1.0, remaining))
        if steady_t0 is None and time.perf_counter() >= t_start + seconds * 2.0 / 3.0:
            steady_t0, steady_ev0, steady_c0 = time.perf_counter(), sum(ev_count), cpu_s()
    t_end, c1, total = time.perf_counter(), cpu_s(), sum(ev_count)
    open_at_end = sum(1 for s in state if s == "open")
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    peak = sampler.stop()
    out: dict[str, Any] = {
        "slots": conc,
        "duration_s": round(t_end - t_start, 2),
        "streams_open_at_end": open_at_end,
        "events": total,
        "events_per_s": round(total / (t_end - t_start), 1),
        "events_per_s_last_third": None,
        "first_event_ms": summarize_ms(ttfe),
        "cpu_s": round(c1 - c0, 3),
        "cpu_us_per_event": round((c1 - c0) * 1e6 / total, 1) if total else None,
        "server": {
            "rss_before_mib": round(rss0 / 1024, 1),
            "rss_peak_mib": round(peak / 1024, 1),
            "rss_growth_per_open_stream_kib": round((peak - rss0) / max(open_at_end, 1), 1),
        },
    }
    if steady_t0 is not None and steady_ev0 is not None and steady_c0 is not None and t_end - steady_t0 > 0.5:
        n = total - steady_ev0
        out["events_per_s_last_third"] = round(n / (t_end - steady_t0), 1)
        out["cpu_us_per_event_last_third"] = round((c1 - steady_c0) * 1e6 / n, 1) if n else None
    return out


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))  # this checkout's server code (its checkpointer), before any installed one
    sys.path.insert(0, str(GRAPHS_DIR))
    import graphs  # type: ignore[import-not-found]

    from xpert_server.config import Settings
    from xpert_server.runs.checkpoint import open_checkpointer

    with tempfile.TemporaryDirectory(prefix="xpert-engine-") as data_dir:
        # ":memory:" keeps the server's saver but off disk; "none": no checkpointer (what each one costs)
        url = None if args.checkpointer == "sqlite" else "sqlite+aiosqlite:///:memory:"
        checkpointer = await open_checkpointer(Settings(data_dir=Path(data_dir), database_url=url))
        saver = None if args.checkpointer == "none" else checkpointer.saver
        try:
            eng = Engine(
                {name: getattr(graphs, name) for name in ("echo", "tokens", "slow")}, saver, args.stream_mode
            )
            if args.workload == "hold":
                res = await hold_workload(eng, args.graph, args.concurrency, args.duration)
            else:
                res = await runs_workload(eng, args.graph, args.concurrency, args.requests, args.duration)
        finally:
            await checkpointer.close()
    return {
        "workload": args.workload,
        "engine": True,
        "concurrency": args.concurrency,
        "assistant": args.graph,
        "stream_mode": args.stream_mode,
        "checkpointer": args.checkpointer,
        **res,
        "errors": eng.errors,
        "error_samples": eng.error_samples,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", choices=("wait", "stream", "hold"), required=True)
    ap.add_argument("--graph", choices=("echo", "tokens", "slow"), required=True)
    ap.add_argument("-c", "--concurrency", type=int, default=4)
    ap.add_argument("-d", "--duration", type=float, default=4.0, help="seconds (hold: the hold)")
    ap.add_argument("-n", "--requests", type=int, default=100_000, help="most runs (wait, stream)")
    ap.add_argument(
        "--stream-mode",
        type=lambda v: v.split(","),
        default=MODES,
        help="comma-separated stream modes (default: the server's, messages,updates,custom)",
    )
    ap.add_argument(
        "--checkpointer",
        choices=("sqlite", "memory", "none"),
        default="sqlite",
        help="sqlite: the server's, on a temp file (default); memory: the same saver on :memory:; none",
    )
    ap.add_argument("--json", action="store_true", help="one JSON line (else indented)")
    args = ap.parse_args(argv)
    out = asyncio.run(measure(args))
    print(json.dumps(out) if args.json else json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
