"""The seed's REST flow against a real `xpert serve` subprocess: search the demo xpert, create a thread,
`runs/stream` (SSE to `event: complete`), then `runs/wait`.

On `XPERT_TEST_BACKEND=postgres` the server uses the session's PostgreSQL database (`--database-url`).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import API_BACKEND
from tests.harness.served import serving
from tests.runs.common import OPENING, SEED_QUESTION, assert_lifecycle, event_data, text_of
from tests.runs.sse import FrameReader

API_KEY = "sk-x-test" + "0123456789abcdef" * 2 + "01234567"


@pytest.fixture
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """`xpert serve` on a free port with XPERT_API_KEY; yields the API base URL."""
    args = ("--database-url", str(request.getfixturevalue("pg_url"))) if API_BACKEND == "postgres" else ()
    with serving(tmp_path / "data", key=API_KEY, args=args, ready_timeout=30) as served:
        yield served.api


async def test_seed_flow_against_xpert_serve(server: str) -> None:
    headers = {"x-api-key": API_KEY, "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=server, headers=headers, timeout=30) as c:
        # 2. Find the xpert.
        resp = await c.post(
            "/assistants/search", json={"limit": 1, "offset": 0, "metadata": {"slug": "demo"}}
        )
        assert resp.status_code == 201, resp.text
        (demo,) = resp.json()
        xpert_id = demo["xpert_id"]
        assert (await c.get(f"/assistants/{xpert_id}")).json()["assistant_id"] == xpert_id
        # 3. A thread.
        resp = await c.post("/threads", json={})
        assert resp.status_code == 201, resp.text
        thread_id = resp.json()["thread_id"]
        # 4. runs/stream, read as it arrives (curl -N).
        body = {
            "xpert_id": xpert_id,
            "input": {"action": "send", "message": {"input": {"input": SEED_QUESTION}}},
        }
        async with c.stream("POST", f"/threads/{thread_id}/runs/stream", json=body) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert stream.headers["cache-control"] == "no-cache"
            assert stream.headers["x-accel-buffering"] == "no"
            reader = FrameReader(stream)
            first = await reader.next()
            assert first is not None and first.kind == OPENING[0]
            await reader.rest()
        frames = reader.frames
        assert_lifecycle(frames)
        assert frames[-1].event == "complete" and frames[-1].data == {"type": "complete"}
        assert event_data(frames, "on_agent_start")["threadId"] == thread_id
        streamed = text_of(frames)
        assert streamed.strip()

        # runs/wait on the same thread, then on a new one (same question, same offline answer).
        resp = await c.post(f"/threads/{thread_id}/runs/wait", json={"xpert_id": xpert_id, "input": "谢谢"})
        assert resp.status_code == 201, resp.text
        reply = resp.json()
        assert reply["role"] == "ai" and reply["content"].strip()
        thread2 = (await c.post("/threads", json={})).json()["thread_id"]
        resp = await c.post(f"/threads/{thread2}/runs/wait", json=body)
        assert resp.status_code == 201 and resp.json() == {"role": "ai", "content": streamed}

        runs = (await c.get(f"/threads/{thread_id}/runs")).json()
        assert [r["status"] for r in runs] == ["success", "success"]
        # Another key is refused.
        bad = await c.post("/threads", json={}, headers={"x-api-key": "sk-x-" + "0" * 48})
        assert bad.status_code == 401
