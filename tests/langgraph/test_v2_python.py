"""LangGraph's thread-centric protocol (v2 streaming) driven by the Python `langgraph-sdk` from PyPI
(`client.threads.stream`: `run.start`, `run.respond`, the `messages` projection, `output`), and the raw
protocol over HTTP where the SDK has no public call for it: a cancel seen on the stream, a reconnect with
`since`, and the commands' and subscriptions' 4xx."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.stream.transport import ProtocolSseTransport

from tests.harness.world import mint_secret
from tests.langgraph.conftest import LangGraphEnv

HI = {"messages": [{"role": "user", "content": "hi"}]}
ALL = ["values", "updates", "messages", "lifecycle", "input", "custom", "tasks"]


async def raw_client(lg: LangGraphEnv) -> httpx.AsyncClient:
    key, _ = await lg.harness.mint_key("langgraph-tests")
    return httpx.AsyncClient(base_url=lg.live.base_url, headers={"x-api-key": key}, timeout=30)


async def sse_events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """The JSON of each SSE event, checked against its `id:` (the seq) and `event:` (the method)."""
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line == "":
            if "data" in fields:
                event = json.loads(fields["data"])
                assert fields["id"] == str(event["seq"]) and fields["event"] == event["method"]
                yield event
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(": ")
            fields[name] = value


async def read_until(
    c: httpx.AsyncClient, thread_id: str, body: dict[str, Any], stop: Any, limit: float = 20
) -> list[dict[str, Any]]:
    """Events of one connection until `stop(event)` says so (the stream itself stays open)."""
    out: list[dict[str, Any]] = []

    async def read() -> None:
        async with c.stream("POST", f"/threads/{thread_id}/stream/events", json=body) as r:
            assert r.status_code == 200, await r.aread()
            async for event in sse_events(r):
                out.append(event)
                if stop(event):
                    return

    await asyncio.wait_for(read(), limit)
    return out


async def start(c: httpx.AsyncClient, thread_id: str, assistant: str) -> str:
    """`run.start`, as the SDKs send it."""
    body = {"id": 1, "method": "run.start", "params": {"assistant_id": assistant, "input": HI}}
    r = await c.post(f"/threads/{thread_id}/commands", json=body)
    assert r.status_code == 200, r.text
    reply = r.json()
    assert reply["type"] == "success" and reply["id"] == 1 and reply["meta"] == {"applied_through_seq": 0}
    run_id: str = reply["result"]["run_id"]
    return run_id


def root_end(event: dict[str, Any]) -> bool:
    return (
        event["method"] == "lifecycle"
        and event["params"]["namespace"] == []
        and event["params"]["data"]["event"] in ("completed", "failed", "interrupted")
    )


async def test_a_chat_turn_streams_its_reply_token_by_token(client: LangGraphClient) -> None:
    async with client.threads.stream(assistant_id="greeter") as thread:
        started = await thread.run.start(input=HI)
        assert started["run_id"]

        async def text(message: Any) -> tuple[list[str], Any]:
            return [d async for d in message.text], await message

        async def messages() -> list[tuple[list[str], Any]]:
            # The projection feeds a message only while it is iterated: each message's text is read aside.
            reading = [asyncio.ensure_future(text(m)) async for m in thread.messages]
            return await asyncio.gather(*reading)

        [(deltas, message)] = await asyncio.wait_for(messages(), 20)  # ends with the run
        output = await asyncio.wait_for(thread.output, 20)
    assert "".join(deltas) == "Hello nobody you said hi" and len(deltas) > 3  # token by token
    assert message.text == "Hello nobody you said hi"
    assert [m["content"] for m in output["messages"]] == ["hi", "Hello nobody you said hi"]
    assert output["step"] == 2


async def test_an_interrupt_is_answered_through_input_respond(client: LangGraphClient) -> None:
    async with client.threads.stream(assistant_id="asker") as thread:
        await thread.run.start(input=HI)
        for _ in range(200):
            if thread.interrupted:
                break
            await asyncio.sleep(0.05)
        assert thread.interrupted
        [pending] = thread.interrupts
        assert pending["value"] == {"question": "Which colour?"} and pending["namespace"] == []
        await thread.run.respond("green")
        output = await asyncio.wait_for(thread.output, 20)
    assert [m["content"] for m in output["messages"]] == ["hi", "You chose green"]
    state = await client.threads.get_state(thread.thread_id)
    assert not state["tasks"] and not state["next"]


async def test_an_answer_to_an_unknown_interrupt_is_a_404_and_starts_nothing(
    lg: LangGraphEnv, client: LangGraphClient
) -> None:
    thread = await client.threads.create()
    async with await raw_client(lg) as c:
        r = await c.post(
            f"/threads/{thread['thread_id']}/commands",
            json={"id": 3, "method": "input.respond", "params": {"interrupt_id": "nope", "response": 1}},
        )
        assert r.status_code == 404 and r.json()["message"].startswith("no_such_interrupt:")
        assert await client.runs.list(thread["thread_id"]) == []
        for body, status in (
            ({"id": "x", "method": "run.start"}, 400),
            ({"id": 1, "method": "run.start", "params": {}}, 400),
            ({"id": 1, "method": "no.such"}, 400),
            ({"id": 1, "method": "agent.getTree"}, 400),
        ):
            r = await c.post(f"/threads/{thread['thread_id']}/commands", json=body)
            assert r.status_code == status, (body, r.text)
        assert await client.runs.list(thread["thread_id"]) == []
        for bad in ({}, {"channels": []}, {"channels": ["nope"]}, {"channels": ["values"], "since": -1}):
            r = await c.post(f"/threads/{thread['thread_id']}/stream/events", json=bad)
            assert r.status_code == 400, (bad, r.text)
        r = await c.post(
            "/threads/00000000-0000-4000-8000-000000000000/stream/events", json={"channels": ALL}
        )
        assert r.status_code == 404


async def test_state_get_answers_the_threads_values(lg: LangGraphEnv, client: LangGraphClient) -> None:
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], "greeter", input=HI)
    async with await raw_client(lg) as c:
        r = await c.post(f"/threads/{thread['thread_id']}/commands", json={"id": 9, "method": "state.get"})
    assert r.status_code == 200
    reply = r.json()
    assert reply["type"] == "success" and reply["id"] == 9 and reply["result"]["checkpoint"]["id"]
    assert reply["result"]["values"]["step"] == 2


async def test_a_cancel_ends_the_run_on_the_stream(lg: LangGraphEnv, client: LangGraphClient) -> None:
    async with client.threads.stream(assistant_id="long-ticker") as thread:
        started = await thread.run.start(input=HI)
        run_id = started["run_id"]
        async with await raw_client(lg) as c:
            seen: list[dict[str, Any]] = []

            def on(event: dict[str, Any]) -> bool:
                seen.append(event)
                if event["method"] == "custom" and event["params"]["data"]["payload"]["tick"] == 3:
                    asyncio.get_running_loop().create_task(client.runs.cancel(thread.thread_id, run_id))
                return root_end(event)

            events = await read_until(c, thread.thread_id, {"channels": ["custom", "lifecycle"]}, on)
    ends = [e for e in events if e["method"] == "lifecycle"]
    assert [e["params"]["data"]["event"] for e in ends] == ["running", "interrupted"]
    ticks = [e["params"]["data"]["payload"]["tick"] for e in events if e["method"] == "custom"]
    assert 3 <= len(ticks) < 400 and ticks == list(range(len(ticks)))
    assert (await client.runs.get(thread.thread_id, run_id))["status"] == "interrupted"


async def test_a_reconnect_with_since_resumes_after_the_last_event(
    lg: LangGraphEnv, client: LangGraphClient
) -> None:
    """The SDK's own transport: a stream cut mid-run, reopened with the last seq it had as `since`."""
    async with client.threads.stream(assistant_id="ticker") as thread:
        await thread.run.start(input=HI)
    transport = ProtocolSseTransport(client=client.http.client, thread_id=thread.thread_id)
    params = {"channels": ["custom", "values", "lifecycle"]}
    first = transport.open_event_stream(params)
    got: list[dict[str, Any]] = []
    async for event in first.events:
        got.append(dict(event))
        if event["method"] == "custom" and event["params"]["data"]["payload"]["tick"] == 10:
            break
    await first.close()  # the connection drops mid-run
    second = transport.open_event_stream({**params, "since": got[-1]["seq"]})
    async for event in second.events:
        got.append(dict(event))
        if root_end(event):
            break
    await second.close()
    await transport.close()

    async with await raw_client(lg) as c:  # the whole thread, read again in one go
        whole = await read_until(c, thread.thread_id, params, root_end)
    assert [e["seq"] for e in got] == [e["seq"] for e in whole]  # nothing lost, nothing twice
    assert [e["event_id"] for e in got] == [e["event_id"] for e in whole]
    ticks = [e["params"]["data"]["payload"]["tick"] for e in got if e["method"] == "custom"]
    assert ticks == list(range(30))


