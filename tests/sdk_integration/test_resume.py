"""A stream whose TCP connection dies mid-run resumes by itself: the caller sees every frame exactly once.

The SDK talks to the real server through `CuttingProxy`, which we cut while the `sdk-ticker` run is
still streaming (40 chunks, 40 ms apart). The SDK reconnects with `GET …/runs/{rid}/stream` and
`Last-Event-ID`; what the caller saw must equal the run's full stored stream, replayed afterwards on a
direct connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from xpert_sdk import APIConnectionError, StreamEvent, chat_input

from tests.graphs_scripted import LONG_TICKER_TEXT
from tests.harness.served import Served
from tests.sdk_integration.conftest import MakeClient
from tests.sdk_integration.live import CuttingProxy, call, collect, text_of


@pytest.fixture
def proxy(live: Served) -> Iterator[CuttingProxy]:
    port = live.port
    running = CuttingProxy(port)
    yield running
    running.close()


async def consume(stream: Any, on_event: Any) -> list[StreamEvent]:
    """Every event of a sync or async stream, calling `on_event(n)` after the n-th one."""
    seen: list[StreamEvent] = []
    if hasattr(stream, "__aiter__"):
        async for event in stream:
            seen.append(event)
            on_event(len(seen))
    else:
        for event in stream:
            seen.append(event)
            on_event(len(seen))
    return seen


async def assert_exactly_once(client: Any, thread_id: str, run_id: str, seen: list[StreamEvent]) -> None:
    full = await collect(client.runs.join_stream(thread_id, run_id))
    assert [e.id for e in seen] == [e.id for e in full], "every frame once, in order"
    assert seen == full
    assert seen[-1].event == "complete"
    assert text_of(seen) == LONG_TICKER_TEXT


@pytest.mark.parametrize("cuts_at", [[10], [6, 20, 30]], ids=["one-cut", "three-cuts"])
async def test_cut_connections_resume_to_complete(
    make_client: MakeClient, client: Any, proxy: CuttingProxy, xperts: dict[str, str], cuts_at: list[int]
) -> None:
    via_proxy = make_client(api_url=proxy.url(), max_retries=3)
    thread = await call(client.threads.create)

    def cut_when(n: int) -> None:
        if n in cuts_at:
            proxy.cut()

    stream = via_proxy.runs.stream(thread["thread_id"], xperts["sdk-ticker"], input=chat_input("go"))
    seen = await consume(stream, cut_when)

    assert proxy.cuts == len(cuts_at)
    assert proxy.connections >= len(cuts_at) + 1  # each cut was followed by a reconnect through the proxy
    assert stream.run_id is not None
    run = await call(client.runs.get, thread["thread_id"], stream.run_id)
    assert run["status"] == "success", "the drop did not disturb the run itself"
    await assert_exactly_once(client, thread["thread_id"], stream.run_id, seen)


async def test_a_cut_in_the_middle_of_a_frame_resumes(
    make_client: MakeClient, client: Any, proxy: CuttingProxy, xperts: dict[str, str]
) -> None:
    via_proxy = make_client(api_url=proxy.url(), max_retries=3)
    thread = await call(client.threads.create)
    # Past the response head and the first lifecycle frames (so the run id is known), inside a text frame.
    proxy.cut_after(1900)
    stream = via_proxy.runs.stream(thread["thread_id"], xperts["sdk-ticker"], input=chat_input("go"))
    seen = await consume(stream, lambda n: None)

    assert proxy.cuts == 1 and proxy.connections == 2
    assert stream.run_id is not None
    await assert_exactly_once(client, thread["thread_id"], stream.run_id, seen)


async def test_join_stream_resumes_too(
    make_client: MakeClient, client: Any, proxy: CuttingProxy, xperts: dict[str, str]
) -> None:
    thread = await call(client.threads.create)
    run = await call(client.runs.create, thread["thread_id"], xperts["sdk-ticker"], input=chat_input("go"))
    via_proxy = make_client(api_url=proxy.url(), max_retries=3)
    seen = await consume(via_proxy.runs.join_stream(thread["thread_id"], run["run_id"]),
                         lambda n: proxy.cut() if n == 8 else None)  # fmt: skip
    assert proxy.cuts == 1
    await assert_exactly_once(client, thread["thread_id"], run["run_id"], seen)


async def test_without_retries_a_cut_is_an_error(
    make_client: MakeClient, client: Any, proxy: CuttingProxy, xperts: dict[str, str]
) -> None:
    via_proxy = make_client(api_url=proxy.url(), max_retries=0)
    thread = await call(client.threads.create)
    stream = via_proxy.runs.stream(thread["thread_id"], xperts["sdk-ticker"], input=chat_input("go"))
    with pytest.raises(APIConnectionError, match="could not be resumed"):
        await consume(stream, lambda n: proxy.cut() if n == 8 else None)
    # What was seen can still be picked up later, by hand, from where it broke.
    assert stream.run_id is not None and stream.last_event_id is not None
    rest = await collect(client.runs.join_stream(thread["thread_id"], stream.run_id, stream.last_event_id))
    assert rest[-1].event == "complete"
    assert int(rest[0].id or 0) == int(stream.last_event_id) + 1


async def test_a_stateless_stream_resumes_too(
    make_client: MakeClient, live: Served, proxy: CuttingProxy, xperts: dict[str, str]
) -> None:
    via_proxy = make_client(api_url=proxy.url(), max_retries=3)
    # No thread: the SDK learns the run's temporary thread from `on_agent_start`, which it needs to resume.
    stream = via_proxy.runs.stream(None, xperts["sdk-ticker"], input=chat_input("go"))
    seen = await consume(stream, lambda n: proxy.cut() if n == 10 else None)
    assert proxy.cuts == 1 and proxy.connections >= 2
    assert [int(e.id or 0) for e in seen] == list(range(1, len(seen) + 1))
    assert seen[-1].event == "complete" and text_of(seen) == LONG_TICKER_TEXT
