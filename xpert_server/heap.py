"""The native heap: a server process uses at most two glibc malloc arenas and mmaps every allocation of
128 KiB or more (unless the operator set MALLOC_ARENA_MAX or MALLOC_MMAP_THRESHOLD_).

What `make soak` (6 loops, SQLite) saw without this: RSS +16 MiB between minutes 5 and 15 and still
+5 MiB per 10 minutes at minute 45, while what the process holds stayed flat (memray `--native`: 4 MiB
made after minute 5 was live at minute 18; Python's block count and SQLite's heap flat after minute 4).
All of it was glibc's free memory (/proc/<pid>/smaps: its per-thread arenas), for two reasons:
- glibc gives each new thread an arena of its own (up to 8 per core), each keeping what is freed into it:
  one per SQLite connection's thread and per executor thread, each at its own high water mark;
- glibc's mmap threshold is dynamic: freeing an mmapped block raises it (up to 32 MiB), so from then on
  large blocks (statement buffers, response bodies) come from the arenas and leave holes there.
Two arenas alone still grew (+9 MiB in 20 minutes); with the fixed threshold as well, glibc's arenas held
55 MiB and 2-3 MiB of it free for 20 minutes (RSS +1.1 MiB / 10 min), until a burst left 5 MiB more free
(bench/RESULTS.md, Soak 2026-12-04). The GIL runs one thread's Python at a time, so two arenas cost no measurable
waiting, and the mmap of a large block costs less than the copy that fills it (CPU per request within
the soak's noise).
"""

from __future__ import annotations

import ctypes
import os
import sys

ARENAS = 2
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept fixed
# glibc's malloc.h
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8


def tune() -> bool:
    """Cap glibc's arenas (for threads started from now on: call it before the process starts any) and fix
    its mmap threshold. False when the C library is not glibc; an operator's MALLOC_* settings win."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018  (glibc only: musl's mallopt is a stub that does nothing)
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    done = True
    if "MALLOC_ARENA_MAX" not in os.environ:
        done = bool(mallopt(_M_ARENA_MAX, ARENAS)) and done
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and done
    return done
