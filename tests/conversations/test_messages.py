"""A conversation's messages over the API — search, create, get, update, delete — and the history the next
run's model sees: messages written here are in it, changed and deleted ones change it (runs/written.py)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conversations.test_create import create
from tests.harness.chat import send
from tests.runs.common import RunsEnv, error_of, ok

MESSAGE_KEYS = {
    "id",
    "conversationId",
    "role",
    "content",
    "reasoning",
    "attachments",
    "status",
    "error",
    "executionId",
    "createdAt",
    "updatedAt",
}


async def write(c: httpx.AsyncClient, cid: str, role: str, content: Any, **more: Any) -> dict[str, Any]:
    message: dict[str, Any] = ok(
        await c.post(f"/conversations/{cid}/messages", json={"role": role, "content": content, **more}), 201
    )
    return message


async def recall(c: httpx.AsyncClient, env: RunsEnv, tid: str, text: str) -> list[str]:
    """Run `recall` on the thread: the lines of its answer are the history it was given."""
    body = {"assistant_id": env.ids["recall"], "input": send(text)}
    ok(await c.post(f"/threads/{tid}/runs/wait", json=body), 201)
    messages = ok(await c.post(f"/threads/{tid}/history", json={"limit": 1}))[0]["values"]["messages"]
    return str(messages[-1]["content"]).split("\n")


async def test_messages_are_written_read_changed_and_deleted(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        cid = (await create(c))["id"]
        human = await write(c, cid, "human", "My order number is 1234.")
        assert set(human) == MESSAGE_KEYS and human["conversationId"] == cid
        assert (human["role"], human["content"], human["status"], human["executionId"]) == (
            "human",
            "My order number is 1234.",
            "success",
            None,
        )
        blocks = [{"type": "text", "text": "Noted", "id": "b1"}, {"type": "text", "text": ".", "id": "b2"}]
        ai = await write(c, cid, "ai", blocks)
        assert ai["content"] == blocks
        assert ok(await c.get(f"/conversations/{cid}/messages/{human['id']}")) == human
        page = ok(await c.get(f"/conversations/{cid}/messages"))
        assert [m["id"] for m in page["items"]] == [human["id"], ai["id"]] and page["total"] == 2

        changed = ok(await c.patch(f"/conversations/{cid}/messages/{human['id']}", json={"content": "1235"}))
        assert changed["content"] == "1235" and changed["role"] == "human" and changed["id"] == human["id"]
        assert changed["updatedAt"] >= human["updatedAt"]
        assert ok(await c.get(f"/conversations/{cid}/messages/{human['id']}"))["content"] == "1235"

        resp = await c.delete(f"/conversations/{cid}/messages/{ai['id']}")
        assert resp.status_code == 202 and resp.content == b""
        error_of(await c.get(f"/conversations/{cid}/messages/{ai['id']}"), 404)
        error_of(await c.delete(f"/conversations/{cid}/messages/{ai['id']}"), 404)
        error_of(await c.patch(f"/conversations/{cid}/messages/{ai['id']}", json={"content": "x"}), 404)
        assert ok(await c.get(f"/conversations/{cid}/messages"))["total"] == 1


async def test_messages_are_searched(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        conversation = await create(c)
        cid, tid = conversation["id"], conversation["threadId"]
        ok(
            await c.post(
                f"/threads/{tid}/runs/wait", json={"assistant_id": env.ids["echo"], "input": send("q")}
            ),
            201,
        )
        note = await write(c, cid, "human", "a note", status="pending")
        search = f"/conversations/{cid}/messages/search"
        everything = ok(await c.post(search, json={}))
        assert [m["role"] for m in everything["items"]] == ["human", "ai", "human"] and everything[
            "total"
        ] == 3
        ai = ok(await c.post(search, json={"where": {"role": "ai"}}))
        assert [m["role"] for m in ai["items"]] == ["ai"] and ai["total"] == 1
        run_id = ai["items"][0]["executionId"]
        of_run = ok(await c.post(search, json={"where": {"executionId": run_id}}))
        assert {m["executionId"] for m in of_run["items"]} == {run_id} and of_run["total"] == 2
        newest = ok(await c.post(search, json={"order": {"createdAt": "DESC"}, "limit": 1}))
        assert [m["id"] for m in newest["items"]] == [note["id"]] and newest["total"] == 3
        pending = ok(await c.post(search, json={"where": {"status": "pending"}}))
        assert [m["id"] for m in pending["items"]] == [note["id"]]
        assert "unknown key(s) colour" in error_of(
            await c.post(search, json={"where": {"colour": "red"}}), 400
        )
        assert "order" in error_of(await c.post(search, json={"order": {"role": "ASC"}}), 400)
        error_of(await c.post(search, json={"limit": 0}), 400)


async def test_bad_messages_answer_400_and_change_nothing(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        cid = (await create(c))["id"]
        route = f"/conversations/{cid}/messages"
        assert "role" in error_of(await c.post(route, json={"role": "tool", "content": "x"}), 400)
        assert "content" in error_of(await c.post(route, json={"role": "human"}), 400)
        assert "content" in error_of(await c.post(route, json={"role": "human", "content": 5}), 400)
        assert "content" in error_of(await c.post(route, json={"role": "human", "content": "a\u0000"}), 400)
        assert "content" in error_of(
            await c.post(route, json={"role": "human", "content": "x" * 200_001}), 400
        )
        assert "status" in error_of(
            await c.post(route, json={"role": "ai", "content": "x", "status": "?"}), 400
        )
        taken = await write(c, cid, "human", "first")
        assert "already exists" in error_of(
            await c.post(route, json={"id": taken["id"], "role": "human", "content": "again"}), 409
        )
        assert "role" in error_of(await c.patch(f"{route}/{taken['id']}", json={"role": "robot"}), 400)
        error_of(await c.get(f"{route}/no-such-message"), 404)
        assert [m["content"] for m in ok(await c.get(route))["items"]] == ["first"]


async def test_written_messages_are_the_history_the_next_run_sees(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        conversation = await create(c, xpertId=env.ids["recall"])
        cid, tid = conversation["id"], conversation["threadId"]
        order = await write(c, cid, "human", "My order number is 1234.")
        await write(c, cid, "ai", [{"type": "text", "text": "Noted."}])
        assert await recall(c, env, tid, "What is my order number?") == [
            "human: My order number is 1234.",
            "ai: Noted.",
            "human: What is my order number?",
        ]
        # A correction replaces the message where it stands; a deleted one leaves the history.
        ok(await c.patch(f"/conversations/{cid}/messages/{order['id']}", json={"content": "It is 1235."}))
        noted = ok(await c.post(f"/conversations/{cid}/messages/search", json={"where": {"role": "ai"}}))[
            "items"
        ][0]
        assert (await c.delete(f"/conversations/{cid}/messages/{noted['id']}")).status_code == 202
        late = await write(c, cid, "system", "Answer briefly.")
        history = await recall(c, env, tid, "And now?")
        assert history == [
            "human: It is 1235.",
            "human: What is my order number?",
            "ai: human: My order number is 1234. / ai: Noted. / human: What is my order number?",
            "system: Answer briefly.",
            "human: And now?",
        ]
        # Nothing changed since: the next run's history is the last one's plus that run.
        again = await recall(c, env, tid, "Once more.")
        assert again[: len(history)] == history and again[-1] == "human: Once more."
        assert late["role"] == "system"


async def test_a_retry_from_before_the_written_messages_still_sees_them(env: RunsEnv) -> None:
    """A fork starts from an older checkpoint: the comparison with that checkpoint puts them back."""
    async with await env.asgi() as c:
        conversation = await create(c, xpertId=env.ids["recall"])
        cid, tid = conversation["id"], conversation["threadId"]
        await recall(c, env, tid, "first")
        (first_run,) = ok(await c.get(f"/threads/{tid}/runs"))
        await write(c, cid, "human", "written after the first run")
        retry = {"action": "retry", "source": {"executionId": first_run["run_id"]}}
        ok(
            await c.post(
                f"/threads/{tid}/runs/wait", json={"assistant_id": env.ids["recall"], "input": retry}
            ),
            201,
        )
        messages = ok(await c.post(f"/threads/{tid}/history", json={"limit": 1}))[0]["values"]["messages"]
        assert str(messages[-1]["content"]).split("\n") == [
            "human: written after the first run",
            "human: first",
        ]


async def test_a_browser_reads_messages_but_cannot_write_them(env: RunsEnv) -> None:
    key = await env.key()
    async with env.harness.client(key, x_principal_user_id="dora") as c:
        secret = ok(await c.post("/v1/chatkit/sessions", json={}), 201)["client_secret"]
    async with env.harness.client(None, x_client_secret=secret) as browser:
        cid = (await create(browser))["id"]
        route = f"/conversations/{cid}/messages"
        assert "needs an API key" in error_of(
            await browser.post(route, json={"role": "human", "content": "x"}), 403
        )
    async with env.harness.client(key, x_principal_user_id="dora") as c:
        message = await write(c, cid, "human", "from the app's back end")
    async with env.harness.client(None, x_client_secret=secret) as browser:
        assert ok(await browser.get(f"{route}/{message['id']}"))["content"] == "from the app's back end"
        assert ok(await browser.post(f"{route}/search", json={}))["total"] == 1
        for resp in (
            await browser.patch(f"{route}/{message['id']}", json={"content": "x"}),
            await browser.delete(f"{route}/{message['id']}"),
        ):
            assert "needs an API key" in error_of(resp, 403)
