"""A run past the run timeout (0.5 s: the setting in process, XPERT_RUN_TIMEOUT for `xpert serve`) ends
`timeout` with the end events saying so; its thread is not left busy."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness.chat import run_body
from tests.harness.scripted import QUICK, ScriptedEnv, open_env, thread_status, write_xperts
from tests.harness.served import serving
from tests.runs.common import (
    assert_framing,
    event_data,
    kinds,
    list_runs,
    new_thread,
    ok,
    run_status,
    text_of,
)
from tests.runs.sse import parse

RUN_TIMEOUT = 0.5
SLOW = {"chunks": 100, "delay": 0.02}  # ~2 s: well past the limit


@pytest.fixture
async def short(backend_url: str, tmp_path: Path) -> AsyncIterator[ScriptedEnv]:
    async with open_env(
        tmp_path / "data", backend_url, write_xperts(tmp_path / "xperts"), run_timeout=RUN_TIMEOUT
    ) as e:
        yield e


async def test_a_run_past_the_timeout_ends_timeout(short: ScriptedEnv) -> None:
    assert short.harness.services.settings.run_timeout == RUN_TIMEOUT
    async with await short.asgi() as c:
        tid = (await new_thread(c))["thread_id"]
        resp = await c.post(f"/threads/{tid}/runs/stream", json=run_body(short.ids["slow"], "slow", SLOW))
        frames = parse(resp.text)
        assert_framing(frames)
        assert kinds(frames)[-4:] == ["on_agent_end", "on_message_end", "on_conversation_end", "complete"]
        for name in ("on_agent_end", "on_message_end"):
            data = event_data(frames, name)
            assert data["status"] == "timeout" and "time limit" in data["error"] and "0.5" in data["error"]
        end = event_data(frames, "on_conversation_end")
        assert end["status"] != "busy" and "time limit" in end["error"]
        partial = text_of(frames)
        assert partial.startswith("<slow|seen=1>") and not partial.endswith(f"t{SLOW['chunks'] - 1} ")
        (run,) = await list_runs(c, tid)
        assert run["status"] == "timeout"
        assert await thread_status(c, tid) != "busy"
        # The thread takes another run, which (being quick) succeeds.
        reply = ok(
            await c.post(f"/threads/{tid}/runs/wait", json=run_body(short.ids["slow"], "quick", QUICK)), 201
        )
        assert reply["content"].startswith("<quick|seen=2>")
        assert await thread_status(c, tid) == "idle"


async def test_a_background_run_times_out_too(short: ScriptedEnv) -> None:
    async with await short.asgi() as c:
        run = ok(await c.post("/runs", json=run_body(short.ids["slow"], "bg", SLOW)), 201)
        done = await run_status(c, run["thread_id"], run["run_id"], ("timeout", "success", "error"), 5)
        assert done["status"] == "timeout"
        assert await thread_status(c, run["thread_id"]) != "busy"
        frames = parse((await c.get(f"/threads/{run['thread_id']}/runs/{run['run_id']}/stream")).text)
        assert event_data(frames, "on_agent_end")["status"] == "timeout"


@pytest.mark.any_mode
async def test_a_served_run_past_xpert_run_timeout_ends_timeout(tmp_path: Path) -> None:
    """The setting as an operator gives it: `xpert serve` with XPERT_RUN_TIMEOUT in its environment."""
    xperts = write_xperts(tmp_path / "xperts", org="default", org_b=None)
    with serving(tmp_path / "data", args=("--xperts", str(xperts)), XPERT_RUN_TIMEOUT=str(RUN_TIMEOUT)) as s:
        async with s.async_client(s.key) as c:
            found = ok(await c.post("/assistants/search", json={"metadata": {"slug": "slow"}}), 201)
            tid = (await new_thread(c))["thread_id"]
            resp = await c.post(
                f"/threads/{tid}/runs/stream", json=run_body(found[0]["assistant_id"], "slow", SLOW)
            )
            frames = parse(resp.text)
            assert_framing(frames)
            for name in ("on_agent_end", "on_message_end"):
                data = event_data(frames, name)
                assert (
                    data["status"] == "timeout" and "time limit" in data["error"] and "0.5" in data["error"]
                )
            (run,) = await list_runs(c, tid)
            assert run["status"] == "timeout"
            assert await thread_status(c, tid) != "busy"
