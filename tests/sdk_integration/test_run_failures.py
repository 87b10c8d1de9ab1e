"""A run that fails raises `RunFailedError` from `runs.wait`, `runs.join` and `iter_text`, sync and async,
against the real server (an xpert whose model's port refuses connections)."""

from __future__ import annotations

from typing import Any

import pytest
from xpert_sdk import RunFailedError, XpertError, aiter_text, chat_input, iter_text

from tests.sdk_integration.live import call

UNREACHABLE = "http://127.0.0.1:1/v1"


@pytest.mark.parametrize("stateless", [False, True], ids=["thread", "stateless"])
async def test_wait_raises_run_failed_naming_the_model_url(
    client: Any, xperts: dict[str, str], stateless: bool
) -> None:
    tid = None if stateless else (await call(client.threads.create))["thread_id"]
    with pytest.raises(RunFailedError) as e:
        await call(client.runs.wait, tid, xperts["sdk-unreachable"], input=chat_input("hello"))
    assert isinstance(e.value, XpertError)
    assert e.value.kind.endswith("ConnectionError") and UNREACHABLE in e.value.message, e.value
    assert e.value.result["role"] == "ai" and e.value.result["content"] == ""


async def test_join_raises_too(client: Any, xperts: dict[str, str]) -> None:
    tid = (await call(client.threads.create))["thread_id"]
    run = await call(client.runs.create, tid, xperts["sdk-unreachable"], input=chat_input("hello"))
    with pytest.raises(RunFailedError, match="127.0.0.1:1"):
        await call(client.runs.join, tid, run["run_id"])


async def test_iter_text_raises_at_the_end_of_a_failed_stream(client: Any, xperts: dict[str, str]) -> None:
    tid = (await call(client.threads.create))["thread_id"]
    stream = client.runs.stream(tid, xperts["sdk-unreachable"], input=chat_input("hello"))
    with pytest.raises(RunFailedError, match="127.0.0.1:1"):
        if hasattr(stream, "__aiter__"):
            async with stream:
                async for _ in aiter_text(stream):
                    pass
        else:
            for _ in iter_text(stream):
                pass


async def test_a_run_that_succeeds_raises_nothing(client: Any, xperts: dict[str, str]) -> None:
    reply = await call(client.runs.wait, None, xperts["sdk-ticker"], input=chat_input("fine"))
    assert reply["content"] and "__error__" not in reply