async def test_a_thread_stream_follows_run_after_run_and_filters_by_channel(
    lg: LangGraphEnv, client: LangGraphClient
) -> None:
    thread = {"thread_id": str(uuid.uuid4())}
    async with await raw_client(lg) as c:
        await start(c, thread["thread_id"], "greeter")
        body = {"channels": ["lifecycle"]}
        reading = asyncio.ensure_future(
            read_until(
                c, thread["thread_id"], body, lambda e: e["event_id"].endswith(":end") and e["seq"] > 30
            )
        )
        await asyncio.sleep(0.3)  # the first run replayed; the stream waits for the next
        await start(c, thread["thread_id"], "greeter")
        events = await reading
        everything = await read_until(
            c, thread["thread_id"], {"channels": ALL}, lambda e: e["seq"] >= events[-1]["seq"]
        )
    assert [e["params"]["data"]["event"] for e in events] == ["running", "completed", "running", "completed"]
    by_seq = {e["seq"]: e for e in everything}
    assert [by_seq[e["seq"]] for e in events] == events  # one numbering, whatever the filter
    assert [e["seq"] for e in everything] == list(range(1, len(everything) + 1))


async def test_a_subgraph_namespace_filter(lg: LangGraphEnv, client: LangGraphClient) -> None:
    thread = {"thread_id": str(uuid.uuid4())}
    async with await raw_client(lg) as c:
        await start(c, thread["thread_id"], "nested")
        inner = await read_until(
            c,
            thread["thread_id"],
            {"channels": ["updates", "lifecycle"], "namespaces": [["child"]]},
            lambda e: e["method"] == "updates",
        )
    [update] = inner  # the root's lifecycle and updates are outside the namespace
    assert update["params"]["namespace"][0].startswith("child:") and update["params"]["node"] == "inner_node"


