"""Helpers of the agent API tests: start runs, then read components, texts and events out of the stream."""

from __future__ import annotations

from typing import Any

import httpx

from tests.runs.common import new_thread, ok, stream
from tests.runs.sse import SseFrame


async def run(
    c: httpx.AsyncClient, thread_id: str, assistant_id: str, input: Any, context: dict[str, Any] | None = None
) -> list[SseFrame]:
    body: dict[str, Any] = {"assistant_id": assistant_id, "input": input}
    if context is not None:
        body["context"] = context
    _resp, frames = await stream(c, thread_id, body)
    assert frames and frames[-1].kind == "complete", [f.kind for f in frames]
    return frames


async def thread(c: httpx.AsyncClient) -> str:
    return str((await new_thread(c))["thread_id"])


def events(frames: list[SseFrame], name: str) -> list[dict[str, Any]]:
    return [f.data["data"] for f in frames if f.kind == name]


def event(frames: list[SseFrame], name: str) -> dict[str, Any]:
    (data,) = events(frames, name)
    return data


def component_frames(frames: list[SseFrame]) -> list[dict[str, Any]]:
    """The `component` message bodies in order: {type, id, data, agentKey?}."""
    return [f.data["data"] for f in frames if f.kind == "message:component"]


def components(frames: list[SseFrame]) -> dict[str, list[dict[str, Any]]]:
    """Tool call id → the `data` of each of its frames, in order."""
    out: dict[str, list[dict[str, Any]]] = {}
    for body in component_frames(frames):
        out.setdefault(body["id"], []).append(body["data"])
    return out


def single_call(frames: list[SseFrame]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(call id, running data, end data) of the run's only tool call, checking it has exactly those two frames."""
    comps = components(frames)
    assert len(comps) == 1, comps
    ((call_id, datas),) = comps.items()
    assert [d["status"] for d in datas][0] == "running" and len(datas) == 2, datas
    assert datas[1]["status"] in ("success", "fail")
    return call_id, datas[0], datas[1]


def text(frames: list[SseFrame], agent_key: str | None = None) -> str:
    return "".join(
        f.data["data"]["text"]
        for f in frames
        if f.kind == "message:text" and (agent_key is None or f.data["data"].get("agentKey") == agent_key)
    )


def run_id(frames: list[SseFrame]) -> str:
    return str(event(frames, "on_message_start")["executionId"])


async def get_thread(c: httpx.AsyncClient, thread_id: str) -> dict[str, Any]:
    body: dict[str, Any] = ok(await c.get(f"/threads/{thread_id}"))
    return body


async def get_run(c: httpx.AsyncClient, thread_id: str, rid: str) -> dict[str, Any]:
    body: dict[str, Any] = ok(await c.get(f"/threads/{thread_id}/runs/{rid}"))
    return body
