"""Every SDK method sends the request the API contract names: method, path, query, JSON body, headers."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sdk_testkit import ClientFactory, Replies, body_of, call, json_response
from xpert_sdk import AsyncClient, Client, chat_input

NO_BODY = object()
SEND = chat_input("Hello, who are you?")


@dataclass
class Case:
    """Calling `method(*args, **kw)` sends `http path` with this query, JSON body and headers."""

    method: str
    http: str
    path: str  # after the /api/ai prefix
    args: tuple[Any, ...] = ()
    kw: dict[str, Any] = field(default_factory=dict)
    body: Any = NO_BODY
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


RUN_OPTIONS = {
    "input": SEND,
    "context": {"env": "test"},
    "metadata": {"m": 1},
    "config": {"configurable": {}},
    "multitask_strategy": "enqueue",
    "on_disconnect": "cancel",
    "checkpoint_id": "c-1",
}
NS = ["x-1", "u-1"]

CASES: list[Case] = [
    # assistants
    Case(
        "assistants.search",
        "POST",
        "/assistants/search",
        kw={"limit": 1, "metadata": {"slug": "support"}},
        body={"metadata": {"slug": "support"}, "limit": 1, "offset": 0},
    ),
    Case(
        "assistants.search",
        "POST",
        "/assistants/search",
        kw={"graph_id": "g", "sort_by": "name", "sort_order": "asc"},
        body={"graph_id": "g", "limit": 10, "offset": 0, "sort_by": "name", "sort_order": "asc"},
    ),
    Case(
        "assistants.count",
        "POST",
        "/assistants/count",
        kw={"metadata": {"type": "agent"}},
        body={"metadata": {"type": "agent"}},
    ),
    Case("assistants.get", "GET", "/assistants/x-1", ("x-1",)),
    Case(
        "assistants.create",
        "POST",
        "/assistants",
        ("Support",),
        {"slug": "support", "definition": {"a": 1}},
        body={"name": "Support", "slug": "support", "definition": {"a": 1}},
    ),
    Case(
        "assistants.update",
        "PATCH",
        "/assistants/x-1",
        ("x-1",),
        {"description": "Billing"},
        body={"description": "Billing"},
    ),
    Case("assistants.delete", "DELETE", "/assistants/x-1", ("x-1",)),
    Case(
        "assistants.get_versions",
        "POST",
        "/assistants/x-1/versions",
        ("x-1",),
        {"limit": 5},
        body={"limit": 5, "offset": 0},
    ),
    Case("assistants.get_runtime_capabilities", "GET", "/assistants/x-1/runtime-capabilities", ("x-1",)),
    Case(
        "assistants.get_subgraphs", "GET", "/assistants/x-1/subgraphs", ("x-1",), params={"recurse": "false"}
    ),
    Case(
        "assistants.get_subgraphs",
        "GET",
        "/assistants/x-1/subgraphs/a|b",
        ("x-1",),
        {"namespace": "a|b", "recurse": True},
        params={"recurse": "true"},
    ),
    # threads
    Case("threads.create", "POST", "/threads", body={"metadata": {}}),
    Case(
        "threads.create",
        "POST",
        "/threads",
        kw={"metadata": {"title": "t"}, "thread_id": "t-1", "if_exists": "raise", "assistant_id": "x-1"},
        body={"metadata": {"title": "t"}, "thread_id": "t-1", "if_exists": "raise", "assistant_id": "x-1"},
    ),
    Case("threads.get", "GET", "/threads/t-1", ("t-1",)),
    Case(
        "threads.update",
        "PATCH",
        "/threads/t-1",
        ("t-1",),
        {"metadata": {"title": "Refund"}},
        body={"metadata": {"title": "Refund"}},
    ),
    Case("threads.delete", "DELETE", "/threads/t-1", ("t-1",), status=202),
    Case(
        "threads.prune",
        "POST",
        "/threads/prune",
        (["t-1", "t-2"],),
        {"strategy": "keep_latest"},
        body={"thread_ids": ["t-1", "t-2"], "strategy": "keep_latest"},
    ),
    Case(
        "threads.create",
        "POST",
        "/threads",
        kw={"ttl": 30},
        body={"metadata": {}, "ttl": {"ttl": 30, "strategy": "delete"}},
    ),
    Case(
        "threads.update",
        "PATCH",
        "/threads/t-1",
        ("t-1", {"a": 1}),
        {"ttl": {"ttl": 5, "strategy": "keep_latest"}},
        body={"metadata": {"a": 1}, "ttl": {"ttl": 5, "strategy": "keep_latest"}},
    ),
    # crons
    Case(
        "crons.create_for_thread",
        "POST",
        "/threads/t-1/runs/crons",
        ("t-1", "x-1", "0 9 * * *", SEND),
        {"timezone": "Europe/Paris", "end_time": "2030-01-01T00:00:00Z", "run": {"stream_mode": "values"}},
        body={
            "assistant_id": "x-1",
            "schedule": "0 9 * * *",
            "input": SEND,
            "timezone": "Europe/Paris",
            "end_time": "2030-01-01T00:00:00Z",
            "stream_mode": "values",
        },
    ),
    Case(
        "crons.create",
        "POST",
        "/runs/crons",
        ("x-1", "*/5 * * * *"),
        {"enabled": False, "on_run_completed": "keep", "metadata": {"m": 1}},
        body={
            "assistant_id": "x-1",
            "schedule": "*/5 * * * *",
            "enabled": False,
            "metadata": {"m": 1},
            "on_run_completed": "keep",
        },
    ),
    Case(
        "crons.update",
        "PATCH",
        "/runs/crons/c-1",
        ("c-1",),
        {"enabled": True, "clear_end_time": True},
        body={"enabled": True, "end_time": None},
    ),
    Case("crons.delete", "DELETE", "/runs/crons/c-1", ("c-1",)),
    Case(
        "crons.search",
        "POST",
        "/runs/crons/search",
        kw={"thread_id": "t-1", "select": ["cron_id"]},
        body={"limit": 10, "offset": 0, "thread_id": "t-1", "select": ["cron_id"]},
    ),
    Case(
        "crons.count", "POST", "/runs/crons/count", kw={"assistant_id": "x-1"}, body={"assistant_id": "x-1"}
    ),
    Case("threads.search", "POST", "/threads/search", body={"limit": 10, "offset": 0}),
    Case(
        "threads.search",
        "POST",
        "/threads/search",
        kw={
            "metadata": {"a": 1},
            "ids": ["t-1"],
            "status": "idle",
            "limit": 5,
            "offset": 5,
            "sort_by": "created_at",
            "sort_order": "desc",
        },
        body={
            "metadata": {"a": 1},
            "ids": ["t-1"],
            "status": "idle",
            "limit": 5,
            "offset": 5,
            "sort_by": "created_at",
            "sort_order": "desc",
        },
    ),
    Case("threads.count", "POST", "/threads/count", kw={"status": "busy"}, body={"status": "busy"}),
    Case("threads.get_state", "GET", "/threads/t-1/state", ("t-1",)),
    Case(
        "threads.get_state",
        "POST",
        "/threads/t-1/state/checkpoint",
        ("t-1",),
        {"checkpoint": {"checkpoint_id": "c-1", "checkpoint_ns": ""}},
        body={"checkpoint": {"checkpoint_id": "c-1", "checkpoint_ns": ""}},
    ),
    Case(
        "threads.patch_state",
        "PATCH",
        "/threads/t-1/state",
        ("t-1", {"reviewed": True}),
        body={"metadata": {"reviewed": True}},
    ),
    Case(
        "threads.patch_state",
        "PATCH",
        "/threads/t-1/state",
        ("t-1", {"reviewed": True}),
        {"checkpoint_id": "c-1"},
        body={"metadata": {"reviewed": True}, "checkpoint_id": "c-1"},
    ),
    Case(
        "threads.get_state",
        "GET",
        "/threads/t-1/state",
        ("t-1",),
        {"checkpoint_id": "c-1"},
        params={"checkpoint_id": "c-1"},
    ),
    Case(
        "threads.update_state",
        "POST",
        "/threads/t-1/state",
        ("t-1", {"k": 1}),
        {"as_node": "agent"},
        body={"values": {"k": 1}, "as_node": "agent"},
    ),
    Case(
        "threads.update_state",
        "POST",
        "/threads/t-1/state",
        ("t-1", {"k": 1}),
        {"checkpoint_id": "c-1"},
        body={"values": {"k": 1}, "checkpoint_id": "c-1"},
    ),
    Case(
        "threads.get_history",
        "POST",
        "/threads/t-1/history",
        ("t-1",),
        {"limit": 3, "before": "c-1"},
        body={"limit": 3, "before": "c-1"},
    ),
    Case(
        "threads.get_history",
        "POST",
        "/threads/t-1/history",
        ("t-1",),
        {"metadata": {"source": "update"}},
        body={"limit": 10, "metadata": {"source": "update"}},
    ),
    Case("threads.copy", "POST", "/threads/t-1/copy", ("t-1",)),
    Case("threads.get_context_usage", "GET", "/threads/t-1/context-usage", ("t-1",)),
    Case(
        "threads.get_context_usage",
        "GET",
        "/threads/t-1/context-usage",
        ("t-1",),
        {"agent_key": "A"},
        params={"agentKey": "A"},
    ),
    # runs
    Case(
        "runs.create",
        "POST",
        "/threads/t-1/runs",
        ("t-1", "x-1"),
        {"input": SEND, "idempotency_key": "k-1"},
        body={"assistant_id": "x-1", "input": SEND},
        headers={"idempotency-key": "k-1"},
    ),
    Case("runs.create", "POST", "/runs", (None, "x-1"), body={"assistant_id": "x-1"}),
    Case(
        "runs.wait",
        "POST",
        "/threads/t-1/runs/wait",
        ("t-1", "x-1"),
        RUN_OPTIONS,
        body={"assistant_id": "x-1", **RUN_OPTIONS},
    ),
    Case(
        "runs.wait",
        "POST",
        "/runs/wait",
        (None, "x-1"),
        {"input": SEND},
        body={"assistant_id": "x-1", "input": SEND},
    ),
    Case("runs.get", "GET", "/threads/t-1/runs/r-1", ("t-1", "r-1")),
    Case(
        "runs.list",
        "GET",
        "/threads/t-1/runs",
        ("t-1",),
        {"limit": 5, "offset": 10},
        params={"limit": "5", "offset": "10"},
    ),
    Case("runs.cancel", "POST", "/threads/t-1/runs/r-1/cancel", ("t-1", "r-1")),
    Case("runs.join", "GET", "/threads/t-1/runs/r-1/join", ("t-1", "r-1")),
    Case("runs.delete", "DELETE", "/threads/t-1/runs/r-1", ("t-1", "r-1")),
    # conversations
    Case("conversations.search", "POST", "/conversations/search", body={"limit": 20, "offset": 0}),
    Case(
        "conversations.search",
        "POST",
        "/conversations/search",
        kw={"where": {"xpertId": "x-1"}, "order": {"updatedAt": "DESC"}, "limit": 50, "search": "refund"},
        body={
            "where": {"xpertId": "x-1"},
            "order": {"updatedAt": "DESC"},
            "limit": 50,
            "offset": 0,
            "search": "refund",
        },
    ),
    Case("conversations.get", "GET", "/conversations/c-1", ("c-1",)),
    Case(
        "conversations.update",
        "PATCH",
        "/conversations/c-1",
        ("c-1",),
        {"title": "Refund"},
        body={"title": "Refund"},
    ),
    Case("conversations.delete", "DELETE", "/conversations/c-1", ("c-1",), status=202),
    Case(
        "conversations.messages",
        "GET",
        "/conversations/c-1/messages",
        ("c-1",),
        {"limit": 5},
        params={"limit": "5", "offset": "0"},
    ),
    Case(
        "conversations.feedback",
        "POST",
        "/conversations/c-1/messages/m-1/feedbacks",
        ("c-1", "m-1", "like"),
        body={"rating": "like"},
    ),
    Case(
        "conversations.feedback",
        "POST",
        "/conversations/c-1/messages/m-1/feedbacks",
        ("c-1", "m-1", "dislike", "too long"),
        body={"rating": "dislike", "content": "too long"},
    ),
    Case("conversations.create", "POST", "/conversations", body={}),
    Case(
        "conversations.create",
        "POST",
        "/conversations",
        kw={
            "title": "New",
            "xpert_id": "x-1",
            "thread_id": "t-1",
            "options": {"a": 1},
            "conversation_id": "c-1",
        },
        body={"id": "c-1", "threadId": "t-1", "title": "New", "options": {"a": 1}, "xpertId": "x-1"},
    ),
    Case(
        "conversations.search_messages",
        "POST",
        "/conversations/c-1/messages/search",
        ("c-1",),
        {"where": {"role": "ai"}, "order": {"createdAt": "DESC"}, "limit": 5},
        body={"where": {"role": "ai"}, "order": {"createdAt": "DESC"}, "limit": 5, "offset": 0},
    ),
    Case(
        "conversations.create_message",
        "POST",
        "/conversations/c-1/messages",
        ("c-1", "Order 1234"),
        body={"role": "human", "content": "Order 1234"},
    ),
    Case(
        "conversations.create_message",
        "POST",
        "/conversations/c-1/messages",
        ("c-1", [{"type": "text", "text": "ok"}], "ai", "m-1"),
        body={"id": "m-1", "role": "ai", "content": [{"type": "text", "text": "ok"}]},
    ),
    Case("conversations.get_message", "GET", "/conversations/c-1/messages/m-1", ("c-1", "m-1")),
    Case(
        "conversations.update_message",
        "PATCH",
        "/conversations/c-1/messages/m-1",
        ("c-1", "m-1"),
        {"content": "Order 1235"},
        body={"content": "Order 1235"},
    ),
    Case(
        "conversations.delete_message",
        "DELETE",
        "/conversations/c-1/messages/m-1",
        ("c-1", "m-1"),
        status=202,
    ),
    Case(
        "conversations.feedbacks",
        "GET",
        "/conversations/c-1/messages/m-1/feedbacks",
        ("c-1", "m-1"),
        {"limit": 5},
        params={"limit": "5", "offset": "0"},
    ),
    Case(
        "conversations.search_feedbacks",
        "POST",
        "/conversations/c-1/messages/m-1/feedbacks/search",
        ("c-1", "m-1"),
        {"where": {"rating": "like"}},
        body={"where": {"rating": "like"}, "limit": 100, "offset": 0},
    ),
    Case(
        "conversations.get_feedback",
        "GET",
        "/conversations/c-1/messages/m-1/feedbacks/f-1",
        ("c-1", "m-1", "f-1"),
    ),
    Case(
        "conversations.update_feedback",
        "PATCH",
        "/conversations/c-1/messages/m-1/feedbacks/f-1",
        ("c-1", "m-1", "f-1"),
        {"rating": "dislike"},
        body={"rating": "dislike"},
    ),
    Case(
        "conversations.delete_feedback",
        "DELETE",
        "/conversations/c-1/messages/m-1/feedbacks/f-1",
        ("c-1", "m-1", "f-1"),
        status=202,
    ),
    # store
    Case(
        "store.put_item",
        "PUT",
        "/store/items",
        (NS, "prefs", {"lang": "en"}),
        body={"namespace": NS, "key": "prefs", "value": {"lang": "en"}},
    ),
    Case(
        "store.get_item",
        "GET",
        "/store/items",
        (NS, "prefs"),
        params={"namespace": "x-1.u-1", "key": "prefs"},
    ),
    Case(
        "store.delete_item", "DELETE", "/store/items", (NS, "prefs"), body={"namespace": NS, "key": "prefs"}
    ),
    Case(
        "store.search_items",
        "POST",
        "/store/items/search",
        (["x-1"],),
        {"filter": {"a": 1}, "query": "lang"},
        body={"namespace_prefix": ["x-1"], "filter": {"a": 1}, "limit": 10, "offset": 0, "query": "lang"},
    ),
    Case("store.list_namespaces", "POST", "/store/namespaces", body={"limit": 100, "offset": 0}),
    Case(
        "store.list_namespaces",
        "POST",
        "/store/namespaces",
        kw={"prefix": ["x-1"], "suffix": ["u"], "max_depth": 2},
        body={"prefix": ["x-1"], "suffix": ["u"], "max_depth": 2, "limit": 100, "offset": 0},
    ),
    # contexts
    Case("contexts.delete_file", "DELETE", "/contexts/file/f-1", ("f-1",)),
    # knowledges
    Case(
        "knowledges.create",
        "POST",
        "/knowledges",
        ("Manuals",),
        {"description": "d", "recall": {"topK": 5}},
        body={"name": "Manuals", "description": "d", "recall": {"topK": 5}},
    ),
    Case(
        "knowledges.update",
        "PUT",
        "/knowledges/kb-1",
        ("kb-1",),
        {"description": "d"},
        body={"description": "d"},
    ),
    Case("knowledges.delete", "DELETE", "/knowledges/kb-1", ("kb-1",)),
    Case(
        "knowledges.add_documents",
        "POST",
        "/knowledges/kb-1/bulk",
        ("kb-1", [{"fileId": "f-1"}]),
        body=[{"fileId": "f-1"}],
    ),
    Case(
        "knowledges.process",
        "POST",
        "/knowledges/kb-1/process",
        ("kb-1", ["d-1", "d-2"]),
        body=["d-1", "d-2"],
    ),
    Case(
        "knowledges.status",
        "GET",
        "/knowledges/kb-1/status",
        ("kb-1", ["d-1", "d-2"]),
        params={"ids": "d-1,d-2"},
    ),
    Case(
        "knowledges.search",
        "POST",
        "/knowledges/kb-1/search",
        ("kb-1", "reset the router"),
        {"top_k": 3},
        body={"query": "reset the router", "topK": 3},
    ),
    Case(
        "knowledges.search",
        "POST",
        "/knowledges/kb-1/search",
        ("kb-1", "reset the router"),
        {"score": 0.5, "mode": "lexical"},
        body={"query": "reset the router", "score": 0.5, "mode": "lexical"},
    ),
    # chatkit
    Case("chatkit.sessions.create", "POST", "/v1/chatkit/sessions", body={}),
    Case(
        "chatkit.sessions.create",
        "POST",
        "/v1/chatkit/sessions",
        kw={"expires_after": 600},
        body={"expires_after": 600},
    ),
]

# Methods whose requests are checked in their own test modules (streams, uploads, polling).
CHECKED_ELSEWHERE = {
    "runs.stream",
    "runs.join_stream",
    "threads.join_stream",
    "contexts.upload_file",
    "knowledges.wait_until_ready",
}


def resolve(client: Client | AsyncClient, dotted: str) -> Any:
    target: Any = client
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


def test_every_public_method_has_a_request_case() -> None:
    client = Client(transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    methods = set()
    for resource in (
        "assistants",
        "threads",
        "runs",
        "conversations",
        "store",
        "contexts",
        "knowledges",
        "crons",
    ):
        methods |= {
            f"{resource}.{name}"
            for name, _ in inspect.getmembers(getattr(client, resource))
            if name[0] != "_"
        }
    methods.add("chatkit.sessions.create")
    client.close()
    assert methods - CHECKED_ELSEWHERE == {c.method for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method}-{c.http}-{c.path}")
async def test_method_sends_the_contract_request(make_client: ClientFactory, case: Case) -> None:
    reply = json_response({"ok": True}) if case.status != 202 else httpx.Response(202)
    server = Replies(reply)
    client = make_client(server)

    result = await call(resolve(client, case.method), *case.args, **case.kw)

    [request] = server.requests
    assert request.method == case.http
    assert request.url.path == "/api/ai" + case.path
    assert dict(request.url.params) == case.params
    assert request.headers["x-api-key"] == "sk-x-test"
    for name, value in case.headers.items():
        assert request.headers[name] == value
    if case.body is NO_BODY:
        assert request.content == b""
    else:
        assert request.headers["content-type"] == "application/json"
        assert body_of(request) == case.body
    assert result == (None if case.status == 202 else {"ok": True})


async def test_ids_are_escaped_in_paths(make_client: ClientFactory) -> None:
    server = Replies(json_response({}))
    client = make_client(server)
    await call(client.threads.get, "a/b c")
    assert server.requests[0].url.raw_path == b"/api/ai/threads/a%2Fb%20c"


async def test_empty_id_is_refused_before_sending(make_client: ClientFactory) -> None:
    server = Replies(json_response({}))
    client = make_client(server)
    with pytest.raises(ValueError):
        await call(client.threads.get, "")
    assert server.requests == []


@pytest.mark.parametrize("namespace", [["a.b"], "ab"])
async def test_store_refuses_bad_namespaces(make_client: ClientFactory, namespace: Any) -> None:
    client = make_client(Replies(json_response({})))
    with pytest.raises((ValueError, TypeError)):
        await call(client.store.get_item, namespace, "k")
