"""A server process tunes glibc's malloc (xpert_server/heap.py): its threads share two arenas instead of keeping
one each, and large blocks are always mmapped (returned on free) — the free memory `make soak` saw RSS climb by."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xpert_server import heap

ROOT = Path(__file__).resolve().parent.parent


def _glibc() -> bool:
    try:
        ctypes.CDLL(None).gnu_get_libc_version  # noqa: B018
    except (OSError, AttributeError):
        return False
    return sys.platform.startswith("linux")


pytestmark = pytest.mark.skipif(not _glibc(), reason="glibc's malloc arenas")

# Six threads, all alive at once, each making its first allocation (which is when glibc picks its arena);
# then glibc's own account of its arenas (malloc_info's <heap nr=…> elements).
ARENAS_SCRIPT = """
import ctypes, re, sys, tempfile, threading
from xpert_server import heap
print(heap.tune() if sys.argv[1] == "tune" else "untuned")
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.fopen.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
allocated = threading.Barrier(7)
done = threading.Event()
def allocate():
    libc.malloc(4096)
    allocated.wait()
    done.wait()
threads = [threading.Thread(target=allocate) for _ in range(6)]
for t in threads:
    t.start()
allocated.wait()
with tempfile.NamedTemporaryFile(suffix=".xml") as f:
    fp = libc.fopen(f.name.encode(), b"w")
    libc.malloc_info(0, fp)
    libc.fclose(fp)
    print(len(re.findall(r"<heap nr=", open(f.name).read())))
done.set()
"""


# glibc raises its mmap threshold to the size of an mmapped block when it is freed; then a 256 KiB block
# comes from an arena. Counts the mmapped blocks (mallinfo2's hblks) before and after that allocation.
MMAP_SCRIPT = """
import ctypes, sys
from xpert_server import heap
print(heap.tune() if sys.argv[1] == "tune" else "untuned")
class Mallinfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.free(libc.malloc(4 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(256 << 10)
print(libc.mallinfo2().hblks - before)
"""


def run(script: str, mode: str, **env: str) -> tuple[str, int]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    base["PYTHONPATH"] = os.pathsep.join([str(ROOT), base.get("PYTHONPATH", "")])
    out = subprocess.run(
        [sys.executable, "-c", script, mode],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    return out[0], int(out[1])


def test_threads_share_two_arenas_once_tuned() -> None:
    assert run(ARENAS_SCRIPT, "untuned") == ("untuned", 7)  # the main thread's arena and one per thread
    assert run(ARENAS_SCRIPT, "tune") == ("True", heap.ARENAS)


def test_large_blocks_stay_mmapped_once_tuned() -> None:
    assert run(MMAP_SCRIPT, "untuned") == ("untuned", 0)  # from the arena, after the threshold rose
    assert run(MMAP_SCRIPT, "tune") == ("True", 1)


def test_the_operators_malloc_settings_are_left_alone() -> None:
    assert run(ARENAS_SCRIPT, "tune", MALLOC_ARENA_MAX="4") == ("True", 4)
    assert run(MMAP_SCRIPT, "tune", MALLOC_MMAP_THRESHOLD_=str(8 << 20)) == ("True", 0)
