"""A stateless `runs/wait` (its thread deleted when the run ends, `on_completion: "delete"`) answers the
run's final state: the thread goes only after the answer has been read from it."""

from __future__ import annotations

import asyncio

from langgraph_sdk.client import LangGraphClient

HI = {"messages": [{"role": "user", "content": "hi"}]}


async def stateless_threads(client: LangGraphClient) -> int:
    return len(await client.threads.search(metadata={"stateless": True}, limit=1000))


async def test_stateless_wait_reads_the_state_before_its_thread_goes(client: LangGraphClient) -> None:
    before = await stateless_threads(client)
    # `slow-reader` takes 0.5 s to build its graph for reading the state: the run has long ended (and its
    # thread would be gone) by the time the answer is read, unless the deletion waits for it.
    values = await client.runs.wait(None, "slow-reader", input=HI, on_completion="delete")
    assert [m["content"] for m in values["messages"]] == ["hi", "read slowly: hi"]
    for _ in range(100):  # ...and then the thread goes
        if await stateless_threads(client) == before:
            break
        await asyncio.sleep(0.05)
    assert await stateless_threads(client) == before


async def test_a_stateless_wait_whose_client_leaves_still_deletes_its_thread(client: LangGraphClient) -> None:
    before = await stateless_threads(client)
    with_timeout = client.http.client
    try:
        await with_timeout.post("/runs/wait", json={"assistant_id": "slow-reader", "input": HI}, timeout=0.2)
    except Exception:  # noqa: BLE001 - the client gives up while the answer is being read
        pass
    for _ in range(100):
        if await stateless_threads(client) == before:
            break
        await asyncio.sleep(0.05)
    assert await stateless_threads(client) == before
