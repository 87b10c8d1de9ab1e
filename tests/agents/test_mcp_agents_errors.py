"""MCP tools (a stdio server the test wrote), sub-agents, a model failing mid-stream, http_get's SSRF guard."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.agents.common import event, get_run, get_thread, run, run_id, single_call, text, thread
from tests.agents.conftest import AgentsEnv
from tests.harness.chat import resume, send


async def test_mcp_stdio_tool(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["mcpbot"], send('call add {"a": 2, "b": 3}'))
    _id, start, end = single_call(frames)
    assert start["tool"] == "add" and start["toolset"] == "math" and start["title"] == "Add two numbers"
    assert start["input"] == {"a": 2, "b": 3}
    assert end["status"] == "success" and end["output"] == "5"
    assert text(frames) == "Tool said: 5"
    offered = {t["function"]["name"]: t["function"] for t in agents.fake.requests[-2]["tools"]}
    assert offered["add"]["description"] == "Add two integers."
    assert set(offered["add"]["parameters"]["properties"]) == {"a", "b"}


async def test_mcp_tool_needing_approval(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["mcpbot"], send('call shout {"text": "quiet"}'))
        value = event(frames, "on_interrupt")["tasks"][0]["interrupts"][0]["value"]
        assert value["toolCalls"][0]["name"] == "shout"
        frames = await run(c, tid, agents.ids["mcpbot"], resume(run_id(frames)))
    _id, _start, end = single_call(frames)
    assert end["output"] == "QUIET"


async def test_sub_agent(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["boss"], send('call helper {"input": "hello helper"}'))
    call_id, start, end = single_call(frames)
    assert start["tool"] == "helper" and start["toolset"] == "agents" and start["title"] == "The helper"
    assert start["input"] == {"input": "hello helper"}
    # The helper's own words stream tagged with its agentKey, between its component's frames…
    assert text(frames, "helper") == "You said: hello helper"
    kinds = [(f.kind, f.data["data"].get("agentKey")) for f in frames if f.kind.startswith("message:")]
    first_helper = kinds.index(("message:text", "helper"))
    assert kinds[0] == ("message:component", "boss") and kinds[first_helper - 1] == (
        "message:component",
        "boss",
    )
    # …its answer is the tool's output, and the boss answers from it.
    assert end["status"] == "success" and end["output"] == "You said: hello helper"
    assert text(frames, "boss") == "Tool said: You said: hello helper"
    # The helper's tokens are not the boss's: its reply block ids are its own.
    helper_ids = {
        f.data["data"]["id"]
        for f in frames
        if f.kind == "message:text" and f.data["data"]["agentKey"] == "helper"
    }
    boss_ids = {
        f.data["data"]["id"]
        for f in frames
        if f.kind == "message:text" and f.data["data"]["agentKey"] == "boss"
    }
    assert helper_ids and boss_ids and not helper_ids & boss_ids


async def test_model_error_mid_stream(agents: AgentsEnv) -> None:
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["flaky"], send("please explode"))
        assert text(frames) == "Partial answer"
        end = event(frames, "on_agent_end")
        assert end["status"] == "error" and "The model server fell over" in end["error"]
        assert event(frames, "on_message_end")["status"] == "error"
        conv = event(frames, "on_conversation_end")
        assert conv["status"] == "error" and "fell over" in conv["error"]
        assert (await get_run(c, tid, run_id(frames)))["status"] == "error"
        # The thread is still usable, and the next call sees the earlier question.
        frames = await run(c, tid, agents.ids["flaky"], send("calmly now"))
        assert text(frames) == "You said: calmly now"
        assert event(frames, "on_agent_end")["status"] == "success"
        assert (await get_thread(c, tid))["status"] == "idle"
    history = [m["content"] for m in agents.fake.requests[-1]["messages"] if m["role"] == "user"]
    assert history == ["please explode", "calmly now"]


async def test_http_get_refuses_loopback(agents: AgentsEnv) -> None:
    url = f"{agents.llm.base_url}/hello"
    assert urlsplit(url).hostname == "127.0.0.1"
    hits = agents.fake.hits.get("/hello", 0)
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["toolbot"], send(f'call http_get {{"url": "{url}"}}'))
    _id, start, end = single_call(frames)
    assert start["tool"] == "http_get" and start["input"] == {"url": url}
    assert end["status"] == "fail"
    assert "127.0.0.1 is a loopback address" in end["output"] and "allow_private" in end["output"]
    assert agents.fake.hits.get("/hello", 0) == hits  # never fetched
    assert event(frames, "on_agent_end")["status"] == "success"  # a refused tool is not a failed run


async def test_http_get_with_allow_private(agents: AgentsEnv) -> None:
    url = f"{agents.llm.base_url}/hello"
    async with await agents.client() as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["fetcher"], send(f'call http_get {{"url": "{url}"}}'))
    _id, _start, end = single_call(frames)
    assert end["status"] == "success"
    assert end["output"].startswith("HTTP 200 OK\n")
    # Connected to the checked address, with the URL's own Host header.
    assert f"hello from the test server (Host: {urlsplit(url).netloc})" in end["output"]
