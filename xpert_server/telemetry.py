"""OpenTelemetry traces: off by default, on with the standard `OTEL_*` environment variables (an OTLP
endpoint, e.g. `OTEL_EXPORTER_OTLP_ENDPOINT=http://collector:4318`), exported over OTLP/HTTP.

Spans: each HTTP request (ASGI), each run (`run`, with its time in the queue as `run.queued`), each model
call (`model <name>`: tokens, time to first token), tool call (`tool <name>`), retrieval and webhook
delivery — carrying org, xpert, thread and run ids; never keys, secrets or message text unless the
operator opts in (`XPERT_TRACE_CONTENT`). A caller's W3C `traceparent` is the parent of its request's span;
a run carries its request's context into whichever process executes it (run kwargs `trace`); the httpx
instrumentation passes `traceparent` on to model, MCP and tool HTTP calls.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from langchain_core.outputs import LLMResult
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import Span, Status, StatusCode, Tracer

from xpert_server import __version__
from xpert_server.storage.records import RunRecord

CONTENT_CHARS = 2000  # of message text, when the operator opted in


def _otlp_configured(env: Mapping[str, str]) -> bool:
    if env.get("OTEL_SDK_DISABLED", "").lower() == "true" or env.get("OTEL_TRACES_EXPORTER") == "none":
        return False
    return bool(
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or env.get("OTEL_TRACES_EXPORTER") == "otlp"
    )


class Tracing:
    """The process's tracer. `provider=None`: off (every span a no-op, nothing instrumented)."""

    def __init__(self, provider: TracerProvider | None = None, *, record_content: bool = False):
        self.provider = provider
        self.record_content = record_content
        self.tracer: Tracer = (
            provider.get_tracer("xpert_server", __version__) if provider else trace.NoOpTracer()
        )
        self._instrumented: list[Any] = []

    @property
    def enabled(self) -> bool:
        return self.provider is not None

    @classmethod
    def from_env(cls, record_content: bool = False, env: Mapping[str, str] | None = None) -> Tracing:
        """On when the environment names an OTLP endpoint (the exporter reads the rest of `OTEL_*`)."""
        env = os.environ if env is None else env
        if not _otlp_configured(env):
            return cls(None)
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        service = env.get("OTEL_SERVICE_NAME") or "xpert-server"
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        return cls(provider, record_content=record_content)

    def start(self) -> None:
        """Instrument outgoing HTTP calls (spans, and `traceparent` passed on): httpx, which MCP and the
        tools use, and httpx2, which the OpenAI client (every model endpoint) uses."""
        if self.provider is not None and not self._instrumented:
            from opentelemetry.instrumentation.httpx import HTTPX2ClientInstrumentor, HTTPXClientInstrumentor

            for instrumentor in (HTTPXClientInstrumentor(), HTTPX2ClientInstrumentor()):
                with contextlib.suppress(ModuleNotFoundError):  # httpx2 comes with newer OpenAI clients
                    instrumentor.instrument(tracer_provider=self.provider)
                    self._instrumented.append(instrumentor)

    def shutdown(self) -> None:
        for instrumentor in self._instrumented:
            instrumentor.uninstrument()
        self._instrumented.clear()
        if self.provider is not None:
            self.provider.shutdown()

    # ---- runs -------------------------------------------------------------------------------------
    def carrier(self) -> dict[str, str]:
        """The current context as W3C headers, kept with an accepted run (kwargs `trace`)."""
        out: dict[str, str] = {}
        if self.enabled:
            inject(out)
        return out

    @contextmanager
    def run(self, run: RunRecord, xpert_id: str, thread_id: str) -> Iterator[Span]:
        """The run's span, current for its execution, a child of the request that accepted it."""
        carrier = run.kwargs.get("trace")
        parent = extract(carrier) if isinstance(carrier, dict) else None
        ids = run_ids(run, xpert_id, thread_id)
        if self.enabled:
            queued = self.tracer.start_span(
                "run.queued", context=parent, attributes=ids, start_time=int(run.created_at * 1e9)
            )
            queued.end()
        with self.tracer.start_as_current_span("run", context=parent, attributes=ids) as span:
            yield span

    def callbacks(self, ids: dict[str, str]) -> list[BaseCallbackHandler]:
        """LangChain callbacks that open model and tool spans under the current (run) span, carrying the
        run's `ids` (`run_ids`)."""
        return [_Spans(self.tracer, self.record_content, ids)] if self.enabled else []

    @contextmanager
    def span(self, name: str, **attributes: Any) -> Iterator[Span]:
        """A span under the current one (retrieval, webhook delivery); attributes None are left out."""
        attrs = {k.replace("__", "."): v for k, v in attributes.items() if v is not None}
        with self.tracer.start_as_current_span(name, attributes=attrs) as span:
            yield span