async def test_run_start_on_another_tenants_thread_id_never_reaches_it(lg: LangGraphEnv) -> None:
    """Another org's `run.start` under the same id makes a thread of its own; another principal of the org
    gets a 404 (the id is taken in the org, and a 409 would tell so)."""
    thread_id = str(uuid.uuid4())
    key_a, _ = await lg.harness.mint_key("langgraph-tests")
    key_b, _ = await lg.harness.mint_key("langgraph-tests-b")
    mallory = await mint_secret(lg.harness, key_a, "mallory")
    a = httpx.AsyncClient(base_url=lg.live.base_url, headers={"x-api-key": key_a}, timeout=30)
    b = httpx.AsyncClient(base_url=lg.live.base_url, headers={"x-api-key": key_b}, timeout=30)
    m = httpx.AsyncClient(base_url=lg.live.base_url, headers={"x-client-secret": mallory}, timeout=30)
    async with a, b, m:
        await start(a, thread_id, "greeter")
        await read_until(a, thread_id, {"channels": ["lifecycle"]}, root_end)
        body = {"id": 1, "method": "run.start", "params": {"assistant_id": "greeter", "input": HI}}
        r = await m.post(f"/threads/{thread_id}/commands", json=body)
        assert r.status_code == 404, r.text
        r = await m.post(f"/threads/{thread_id}/stream/events", json={"channels": ["values"]})
        assert r.status_code == 404, r.text
        r = await b.post(
            f"/threads/{thread_id}/commands", json={**body, "params": {"assistant_id": "nobody"}}
        )
        assert r.status_code == 404, r.text  # org B has no such xpert, and made no thread for it
        assert (await b.get(f"/threads/{thread_id}")).status_code == 404
        assert len((await a.get(f"/threads/{thread_id}/runs")).json()) == 1


async def test_a_tool_call_and_its_result_stream_as_messages(lg: LangGraphEnv) -> None:
    """The demo xpert (built-in agent graph, offline model): the model's tool call as a `tool_call` block,
    the tool's result as a `tool` message, the answer after it."""
    key, _ = await lg.harness.mint_key("default")
    thread_id = str(uuid.uuid4())
    ask = {"messages": [{"role": "user", "content": "what is 12*7"}]}
    async with httpx.AsyncClient(base_url=lg.live.base_url, headers={"x-api-key": key}, timeout=30) as c:
        body = {"id": 1, "method": "run.start", "params": {"assistant_id": "demo", "input": ask}}
        assert (await c.post(f"/threads/{thread_id}/commands", json=body)).status_code == 200
        events = await read_until(c, thread_id, {"channels": ["messages", "lifecycle", "values"]}, root_end)
    messages = [e["params"]["data"] for e in events if e["method"] == "messages"]
    starts = [m for m in messages if m["event"] == "message-start"]
    assert [m["role"] for m in starts] == ["ai", "tool", "ai"]
    assert starts[1]["tool_call_id"]
    calls = [m["content"] for m in messages if m["event"] == "content-block-finish" and m["index"] > 0]
    assert [(c["type"], c["name"], c["id"]) for c in calls] == [
        ("tool_call", "calculator", starts[1]["tool_call_id"])
    ]
    assert len([m for m in messages if m["event"] == "message-finish"]) == 3
    final = [e for e in events if e["method"] == "values"][-1]["params"]["data"]["messages"]
    assert [m["type"] for m in final] == ["human", "ai", "tool", "ai"] and "84" in final[-1]["content"]
    assert final[1]["tool_calls"][0]["type"] == "tool_call"
