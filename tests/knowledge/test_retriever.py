"""The run-time retriever on its own: inside a LangGraph node it streams the `knowledges` component and
returns the passages; outside a graph it just returns them."""

from __future__ import annotations

from typing import Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph

from tests.knowledge.common import wait_processed
from tests.knowledge.conftest import KEnv
from xpert_server.agents.stream import FRAME_KEY
from xpert_server.knowledge.retriever import bind


class State(TypedDict):
    question: str
    found: list[dict[str, Any]]


async def test_retriever_streams_component_and_returns_passages(kenv: KEnv) -> None:
    key, org = await kenv.harness.mint_key()
    async with kenv.harness.client(key) as c:
        kb = (await c.post("/knowledges", json={"name": "faq", "recall": {"topK": 2}})).json()
        docs = (
            await c.post(
                f"/knowledges/{kb['id']}/bulk",
                json=[
                    {"name": "returns.md", "text": "本店商品在签收后三十天内可以无理由退货。"},
                    {
                        "name": "router.md",
                        "text": "Hold the reset button of the R5 router for fifteen seconds.",
                    },
                ],
            )
        ).json()
        await c.post(f"/knowledges/{kb['id']}/process", json=[d["id"] for d in docs])
        await wait_processed(c, kb["id"], [d["id"] for d in docs])
    service = kenv.harness.services.knowledge
    retriever = bind(service)

    async def node(state: State, config: RunnableConfig) -> dict[str, Any]:
        return {"found": await retriever(state["question"], ["faq", "no-such-base"], config)}

    graph = StateGraph(State)
    graph.add_node("retrieve", node)
    graph.add_edge(START, "retrieve")
    graph.add_edge("retrieve", END)
    app = graph.compile()
    config: RunnableConfig = {"configurable": {"xpert_org_id": org}}
    frames, result = [], None
    async for mode, payload in app.astream(
        {"question": "How many days do I have to return goods?", "found": []},
        config,
        stream_mode=["custom", "values"],
    ):
        if mode == "custom":
            frames.append(payload[FRAME_KEY])
        else:
            result = payload
    assert result is not None
    found = result["found"]
    assert found[0]["name"] == "returns.md" and "三十天" in found[0]["content"]
    assert set(found[0]) >= {"name", "content", "document_id", "chunk_id", "score"}
    assert len(found) <= 2
    start, end = frames
    assert start["type"] == "component" and start["id"] == end["id"]
    assert start["data"]["category"] == "Tool" and start["data"]["type"] == "knowledges"
    assert start["data"]["status"] == "running"
    assert start["data"]["message"] == "How many days do I have to return goods?"
    assert end["data"]["status"] == "success"
    assert end["data"]["data"][0]["metadata"]["document_name"] == "returns.md"
    assert "no-such-base" in end["data"]["output"]

    # Outside a graph there is nothing to stream to; the passages still come back.
    plain = await retriever("reset the router", ["faq"], config)
    assert plain[0]["name"] == "router.md"
    # Another org's run cannot reach this base.
    assert (
        await retriever(
            "reset the router", ["faq", kb["id"]], {"configurable": {"xpert_org_id": "elsewhere"}}
        )
        == []
    )
