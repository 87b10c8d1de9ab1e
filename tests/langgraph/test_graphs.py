"""Graphs as LangGraph runs them, driven by langgraph-sdk: the run's context (`Runtime[Context]`), graph
factories taking `config` and/or `runtime`, assistants named by their graph's id."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph_sdk.client import LangGraphClient
from langgraph_sdk.errors import NotFoundError

from tests.langgraph.conftest import LangGraphEnv


def last_text(values: dict[str, Any]) -> str:
    return str(values["messages"][-1]["content"])


async def test_graph_id_names_the_default_assistant(client: LangGraphClient) -> None:
    assistant = await client.assistants.get("greeter")
    assert assistant["graph_id"] == "greeter"
    assert assistant["assistant_id"] != "greeter"  # its own id, found by its graph's name
    found = await client.assistants.search(graph_id="greeter")
    assert [a["assistant_id"] for a in found] == [assistant["assistant_id"]]
    assert (await client.assistants.get(assistant["assistant_id"]))["graph_id"] == "greeter"


async def test_graph_id_is_per_org(lg: LangGraphEnv) -> None:
    other = await lg.client("langgraph-other-org")
    try:
        found = await other.assistants.search(graph_id="greeter")
        assert found == []
        with pytest.raises(NotFoundError, match="'greeter' not found"):
            await other.assistants.get("greeter")
    finally:
        await other.aclose()


async def test_context_from_the_run_reaches_runtime_context(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    values = await client.runs.wait(
        thread["thread_id"],
        "greeter",
        input={"messages": [{"role": "user", "content": "hi"}]},
        context={"user_name": "Ada", "greeting": "Welcome"},
    )
    assert last_text(values) == "Welcome Ada you said hi"
    assert values["step"] == 2


async def test_context_from_the_assistant_then_the_run(client: LangGraphClient) -> None:
    made = await client.assistants.create("greeter", context={"user_name": "Grace", "greeting": "Hi"})
    assert made["graph_id"] == "greeter"
    thread = await client.threads.create()
    values = await client.runs.wait(
        thread["thread_id"], made["assistant_id"], input={"messages": [{"role": "user", "content": "yo"}]}
    )
    assert last_text(values) == "Hi Grace you said yo"
    values = await client.runs.wait(
        thread["thread_id"],
        made["assistant_id"],
        input={"messages": [{"role": "user", "content": "again"}]},
        context={"greeting": "Bye"},
    )
    assert last_text(values) == "Bye Grace you said again"


async def test_without_context_the_schema_defaults_apply(client: LangGraphClient) -> None:
    values = await client.runs.wait(None, "greeter", input={"messages": [{"role": "user", "content": "x"}]})
    assert last_text(values) == "Hello nobody you said x"


async def test_factory_taking_config(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    values = await client.runs.wait(
        thread["thread_id"],
        "by-config",
        input={"messages": [{"role": "user", "content": "one"}]},
        config={"configurable": {"prefix": "configured"}},
    )
    assert last_text(values) == "configured: one"
    values = await client.runs.wait(
        thread["thread_id"], "by-config", input={"messages": [{"role": "user", "content": "two"}]}
    )
    assert last_text(values) == "plain: two"  # built again for this run's config


async def test_async_factory_taking_config_and_runtime(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    values = await client.runs.wait(
        thread["thread_id"],
        "by-runtime",
        input={"messages": [{"role": "user", "content": "hey"}]},
        context={"user_name": "Lin"},
    )
    assert last_text(values) == "threads.create_run for Lin: hey"


async def test_the_callers_config_cannot_move_the_run_to_another_thread(client: LangGraphClient) -> None:
    mine = await client.threads.create()
    other = await client.threads.create()
    await client.runs.wait(
        other["thread_id"], "by-config", input={"messages": [{"role": "user", "content": "secret"}]}
    )
    values = await client.runs.wait(
        mine["thread_id"],
        "by-config",
        input={"messages": [{"role": "user", "content": "mine"}]},
        config={"configurable": {"thread_id": other["thread_id"], "checkpoint_ns": "x", "xpert_org_id": "o"}},
    )
    assert [m["content"] for m in values["messages"]] == ["mine", "plain: mine"]


FACTORIES = ["awaited", "held", "opened"]  # async, a context manager, an async context manager


@pytest.mark.parametrize("graph_id", FACTORIES)
async def test_a_factory_of_any_kind_has_schemas_and_a_drawing(
    client: LangGraphClient, graph_id: str
) -> None:
    """LangGraph's server calls the factory for `assistants.read`; so does this one, whatever its kind."""
    schemas = await client.assistants.get_schemas(graph_id)
    assert set(schemas["state_schema"]["properties"]) >= {"messages", "mood"}, schemas
    assert set(schemas["context_schema"]["properties"]) == {"user_name", "greeting"}, schemas
    assert "messages" in schemas["input_schema"]["properties"]
    drawing = await client.assistants.get_graph(graph_id)
    assert {n["id"] for n in drawing["nodes"]} == {"__start__", "assistants_read", "__end__"}, drawing


async def test_a_context_manager_taking_nothing_is_entered_per_use(client: LangGraphClient) -> None:
    schemas = await client.assistants.get_schemas("held-alone")
    assert "mood" in schemas["state_schema"]["properties"]
    thread = await client.threads.create()
    for said in ("one", "two"):  # its node fails unless its context manager is open
        values = await client.runs.wait(
            thread["thread_id"], "held-alone", input={"messages": [{"role": "user", "content": said}]}
        )
        assert last_text(values) == f"no_access: {said}"


@pytest.mark.parametrize("graph_id", FACTORIES)
async def test_a_factory_of_any_kind_runs_reads_and_updates_state(
    client: LangGraphClient, graph_id: str
) -> None:
    thread = await client.threads.create()
    tid = thread["thread_id"]
    values = await client.runs.wait(tid, graph_id, input={"messages": [{"role": "user", "content": "hi"}]})
    # Run inside the (open) context manager, built for `threads.create_run`.
    assert last_text(values) == "threads_create_run: hi"
    # A state update is made by the graph built for `threads.update`: its node is the one to write as
    # (another graph's node name would be refused).
    await client.threads.update_state(tid, {"mood": "cheerful"}, as_node="threads_update")
    state = await client.threads.get_state(tid)
    assert state["values"]["mood"] == "cheerful"
    assert state["metadata"]["source"] == "update"
    assert last_text(state["values"]) == "threads_create_run: hi"
