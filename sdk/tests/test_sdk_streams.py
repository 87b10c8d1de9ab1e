"""Run streams: frames arrive in order, a dropped connection resumes with Last-Event-ID, each frame is
seen once, and the stream stops at `complete`."""

from __future__ import annotations

import json

import httpx
import pytest
from sdk_testkit import (
    Chunks,
    ClientFactory,
    Replies,
    collect,
    frame,
    json_response,
    recorded_stream,
    run_frames,
    sse_response,
)
from xpert_sdk import AsyncEventStream, EventStream, aiter_text, chat_input, errors, iter_text

FRAMES = run_frames()
IDS = [frame_id for frame_id, _ in FRAMES]


def broken(upto: int, partial: bytes = b"") -> httpx.Response:
    """The stream's first `upto` frames (with keep-alives), then half a frame, then a dropped connection."""
    body = recorded_stream(FRAMES[:upto]) + partial
    return sse_response(body, chunk_size=5, error=httpx.RemoteProtocolError("incomplete chunked read"))


def rest(start: int) -> httpx.Response:
    return sse_response(recorded_stream(FRAMES[start:]), chunk_size=11)


async def test_stream_yields_every_frame_and_the_run_id(make_client: ClientFactory) -> None:
    server = Replies(sse_response(recorded_stream(FRAMES), chunk_size=3))
    stream = make_client(server).runs.stream("t-1", "x-1", input=chat_input("Hello, who are you?"))

    events = await collect(stream)

    assert [event.id for event in events] == IDS
    assert events[-1].event == "complete"
    assert stream.run_id == "run-1" and stream.last_event_id == IDS[-1]
    [request] = server.requests
    assert (request.method, request.url.path) == ("POST", "/api/ai/threads/t-1/runs/stream")
    assert request.headers["accept"] == "text/event-stream"
    assert json.loads(request.content) == {"assistant_id": "x-1", "input": chat_input("Hello, who are you?")}


async def test_dropped_stream_resumes_after_the_last_seen_frame(make_client: ClientFactory) -> None:
    # Drop after frame 5 and in the middle of frame 6: frame 6 is replayed, never seen twice.
    half_frame = FRAMES[5][1][:20]
    server = Replies(broken(5, half_frame), rest(5))
    stream = make_client(server).runs.stream("t-1", "x-1", input=chat_input("hi"))

    events = await collect(stream)

    assert [event.id for event in events] == IDS
    first, second = server.requests
    assert first.method == "POST"
    assert (second.method, second.url.path) == ("GET", "/api/ai/threads/t-1/runs/run-1/stream")
    assert second.headers["last-event-id"] == IDS[4]
    assert second.headers["x-api-key"] == "sk-x-test"


async def test_frames_replayed_twice_are_dropped(make_client: ClientFactory) -> None:
    # A server that replays from an older id must not make the caller see frames twice.
    server = Replies(broken(6), rest(3))
    events = await collect(make_client(server).runs.stream("t-1", "x-1"))
    assert [event.id for event in events] == IDS


async def test_stream_survives_several_drops(make_client: ClientFactory, sleeps: list[float]) -> None:
    server = Replies(
        broken(3), sse_response(recorded_stream(FRAMES[3:6]), error=httpx.ReadError("reset")), rest(6)
    )
    events = await collect(make_client(server).runs.stream("t-1", "x-1"))
    assert [event.id for event in events] == IDS
    assert [r.headers.get("last-event-id") for r in server.requests] == [None, IDS[2], IDS[5]]
    assert len(sleeps) == 2


async def test_stateless_run_resumes_on_the_thread_named_by_on_agent_start(
    make_client: ClientFactory,
) -> None:
    server = Replies(broken(4), rest(4))
    events = await collect(make_client(server).runs.stream(None, "x-1"))
    assert [event.id for event in events] == IDS
    assert server.requests[0].url.path == "/api/ai/runs/stream"
    assert server.requests[1].url.path == "/api/ai/threads/t-1/runs/run-1/stream"


async def test_drop_before_the_run_id_is_known_cannot_resume(make_client: ClientFactory) -> None:
    server = Replies(broken(1), rest(1))
    with pytest.raises(errors.APIConnectionError, match="run id"):
        await collect(make_client(server).runs.stream("t-1", "x-1"))
    assert len(server.requests) == 1


async def test_reconnects_are_bounded(make_client: ClientFactory) -> None:
    server = Replies(broken(3), lambda: sse_response(b"", error=httpx.ReadError("reset")))
    with pytest.raises(errors.APIConnectionError, match="could not be resumed"):
        await collect(make_client(server, max_retries=2).runs.stream("t-1", "x-1"))
    assert len(server.requests) == 1 + 2


async def test_stream_stops_at_complete_even_if_the_server_keeps_talking(make_client: ClientFactory) -> None:
    body = recorded_stream(FRAMES) + frame("late", {"type": "message", "data": "ignored"})
    events = await collect(make_client(Replies(sse_response(body))).runs.stream("t-1", "x-1"))
    assert events[-1].event == "complete" and len(events) == len(FRAMES)


