"""OpenTelemetry traces, with an in-memory exporter: a caller's traceparent starts the trace; the request,
the run (and its time queued), each model call (tokens, time to first token), tool call, retrieval and
webhook delivery are spans carrying the org, xpert, thread and run ids — never the key or message text —
and the model server receives a traceparent of the same trace."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.agents.fake_openai import FakeOpenAI
from tests.harness.app import ApiHarness, new_org, open_harness
from tests.harness.chat import send
from tests.harness.uvicorn import serve_in_process
from tests.knowledge.common import wait_processed
from tests.webhooks.conftest import webhook_db  # noqa: F401  (a database of the module's own)
from tests.webhooks.receiver import receiving
from xpert_server.telemetry import Tracing

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
SECRET_TEXT = "the-private-words-of-a-user"


@dataclass
class Env:
    harness: ApiHarness
    fake: FakeOpenAI
    spans: InMemorySpanExporter
    org: str


@pytest.fixture
async def env(webhook_db: str, tmp_path: Path) -> AsyncIterator[Env]:  # noqa: F811
    fake, org, exporter = FakeOpenAI(), new_org(), InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with serve_in_process(fake.app(), "") as llm:
        folder = tmp_path / "xperts"
        folder.mkdir()
        (folder / "bot.yaml").write_text(
            textwrap.dedent(
                f"""
                name: Bot
                slug: bot
                org: {org}
                tools: [calculator]
                knowledge: [handbook]
                model: {{provider: openai, name: tool-bot, base_url: '{llm.base_url}/v1', options: {{max_retries: 0}}}}
                """
            ),
            encoding="utf-8",
        )
        async with open_harness(
            tmp_path / "data",
            webhook_db,
            xperts_dir=folder,
            tracing=Tracing(provider),
            webhook_private_orgs=("*",),
            webhook_poll=0.05,
        ) as h:
            yield Env(h, fake, exporter, org)


def named(spans: tuple[ReadableSpan, ...], prefix: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name.startswith(prefix)]


async def test_a_run_is_traced_from_the_callers_traceparent_to_the_model_and_back(env: Env) -> None:
    admin, _ = await env.harness.mint_key(env.org, role="admin")
    async with receiving() as rx, env.harness.client(admin) as c:
        kb = (await c.post("/knowledges", json={"name": "handbook"})).json()
        docs = (
            await c.post(f"/knowledges/{kb['id']}/bulk", json=[{"text": "The office opens at nine."}])
        ).json()
        await c.post(f"/knowledges/{kb['id']}/process", json=[d["id"] for d in docs])
        await wait_processed(c, kb["id"], [d["id"] for d in docs])
        await c.post("/webhooks", json={"url": rx.url, "events": ["run.succeeded"]})
        bot = (await c.post("/assistants/search", json={"metadata": {"slug": "bot"}})).json()[0][
            "assistant_id"
        ]
        thread = (await c.post("/threads", json={})).json()["thread_id"]
        env.spans.clear()
        done = await c.post(
            f"/threads/{thread}/runs/wait",
            json={
                "assistant_id": bot,
                "input": send(f'call calculator {{"expression": "6*7"}} {SECRET_TEXT}'),
            },
            headers={"traceparent": CALLER},
        )
        assert done.status_code == 201, done.text
        (run,) = (await c.get(f"/threads/{thread}/runs")).json()
        await rx.until(1)
    env.harness.services.tracing.provider.force_flush()  # type: ignore[union-attr]
    spans = env.spans.get_finished_spans()
    trace_id = int(TRACE_ID, 16)

    # The request's span continues the caller's trace and says whose request it was.
    (server,) = [
        s
        for s in spans
        if s.attributes and s.attributes.get("http.method") == "POST" and "runs/wait" in s.name
    ]
    assert server.context.trace_id == trace_id and server.attributes["xpert.org_id"] == env.org

    (run_span,) = named(spans, "run")[-1:]
    ids = {
        "xpert.org_id": env.org,
        "xpert.xpert_id": bot,
        "xpert.thread_id": thread,
        "xpert.run_id": run["run_id"],
    }
    assert run_span.name == "run" and run_span.context.trace_id == trace_id
    assert {k: run_span.attributes[k] for k in ids} == ids
    (queued,) = named(spans, "run.queued")
    assert queued.context.trace_id == trace_id and queued.end_time <= run_span.end_time

    models = named(spans, "model tool-bot")
    assert len(models) == len(env.fake.usage) == 2  # the tool call, then the answer
    for span, usage in zip(models, env.fake.usage, strict=True):
        assert span.context.trace_id == trace_id and span.parent.span_id == run_span.context.span_id
        assert span.attributes["gen_ai.usage.input_tokens"] == usage.prompt
        assert span.attributes["gen_ai.usage.output_tokens"] == usage.completion
        assert span.attributes["xpert.time_to_first_token_ms"] >= 0
        assert {k: span.attributes[k] for k in ids} == ids
    (tool,) = named(spans, "tool calculator")
    assert tool.context.trace_id == trace_id and {k: tool.attributes[k] for k in ids} == ids
    (retrieval,) = named(spans, "retrieval")
    assert retrieval.context.trace_id == trace_id and retrieval.attributes["xpert.results"] >= 1
    deliveries = named(spans, "webhook.deliver")
    assert deliveries and deliveries[0].attributes["http.response.status_code"] == 200

    # The model server got a traceparent of the caller's trace.
    assert env.fake.traceparents and all(tp and tp.split("-")[1] == TRACE_ID for tp in env.fake.traceparents)

    # No span carries the key or what the user wrote.
    for span in spans:
        for value in (span.attributes or {}).values():
            assert admin not in str(value) and SECRET_TEXT not in str(value), (span.name, value)


async def test_tracing_is_off_without_an_otlp_endpoint() -> None:
    assert not Tracing.from_env(env={}).enabled
    assert not Tracing.from_env(
        env={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318", "OTEL_SDK_DISABLED": "true"}
    ).enabled
    on = Tracing.from_env(env={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"})
    assert on.enabled
    on.shutdown()
