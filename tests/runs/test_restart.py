"""A server SIGKILLed mid-run and restarted on the same data: no run left `running`, the thread `idle`,
and the frames stored before the kill still replay, then the stream ends (end events + `complete`).

One scenario (module fixture) against real `xpert serve` subprocesses; the tests below check its outcome.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import API_BACKEND
from tests.harness.chat import run_body
from tests.harness.scripted import QUICK, conversation, write_xperts
from tests.harness.served import Served, start
from tests.runs.common import CLOSING, OPENING, assert_framing, event_data, kinds, ok
from tests.runs.sse import FrameReader, SseFrame, parse
from xpert_server.auth.keys import generate_key, hash_credential, key_hint
from xpert_server.config import normalise_database_url
from xpert_server.runs.recovery import ORPHAN_REASON
from xpert_server.storage import create_storage

ORG_R = "scripted-restart"
TEXT_FRAMES_BEFORE_KILL = 5
SLOW = {"chunks": 1000, "delay": 0.02}  # 20 s: it never ends by itself within the test
RESTART_RUN_TIMEOUT = 0.5  # the restarted server's `--run-timeout`


class Servers:
    """Starts `xpert serve` (tests/harness/served.py) on one data dir (and database); kills or stops what it
    started."""

    def __init__(self, data_dir: Path, xperts: Path, database_url: str | None):
        self.data_dir, self.xperts, self.database_url = data_dir, xperts, database_url
        self.started: list[Served] = []

    async def start(self, *more: str) -> Served:
        args = ("--xperts", str(self.xperts), *more)
        if self.database_url:
            args += ("--database-url", self.database_url)
        server = start(self.data_dir, args=args)
        self.started.append(server)
        return server

    def kill_all(self) -> None:
        for s in self.started:
            s.kill()

    def stop_all(self) -> None:
        for s in self.started:
            s.stop()


@dataclass
class Outcome:
    thread_id: str
    run_id: str
    before: list[SseFrame]  # what a client read from the first server before the kill
    run: dict[str, Any]  # after the restart
    thread: dict[str, Any]
    replay: list[SseFrame]
    replay_from_k: list[SseFrame]  # GET …/stream with Last-Event-ID: <last frame read before the kill>
    messages: list[dict[str, Any]]  # after the new run
    runs: list[dict[str, Any]]
    next_reply: dict[str, Any]  # a new run on the same thread after the restart
    slow_reply: dict[str, Any]  # then a run longer than the restarted server's --run-timeout
    timed_out: dict[str, Any]
    timed_out_thread: dict[str, Any]


async def _mint(database_url: str) -> str:
    storage = create_storage(normalise_database_url(database_url))
    await storage.open()
    try:
        await storage.ensure_org(ORG_R)
        key = generate_key()
        await storage.create_api_key(
            ORG_R, hash_credential(key), key_hint(key), name="restart test", role="admin"
        )
        return key
    finally:
        await storage.close()


@pytest.fixture(scope="module")
def servers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    root = tmp_path_factory.mktemp("scripted-restart")
    (root / "data").mkdir()
    url = str(request.getfixturevalue("pg_url")) if API_BACKEND == "postgres" else None
    s = Servers(root / "data", write_xperts(root / "xperts", org=ORG_R, org_b=None), url)
    try:
        yield s
    finally:
        s.stop_all()


@pytest.fixture(scope="module")
async def outcome(servers: Servers) -> AsyncIterator[Outcome]:
    key = await _mint(servers.database_url or f"sqlite:///{(servers.data_dir / 'xpert.db').resolve()}")
    headers = {"x-api-key": key}
    first = await servers.start()
    async with httpx.AsyncClient(base_url=first.api, headers=headers, timeout=20) as c:
        slow = ok(await c.post("/assistants/search", json={"metadata": {"slug": "slow"}}), 201)[0][
            "assistant_id"
        ]
        tid = ok(await c.post("/threads", json={}), 201)["thread_id"]
        run = ok(await c.post(f"/threads/{tid}/runs", json=run_body(slow, "doomed", SLOW)), 201)
        rid = run["run_id"]
        async with c.stream("GET", f"/threads/{tid}/runs/{rid}/stream") as resp:
            assert resp.status_code == 200
            reader = FrameReader(resp)
            for _ in range(TEXT_FRAMES_BEFORE_KILL):
                await reader.until(lambda f: f.kind == "message:text")
            before = list(reader.frames)
            first.proc.send_signal(signal.SIGKILL)
            first.proc.wait(10)
    assert first.proc.returncode == -signal.SIGKILL

    second = await servers.start("--run-timeout", str(RESTART_RUN_TIMEOUT))
    async with httpx.AsyncClient(base_url=second.api, headers=headers, timeout=20) as c:
        run_after = ok(await c.get(f"/threads/{tid}/runs/{rid}"))
        thread = ok(await c.get(f"/threads/{tid}"))
        replay = await asyncio.wait_for(c.get(f"/threads/{tid}/runs/{rid}/stream"), 10)
        from_k = await asyncio.wait_for(
            c.get(f"/threads/{tid}/runs/{rid}/stream", headers={"Last-Event-ID": str(before[-1].id)}), 10
        )
        runs = ok(await c.get(f"/threads/{tid}/runs"))
        next_reply = ok(await c.post(f"/threads/{tid}/runs/wait", json=run_body(slow, "after", QUICK)), 201)
        messages = ok(await c.get(f"/conversations/{thread['metadata']['id']}/messages"))["items"]
        # `--run-timeout` reached the restarted server: a slow run there ends `timeout`.
        slow_reply = ok(await c.post(f"/threads/{tid}/runs/wait", json=run_body(slow, "too slow", SLOW)), 201)
        timed_out = ok(await c.get(f"/threads/{tid}/runs"))[0]
        timed_out_thread = ok(await c.get(f"/threads/{tid}"))
    yield Outcome(
        tid,
        rid,
        before,
        run_after,
        thread,
        parse(replay.text),
        parse(from_k.text),
        messages,
        runs,
        next_reply,
        slow_reply,
        timed_out,
        timed_out_thread,
    )


async def test_no_run_is_left_running(outcome: Outcome) -> None:
    assert outcome.run["status"] == "error", outcome.run
    assert [r["status"] for r in outcome.runs] == ["error"]
    assert outcome.thread["status"] == "idle"


async def test_the_error_says_why(outcome: Outcome) -> None:
    end = event_data(outcome.replay, "on_agent_end")
    assert end["status"] == "error" and end["error"] == ORPHAN_REASON and "server stopped" in end["error"]
    conv_end = event_data(outcome.replay, "on_conversation_end")
    assert conv_end["status"] == "error" and conv_end["error"] == ORPHAN_REASON
    # The reply that was being written is closed as an error with the same reason.
    assert [m["role"] for m in outcome.messages] == ["human", "ai", "human", "ai"]
    doomed_ai = outcome.messages[1]
    assert doomed_ai["executionId"] == outcome.run_id
    assert doomed_ai["status"] == "error" and doomed_ai.get("error") == ORPHAN_REASON


async def test_the_frames_stored_before_the_kill_replay_then_the_stream_ends(outcome: Outcome) -> None:
    before, replay = outcome.before, outcome.replay
    assert [f.kind for f in before[:3]] == OPENING
    k = len(before)
    assert [(f.id, f.event, f.raw) for f in replay[:k]] == [(f.id, f.event, f.raw) for f in before]
    assert [f.seq for f in replay[:k]] == list(range(1, k + 1))
    assert_framing(replay)  # ids strictly increase, the last frame is `complete`
    assert replay[-1].event == "complete" and replay[-1].data == {"type": "complete"}
    assert set(kinds(replay)[k:]) <= {
        "message:text",
        "on_agent_end",
        "on_conversation_end",
        "on_message_end",
        "complete",
    }
    # Resuming after the last frame the client had read gives exactly the rest.
    assert [(f.id, f.raw) for f in outcome.replay_from_k] == [(f.id, f.raw) for f in replay[k:]]


async def test_an_orphaned_stream_closes_like_any_other(outcome: Outcome) -> None:
    assert kinds(outcome.replay)[-4:] == CLOSING
    end = event_data(outcome.replay, "on_message_end")
    assert end["executionId"] == outcome.run_id and end["status"] == "error"


async def test_the_thread_takes_a_new_run(outcome: Outcome) -> None:
    # It starts from the last checkpoint: the doomed run's human message, then its own.
    assert outcome.next_reply["content"].startswith("<after|seen=2>")
    assert conversation(outcome.messages)[2:] == [("human", "after"), ("ai", outcome.next_reply["content"])]


async def test_the_run_timeout_flag_reaches_the_server(outcome: Outcome) -> None:
    assert outcome.timed_out["status"] == "timeout"
    assert outcome.slow_reply["content"].startswith("<too slow|seen=")
    assert outcome.timed_out_thread["status"] != "busy"


async def test_a_second_server_leaves_a_live_servers_runs_alone(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = str(request.getfixturevalue("pg_url")) if API_BACKEND == "postgres" else None
    (tmp_path / "data").mkdir()
    servers = Servers(tmp_path / "data", write_xperts(tmp_path / "xperts", org=ORG_R, org_b=None), url)
    key = await _mint(url or f"sqlite:///{(tmp_path / 'data' / 'xpert.db').resolve()}")
    try:
        live = await servers.start()
        async with httpx.AsyncClient(base_url=live.api, headers={"x-api-key": key}, timeout=20) as c:
            slow = ok(await c.post("/assistants/search", json={"metadata": {"slug": "slow"}}), 201)[0][
                "assistant_id"
            ]
            tid = ok(await c.post("/threads", json={}), 201)["thread_id"]
            rid = ok(await c.post(f"/threads/{tid}/runs", json=run_body(slow, "live", SLOW)), 201)["run_id"]
            deadline = time.monotonic() + 10
            while ok(await c.get(f"/threads/{tid}/runs/{rid}"))["status"] != "running":
                assert time.monotonic() < deadline, "the run did not start"
                await asyncio.sleep(0.02)
            await servers.start()  # a second server on the same database, the first one still serving
            run = ok(await c.get(f"/threads/{tid}/runs/{rid}"))
            thread = ok(await c.get(f"/threads/{tid}"))
            assert (run["status"], thread["status"]) == ("running", "busy")
    finally:
        servers.kill_all()  # SIGKILL: the first server may no longer be able to shut down (see the reason)


async def test_the_ai_message_keeps_what_was_streamed_before_the_kill(outcome: Outcome) -> None:
    """Recovery rebuilds the closed reply from the stored frames: a client that read some tokens before
    the crash finds them (and whatever else was stored) in the conversation afterwards."""

    def text(frames: list[SseFrame]) -> str:
        return "".join(f.data["data"]["text"] for f in frames if f.kind == "message:text")

    seen, stored = text(outcome.before), text(outcome.replay)
    assert seen and stored.startswith(seen)
    doomed_ai = outcome.messages[1]
    assert doomed_ai["status"] == "error"
    assert "".join(b["text"] for b in doomed_ai["content"] if b["type"] == "text") == stored
