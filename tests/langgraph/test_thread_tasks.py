"""A thread's `next` and `tasks`, read from its checkpoints without the graph, as LangGraph names them:
nodes started by `Send` (a fan-out) included, each task with LangGraph's id, path and interrupts. Pinned
twice: against LangGraph's own `get_state` on the same checkpoints, and through langgraph-sdk."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.types import interrupt
from langgraph_sdk.client import LangGraphClient

from tests.langgraph import graphs
from xpert_server.api.wire.threads import state_json
from xpert_server.runs.state import to_jsonable

HI = {"messages": [{"role": "user", "content": "hi"}]}


def _pair(state: MessagesState) -> dict[str, Any]:
    return {"messages": [AIMessage(content="pair done")]}


def _asks(state: MessagesState) -> dict[str, Any]:
    return {"messages": [AIMessage(content=str(interrupt("which?")))]}


# One superstep where one task finishes and its sibling interrupts: the finished one keeps its result.
half_done = (
    StateGraph(MessagesState)
    .add_node("pair", _pair)
    .add_node("asks", _asks)
    .add_edge(START, "pair")
    .add_edge(START, "asks")
    .compile()
)


# Sent tasks keep their order; nodes running side by side are listed by name here (the order of the
# graph's nodes is not in the checkpoint), so both answers are compared in that order.
def in_order(tasks: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(tasks, key=lambda t: (t[2][0] != "__pregel_push", t[2][1]))


def langgraphs_answer(snapshot: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    tasks = in_order(
        [
            (t.id, t.name, list(t.path), [(i.id, i.value) for i in t.interrupts], to_jsonable(t.result))
            for t in snapshot.tasks
        ]
    )
    assert sorted(snapshot.next) == sorted(t[1] for t in tasks)
    return [t[1] for t in tasks], tasks


def ours(tup: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    state = state_json("t", tup)
    tasks = [
        (t["id"], t["name"], t["path"], [(i["id"], i["value"]) for i in t["interrupts"]], t["result"])
        for t in state["tasks"]
    ]
    assert in_order(tasks) == tasks
    return state["next"], tasks


@pytest.mark.parametrize(
    ("graph", "kwargs"),
    [
        (graphs.fanout, {}),
        (graphs.asker, {}),
        (half_done, {}),
        (graphs.steps, {"interrupt_before": ["second"]}),
        (graphs.steps, {"interrupt_after": ["first"]}),
    ],
    ids=["send-fanout", "interrupt", "half-done", "before", "after"],
)
async def test_next_and_tasks_are_langgraphs_at_every_checkpoint(graph: Any, kwargs: dict[str, Any]) -> None:
    saver = InMemorySaver()
    g = graph.builder.compile(checkpointer=saver, **kwargs)
    config: Any = {"configurable": {"thread_id": "t"}}
    await g.ainvoke(HI, config)
    checked = 0
    async for snapshot in g.aget_state_history(config):
        tup = await saver.aget_tuple(snapshot.config)
        assert ours(tup) == langgraphs_answer(snapshot), snapshot
        checked += 1
    assert checked >= 2
    head = await g.aget_state(config)
    assert head.next, "every case stops with something to run next"


async def test_a_send_fanout_lists_every_sent_task(client: LangGraphClient) -> None:
    tid = (await client.threads.create())["thread_id"]
    parts = [p async for p in client.runs.stream(tid, "fanout", input=HI, stream_mode="updates")]
    asked = [i for p in parts if p.event == "updates" for i in p.data.get("__interrupt__", [])]
    assert sorted(i["value"]["approve"] for i in asked) == ["a", "b", "c"]
    state = await client.threads.get_state(tid)
    assert state["next"] == ["work", "work", "work"]
    assert [t["name"] for t in state["tasks"]] == ["work", "work", "work"]
    assert [t["path"] for t in state["tasks"]] == [["__pregel_push", i, False] for i in range(3)]
    waiting = {t["interrupts"][0]["id"]: t["interrupts"][0]["value"] for t in state["tasks"]}
    assert waiting == {i["id"]: i["value"] for i in asked}
    # Each sent task answered by its interrupt's id, as LangGraph resumes several at once.
    resume = {i["id"]: f"ok-{i['value']['approve']}" for i in asked}
    values = await client.runs.wait(tid, "fanout", command={"resume": resume})
    assert sorted(values["done"]) == ["a:ok-a", "b:ok-b", "c:ok-c"]
    done = await client.threads.get_state(tid)
    assert done["next"] == [] and done["tasks"] == []
