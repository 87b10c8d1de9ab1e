"""Tools through the real API and a real OpenAI-compatible HTTP server: components, usage, step limit."""

from __future__ import annotations

import json

from tests.agents.common import components, event, run, single_call, text, thread
from tests.agents.conftest import AgentsEnv
from tests.harness.chat import send
from tests.runs.common import kinds


async def test_tool_round_trip(agents: AgentsEnv) -> None:
    before, used_before = len(agents.fake.requests), len(agents.fake.usage)
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["toolbot"], send('call calculator {"expression": "12*7"}'))
        context_usage = (await c.get(f"/threads/{tid}/context-usage")).json()
    k = kinds(frames)
    assert k[:3] == ["on_conversation_start", "on_message_start", "on_agent_start"]
    assert k[-4:] == ["on_agent_end", "on_message_end", "on_conversation_end", "complete"]
    call_id, start, end = single_call(frames)
    assert call_id.startswith("call_")
    assert start["category"] == "Tool" and start["tool"] == "calculator" and start["toolset"] == "builtin"
    assert start["title"] == "Calculator" and start["input"] == {"expression": "12*7"}
    assert start["created_date"].endswith("Z")
    assert end["status"] == "success" and end["output"] == "84" and end["end_date"].endswith("Z")
    assert text(frames) == "Tool said: 84"
    # The component comes before the answer, and every frame carries the xpert's agentKey.
    first_text = k.index("message:text")
    assert max(i for i, kind in enumerate(k) if kind == "message:component") < first_text
    assert {f.data["data"].get("agentKey") for f in frames if f.kind.startswith("message:")} == {"toolbot"}

    # Two model calls over HTTP: tools offered, then the tool's result given back.
    first, second = agents.fake.requests[before:]
    assert {t["function"]["name"] for t in first["tools"]} == {
        "calculator",
        "current_time",
        "http_get",
        "send_notification",
    }
    tool_msg = second["messages"][-1]
    assert tool_msg == {"role": "tool", "tool_call_id": call_id, "content": "84"}
    assert second["messages"][-2]["tool_calls"][0]["function"] == {
        "name": "calculator",
        "arguments": json.dumps({"expression": "12*7"}),
    }

    # Token usage: the usage chunks of both calls, summed.
    used = agents.fake.usage[used_before:]
    end_event = event(frames, "on_agent_end")
    assert end_event["status"] == "success"
    assert end_event["inputTokens"] == sum(u.prompt for u in used)
    assert end_event["outputTokens"] == sum(u.completion for u in used)
    assert end_event["totalTokens"] == end_event["inputTokens"] + end_event["outputTokens"]
    assert context_usage["usage"]["input_tokens"] == end_event["inputTokens"]
    assert context_usage["usage"]["output_tokens"] == end_event["outputTokens"]


async def test_parallel_calls_and_a_failing_tool(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(
            c,
            tid,
            agents.ids["toolbot"],
            send('call calculator {"expression": "2**10"} && call calculator {"expression": "1/0"}'),
        )
    comps = components(frames)
    assert len(comps) == 2
    ends = {d[-1]["status"]: d for d in comps.values()}
    assert [x["status"] for x in ends["success"]] == ["running", "success"]
    assert ends["success"][-1]["output"] == "1024"
    assert [x["status"] for x in ends["fail"]] == ["running", "fail"]
    assert ends["fail"][-1]["error"] == "Error: division by zero"
    assert text(frames) == "Tool said: 1024 | Error: division by zero"


async def test_step_limit(agents: AgentsEnv) -> None:
    before = len(agents.fake.requests)
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["looper"], send("loop forever"))
    requests = agents.fake.requests[before:]
    # max_steps: 2 → two rounds with tools, then one call without them, which answers.
    assert ["tools" in r for r in requests] == [True, True, False]
    assert len(components(frames)) == 2
    assert text(frames) == "Done without tools"
    assert event(frames, "on_agent_end")["status"] == "success"


async def test_reasoning_is_streamed_and_stored(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["thinker"], send("think"))
        reasoning = "".join(f.data["data"]["text"] for f in frames if f.kind == "message:reasoning")
        assert reasoning == "Let me think about it."
        assert text(frames) == "Answer: 42"
        conv = (await c.get(f"/threads/{tid}")).json()["metadata"]["id"]
        items = (await c.get(f"/conversations/{conv}/messages")).json()["items"]
    ai = [m for m in items if m["role"] == "ai"][-1]
    assert ai["reasoning"] == "Let me think about it."


async def test_custom_graph_tool_node_gets_one_running_and_one_end_frame(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["custom-tools"], send("go"))
    call_id, start, end = single_call(frames)
    assert call_id == "call_double_1"
    assert start["tool"] == "double" and start["input"] == {"n": 21} and start["category"] == "Tool"
    assert end["status"] == "success" and end["output"] == "42"
    assert text(frames) == "done: 42"
