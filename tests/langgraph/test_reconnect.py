"""A LangGraph stream whose connection dies mid-run: langgraph-sdk reconnects to the `Location` the run's
response named, with `Last-Event-ID`, and its caller sees every event exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langgraph_sdk import get_client

from tests.langgraph.conftest import LangGraphEnv
from tests.sdk_integration.live import CuttingProxy


@pytest.fixture
def proxy(lg: LangGraphEnv) -> Iterator[CuttingProxy]:
    running = CuttingProxy(lg.live.server.servers[0].sockets[0].getsockname()[1])
    yield running
    running.close()


async def test_cut_stream_resumes_with_last_event_id(lg: LangGraphEnv, proxy: CuttingProxy) -> None:
    direct = await lg.client()
    key = direct.http.client.headers["x-api-key"]
    via_proxy = get_client(url=proxy.url(), api_key=key, timeout=30)
    try:
        thread = await direct.threads.create()
        seen: list[Any] = []
        async for part in via_proxy.runs.stream(
            thread["thread_id"], "ticker", input={"messages": []}, stream_mode=["custom", "updates"]
        ):
            seen.append(part)
            if len(seen) in (5, 17):
                proxy.cut()
        assert proxy.cuts == 2 and proxy.connections == 3  # the stream, then two reconnects
        run_id = seen[0].data["run_id"]
        full = [p async for p in direct.runs.join_stream(thread["thread_id"], run_id)]
        assert [(p.id, p.event, p.data) for p in seen] == [(p.id, p.event, p.data) for p in full]
        assert [p.data["tick"] for p in seen if p.event == "custom"] == list(range(30))
    finally:
        await via_proxy.aclose()
        await direct.aclose()
