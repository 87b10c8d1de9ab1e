"""Profile this server under one agent_bench workload with py-spy; print the top hot spots.

    .venv/bin/python bench/profile_server.py                       # `wait` on echo, -c 16, 20 s, embedded
    .venv/bin/python bench/profile_server.py --workload stream --slug tokens -c 4 --seconds 15
    .venv/bin/python bench/profile_server.py --database-url postgresql://postgres@127.0.0.1:5432/scratch

Starts `xpert serve` on a fresh temp data dir (`--xperts bench/xperts`), runs py-spy record (raw
collapsed stacks, sampled at --rate Hz; by default only the thread holding the GIL, `--all-threads` for
every non-idle thread) while agent_bench.py drives the workload,
then prints the top N frames by self time (file:line) and by inclusive time (function), in % of the
samples. `--keep DIR` keeps the raw profile (and a speedscope JSON) there. Everything started is stopped
at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import AGENT_BENCH, PROCS, PY, ROOT, XPERT_INPUT, XpertServer, raise_nofile

FRAME = re.compile(r"^(?P<fn>.*) \((?P<file>.*):(?P<line>\d+)\)$")


def short(path: str) -> str:
    for marker in ("/site-packages/", "/lib/python3."):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return tail if marker == "/site-packages/" else "stdlib/" + tail.split("/", 1)[-1]
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return path


# Frames that enclose everything on their thread (process entry, event loop, thread bootstrap): left out of
# the inclusive ranking, where they would only fill the top rows.
WRAPPERS = (
    "typer/",
    "click/",
    "uvicorn/main.py",
    "uvicorn/server.py",
    "uvicorn/_compat.py",
    "stdlib/asyncio/runners.py",
    "stdlib/asyncio/base_events.py",
    "stdlib/threading.py",
    "xpert_server/cli.py",
    "concurrent/futures/thread.py",
    "anyio/_backends/_asyncio.py:WorkerThread",
)


def package(file: str) -> str:
    if file.startswith("stdlib/"):
        parts = file.split("/")
        return "stdlib/" + (parts[1] if len(parts) > 2 else parts[1].removesuffix(".py"))
    if file.startswith("xpert_server/"):
        return "/".join(file.split("/")[:2])
    return file.split("/", 1)[0] if "/" in file else file or "(native)"


def analyse(raw: Path, top: int) -> str:
    self_line: collections.Counter[str] = collections.Counter()
    self_pkg: collections.Counter[str] = collections.Counter()
    incl_fn: collections.Counter[str] = collections.Counter()
    incl_pkg: collections.Counter[str] = collections.Counter()
    incl_project: collections.Counter[str] = collections.Counter()
    total = 0
    for ln in raw.read_text(errors="replace").splitlines():
        stack, _, count = ln.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = []
        for f in stack.split(";"):
            m = FRAME.match(f)
            frames.append((m["fn"], short(m["file"]), m["line"]) if m else (f, "", ""))
        if not frames:
            continue
        total += n
        fn, file, line = frames[-1]
        self_line[f"{fn}  {file}:{line}"] += n
        self_pkg[package(file)] += n
        seen: set[str] = set()
        for fn, file, line in frames:
            key = f"{fn}  {file}"
            if key not in seen and not (
                fn == "<module>" or any(file.startswith(w) or f"{file}:{fn}".startswith(w) for w in WRAPPERS)
            ):
                seen.add(key)
                incl_fn[key] += n
            pk = package(file)
            if "pkg:" + pk not in seen:
                seen.add("pkg:" + pk)
                incl_pkg[pk] += n
            if file.startswith("xpert_server/") and not file.startswith("xpert_server/cli.py"):
                pkey = f"{fn}  {file}:{line}"
                if pkey not in seen:
                    seen.add(pkey)
                    incl_project[pkey] += n
    if not total:
        return "no samples"

    def block(title: str, c: collections.Counter[str], k: int = top) -> str:
        rows = [f"  {100.0 * v / total:5.1f}%  {key}" for key, v in c.most_common(k)]
        return f"{title}\n" + "\n".join(rows)

    return "\n\n".join(
        [
            f"{total} samples",
            block(f"top {top} by self time (file:line)", self_line),
            block(f"top {top} by inclusive time (function; entry/loop/thread wrappers left out)", incl_fn),
            block(f"top {top} xpert_server frames by inclusive time (file:line)", incl_project),
            block("self time by package", self_pkg, 12),
            block("inclusive time by package (a sample counts once per package on its stack)", incl_pkg, 16),
        ]
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workload", default="wait", choices=["wait", "stream", "threads", "search", "hold"])
    ap.add_argument("--slug", default="echo", help="assistant slug for wait/stream/hold")
    ap.add_argument("-c", "--concurrency", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument(
        "--all-threads",
        action="store_true",
        help="sample every thread (wall clock, idle excluded by py-spy's heuristic) instead of "
        "only the thread holding the GIL (--gil: where the Python CPU time goes)",
    )
    ap.add_argument("--database-url", default=None)
    ap.add_argument(
        "--keep", type=Path, default=None, help="directory to keep profile.raw / profile.speedscope.json"
    )
    a = ap.parse_args()
    if not 0 < a.seconds <= 600:
        ap.error("--seconds must be in (0, 600]")
    raise_nofile()
    pyspy = shutil.which("py-spy", path=str(Path(PY).parent)) or shutil.which("py-spy")
    if not pyspy:
        sys.exit("py-spy not found (pip install py-spy into .venv)")
    work = Path(tempfile.mkdtemp(prefix="xpert-profile-"))
    srv = XpertServer("xpert", work / "data", a.database_url)
    (work / "data").mkdir()
    try:
        srv.start()
        args = [
            "--workload",
            a.workload,
            "-c",
            str(a.concurrency),
            "-d",
            str(a.seconds),
            "-n",
            "100000000",
            "--json",
            "--header",
            srv.header,
            "--base-url",
            srv.base_url,
            "--warmup",
            str(a.concurrency),
        ]
        if a.workload in ("wait", "stream", "hold"):
            args += ["--assistant", srv.assistant(a.slug), "--input-json", XPERT_INPUT]
        if a.workload == "stream":
            args += ["--end-event", "complete"]
        raw = work / "profile.raw"
        spy = PROCS.start(
            [
                pyspy,
                "record",
                "-p",
                str(srv.pid),
                "-r",
                str(a.rate),
                "-d",
                str(int(a.seconds) + 2),
                "--format",
                "raw",
                "--full-filenames",
                "--nonblocking",
                "-o",
                str(raw),
                *([] if a.all_threads else ["--gil"]),
            ],
            cwd=ROOT,
            log_path=work / "py-spy.log",
        )
        time.sleep(1.0)
        bench = subprocess.run(
            [PY, str(AGENT_BENCH), *args], capture_output=True, text=True, timeout=a.seconds + 300
        )
        res = json.loads([ln for ln in bench.stdout.splitlines() if ln.startswith("{")][-1])
        spy.wait(timeout=60)
        PROCS.live.remove(spy)
        keys = ("ok", "runs_per_s", "req_per_s", "events_per_s", "errors")
        print("workload:", json.dumps({k: res.get(k) for k in keys if k in res}))
        print(analyse(raw, a.top))
        if a.keep:
            a.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(raw, a.keep / "profile.raw")
            print(f"\nkept {a.keep / 'profile.raw'}")
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        srv.stop()
        PROCS.stop_all()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