async def test_error_frame_ends_the_stream_without_reconnecting(make_client: ClientFactory) -> None:
    body = recorded_stream(FRAMES[:3]) + b'event: error\ndata: {"message": "agent crashed"}\n\n'
    server = Replies(sse_response(body, error=httpx.ReadError("reset")))
    events = await collect(make_client(server).runs.stream("t-1", "x-1"))
    assert (events[-1].event, events[-1].data) == ("error", {"message": "agent crashed"})
    assert len(server.requests) == 1


async def test_http_error_before_the_stream_raises(make_client: ClientFactory) -> None:
    server = Replies(
        json_response({"statusCode": 409, "message": "Thread is busy", "error": "Conflict"}, 409)
    )
    with pytest.raises(errors.ConflictError, match="Thread is busy"):
        await collect(make_client(server).runs.stream("t-1", "x-1"))


async def test_join_stream_sends_last_event_id_and_resumes_too(make_client: ClientFactory) -> None:
    server = Replies(sse_response(recorded_stream(FRAMES[2:5]), error=httpx.ReadError("reset")), rest(5))
    stream = make_client(server).runs.join_stream("t-1", "run-1", last_event_id=IDS[1])
    events = await collect(stream)
    assert [event.id for event in events] == IDS[2:]
    assert [(r.method, r.url.path) for r in server.requests] == [
        ("GET", "/api/ai/threads/t-1/runs/run-1/stream")
    ] * 2
    assert [r.headers["last-event-id"] for r in server.requests] == [IDS[1], IDS[4]]


async def test_join_stream_without_last_event_id_replays_everything(make_client: ClientFactory) -> None:
    server = Replies(rest(0))
    events = await collect(make_client(server).runs.join_stream("t-1", "run-1"))
    assert len(events) == len(FRAMES) and "last-event-id" not in server.requests[0].headers


def thread_frames() -> list[tuple[str, bytes]]:
    """Two runs on one thread as its stream sends them: ids `<run_id>:<seq>`, each run ending in `complete`."""
    out = []
    for run_id in ("run-1", "run-2"):
        for seq, (old_id, raw) in enumerate(run_frames(run_id), start=1):
            fid = f"{run_id}:{seq}"
            out.append((fid, raw.replace(f"id: {old_id}".encode(), f"id: {fid}".encode())))
    return out


async def test_thread_join_stream_goes_past_each_complete_and_resumes_on_the_thread(
    make_client: ClientFactory,
) -> None:
    frames = thread_frames()
    ids = [fid for fid, _ in frames]
    cut = len(frames) // 2 + 3  # inside the second run
    server = Replies(
        sse_response(recorded_stream(frames[:cut]), error=httpx.ReadError("reset")),
        sse_response(recorded_stream(frames[cut:])),
    )
    stream = make_client(server).threads.join_stream("t-1")
    events = await collect(stream)
    assert [event.id for event in events] == ids
    assert [e.event for e in events].count("complete") == 2
    assert [(r.method, r.url.path) for r in server.requests] == [("GET", "/api/ai/threads/t-1/stream")] * 2
    assert [r.headers.get("last-event-id") for r in server.requests] == [None, ids[cut - 1]]
    assert all(r.headers["accept"] == "text/event-stream" for r in server.requests)
    assert stream.last_event_id == ids[-1]


async def test_thread_join_stream_sends_last_event_id(make_client: ClientFactory) -> None:
    server = Replies(sse_response(recorded_stream(thread_frames()[12:])))
    events = await collect(make_client(server).threads.join_stream("t-1", last_event_id="run-2:2"))
    assert events[0].id == "run-2:3" and server.requests[0].headers["last-event-id"] == "run-2:2"


async def test_a_stateless_run_is_joined_and_resumed_by_its_run_id_alone(make_client: ClientFactory) -> None:
    # Dropped before `on_agent_start` named the thread: the run id is enough to pick it up again.
    server = Replies(broken(2), rest(2))
    events = await collect(make_client(server).runs.join_stream(None, "run-1"))
    assert [event.id for event in events] == IDS
    assert [r.url.path for r in server.requests] == ["/api/ai/runs/run-1/stream"] * 2
    assert [r.headers.get("last-event-id") for r in server.requests] == [None, IDS[1]]


async def test_iter_text_yields_only_the_reply_text(mode: str, make_client: ClientFactory) -> None:
    body = recorded_stream(FRAMES[:6]) + frame("s", {"type": "message", "data": " Plain."}) + FRAMES[-1][1]
    stream = make_client(Replies(sse_response(body))).runs.stream("t-1", "x-1")
    if isinstance(stream, AsyncEventStream):
        text = [delta async for delta in aiter_text(stream)]
    else:
        text = list(iter_text(stream))
    assert "".join(text) == "Hi! I am your assistant. Plain."


def test_closing_a_stream_early_closes_the_response() -> None:
    from xpert_sdk import Client

    body = Chunks([recorded_stream(FRAMES)])
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body)
    with Client(transport=httpx.MockTransport(lambda request: response)) as client:
        with client.runs.stream("t-1", "x-1") as stream:
            assert isinstance(stream, EventStream)
            next(stream)
        assert body.closed


async def test_closing_an_async_stream_early_closes_the_response() -> None:
    from xpert_sdk import AsyncClient

    body = Chunks([recorded_stream(FRAMES)])
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=body)
    async with AsyncClient(transport=httpx.MockTransport(lambda request: response)) as client:
        async with client.runs.stream("t-1", "x-1") as stream:
            await stream.__anext__()
        assert body.closed
