"""Feedback on a message: create, list (`listFeedbacks`), search, get, update, delete — and a browser's secret
manages its own."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conversations.test_create import create
from tests.harness.chat import send
from tests.runs.common import RunsEnv, error_of, ok

FEEDBACK_KEYS = {
    "id",
    "conversationId",
    "messageId",
    "rating",
    "content",
    "createdById",
    "createdAt",
    "updatedAt",
}


async def answered(c: httpx.AsyncClient, env: RunsEnv) -> tuple[str, str]:
    """A conversation with one finished run: (conversation id, its AI message id)."""
    conversation = await create(c)
    body = {"assistant_id": env.ids["echo"], "input": send("rate me")}
    ok(await c.post(f"/threads/{conversation['threadId']}/runs/wait", json=body), 201)
    page = ok(
        await c.post(f"/conversations/{conversation['id']}/messages/search", json={"where": {"role": "ai"}})
    )
    return conversation["id"], page["items"][0]["id"]


async def rate(
    c: httpx.AsyncClient, cid: str, mid: str, rating: str, content: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"rating": rating} if content is None else {"rating": rating, "content": content}
    feedback: dict[str, Any] = ok(
        await c.post(f"/conversations/{cid}/messages/{mid}/feedbacks", json=body), 201
    )
    return feedback


async def test_feedback_is_listed_searched_read_changed_and_deleted(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        cid, mid = await answered(c, env)
        route = f"/conversations/{cid}/messages/{mid}/feedbacks"
        like = await rate(c, cid, mid, "like", "helpful")
        assert set(like) == FEEDBACK_KEYS and (like["conversationId"], like["messageId"]) == (cid, mid)
        assert like["updatedAt"] == like["createdAt"]
        dislike = await rate(c, cid, mid, "dislike")
        listed = ok(await c.get(route))
        assert [f["id"] for f in listed["items"]] == [like["id"], dislike["id"]] and listed["total"] == 2
        paged = ok(await c.get(route, params={"limit": 1, "offset": 1}))
        assert [f["id"] for f in paged["items"]] == [dislike["id"]] and paged["total"] == 2

        likes = ok(await c.post(f"{route}/search", json={"where": {"rating": "like"}}))
        assert [f["id"] for f in likes["items"]] == [like["id"]] and likes["total"] == 1
        newest = ok(await c.post(f"{route}/search", json={"order": {"createdAt": "DESC"}, "limit": 1}))
        assert [f["id"] for f in newest["items"]] == [dislike["id"]]
        assert "unknown key(s) stars" in error_of(
            await c.post(f"{route}/search", json={"where": {"stars": 5}}), 400
        )

        assert ok(await c.get(f"{route}/{like['id']}")) == like
        changed = ok(
            await c.patch(f"{route}/{like['id']}", json={"rating": "dislike", "content": "on reflection"})
        )
        assert (changed["rating"], changed["content"], changed["id"]) == (
            "dislike",
            "on reflection",
            like["id"],
        )
        assert changed["updatedAt"] >= changed["createdAt"]
        kept = ok(await c.patch(f"{route}/{like['id']}", json={"content": None}))
        assert (kept["rating"], kept["content"]) == ("dislike", None)
        assert "rating" in error_of(await c.patch(f"{route}/{like['id']}", json={"rating": "meh"}), 400)
        assert "rating" in error_of(await c.patch(f"{route}/{like['id']}", json={"rating": None}), 400)

        resp = await c.delete(f"{route}/{like['id']}")
        assert resp.status_code == 202 and resp.content == b""
        error_of(await c.get(f"{route}/{like['id']}"), 404)
        error_of(await c.delete(f"{route}/{like['id']}"), 404)
        assert [f["id"] for f in ok(await c.get(route))["items"]] == [dislike["id"]]
        # Feedback goes with its message.
        assert (await c.delete(f"/conversations/{cid}/messages/{mid}")).status_code == 202
        error_of(await c.get(route), 404)
        error_of(await c.get(f"{route}/{dislike['id']}"), 404)


async def test_feedback_of_another_message_or_conversation_is_not_found(env: RunsEnv) -> None:
    async with await env.asgi() as c:
        cid, mid = await answered(c, env)
        other_cid, other_mid = await answered(c, env)
        feedback = await rate(c, cid, mid, "like")
        error_of(await c.get(f"/conversations/{cid}/messages/{other_mid}/feedbacks/{feedback['id']}"), 404)
        error_of(await c.get(f"/conversations/{other_cid}/messages/{mid}/feedbacks/{feedback['id']}"), 404)
        error_of(
            await c.patch(
                f"/conversations/{other_cid}/messages/{other_mid}/feedbacks/{feedback['id']}",
                json={"rating": "like"},
            ),
            404,
        )
    async with await env.asgi("other-org-feedback") as other:
        error_of(await other.get(f"/conversations/{cid}/messages/{mid}/feedbacks/{feedback['id']}"), 404)
        error_of(await other.delete(f"/conversations/{cid}/messages/{mid}/feedbacks/{feedback['id']}"), 404)


async def test_a_browser_manages_its_own_feedback(env: RunsEnv) -> None:
    key = await env.key()
    async with env.harness.client(key, x_principal_user_id="erin") as c:
        secret = ok(await c.post("/v1/chatkit/sessions", json={}), 201)["client_secret"]
        cid, mid = await answered(c, env)
    async with env.harness.client(key) as app_backend:  # the org's own key: not erin's feedback
        staff = await rate(app_backend, cid, mid, "dislike", "staff note")
    route = f"/conversations/{cid}/messages/{mid}/feedbacks"
    async with env.harness.client(None, x_client_secret=secret) as browser:
        mine = await rate(browser, cid, mid, "like")
        assert mine["createdById"] == "erin"
        assert [f["id"] for f in ok(await browser.get(route))["items"]] == [mine["id"]]
        assert ok(await browser.post(f"{route}/search", json={}))["total"] == 1
        assert (
            ok(await browser.patch(f"{route}/{mine['id']}", json={"rating": "dislike"}))["rating"]
            == "dislike"
        )
        error_of(await browser.get(f"{route}/{staff['id']}"), 404)
        error_of(await browser.patch(f"{route}/{staff['id']}", json={"rating": "like"}), 404)
        error_of(await browser.delete(f"{route}/{staff['id']}"), 404)
        assert (await browser.delete(f"{route}/{mine['id']}")).status_code == 202
    async with env.harness.client(key) as app_backend:
        left = ok(await app_backend.get(route))["items"]
        assert [(f["id"], f["rating"], f["content"]) for f in left] == [
            (staff["id"], "dislike", "staff note")
        ]
