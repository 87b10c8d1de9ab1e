"""The console overview's arithmetic: runs, errors, latency percentiles and tokens per time bucket, per
xpert and per model, from the raw facts storage reads (`run_facts`). Pure functions: no I/O, no clock."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from xpert_server.encoding import ts

BUCKET_SECONDS = {"hour": 3600, "day": 86400}
FAILED = frozenset({"error", "timeout"})


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (`q` in 0..100) of `values`, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def _figures(runs: Iterable[dict[str, Any]], usage: Iterable[dict[str, Any]]) -> dict[str, Any]:
    runs = list(runs)
    usage = list(usage)
    ms = [r["seconds"] * 1000.0 for r in runs]
    p50, p95 = percentile(ms, 50), percentile(ms, 95)
    return {
        "runs": len(runs),
        "errors": sum(1 for r in runs if r["status"] in FAILED),
        "p50_ms": None if p50 is None else round(p50, 1),
        "p95_ms": None if p95 is None else round(p95, 1),
        "input_tokens": sum(u["input_tokens"] for u in usage),
        "output_tokens": sum(u["output_tokens"] for u in usage),
    }


def bucket_starts(since: float, until: float, bucket: str) -> list[float]:
    """Every bucket start from the one holding `since` to the one holding `until` (UTC-aligned)."""
    size = BUCKET_SECONDS[bucket]
    first = math.floor(since / size) * size
    return [float(s) for s in range(int(first), int(until) + 1, size)]


def run_stats(
    runs: list[dict[str, Any]],
    usage: list[dict[str, Any]],
    *,
    since: float,
    until: float,
    bucket: str,
    names: dict[str, str],
) -> dict[str, Any]:
    """Everything `GET /console/stats` answers but its org and filter. `names`: xpert id → name."""
    size = BUCKET_SECONDS[bucket]
    starts = bucket_starts(since, until, bucket)
    first = starts[0]

    def index(at: float) -> int:
        return min(len(starts) - 1, max(0, int((at - first) // size)))

    runs_at: dict[int, list[dict[str, Any]]] = defaultdict(list)
    usage_at: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in runs:
        runs_at[index(r["created_at"])].append(r)
    for u in usage:
        usage_at[index(u["at"])].append(u)
    buckets = [{"start": ts(s), **_figures(runs_at[i], usage_at[i])} for i, s in enumerate(starts)]

    xperts = []
    for xpert_id in sorted({r["xpert_id"] for r in runs} | {u["xpert_id"] for u in usage}):
        mine = [r for r in runs if r["xpert_id"] == xpert_id]
        series = [0] * len(starts)
        for r in mine:
            series[index(r["created_at"])] += 1
        figures = _figures(mine, (u for u in usage if u["xpert_id"] == xpert_id))
        xperts.append({"xpert_id": xpert_id, "name": names.get(xpert_id), **figures, "runs_series": series})
    xperts.sort(key=lambda x: (-x["runs"], x["xpert_id"]))

    models = []
    for model in sorted({u["model"] for u in usage}):
        mine = [u for u in usage if u["model"] == model]
        series = [0] * len(starts)
        for u in mine:
            series[index(u["at"])] += u["input_tokens"] + u["output_tokens"]
        models.append(
            {
                "model": model,
                "runs": len({u["run_id"] for u in mine}),
                "input_tokens": sum(u["input_tokens"] for u in mine),
                "output_tokens": sum(u["output_tokens"] for u in mine),
                "tokens_series": series,
            }
        )
    return {
        "bucket": bucket,
        "since": ts(since),
        "until": ts(until),
        "totals": _figures(runs, usage),
        "buckets": buckets,
        "xperts": xperts,
        "models": models,
    }
