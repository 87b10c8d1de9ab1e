"""Frames held by the event log cost what they hold: orjson's output keeps a 4 KiB buffer per result."""

from __future__ import annotations

import tracemalloc
from typing import Any, cast

from xpert_server.encoding import dumps
from xpert_server.runs.eventlog import LocalEventLog


def test_a_held_frame_costs_about_its_size() -> None:
    log = LocalEventLog(storage=cast(Any, None))  # append never touches storage (the flusher does)
    log.open("run")
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        size = 0
        for i in range(2000):
            data = dumps({"type": "message", "data": {"type": "text", "text": f"tok{i} "}})
            size += len(data)
            log.append("run", data, None)
        del data  # the caller's last one goes; what the log holds stays
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    # 2,000 frames of ~60 bytes: their bytes plus a Frame each, well under 200 bytes a frame (was ~4 KiB).
    assert held < 2000 * 200 + size, f"{held / 2000:.0f} bytes held per frame"
