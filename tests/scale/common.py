"""The scale-out tests' xperts (tests/scale/graphs.py: steps, once) and their request and stream checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.harness.xperts import write_xperts as xpert_files
from tests.runs.common import CLOSING, OPENING
from tests.runs.sse import FrameReader, SseFrame

GRAPHS = Path(__file__).resolve().parent / "graphs.py"


def write_xperts(folder: Path) -> Path:
    return xpert_files(folder, GRAPHS, ("steps", "once"))


async def assistant(c: httpx.AsyncClient, slug: str) -> str:
    resp = await c.post("/assistants/search", json={"metadata": {"slug": slug}})
    assert resp.status_code == 201, resp.text
    return str(resp.json()[0]["assistant_id"])


def body(assistant_id: str, text: str = "go", **context: Any) -> dict[str, Any]:
    return {"assistant_id": assistant_id, "input": {"input": text}, "context": context}


async def read_until(reader: FrameReader, count: int) -> list[SseFrame]:
    while len(reader.frames) < count:
        assert await reader.next() is not None, "the stream ended early"
    return reader.frames


def assert_one_story(frames: list[SseFrame], *, status: str = "success") -> None:
    """Ids 1..n without a gap or a repeat, one set of start and end events, `complete` last."""
    ids = [f.seq for f in frames]
    assert ids == list(range(1, len(frames) + 1)), ids
    kinds = [f.kind for f in frames]
    for name in (*OPENING, *CLOSING):
        assert kinds.count(name) == 1, (name, kinds)
    assert kinds[:3] == OPENING, kinds[:3]
    assert kinds[-4:] == CLOSING, kinds[-4:]
    end = next(f.data for f in frames if f.kind == "on_agent_end")
    assert end["data"]["status"] == status, end


def step_texts(frames: list[SseFrame]) -> list[str]:
    out = []
    for f in frames:
        if f.kind == "message:text":
            out.append(str(f.data["data"]["text"]))
    return out
