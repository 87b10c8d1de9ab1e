"""Every SDK method the server implements, called against a real `xpert serve`, sync and async.

Each answer is checked against the SDK's TypedDict for it (`assert_shape`), so a field the server sends
that the SDK does not declare, or one of another type, fails here.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from typing import Any

import pytest
from xpert_sdk import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    chat_input,
)
from xpert_sdk.types import (
    Assistant,
    AssistantDeleted,
    AssistantVersion,
    CancelResult,
    ChatMessage,
    Conversation,
    ConversationPage,
    Feedback,
    FeedbackPage,
    MessagePage,
    Run,
    RunResult,
    StateUpdate,
    Thread,
    ThreadState,
)

from tests.sdk_integration.conftest import MakeClient
from tests.sdk_integration.graphs import TICKER_TEXT
from tests.sdk_integration.live import call, collect, event_names, text_of
from tests.sdk_integration.shapes import assert_shape

LIFECYCLE = [
    "on_conversation_start",
    "on_message_start",
    "on_agent_start",
    "on_agent_end",
    "on_message_end",
    "on_conversation_end",
    "complete",
]


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


async def wait_for_status(client: Any, thread_id: str, run_id: str, statuses: set[str]) -> Run:
    deadline = time.monotonic() + 20
    while True:
        run: Run = await call(client.runs.get, thread_id, run_id)
        if run["status"] in statuses or time.monotonic() > deadline:
            return run
        await asyncio.sleep(0.02)


async def test_assistants(client: Any, xperts: dict[str, str]) -> None:
    found = await call(client.assistants.search, limit=1, metadata={"slug": "demo"})
    assert [a["xpert_id"] for a in found] == [xperts["demo"]]
    assert_shape(found, list[Assistant])
    demo = found[0]
    assert demo["assistant_id"] == demo["xpert_id"] == demo["graph_id"]
    assert await call(client.assistants.count, metadata={"slug": "demo"}) == 1
    assert await call(client.assistants.count) >= len(xperts)
    got = await call(client.assistants.get, demo["xpert_id"])
    assert_shape(got, Assistant)
    assert got["name"] == "Demo"

    slug = unique("sdk-made")
    made = await call(client.assistants.create, "Made by the SDK", slug=slug, description="first")
    assert_shape(made, Assistant)
    assert made["metadata"]["slug"] == slug  # `slug` goes at the body's top level
    assert made["version"] == 1
    assert await call(client.assistants.search, metadata={"slug": slug}) == [made]

    updated = await call(client.assistants.update, made["assistant_id"], description="second")
    assert_shape(updated, Assistant)
    assert (updated["description"], updated["version"]) == ("second", 2)
    versions = await call(client.assistants.get_versions, made["assistant_id"])
    assert_shape(versions, list[AssistantVersion])
    assert [(v["version"], v["description"]) for v in versions] == [(2, "second"), (1, "first")]
    assert versions[0]["definition"]["slug"] == slug
    assert [
        v["version"] for v in await call(client.assistants.get_versions, made["assistant_id"], limit=1)
    ] == [2]

    deleted = await call(client.assistants.delete, made["assistant_id"])
    assert_shape(deleted, AssistantDeleted)
    assert deleted == {"success": True, "assistant_id": made["assistant_id"]}
    with pytest.raises(NotFoundError):
        await call(client.assistants.get, made["assistant_id"])


async def test_threads_and_state(client: Any, xperts: dict[str, str]) -> None:
    tag = unique("tag")
    thread = await call(client.threads.create, metadata={"tag": tag})
    assert_shape(thread, Thread)
    tid = thread["thread_id"]
    assert thread["status"] == "idle" and thread["metadata"]["tag"] == tag
    assert thread["metadata"]["id"]  # the thread's conversation id

    empty = await call(client.threads.get_state, tid)
    assert_shape(empty, ThreadState)
    assert empty["checkpoint"] is None and empty["values"] == {}

    reply = await call(client.runs.wait, tid, xperts["demo"], input=chat_input("hello state"))
    assert_shape(reply, RunResult)

    got = await call(client.threads.get, tid)
    assert_shape(got, Thread)
    assert [m["type"] for m in got["values"]["messages"]] == ["human", "ai"]
    assert got["metadata"]["assistant_id"] == xperts["demo"]

    state = await call(client.threads.get_state, tid)
    assert_shape(state, ThreadState)
    assert state["checkpoint"] is not None and state["parent_checkpoint"] is not None
    assert len(state["values"]["messages"]) == 2
    # An earlier checkpoint: `?checkpoint_id=` selects it.
    earlier = await call(
        client.threads.get_state, tid, checkpoint_id=state["parent_checkpoint"]["checkpoint_id"]
    )
    assert earlier["checkpoint"] == state["parent_checkpoint"]
    assert len(earlier["values"]["messages"]) == 1
    with pytest.raises(NotFoundError):
        await call(client.threads.get_state, tid, checkpoint_id="no-such-checkpoint")

    written = await call(client.threads.update_state, tid, {"messages": [{"type": "ai", "content": "noted"}]})
    assert_shape(written, StateUpdate)
    after = await call(client.threads.get_state, tid)
    assert after["checkpoint"] == written["checkpoint"]
    assert after["values"]["messages"][-1]["content"] == "noted"
    # On top of an older checkpoint: the new state branches from it.
    branched = await call(
        client.threads.update_state, tid, {"messages": [{"type": "ai", "content": "fork"}]},
        checkpoint_id=earlier["checkpoint"]["checkpoint_id"],
    )  # fmt: skip
    forked = await call(client.threads.get_state, tid, checkpoint_id=branched["checkpoint"]["checkpoint_id"])
    assert [m["content"] for m in forked["values"]["messages"]] == ["hello state", "fork"]

    patched = await call(client.threads.update, tid, metadata={"stage": "two"})
    assert_shape(patched, Thread)
    assert patched["metadata"]["tag"] == tag and patched["metadata"]["stage"] == "two"

    listed = await call(client.threads.search, metadata={"tag": tag})
    assert_shape(listed, list[Thread])
    assert [t["thread_id"] for t in listed] == [tid]
    assert [t["thread_id"] for t in await call(client.threads.search, ids=[tid], limit=5)] == [tid]
    assert await call(client.threads.count, metadata={"tag": tag}) == 1
    assert await call(client.threads.count, metadata={"tag": tag}, status="busy") == 0

    assert await call(client.threads.delete, tid) is None
    with pytest.raises(NotFoundError):
        await call(client.threads.get, tid)


async def test_update_state_before_any_run_is_a_bad_request(client: Any) -> None:
    thread = await call(client.threads.create)
    with pytest.raises(BadRequestError) as caught:
        await call(client.threads.update_state, thread["thread_id"], {"messages": []})
    assert caught.value.status_code == 400 and "run it once" in caught.value.message


async def test_runs_wait_create_join_get_list(client: Any, xperts: dict[str, str]) -> None:
    thread = await call(client.threads.create)
    tid = thread["thread_id"]
    reply = await call(client.runs.wait, tid, xperts["sdk-ticker"], input=chat_input("tick"))
    assert reply == {"role": "ai", "content": TICKER_TEXT}

    run = await call(client.runs.create, tid, xperts["sdk-ticker"], input=chat_input("tick again"))
    assert_shape(run, Run)
    assert run["thread_id"] == tid and run["assistant_id"] == xperts["sdk-ticker"]
    assert run["status"] in ("pending", "running")
    joined = await call(client.runs.join, tid, run["run_id"])
    assert_shape(joined, RunResult)
    assert joined == {"role": "ai", "content": TICKER_TEXT}

    got = await call(client.runs.get, tid, run["run_id"])
    assert_shape(got, Run)
    assert got["status"] == "success"
    runs = await call(client.runs.list, tid)
    assert_shape(runs, list[Run])
    assert len(runs) == 2 and runs[0]["run_id"] == run["run_id"]  # newest first
    assert [r["run_id"] for r in await call(client.runs.list, tid, limit=1, offset=1)] == [runs[1]["run_id"]]


async def test_runs_stream_and_join_stream(client: Any, xperts: dict[str, str]) -> None:
    thread = await call(client.threads.create)
    tid = thread["thread_id"]
    stream = client.runs.stream(tid, xperts["sdk-ticker"], input=chat_input("stream it"))
    events = await collect(stream)
    assert event_names(events) == LIFECYCLE
    assert text_of(events) == TICKER_TEXT
    assert events[-1].event == "complete" and events[-1].data == {"type": "complete"}
    ids = [int(e.id) for e in events if e.id is not None]
    assert ids == sorted(ids) and len(ids) == len(events)
    run_id = stream.run_id
    assert run_id and stream.thread_id == tid and stream.last_event_id == events[-1].id

    replay = await collect(client.runs.join_stream(tid, run_id))
    assert replay == events
    after = events[5].id
    tail = await collect(client.runs.join_stream(tid, run_id, last_event_id=after))
    assert tail == events[6:]


async def test_cancel_a_running_run(client: Any, xperts: dict[str, str]) -> None:
    thread = await call(client.threads.create)
    tid = thread["thread_id"]
    run = await call(client.runs.create, tid, xperts["sdk-slowpoke"], input=chat_input("take your time"))
    assert (await wait_for_status(client, tid, run["run_id"], {"running"}))["status"] == "running"
    cancelled = await call(client.runs.cancel, tid, run["run_id"])
    assert_shape(cancelled, CancelResult)
    assert cancelled == {"canceledExecutionIds": [run["run_id"]]}
    assert (await wait_for_status(client, tid, run["run_id"], {"interrupted"}))["status"] == "interrupted"
    events = await collect(client.runs.join_stream(tid, run["run_id"]))
    assert events[-1].event == "complete"
    end = [
        e.data["data"] for e in events if isinstance(e.data, dict) and e.data.get("event") == "on_agent_end"
    ]
    assert end[0]["status"] == "interrupted"
    # Cancelling a finished run cancels nothing.
    assert await call(client.runs.cancel, tid, run["run_id"]) == {"canceledExecutionIds": []}


async def test_conversations(client: Any, xperts: dict[str, str]) -> None:
    thread = await call(client.threads.create)
    await call(client.runs.wait, thread["thread_id"], xperts["demo"], input=chat_input("remember me"))
    cid = thread["metadata"]["id"]

    conversation = await call(client.conversations.get, cid)
    assert_shape(conversation, Conversation)
    assert conversation["threadId"] == thread["thread_id"] and conversation["xpertId"] == xperts["demo"]
    assert conversation["title"] == "remember me"

    page = await call(client.conversations.search, where={"xpertId": xperts["demo"]}, search="remember me")
    assert_shape(page, ConversationPage)
    assert cid in [c["id"] for c in page["items"]] and page["total"] >= 1

    renamed = await call(client.conversations.update, cid, title="Renamed")
    assert_shape(renamed, Conversation)
    assert renamed["title"] == "Renamed"

    messages = await call(client.conversations.messages, cid)
    assert_shape(messages, MessagePage)
    assert [m["role"] for m in messages["items"]] == ["human", "ai"] and messages["total"] == 2
    assert_shape(messages["items"][1], ChatMessage)
    rated = await call(client.conversations.feedback, cid, messages["items"][1]["id"], "like")
    assert_shape(rated, Feedback)
    assert (rated["messageId"], rated["rating"]) == (messages["items"][1]["id"], "like")
    with pytest.raises(NotFoundError):
        await call(client.conversations.feedback, cid, "no-such-message", "dislike")

    assert await call(client.conversations.delete, cid) is None
    with pytest.raises(NotFoundError):
        await call(client.conversations.get, cid)
    with pytest.raises(NotFoundError):
        await call(client.threads.get, thread["thread_id"])


async def test_conversation_messages_and_feedback(client: Any, xperts: dict[str, str]) -> None:
    conversation = await call(client.conversations.create, title="Order", xpert_id=xperts["demo"])
    assert_shape(conversation, Conversation)
    cid = conversation["id"]
    assert (conversation["title"], conversation["xpertId"], conversation["status"]) == (
        "Order",
        xperts["demo"],
        "idle",
    )

    note = await call(client.conversations.create_message, cid, "My order number is 1234.")
    assert_shape(note, ChatMessage)
    reply = await call(client.conversations.create_message, cid, [{"type": "text", "text": "Noted."}], "ai")
    assert (note["role"], reply["role"], reply["content"][0]["text"]) == ("human", "ai", "Noted.")
    assert await call(client.conversations.get_message, cid, note["id"]) == note
    found = await call(client.conversations.search_messages, cid, where={"role": "ai"})
    assert_shape(found, MessagePage)
    assert [m["id"] for m in found["items"]] == [reply["id"]]
    fixed = await call(client.conversations.update_message, cid, note["id"], content="It is 1235.")
    assert fixed["content"] == "It is 1235."

    rated = await call(client.conversations.feedback, cid, reply["id"], "like", "quick")
    assert_shape(rated, Feedback)
    listed = await call(client.conversations.feedbacks, cid, reply["id"])
    assert_shape(listed, FeedbackPage)
    assert [f["id"] for f in listed["items"]] == [rated["id"]]
    likes = await call(client.conversations.search_feedbacks, cid, reply["id"], where={"rating": "like"})
    assert likes["total"] == 1
    assert await call(client.conversations.get_feedback, cid, reply["id"], rated["id"]) == rated
    changed = await call(
        client.conversations.update_feedback, cid, reply["id"], rated["id"], rating="dislike"
    )
    assert (changed["rating"], changed["content"]) == ("dislike", "quick")
    assert await call(client.conversations.delete_feedback, cid, reply["id"], rated["id"]) is None
    with pytest.raises(NotFoundError):
        await call(client.conversations.get_feedback, cid, reply["id"], rated["id"])

    # A run on the conversation's thread sees the written messages as its history.
    await call(client.runs.wait, conversation["threadId"], xperts["demo"], input=chat_input("And my order?"))
    state = await call(client.threads.get_state, conversation["threadId"])
    texts = [m["content"] for m in state["values"]["messages"]]
    assert texts[:3] == ["It is 1235.", "Noted.", "And my order?"]

    assert await call(client.conversations.delete_message, cid, reply["id"]) is None
    with pytest.raises(NotFoundError):
        await call(client.conversations.get_message, cid, reply["id"])
    assert await call(client.conversations.delete, cid) is None


async def test_errors_map_to_their_classes(
    make_client: MakeClient, client: Any, xperts: dict[str, str]
) -> None:
    bad_key = make_client(api_key="sk-x-wrong", max_retries=0)
    with pytest.raises(AuthenticationError) as caught:
        await call(bad_key.threads.create)
    assert caught.value.status_code == 401 and caught.value.message == "Invalid token"

    with pytest.raises(NotFoundError) as missing:
        await call(client.runs.wait, "no-such-thread", xperts["demo"], input=chat_input("hi"))
    assert "not found" in missing.value.message.lower()

    thread = await call(client.threads.create)
    with pytest.raises(BadRequestError):
        await call(client.runs.wait, thread["thread_id"], xperts["demo"], input={"action": "dance"})

    # A second run on a busy thread is refused with 409 (the default multitask strategy is "reject").
    run = await call(client.runs.create, thread["thread_id"], xperts["sdk-slowpoke"], input=chat_input("1"))
    try:
        with pytest.raises(ConflictError) as busy:
            await call(client.runs.create, thread["thread_id"], xperts["sdk-slowpoke"], input=chat_input("2"))
        assert busy.value.status_code == 409
    finally:
        await call(client.runs.cancel, thread["thread_id"], run["run_id"])
