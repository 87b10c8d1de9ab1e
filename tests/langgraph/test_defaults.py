"""LangGraph's defaults for LangGraph runs, driven by langgraph-sdk: a busy thread enqueues, cancel answers
the run (and keeps XpertAI's `canceledExecutionIds`), creates answer 200. XpertAI's (409, 201) stay for
XpertAI's chat input (tests/runs, tests/parity)."""

from __future__ import annotations

from langgraph_sdk.client import LangGraphClient

from tests.harness.chat import send

HI = {"messages": [{"role": "user", "content": "hi"}]}


async def test_second_run_on_a_busy_thread_is_enqueued(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    tid = thread["thread_id"]
    first = await client.runs.create(tid, "ticker", input=HI)
    second = await client.runs.create(tid, "ticker", input=HI)  # no multitask_strategy: LangGraph's enqueue
    assert second["multitask_strategy"] == "enqueue"
    await client.runs.join(tid, second["run_id"])
    runs = {r["run_id"]: r["status"] for r in await client.runs.list(tid)}
    assert runs == {first["run_id"]: "success", second["run_id"]: "success"}
    values = (await client.threads.get_state(tid))["values"]
    assert [m["content"] for m in values["messages"]] == ["hi", "ticked", "hi", "ticked"]


async def test_an_explicit_reject_still_refuses(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    tid = thread["thread_id"]
    first = await client.runs.create(tid, "ticker", input=HI)
    answer = await client.http.client.post(
        f"/threads/{tid}/runs", json={"assistant_id": "ticker", "input": HI, "multitask_strategy": "reject"}
    )
    assert answer.status_code == 409
    await client.runs.join(tid, first["run_id"])


async def test_cancel_answers_the_run_and_the_cancelled_ids(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    tid = thread["thread_id"]
    run = await client.runs.create(tid, "ticker", input=HI)
    answer = await client.http.client.post(f"/threads/{tid}/runs/{run['run_id']}/cancel", params={"wait": 0})
    assert answer.status_code == 200
    body = answer.json()
    assert body["run_id"] == run["run_id"] and body["thread_id"] == tid
    assert body["canceledExecutionIds"] == [run["run_id"]]
    await client.runs.join(tid, run["run_id"])
    # A second cancel (wait=1, as langgraph-sdk sends for wait=True) answers the ended run; nothing stopped.
    ended = await client.runs.cancel(tid, run["run_id"], wait=True)
    assert ended["status"] == "interrupted" and ended["canceledExecutionIds"] == []


async def test_cancel_with_wait_answers_once_the_run_has_ended(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    run = await client.runs.create(thread["thread_id"], "ticker", input=HI)
    ended = await client.runs.cancel(thread["thread_id"], run["run_id"], wait=True)
    assert ended["status"] == "interrupted" and ended["canceledExecutionIds"] == [run["run_id"]]


async def test_langgraph_creates_answer_200_and_xpertai_creates_201(client: LangGraphClient) -> None:
    http = client.http.client
    thread = (await client.threads.create())["thread_id"]
    created = await http.post(f"/threads/{thread}/runs/wait", json={"assistant_id": "steps", "input": HI})
    assert created.status_code == 200 and created.json()["messages"]
    created = await http.post(f"/threads/{thread}/runs", json={"assistant_id": "steps", "input": HI})
    assert created.status_code == 200
    await client.runs.join(thread, created.json()["run_id"])
    stateless = await http.post("/runs/wait", json={"assistant_id": "steps", "input": HI})
    assert stateless.status_code == 200
    stateless = await http.post("/runs", json={"assistant_id": "steps", "input": HI})
    assert stateless.status_code == 200
    batch = await http.post("/runs/batch", json=[{"assistant_id": "steps", "input": HI}])
    assert batch.status_code == 200
    # XpertAI's chat input on the same graph: XpertAI's 201, as its server answers.
    chat = await http.post(
        f"/threads/{thread}/runs/wait", json={"assistant_id": "steps", "input": send("hello")}
    )
    assert chat.status_code == 201 and "role" in chat.json()
    cancel = await http.post(f"/threads/{thread}/runs/{created.json()['run_id']}/cancel")
    assert cancel.status_code == 200  # a LangGraph run's cancel
