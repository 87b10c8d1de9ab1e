"""Chat helpers: build a run `input` that sends a message; pull the reply text out of a run stream."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Sequence
from typing import Any

from xpert_sdk._sse import StreamEvent
from xpert_sdk.errors import RunFailedError
from xpert_sdk.types import ChatRequestHuman, ChatSendRequest

__all__ = ["aiter_text", "chat_input", "iter_text", "text_delta"]


def chat_input(text: str, files: Sequence[Any] | None = None) -> ChatSendRequest:
    """The run `input` that sends `text` (and uploaded `files`) as the user's message.

    Example: ``client.runs.wait(tid, xpert_id, input=chat_input("Summarise this", files=[file]))``
    """
    human: ChatRequestHuman = {"input": text}
    if files is not None:
        human["files"] = list(files)
    return {"action": "send", "message": {"input": human}}


def text_delta(event: StreamEvent) -> str | None:
    """The reply text a frame adds, or None for frames that add none (events, tools, reasoning).

    Example: ``delta = text_delta(event)``
    """
    data = event.data
    if not isinstance(data, dict) or data.get("type") != "message":
        return None
    content = data.get("data")
    if isinstance(content, str):
        return content
    if isinstance(content, dict) and content.get("type") == "text" and isinstance(content.get("text"), str):
        text: str = content["text"]
        return text
    return None


def iter_text(events: Iterable[StreamEvent]) -> Iterator[str]:
    """Just the reply's text deltas from a run stream.

    Raises `RunFailedError` when the run ends in error (after yielding the text it streamed).

    Example: ``for delta in iter_text(client.runs.stream(tid, xpert_id, input=msg)): print(delta, end="")``
    """
    for event in events:
        delta = text_delta(event)
        if delta:
            yield delta
        _raise_if_failed(event)


async def aiter_text(events: AsyncIterable[StreamEvent]) -> AsyncIterator[str]:
    """Just the reply's text deltas from an async run stream.

    Raises `RunFailedError` when the run ends in error (after yielding the text it streamed).

    Example: ``async for delta in aiter_text(client.runs.stream(tid, xpert_id, input=msg)): ...``
    """
    async for event in events:
        delta = text_delta(event)
        if delta:
            yield delta
        _raise_if_failed(event)


def _raise_if_failed(event: StreamEvent) -> None:
    """The run's last story frame, `on_conversation_end`, says whether it failed (sub-agents' frames may
    report failures their parent recovered from, so only this one counts)."""
    data = event.data
    if (
        not isinstance(data, dict)
        or data.get("type") != "event"
        or data.get("event") != "on_conversation_end"
    ):
        return
    end = data.get("data")
    if isinstance(end, dict) and end.get("status") == "error":
        raise RunFailedError(str(end.get("errorKind") or "RunError"), str(end.get("error") or ""))
