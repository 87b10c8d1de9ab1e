"""Tracing switched on the standard way: a served `xpert serve` with OTEL_EXPORTER_OTLP_ENDPOINT exports
its spans over OTLP/HTTP to a loopback receiver, which decodes the protobuf (opentelemetry-proto)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.harness.chat import send
from tests.harness.served import start
from tests.harness.uvicorn import serve_in_process

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


async def test_a_served_process_exports_its_spans_over_otlp(tmp_path: Path) -> None:
    batches: list[ExportTraceServiceRequest] = []

    async def traces(request: Request) -> Response:
        decoded = ExportTraceServiceRequest()
        decoded.ParseFromString(await request.body())
        batches.append(decoded)
        return Response(status_code=200, media_type="application/x-protobuf")

    app = Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])
    async with serve_in_process(app) as collector:
        served = start(
            tmp_path / "data",
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.base_url,
            OTEL_SERVICE_NAME="xpert-under-test",
            OTEL_BSP_SCHEDULE_DELAY="100",
        )
        try:
            async with httpx.AsyncClient(base_url=served.api, headers={"x-api-key": served.key}) as c:
                demo = (await c.post("/assistants/search", json={"metadata": {"slug": "demo"}})).json()[0]
                thread = (await c.post("/threads", json={})).json()["thread_id"]
                done = await c.post(
                    f"/threads/{thread}/runs/wait",
                    json={"assistant_id": demo["assistant_id"], "input": send("hello")},
                    headers={"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"},
                )
                assert done.status_code == 201, done.text
            deadline = time.monotonic() + 20
            while True:
                spans = [
                    (rs, span)
                    for batch in batches
                    for rs in batch.resource_spans
                    for ss in rs.scope_spans
                    for span in ss.spans
                ]
                if any(span.name == "run" for _, span in spans):
                    break
                assert time.monotonic() < deadline, f"no run span exported: {[s.name for _, s in spans]}"
                await asyncio.sleep(0.1)
        finally:
            served.stop()
    (resource, run) = next((rs, s) for rs, s in spans if s.name == "run")
    service = {a.key: a.value.string_value for a in resource.resource.attributes}["service.name"]
    assert service == "xpert-under-test"
    assert run.trace_id.hex() == TRACE_ID
    attributes = {a.key: a.value.string_value for a in run.attributes}
    assert attributes["xpert.thread_id"] == thread and attributes["xpert.xpert_id"] == demo["assistant_id"]
    assert any(s.name.startswith("model ") and s.trace_id.hex() == TRACE_ID for _, s in spans)
