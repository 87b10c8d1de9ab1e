"""Usage accounting against a model that reports known token counts (tests/agents/fake_openai.py: prompt
= 100 + 10 per message, completion = 5 per streamed chunk): stored per run and model, summed by `/usage`,
per thread by `context-usage`, and counted in `/metrics`."""

from __future__ import annotations

import re
import textwrap
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.agents.fake_openai import FakeOpenAI
from tests.harness.app import ApiHarness, new_org, open_harness
from tests.harness.chat import send
from tests.harness.uvicorn import serve_in_process
from tests.webhooks.conftest import webhook_db  # noqa: F401  (a database of the module's own)


@dataclass
class Env:
    harness: ApiHarness
    fake: FakeOpenAI
    org: str


@pytest.fixture
async def env(webhook_db: str, tmp_path: Path) -> AsyncIterator[Env]:  # noqa: F811
    fake, org = FakeOpenAI(), new_org()
    async with serve_in_process(fake.app(), "") as llm:
        folder = tmp_path / "xperts"
        folder.mkdir()
        for slug, model in (("bot", "tool-bot"), ("thinker", "thinker")):
            (folder / f"{slug}.yaml").write_text(
                textwrap.dedent(
                    f"""
                    name: {slug}
                    slug: {slug}
                    org: {org}
                    model: {{provider: openai, name: {model}, base_url: '{llm.base_url}/v1', options: {{max_retries: 0}}}}
                    """
                ),
                encoding="utf-8",
            )
        async with open_harness(tmp_path / "data", webhook_db, xperts_dir=folder) as h:
            yield Env(h, fake, org)


async def _xpert(c: httpx.AsyncClient, slug: str) -> str:
    found = (await c.post("/assistants/search", json={"metadata": {"slug": slug}})).json()
    return str(found[0]["assistant_id"])


async def _wait(c: httpx.AsyncClient, xpert: str, thread: str, text: str) -> None:
    done = await c.post(f"/threads/{thread}/runs/wait", json={"assistant_id": xpert, "input": send(text)})
    assert done.status_code == 201, done.text


async def test_tokens_are_stored_per_run_and_summed_by_xpert_model_and_day(env: Env) -> None:
    admin, _ = await env.harness.mint_key(env.org, role="admin")
    async with env.harness.client(admin) as c:
        bot, thinker = await _xpert(c, "bot"), await _xpert(c, "thinker")
        thread = (await c.post("/threads", json={})).json()["thread_id"]
        await _wait(c, bot, thread, "hello there")
        await _wait(c, bot, thread, "again")
        other = (await c.post("/threads", json={})).json()["thread_id"]
        await _wait(c, thinker, other, "think")
        sent = {(u.model, u.prompt, u.completion) for u in env.fake.usage}
        assert len(env.fake.usage) == 3
        by_model = {m: (sum(u.prompt for u in env.fake.usage if u.model == m), sum(u.completion for u in env.fake.usage if u.model == m)) for m, _, _ in sent}  # fmt: skip

        report = (await c.get("/usage")).json()
        today = time.strftime("%Y-%m-%d", time.gmtime())
        rows = {(r["xpert_id"], r["model"]): r for r in report["items"]}
        assert set(rows) == {(bot, "tool-bot"), (thinker, "thinker")}
        assert rows[(bot, "tool-bot")]["runs"] == 2 and rows[(thinker, "thinker")]["runs"] == 1
        for (_, model), row in rows.items():
            assert (row["input_tokens"], row["output_tokens"]) == by_model[model] and row["day"] == today
            assert row["total_tokens"] == row["input_tokens"] + row["output_tokens"]
        total_in = sum(u.prompt for u in env.fake.usage)
        total_out = sum(u.completion for u in env.fake.usage)
        assert report["totals"] == {
            "input_tokens": total_in,
            "output_tokens": total_out,
            "total_tokens": total_in + total_out,
        }
        # Days filter; a bad day is a clear 400/422.
        assert (await c.get("/usage", params={"since": "2000-01-01", "until": "2000-12-31"})).json()[
            "items"
        ] == []
        assert (await c.get("/usage", params={"since": today})).json()["totals"]["input_tokens"] == total_in
        for bad in (
            {"since": "yesterday"},
            {"since": "2026-02-30"},
            {"since": "2026-12-02", "until": "2026-12-01"},
        ):
            assert (await c.get("/usage", params=bad)).status_code in (400, 422), bad

        # A thread's totals span all its runs; `usage` stays its latest run's.
        ctx = (await c.get(f"/threads/{thread}/context-usage")).json()
        first, second = env.fake.usage[0], env.fake.usage[1]
        assert ctx["thread_usage"] == {
            "runs": 2,
            "input_tokens": first.prompt + second.prompt,
            "output_tokens": first.completion + second.completion,
            "total_tokens": first.prompt + second.prompt + first.completion + second.completion,
        }
        assert ctx["usage"]["input_tokens"] == second.prompt


async def test_usage_is_the_orgs_own_and_admins_only(env: Env) -> None:
    admin, _ = await env.harness.mint_key(env.org, role="admin")
    async with env.harness.client(admin) as c:
        bot = await _xpert(c, "bot")
        thread = (await c.post("/threads", json={})).json()["thread_id"]
        await _wait(c, bot, thread, "hi")
    app_key, _ = await env.harness.mint_key(env.org, role="app")
    async with env.harness.client(app_key) as c:
        assert (await c.get("/usage")).status_code == 403
    other_admin, _ = await env.harness.mint_key(role="admin")
    async with env.harness.client(other_admin) as c:
        assert (await c.get("/usage")).json()["items"] == []


async def test_metrics_count_tokens_by_model_and_are_the_operators(env: Env) -> None:
    admin, _ = await env.harness.mint_key(env.org, role="admin")
    async with env.harness.client(admin) as c:
        bot = await _xpert(c, "bot")
        thread = (await c.post("/threads", json={})).json()["thread_id"]
        await _wait(c, bot, thread, "count me")
        # A tenant's admin may not read the deployment's numbers.
        refused = await c.get("/metrics")
        assert refused.status_code == 403 and "operator" in refused.json()["message"]
    operator, _ = await env.harness.mint_key("default", role="admin")
    async with env.harness.client(operator) as c:
        text = (await c.get("/metrics")).text
    spent_in = sum(u.prompt for u in env.fake.usage if u.model == "tool-bot")
    spent_out = sum(u.completion for u in env.fake.usage if u.model == "tool-bot")
    assert re.search(rf'^xpert_tokens_total{{model="tool-bot",direction="input"}} {spent_in}$', text, re.M)
    assert re.search(rf'^xpert_tokens_total{{model="tool-bot",direction="output"}} {spent_out}$', text, re.M)
