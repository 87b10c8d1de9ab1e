"""Conversations: the chat record a thread's runs leave, as XpertAI's ChatKit reads it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.harness.chat import send
from tests.runs.common import RunsEnv, error_of, list_runs, messages_of, new_thread, ok, text_of
from tests.runs.sse import parse

TURNS = ["What can you do?", "Tell me more."]


async def two_turns(c: httpx.AsyncClient, env: RunsEnv, turns: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Run the demo xpert once per text on a new thread; returns the thread and the streamed replies."""
    thread = await new_thread(c)
    replies = []
    for text in turns:
        resp = await c.post(
            f"/threads/{thread['thread_id']}/runs/stream",
            json={"assistant_id": env.ids["demo"], "input": send(text)},
        )
        assert resp.status_code == 200
        replies.append(text_of(parse(resp.text)))
    return thread, replies


def block_text(message: dict[str, Any]) -> str:
    content = message["content"]
    assert isinstance(content, list) and content, message
    assert all(b["type"] == "text" and b["id"] for b in content)
    return "".join(b["text"] for b in content)


async def test_conversation_after_two_turns(env: RunsEnv) -> None:
    async with await env.asgi("default") as c:
        thread, replies = await two_turns(c, env, TURNS)
        tid, cid = thread["thread_id"], thread["metadata"]["id"]
        run_ids = [r["run_id"] for r in reversed(await list_runs(c, tid))]
        assert len(run_ids) == 2 and all(replies)

        # Search finds it: by thread, by xpert, by title, and unfiltered (newest first).
        page = ok(await c.post("/conversations/search", json={"where": {"threadId": tid}}))
        assert set(page) == {"items", "total"} and page["total"] == 1
        (conversation,) = page["items"]
        assert conversation["id"] == cid and conversation["threadId"] == tid
        assert conversation["title"] == TURNS[0] and conversation["xpertId"] == env.ids["demo"]
        assert conversation["status"] == "idle" and conversation["createdAt"] and conversation["updatedAt"]
        by_xpert = ok(
            await c.post("/conversations/search", json={"where": {"xpertId": env.ids["demo"]}, "limit": 1000})
        )
        assert cid in [i["id"] for i in by_xpert["items"]]
        newest = ok(await c.post("/conversations/search", json={"order": {"updatedAt": "DESC"}, "limit": 1}))
        assert newest["items"][0]["id"] == cid and newest["total"] >= 1
        assert ok(await c.get(f"/conversations/{cid}")) == conversation

        messages = await messages_of(c, thread)
        assert [m["role"] for m in messages] == ["human", "ai", "human", "ai"]
        assert [m["executionId"] for m in messages] == [run_ids[0], run_ids[0], run_ids[1], run_ids[1]]
        for turn, (text, reply, rid) in enumerate(zip(TURNS, replies, run_ids, strict=True)):
            human, ai = messages[2 * turn : 2 * turn + 2]
            assert human["content"] == text and human["status"] == "success"
            assert ai["executionId"] == rid and ai["status"] == "success" and ai["conversationId"] == cid
            assert block_text(ai) == reply

        # Feedback on an AI message.
        ai_id = [m["id"] for m in messages if m["role"] == "ai"][0]
        resp = await c.post(f"/conversations/{cid}/messages/{ai_id}/feedbacks", json={"rating": "like"})
        assert resp.status_code == 201, resp.text
        feedback = resp.json()
        assert feedback["rating"] == "like" and feedback["messageId"] == ai_id
        assert "rating" in error_of(
            await c.post(f"/conversations/{cid}/messages/{ai_id}/feedbacks", json={"rating": "meh"}), 400
        )
        error_of(
            await c.post(f"/conversations/{cid}/messages/no-such-message/feedbacks", json={"rating": "like"}),
            404,
        )

        # Rename.
        renamed = ok(await c.patch(f"/conversations/{cid}", json={"title": "x"}))
        assert renamed["title"] == "x" and renamed["id"] == cid
        assert ok(await c.get(f"/conversations/{cid}"))["title"] == "x"
        assert ok(await c.get(f"/threads/{tid}"))["metadata"]["title"] == "x"

        # Delete: 202 with an empty body, then it (and its thread) are gone.
        resp = await c.delete(f"/conversations/{cid}")
        assert resp.status_code == 202 and resp.content == b""
        error_of(await c.get(f"/conversations/{cid}"), 404)
        error_of(await c.get(f"/conversations/{cid}/messages"), 404)
        error_of(await c.get(f"/threads/{tid}"), 404)
        assert ok(await c.post("/conversations/search", json={"where": {"threadId": tid}}))["total"] == 0


async def test_conversations_of_another_org_are_invisible(env: RunsEnv) -> None:
    async with await env.asgi() as c, await env.asgi("other-org-runs") as other:
        thread = await new_thread(c)
        await c.post(
            f"/threads/{thread['thread_id']}/runs/wait",
            json={"assistant_id": env.ids["echo"], "input": send("private")},
        )
        cid = thread["metadata"]["id"]
        assert ok(await other.post("/conversations/search", json={"where": {"id": cid}}))["total"] == 0
        error_of(await other.get(f"/conversations/{cid}"), 404)
        error_of(await other.get(f"/conversations/{cid}/messages"), 404)
        error_of(await other.delete(f"/conversations/{cid}"), 404)
        assert len(await messages_of(c, thread)) == 2


async def test_messages_are_in_conversation_order(env: RunsEnv) -> None:
    """16 quick turns: were question and reply stamped alike, a coin flip per turn would put some reply first."""
    async with await env.asgi() as c:
        thread = await new_thread(c)
        texts = [f"turn {i}" for i in range(16)]
        for text in texts:
            ok(
                await c.post(
                    f"/threads/{thread['thread_id']}/runs/wait",
                    json={"assistant_id": env.ids["echo"], "input": send(text)},
                ),
                201,
            )
        messages = await messages_of(c, thread)
        assert [(m["role"], m["content"] if m["role"] == "human" else block_text(m)) for m in messages] == [
            pair for text in texts for pair in (("human", text), ("ai", text))
        ]
