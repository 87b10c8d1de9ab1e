"""A slow run on a server with a short keep-alive and run timeout: comments while idle, then `timeout`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import suite_database
from tests.graphs_scripted import TICKER_TEXT
from tests.harness.app import ApiHarness, open_harness
from tests.harness.chat import send
from tests.runs.common import (
    RUNS_ORG,
    assert_framing,
    assistant_id,
    event_data,
    kinds,
    list_runs,
    new_thread,
    ok,
    text_of,
    write_xperts,
)
from tests.runs.sse import parse

RUN_TIMEOUT = 0.4


@pytest.fixture
async def slow_server(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ApiHarness]:
    url = suite_database(request, tmp_path)
    async with open_harness(
        tmp_path / "data",
        url,
        xperts_dir=write_xperts(tmp_path / "xperts"),
        keepalive_interval=0.01,
        run_timeout=RUN_TIMEOUT,
    ) as harness:
        yield harness


async def test_keepalive_comments_then_timeout(slow_server: ApiHarness) -> None:
    key, _ = await slow_server.mint_key(RUNS_ORG)
    async with slow_server.client(key) as c:
        ticker = await assistant_id(c, "ticker")
        thread = await new_thread(c)
        tid = thread["thread_id"]
        resp = await c.post(
            f"/threads/{tid}/runs/stream", json={"assistant_id": ticker, "input": send("slow")}
        )
        assert resp.status_code == 200
        # Between the 30 ms chunks, 10 ms keep-alive comments; the frames around them are intact.
        assert ": keep-alive\n\n" in resp.text
        frames = parse(resp.text)
        assert_framing(frames)
        assert kinds(frames)[-4:] == ["on_agent_end", "on_message_end", "on_conversation_end", "complete"]
        end = event_data(frames, "on_agent_end")
        assert end["status"] == "timeout" and str(RUN_TIMEOUT) in end["error"]
        assert event_data(frames, "on_conversation_end")["status"] == "error"
        partial = text_of(frames)
        assert partial and TICKER_TEXT.startswith(partial) and partial != TICKER_TEXT
        (run,) = await list_runs(c, tid)
        assert run["status"] == "timeout"
        assert ok(await c.get(f"/threads/{tid}"))["status"] == "error"
        # `wait` reads through the keep-alives too, and the thread takes the new run.
        reply = ok(
            await c.post(f"/threads/{tid}/runs/wait", json={"assistant_id": ticker, "input": send("again")}),
            201,
        )
        assert reply["role"] == "ai" and TICKER_TEXT.startswith(reply["content"]) and reply["content"]
