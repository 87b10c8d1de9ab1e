"""`POST /conversations`: a conversation on an idle thread of its own, continued by runs on that thread or by
runs whose input names its `conversationId` (XpertAI's ChatRequest)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.harness.chat import send
from tests.runs.common import RunsEnv, error_of, messages_of, ok

CONVERSATION_KEYS = {
    "id",
    "threadId",
    "title",
    "status",
    "from",
    "fromEndUserId",
    "options",
    "error",
    "operation",
    "xpertId",
    "projectId",
    "taskId",
    "createdAt",
    "updatedAt",
}


async def create(c: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    conversation: dict[str, Any] = ok(await c.post("/conversations", json=body), 201)
    return conversation


async def test_a_new_conversation_has_an_idle_thread_of_its_own(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        conversation = await create(c, title="New conversation", options={"lang": "en"})
        assert set(conversation) == CONVERSATION_KEYS
        assert conversation["title"] == "New conversation" and conversation["status"] == "idle"
        assert conversation["from"] == "api" and conversation["options"] == {"lang": "en"}
        assert conversation["xpertId"] is None and conversation["createdAt"] and conversation["updatedAt"]
        thread = ok(await c.get(f"/threads/{conversation['threadId']}"))
        assert thread["status"] == "idle" and thread["metadata"]["id"] == conversation["id"]
        assert thread["metadata"]["title"] == "New conversation"
        assert ok(await c.get(f"/conversations/{conversation['id']}")) == conversation
        found = ok(
            await c.post("/conversations/search", json={"where": {"threadId": conversation["threadId"]}})
        )
        assert found == {"items": [conversation], "total": 1}
        assert ok(await c.get(f"/conversations/{conversation['id']}/messages")) == {"items": [], "total": 0}
        # Another conversation: another thread.
        other = await create(c)
        assert other["threadId"] != conversation["threadId"] and other["title"] is None


async def test_chosen_ids_xpert_and_origin_are_kept(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        cid, tid = str(uuid.uuid4()), f"conv-{uuid.uuid4().hex[:8]}"
        conversation = await create(c, id=cid, threadId=tid, xpertId=env.ids["echo"], **{"from": "webapp"})
        assert (conversation["id"], conversation["threadId"]) == (cid, tid)
        assert conversation["xpertId"] == env.ids["echo"] and conversation["from"] == "webapp"
        # Read-only fields a client echoes back are ignored, as XpertAI does.
        echoed = await create(c, status="busy", createdAt="2020-01-01T00:00:00Z")
        assert echoed["status"] == "idle" and not echoed["createdAt"].startswith("2020")


async def test_bad_or_taken_ids_answer_4xx_and_create_nothing(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        first = await create(c)
        before = ok(await c.post("/conversations/search", json={"limit": 1000}))["total"]
        assert "already exists" in error_of(await c.post("/conversations", json={"id": first["id"]}), 409)
        assert "one per thread" in error_of(
            await c.post("/conversations", json={"threadId": first["threadId"]}), 409
        )
        error_of(await c.post("/conversations", json={"xpertId": "no-such-xpert"}), 404)
        assert "projectId" in error_of(await c.post("/conversations", json={"projectId": "p-1"}), 400)
        assert "id" in error_of(await c.post("/conversations", json={"id": "not-a-uuid"}), 400)
        assert "title" in error_of(await c.post("/conversations", json={"title": "x" * 501}), 400)
        assert "title" in error_of(await c.post("/conversations", json={"title": "a\u0000b"}), 400)
        assert ok(await c.post("/conversations/search", json={"limit": 1000}))["total"] == before


async def test_a_run_on_its_thread_continues_the_conversation(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        conversation = await create(c, title="New conversation")
        tid, cid = conversation["threadId"], conversation["id"]
        body = {"assistant_id": env.ids["echo"], "input": {**send("first"), "conversationId": cid}}
        reply = ok(await c.post(f"/threads/{tid}/runs/wait", json=body), 201)
        assert reply  # the echo's answer
        after = ok(await c.get(f"/conversations/{cid}"))
        assert after["xpertId"] == env.ids["echo"] and after["title"] == "New conversation"
        assert [m["role"] for m in await messages_of(c, {"metadata": {"id": cid}})] == ["human", "ai"]
        # Naming another conversation on this thread is refused, before anything runs.
        other = await create(c)
        wrong = {"assistant_id": env.ids["echo"], "input": {**send("x"), "conversationId": other["id"]}}
        assert "not this thread's conversation" in error_of(
            await c.post(f"/threads/{tid}/runs/wait", json=wrong), 400
        )
        bad = {"assistant_id": env.ids["echo"], "input": {**send("x"), "conversationId": 7}}
        assert "conversationId" in error_of(await c.post(f"/threads/{tid}/runs/wait", json=bad), 400)
        assert len(await messages_of(c, {"metadata": {"id": cid}})) == 2


async def test_a_run_without_a_thread_that_names_the_conversation_runs_on_its_thread(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        conversation = await create(c)
        tid, cid = conversation["threadId"], conversation["id"]
        for text in ("one", "two"):
            body = {"assistant_id": env.ids["echo"], "input": {**send(text), "conversationId": cid}}
            ok(await c.post("/runs/wait", json=body), 201)
        # Both runs are the conversation's thread's, which is kept (a stateless run's own thread is not).
        assert len(ok(await c.get(f"/threads/{tid}/runs"))) == 2
        messages = await messages_of(c, {"metadata": {"id": cid}})
        assert [(m["role"], m["content"]) for m in messages if m["role"] == "human"] == [
            ("human", "one"),
            ("human", "two"),
        ]
        unknown = {
            "assistant_id": env.ids["echo"],
            "input": {**send("x"), "conversationId": str(uuid.uuid4())},
        }
        error_of(await c.post("/runs/wait", json=unknown), 404)


async def test_another_principal_or_org_cannot_continue_it(env: RunsEnv) -> None:
    key = await env.key()
    async with env.harness.client(key, x_principal_user_id="alice") as alice:
        conversation = await create(alice)
    body = {"assistant_id": env.ids["echo"], "input": {**send("hi"), "conversationId": conversation["id"]}}
    async with env.harness.client(key, x_principal_user_id="bob") as bob:
        error_of(await bob.post("/runs/wait", json=body), 404)
        error_of(await bob.get(f"/conversations/{conversation['id']}"), 404)
    async with await env.asgi("other-org-conversations") as other:
        error_of(await other.get(f"/conversations/{conversation['id']}"), 404)
        error_of(await other.post(f"/conversations/{conversation['id']}/messages/search", json={}), 404)
    async with env.harness.client(key, x_principal_user_id="alice") as alice:
        assert ok(await alice.get(f"/conversations/{conversation['id']}/messages"))["total"] == 0


async def test_a_browser_secret_starts_its_own_conversation(env: RunsEnv) -> None:
    key = await env.key()
    async with env.harness.client(key, x_principal_user_id="carol") as c:
        secret = ok(await c.post("/v1/chatkit/sessions", json={}), 201)["client_secret"]
    async with env.harness.client(None, x_client_secret=secret) as browser:
        conversation = await create(browser, title="New conversation")
        assert conversation["fromEndUserId"] == "carol"
        listed = ok(await browser.post("/conversations/search", json={"order": {"updatedAt": "DESC"}}))
        assert conversation["id"] in [i["id"] for i in listed["items"]]
        resp = await browser.delete(f"/conversations/{conversation['id']}")
        assert resp.status_code == 202 and resp.content == b""
        error_of(await browser.get(f"/conversations/{conversation['id']}"), 404)
