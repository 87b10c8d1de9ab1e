"""Shared pieces of the run tests: the xperts they declare (ticker, boom, echo), one app served in process and
over real HTTP, request and check helpers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.harness.app import ApiHarness, open_harness
from tests.harness.uvicorn import InProcessServer, serve_in_process
from tests.runs.sse import SseFrame, parse

GRAPHS = Path(__file__).resolve().parent.parent / "graphs_for_tests.py"
# The test xperts live in their own org, so they never show up in other suites' searches.
RUNS_ORG = "runs-tests"
TEST_XPERTS = ("ticker", "boom", "echo", "nested")
SEED_QUESTION = "你好,请介绍一下你能做什么?"

# The exact lifecycle of a normal run's stream, around ≥1 text deltas.
OPENING = ["on_conversation_start", "on_message_start", "on_agent_start"]
CLOSING = ["on_agent_end", "on_message_end", "on_conversation_end", "complete"]


def write_xperts(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for slug in TEST_XPERTS:
        (folder / f"{slug}.yaml").write_text(
            f"name: {slug.title()}\nslug: {slug}\norg: {RUNS_ORG}\ngraph: {GRAPHS}:{slug}\n", encoding="utf-8"
        )
    return folder


@dataclass
class RunsEnv:
    """One app (test xperts + the demo) for the run tests, reachable in process and over real HTTP."""

    harness: ApiHarness
    live: InProcessServer
    database_url: str
    data_dir: Path
    xperts_dir: Path
    ids: dict[str, str] = field(default_factory=dict)  # slug → assistant id (test xperts and `demo`)

    async def key(self, org: str = RUNS_ORG) -> str:
        key, _ = await self.harness.mint_key(org)
        return key

    async def asgi(self, org: str = RUNS_ORG) -> httpx.AsyncClient:
        """A buffered in-process client (whole responses): for everything but live streams."""
        return self.harness.client(await self.key(org))

    async def http(self, org: str = RUNS_ORG) -> httpx.AsyncClient:
        """A client over real HTTP to the live server: streams arrive as they are written."""
        return self.live.client(await self.key(org))


@asynccontextmanager
async def open_env(data_dir: Path, database_url: str, xperts_dir: Path) -> AsyncIterator[RunsEnv]:
    async with open_harness(data_dir, database_url, xperts_dir=xperts_dir) as harness:
        async with serve_in_process(harness.app, harness.prefix) as live:
            env = RunsEnv(harness, live, database_url, data_dir, xperts_dir)
            async with env.harness.client(await env.key()) as c:
                for slug in TEST_XPERTS:
                    env.ids[slug] = await assistant_id(c, slug)
            async with env.harness.client(await env.key("default")) as c:
                env.ids["demo"] = await assistant_id(c, "demo")
            yield env


async def assistant_id(c: httpx.AsyncClient, slug: str) -> str:
    resp = await c.post("/assistants/search", json={"limit": 1, "metadata": {"slug": slug}})
    assert resp.status_code == 201, resp.text
    (found,) = resp.json()
    return str(found["assistant_id"])


# ---- requests ----------------------------------------------------------------------------------------------
def ok(resp: httpx.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (
        f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
    )
    return resp.json()


def error_of(resp: httpx.Response, status: int) -> str:
    """The error envelope's message, after checking status and shape."""
    assert resp.status_code == status, (
        f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
    )
    body = resp.json()
    assert set(body) == {"statusCode", "message", "error"}, body
    assert body["statusCode"] == status
    message: str = body["message"]
    return message


async def new_thread(c: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    thread: dict[str, Any] = ok(await c.post("/threads", json=body), 201)
    return thread


async def stream(
    c: httpx.AsyncClient, thread_id: str, body: dict[str, Any]
) -> tuple[httpx.Response, list[SseFrame]]:
    """POST runs/stream and read the whole stream (buffered)."""
    resp = await c.post(f"/threads/{thread_id}/runs/stream", json=body)
    assert resp.status_code == 200, resp.text
    return resp, parse(resp.text)


async def list_runs(c: httpx.AsyncClient, thread_id: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = ok(await c.get(f"/threads/{thread_id}/runs", params={"limit": 100}))
    return runs


async def messages_of(c: httpx.AsyncClient, thread: dict[str, Any]) -> list[dict[str, Any]]:
    page = ok(await c.get(f"/conversations/{thread['metadata']['id']}/messages"))
    assert page["total"] == len(page["items"])
    items: list[dict[str, Any]] = page["items"]
    return items


async def eventually(
    check: Callable[[], Awaitable[Any]], timeout: float = 10.0, what: str = "condition"
) -> Any:
    """Poll `check` until it returns a truthy value (returned), or fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


async def run_status(
    c: httpx.AsyncClient, thread_id: str, run_id: str, statuses: tuple[str, ...], timeout: float = 10.0
) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        run: dict[str, Any] = ok(await c.get(f"/threads/{thread_id}/runs/{run_id}"))
        return run if run["status"] in statuses else None

    result: dict[str, Any] = await eventually(check, timeout, f"run {run_id} to reach {statuses}")
    return result


# ---- stream checks -----------------------------------------------------------------------------------------
def kinds(frames: list[SseFrame]) -> list[str]:
    return [f.kind for f in frames]


def event_data(frames: list[SseFrame], name: str) -> dict[str, Any]:
    (frame,) = [f for f in frames if f.kind == name]
    data: dict[str, Any] = frame.data["data"]
    return data


def text_of(frames: list[SseFrame]) -> str:
    return "".join(f.data["data"]["text"] for f in frames if f.kind == "message:text")


def run_id_of(frames: list[SseFrame]) -> str:
    return str(event_data(frames, "on_message_start")["executionId"])


def assert_framing(frames: list[SseFrame]) -> None:
    """Every frame has an integer id, ids strictly increase, only the last frame is `complete`."""
    assert frames, "empty stream"
    seqs = [f.seq for f in frames]
    assert all(f.id is not None and f.id.isdigit() for f in frames), [f.id for f in frames]
    assert seqs == sorted(set(seqs)), f"ids not strictly increasing: {seqs}"
    for f in frames[:-1]:
        assert f.event is None, f"an `event:` line before the end: {f}"
        assert f.data.get("type") in ("event", "message"), f.raw
    last = frames[-1]
    assert last.event == "complete" and last.data == {"type": "complete"}, last


def assert_lifecycle(
    frames: list[SseFrame], *, status: str = "success", conversation_status: str = "idle", min_deltas: int = 1
) -> None:
    """The exact order: 3 opening events, ≥min_deltas text deltas, 3 closing events, complete."""
    assert_framing(frames)
    k = kinds(frames)
    assert k[:3] == OPENING, k
    assert k[-4:] == CLOSING, k
    middle = k[3:-4]
    assert len(middle) >= min_deltas and set(middle) <= {"message:text"}, k
    assert event_data(frames, "on_agent_end")["status"] == status
    assert event_data(frames, "on_message_end")["status"] == status
    assert event_data(frames, "on_conversation_end")["status"] == conversation_status
