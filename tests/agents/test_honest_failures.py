"""A failed run says so: `runs/wait` (thread and stateless) answers 201 with the text so far and `__error__`
naming what failed (the model's or MCP server's URL), and the server's log line names the URL too."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from tests.agents.common import thread
from tests.agents.conftest import UNREACHABLE_MCP, UNREACHABLE_MODEL, AgentsEnv
from tests.harness.chat import send


async def wait(c: httpx.AsyncClient, thread_id: str | None, assistant_id: str, text: str) -> dict[str, Any]:
    path = "/runs/wait" if thread_id is None else f"/threads/{thread_id}/runs/wait"
    resp = await c.post(path, json={"assistant_id": assistant_id, "input": send(text)})
    assert resp.status_code == 201, resp.text
    body: dict[str, Any] = resp.json()
    return body


@pytest.mark.parametrize("stateless", [False, True], ids=["thread", "stateless"])
async def test_wait_on_an_unreachable_model_answers_the_error_naming_its_url(
    agents: AgentsEnv, stateless: bool, caplog: pytest.LogCaptureFixture
) -> None:
    async with await agents.client() as c:
        tid = None if stateless else await thread(c)
        with caplog.at_level(logging.WARNING, logger="xpert.runs"):
            reply = await wait(c, tid, agents.ids["unreachable"], "hello?")
    assert reply["role"] == "ai" and reply["content"] == ""
    error = reply["__error__"]
    assert error["error"].endswith("ConnectionError"), error  # langchain-openai's OpenAIConnectionError
    assert UNREACHABLE_MODEL in error["message"], error
    logged = [r.getMessage() for r in caplog.records if r.name == "xpert.runs"]
    assert any(UNREACHABLE_MODEL in line for line in logged), logged


async def test_wait_keeps_the_text_streamed_before_the_model_failed(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        reply = await wait(c, await thread(c), agents.ids["flaky"], "please explode")
    assert reply["content"] == "Partial answer"
    assert "The model server fell over" in reply["__error__"]["message"]
    assert "/v1/chat/completions" in reply["__error__"]["message"]  # the fake model server's URL


async def test_wait_on_an_unreachable_mcp_server_names_its_url(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        reply = await wait(c, await thread(c), agents.ids["mcp-gone"], "hello?")
    error = reply["__error__"]
    assert error["error"] == "McpError" and UNREACHABLE_MCP in error["message"], error
    assert "'remote'" in error["message"]


async def test_a_run_that_succeeds_has_no_error_field(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        reply = await wait(c, await thread(c), agents.ids["offline-tools"], "hello")
    assert "__error__" not in reply and reply["content"]


async def test_join_of_a_failed_run_answers_the_error_too(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        run = (
            await c.post(
                f"/threads/{tid}/runs", json={"assistant_id": agents.ids["unreachable"], "input": send("x")}
            )
        ).json()
        joined = (await c.get(f"/threads/{tid}/runs/{run['run_id']}/join")).json()
    assert UNREACHABLE_MODEL in joined["__error__"]["message"]
