"""Request metrics of this process, in Prometheus text format (no client library: a few counters).

Latency is measured to the response's headers, not its end, so a 10-minute SSE stream counts as the
milliseconds it took to start; open streams are a separate gauge.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xpert_server.auth.scope import route_template

# Label values come from this set, so a client cannot grow the series without bound with made-up methods.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: int = 0
    sum: float = 0.0

    def observe(self, value: float) -> None:
        self.total += 1
        self.sum += value
        for i, bound in enumerate(BUCKETS):
            if value <= bound:
                self.counts[i] += 1


@dataclass
class RequestMetrics:
    latency: dict[tuple[str, str, str], _Histogram] = field(default_factory=lambda: defaultdict(_Histogram))
    open_streams: int = 0

    def render(self) -> Iterable[str]:
        name = "xpert_http_request_duration_seconds"
        yield f"# HELP {name} Time to response headers, by method, route and status class (this process)."
        yield f"# TYPE {name} histogram"
        for (method, route, status), h in sorted(self.latency.items()):
            labels = f'method="{method}",route="{label_value(route)}",status="{status}"'
            for bound, count in zip(BUCKETS, h.counts, strict=True):
                yield f'{name}_bucket{{{labels},le="{bound}"}} {count}'
            yield f'{name}_bucket{{{labels},le="+Inf"}} {h.total}'
            yield f"{name}_sum{{{labels}}} {h.sum:.6f}"
            yield f"{name}_count{{{labels}}} {h.total}"
        yield "# HELP xpert_open_streams SSE responses being streamed by this process."
        yield "# TYPE xpert_open_streams gauge"
        yield f"xpert_open_streams {self.open_streams}"


def label_value(value: str) -> str:
    """A Prometheus label value, escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class MetricsMiddleware:
    """Pure ASGI (a BaseHTTPMiddleware would buffer streaming responses)."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        streaming = False

        async def send_wrapper(message: Message) -> None:
            nonlocal streaming
            if message["type"] == "http.response.start":
                path = route_template(Request(scope)) or "unmatched"
                status = f"{int(message['status']) // 100}xx"
                method = scope["method"] if scope["method"] in METHODS else "OTHER"
                self.metrics.latency[(method, path, status)].observe(time.perf_counter() - started)
                headers = dict(message.get("headers") or [])
                if headers.get(b"content-type", b"").startswith(b"text/event-stream"):
                    streaming = True
                    self.metrics.open_streams += 1
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if streaming:
                self.metrics.open_streams -= 1