def run_ids(run: RunRecord, xpert_id: str, thread_id: str) -> dict[str, str]:
    """The ids every span of a run carries (public xpert and thread ids, as clients know them)."""
    return {
        "xpert.org_id": run.org_id,
        "xpert.xpert_id": xpert_id,
        "xpert.thread_id": thread_id,
        "xpert.run_id": run.id,
    }


def current_span_ids(**ids: str | None) -> None:
    """Name the org (and xpert, thread, run) on the current span, e.g. a request's, when known."""
    span = trace.get_current_span()
    if span.is_recording():
        for key, value in ids.items():
            if value is not None:
                span.set_attribute(f"xpert.{key}", value)


class _Spans(AsyncCallbackHandler):
    """Model and tool calls as spans. LangChain calls these with its own run ids; the parent is the
    context current when the call started (the run's span, or a sub-agent's)."""

    def __init__(self, tracer: Tracer, record_content: bool, ids: dict[str, str]):
        self.tracer = tracer
        self.record_content = record_content
        self.ids = ids
        self.spans: dict[UUID, tuple[Span, float, list[float]]] = {}

    def _open(self, run_id: UUID, name: str, attributes: dict[str, Any]) -> None:
        span = self.tracer.start_span(
            name, context=otel_context.get_current(), attributes={**self.ids, **attributes}
        )
        self.spans[run_id] = (span, time.monotonic(), [])

    def _close(
        self, run_id: UUID, error: BaseException | None = None, attributes: dict[str, Any] | None = None
    ) -> None:
        found = self.spans.pop(run_id, None)
        if found is None:
            return
        span = found[0]
        for key, value in (attributes or {}).items():
            if value is not None:
                span.set_attribute(key, value)
        if error is not None:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()

    async def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[Any]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        meta = kwargs.get("metadata") or {}
        model = str(meta.get("ls_model_name") or (serialized or {}).get("name") or "model")
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": model,
            "gen_ai.system": str(meta.get("ls_provider") or ""),
        }
        if self.record_content and messages:
            attributes["xpert.input"] = str(getattr(messages[0][-1], "content", ""))[:CONTENT_CHARS]
        self._open(run_id, f"model {model}", attributes)

    async def on_llm_new_token(
        self, token: str | list[str | dict[str, Any]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        found = self.spans.get(run_id)
        if found is not None and not found[2]:
            found[2].append(time.monotonic())  # the first token's time

    async def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        found = self.spans.get(run_id)
        spent_in = spent_out = 0
        for generations in response.generations:
            for g in generations:
                usage = getattr(getattr(g, "message", None), "usage_metadata", None) or {}
                spent_in += int(usage.get("input_tokens") or 0)
                spent_out += int(usage.get("output_tokens") or 0)
        first = None
        if found is not None and found[2]:
            first = round((found[2][0] - found[1]) * 1000, 1)
        self._close(
            run_id,
            attributes={
                "gen_ai.usage.input_tokens": spent_in,
                "gen_ai.usage.output_tokens": spent_out,
                "xpert.time_to_first_token_ms": first,
            },
        )

    async def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._close(run_id, error)

    async def on_tool_start(
        self, serialized: dict[str, Any], input_str: str, *, run_id: UUID, **kwargs: Any
    ) -> None:
        name = str((serialized or {}).get("name") or kwargs.get("name") or "tool")
        attributes: dict[str, Any] = {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name}
        if self.record_content:
            attributes["xpert.input"] = input_str[:CONTENT_CHARS]
        self._open(run_id, f"tool {name}", attributes)

    async def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._close(run_id)

    async def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._close(run_id, error)
