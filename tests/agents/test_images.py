"""Attached images reach a model that reads them as `image_url` parts, over real HTTP."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from tests.agents.common import run, text, thread
from tests.agents.conftest import AgentsEnv

# A 1×1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


async def upload_png(c: httpx.AsyncClient) -> str:
    resp = await c.post("/contexts/file", files={"file": ("dot.png", PNG, "image/png")})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def with_file(question: str, file_id: str) -> dict[str, Any]:
    return {"action": "send", "message": {"input": {"input": question, "files": [{"id": file_id}]}}}


async def test_a_vision_model_gets_the_image_as_a_part_of_the_user_message(agents: AgentsEnv) -> None:
    before = len(agents.fake.requests)
    async with await agents.client() as c:
        file_id = await upload_png(c)
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["seer"], with_file("What is in this picture?", file_id))
        # The next turn has no attachment: the image was this run's, not the thread's.
        await run(c, tid, agents.ids["seer"], {"action": "send", "message": {"input": {"input": "And now?"}}})
    assert text(frames) == "You said: What is in this picture?"
    first, second = agents.fake.requests[before:]
    user = first["messages"][-1]
    assert user["role"] == "user"
    assert user["content"][0] == {"type": "text", "text": "What is in this picture?"}
    assert user["content"][1] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()},
    }
    assert "dot.png" in first["messages"][0]["content"]  # and a note of it among the attached files
    assert all(isinstance(m.get("content"), str) for m in second["messages"]), second["messages"]


async def test_a_model_without_vision_gets_a_note_only(agents: AgentsEnv) -> None:
    before = len(agents.fake.requests)
    async with await agents.client() as c:
        file_id = await upload_png(c)
        tid = await thread(c)
        await run(c, tid, agents.ids["helper"], with_file("What is in this picture?", file_id))
    (request,) = agents.fake.requests[before:]
    assert request["messages"][-1] == {"role": "user", "content": "What is in this picture?"}
    assert "[Image attached: dot.png (image/png" in request["messages"][0]["content"]
