"""Runs `xpert_server.cli` with a sampling thread that says where the soak's memory is (SOAK_PROBE=path.jsonl).

`bench/soak.py` starts the server through this module when SOAK_PROBE is set. Every SOAK_PROBE_SECONDS
(default 30) it appends one JSON line to SOAK_PROBE: RSS, glibc's heap (mallinfo2: arena bytes in use and
free, mmapped bytes), SQLite's own heap (sqlite3_memory_used of the libsqlite3 the process loaded), the
Python heap (sys.getallocatedblocks, gc counts), threads; with SOAK_PROBE_TYPES=1 every fourth line also
counts the live objects by type (the types with the most instances), so a growing map or list of objects
shows by name.

SOAK_TRACEMALLOC=N starts tracemalloc with N frames and dumps a snapshot at each of the SOAK_PROBE_DUMPS
seconds (comma separated) to SOAK_PROBE + ".<s>.tracemalloc"; diff two with `python -m bench.soak_probe
diff A B`. SOAK_MALLOC_TRIM=s calls malloc_trim(0) every s seconds and records how much RSS it gave back
(what glibc held as free heap, not what the program holds).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import os
import runpy
import sys
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


_libc = ctypes.CDLL(None)
TYPES = os.environ.get("SOAK_PROBE_TYPES") == "1"


def _sqlite_memory() -> int | None:
    import _sqlite3  # noqa: F401  (loads the libsqlite3 the storage uses, so dlopen returns that copy)

    name = ctypes.util.find_library("sqlite3")
    if not name:
        return None
    lib = ctypes.CDLL(name)
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _mallinfo() -> dict[str, int]:
    _libc.mallinfo2.restype = _Mallinfo2
    m = _libc.mallinfo2()
    return {"arena": m.arena, "mmap": m.hblkhd, "in_use": m.uordblks, "free": m.fordblks, "top": m.keepcost}


def _types(limit: int = 60) -> dict[str, int]:
    # gc.get_objects() hands out tuples that another thread is still building with tuple(generator);
    # if that thread resumes while the list holds them, its _PyTuple_Resize fails (SystemError: seen at
    # startup under tracemalloc). A long switch interval keeps the other threads out until the list is gone.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(60)
    try:
        time.sleep(0)  # let a thread that already asked for the GIL have it now, before the list exists
        counts: Counter[type] = Counter(map(type, gc.get_objects()))
    finally:
        sys.setswitchinterval(interval)
    named = ((f"{t.__module__}.{t.__qualname__}", n) for t, n in counts.most_common(limit))
    return dict(named)


def _sample(started: float, n: int) -> dict[str, Any]:
    line: dict[str, Any] = {
        "t": round(time.monotonic() - started, 1),
        "monotonic": time.monotonic(),  # the same clock in every process: bench/soak.py places the line
        "rss_mib": round(_rss_kib() / 1024, 2),
        "malloc": _mallinfo(),
        "sqlite": _sqlite_memory(),
        "py_blocks": sys.getallocatedblocks(),
        "gc_count": gc.get_count(),
        "threads": threading.active_count(),
    }
    if tracemalloc.is_tracing():
        line["tracemalloc"] = tracemalloc.get_traced_memory()[0]
    if TYPES and n % 4 == 0:
        line["types"] = _types()
    return line


def _run(path: Path) -> None:
    started = time.monotonic()
    every = float(os.environ.get("SOAK_PROBE_SECONDS") or 30)
    dumps = sorted(float(s) for s in (os.environ.get("SOAK_PROBE_DUMPS") or "").split(",") if s)
    trim = float(os.environ.get("SOAK_MALLOC_TRIM") or 0)
    last_trim = started
    n = 0
    with path.open("a") as out:
        while True:
            line = _sample(started, n)
            now = time.monotonic()
            if trim and now - last_trim >= trim:
                before = _rss_kib()
                _libc.malloc_trim(0)
                line["trimmed_mib"] = round((before - _rss_kib()) / 1024, 2)
                last_trim = now
            while dumps and now - started >= dumps[0] and tracemalloc.is_tracing():
                tracemalloc.take_snapshot().dump(f"{path}.{dumps.pop(0):.0f}.tracemalloc")
            out.write(json.dumps(line) + "\n")
            out.flush()
            n += 1
            time.sleep(every)


def diff(a: str, b: str, top: int = 40) -> None:
    old, new = tracemalloc.Snapshot.load(a), tracemalloc.Snapshot.load(b)
    for key in ("lineno", "traceback"):
        print(f"== grown between the snapshots, by {key}")
        for stat in new.compare_to(old, key)[: top if key == "lineno" else 12]:
            print(stat)
            if key == "traceback":
                for frame in stat.traceback.format()[-16:]:
                    print("   ", frame)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3])
        return
    if os.environ.get("SOAK_TRACEMALLOC"):
        tracemalloc.start(int(os.environ["SOAK_TRACEMALLOC"]))
    threading.Thread(
        target=_run, args=(Path(os.environ["SOAK_PROBE"]),), daemon=True, name="soak-probe"
    ).start()
    sys.argv = ["xpert", *sys.argv[1:]]
    runpy.run_module("xpert_server.cli", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
