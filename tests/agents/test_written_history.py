"""Messages written over `POST /conversations/{id}/messages` reach the model itself: the OpenAI-compatible
request the agent makes carries them, in order, between the system prompt and the run's question."""

from __future__ import annotations

from tests.agents.conftest import AgentsEnv
from tests.harness.chat import send
from tests.runs.common import ok


async def test_the_model_request_carries_the_written_messages(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        conversation = ok(await c.post("/conversations", json={"xpertId": agents.ids["helper"]}), 201)
        cid, tid = conversation["id"], conversation["threadId"]
        route = f"/conversations/{cid}/messages"
        ok(await c.post(route, json={"role": "human", "content": "My order number is 1234."}), 201)
        ok(await c.post(route, json={"role": "ai", "content": [{"type": "text", "text": "Noted."}]}), 201)
        body = {"assistant_id": agents.ids["helper"], "input": send("What is my order number?")}
        ok(await c.post(f"/threads/{tid}/runs/wait", json=body), 201)
        sent = [(m["role"], m["content"]) for m in agents.fake.requests[-1]["messages"]]
        assert sent == [
            ("user", "My order number is 1234."),
            ("assistant", "Noted."),
            ("user", "What is my order number?"),
        ]
