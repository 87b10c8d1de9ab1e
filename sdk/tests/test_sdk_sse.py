"""The SSE parser: frames out of arbitrarily chunked bytes, comments ignored, data JSON-decoded."""

from __future__ import annotations

import pytest
from sdk_testkit import recorded_stream, run_frames
from xpert_sdk import StreamEvent
from xpert_sdk._sse import SSEDecoder


def parse(body: bytes, chunk_size: int = 0) -> list[StreamEvent]:
    decoder = SSEDecoder()
    size = chunk_size or max(len(body), 1)
    events: list[StreamEvent] = []
    for start in range(0, len(body), size):
        events += decoder.feed(body[start : start + size])
    return events + decoder.flush()


@pytest.mark.parametrize("chunk_size", [0, 1, 2, 7, 64])
def test_recorded_run_stream_parses_the_same_in_any_chunking(chunk_size: int) -> None:
    frames = run_frames()
    events = parse(recorded_stream(frames), chunk_size)

    assert [event.id for event in events] == [frame_id for frame_id, _ in frames]
    assert events[1] == StreamEvent(
        id=frames[1][0],
        event="",
        data={
            "type": "event",
            "event": "on_message_start",
            "data": {
                "id": "m-1",
                "role": "ai",
                "content": "",
                "executionId": "run-1",
                "conversationId": "c-1",
            },
        },
    )
    assert events[-1] == StreamEvent(id=frames[-1][0], event="complete", data={"type": "complete"})


def test_keep_alive_comments_never_yield_an_event() -> None:
    assert parse(b": keep-alive\n\n: keep-alive\n\n\n") == []


def test_multi_line_data_is_joined_with_newlines() -> None:
    [event] = parse(b'data: {"text":\ndata: "two lines"}\n\n')
    assert event.data == {"text": "two lines"}
    [event] = parse(b"data: first\ndata: second\n\n")
    assert event.data == "first\nsecond"


@pytest.mark.parametrize("newline", [b"\r\n", b"\r", b"\n"])
@pytest.mark.parametrize("chunk_size", [0, 1, 3])
def test_every_line_ending_is_understood(newline: bytes, chunk_size: int) -> None:
    body = b"id: 1" + newline + b'data: {"a": 1}' + newline + newline + b"id: 2" + newline + b"data: 2"
    body += newline + newline
    assert parse(body, chunk_size) == [StreamEvent("1", "", {"a": 1}), StreamEvent("2", "", 2)]


def test_error_event_with_json_data() -> None:
    [event] = parse(b'event: error\ndata: {"message": "agent failed"}\n\n')
    assert event == StreamEvent(None, "error", {"message": "agent failed"})


def test_plain_text_data_is_kept_as_a_string() -> None:
    # XpertAI writes plain-text data in `event: error` frames; its JS SDK cannot parse them, we can.
    [event] = parse(b"event: error\ndata: message: Required\n\n")
    assert event == StreamEvent(None, "error", "message: Required")


def test_an_id_without_data_is_not_an_event() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"id: 7\n\n") == []
    assert decoder.last_event_id == "7"


def test_field_without_space_and_unknown_fields() -> None:
    assert parse(b'data:{"a":1}\nfoo: bar\nretry: 3000\n\n') == [StreamEvent(None, "", {"a": 1})]


def test_a_final_frame_without_its_blank_line_is_delivered_at_a_clean_end() -> None:
    assert parse(b"event: complete\ndata: {}") == [StreamEvent(None, "complete", {})]


def test_utf8_split_across_chunks() -> None:
    body = 'data: {"text": "你好"}\n\n'.encode()
    assert parse(body, 1) == [StreamEvent(None, "", {"text": "你好"})]
