"""The SDK methods for endpoints built alongside it: history/copy/context usage, state at a checkpoint and
its metadata, the thread's stream, joining and deleting runs, subgraphs, stateless runs, files,
knowledge bases, the store and ChatKit client secrets — sync and async, against the real server. A route
the server lost fails these tests (no probe turns it into a skip).
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path
from typing import Any

import pytest
from xpert_sdk import ConflictError, NotFoundError, PermissionDeniedError, chat_input
from xpert_sdk.types import (
    AgentFile,
    ClientSecret,
    Deleted,
    DocumentStatus,
    Item,
    Knowledgebase,
    KnowledgeDocument,
    KnowledgeSearchResult,
    ListNamespacesResponse,
    Run,
    RuntimeCapabilities,
    SearchItemsResponse,
    StateUpdate,
    Success,
    Thread,
    ThreadContextUsage,
    ThreadState,
)

from tests.harness.served import Served
from tests.sdk_integration.conftest import MakeClient
from tests.sdk_integration.live import call, collect, text_of
from tests.sdk_integration.shapes import assert_shape

FACT = "The Frobnicator must be descaled every 30 days with the blue tablets."


async def test_history_copy_and_context_usage(client: Any, live: Served, xperts: dict[str, str]) -> None:
    thread = await call(client.threads.create)
    tid = thread["thread_id"]
    await call(client.runs.wait, tid, xperts["demo"], input=chat_input("one"))
    await call(client.runs.wait, tid, xperts["demo"], input=chat_input("two"))

    history = await call(client.threads.get_history, tid, limit=3)
    assert_shape(history, list[ThreadState])
    assert len(history) == 3
    assert history[0] == await call(client.threads.get_state, tid)  # newest first
    older = await call(
        client.threads.get_history, tid, limit=1, before=history[0]["checkpoint"]["checkpoint_id"]
    )
    assert older == history[1:2]

    copy = await call(client.threads.copy, tid)
    assert_shape(copy, Thread)
    assert copy["thread_id"] != tid
    copied = await call(client.threads.get_state, copy["thread_id"])
    assert copied["values"] == (await call(client.threads.get_state, tid))["values"]

    usage = await call(client.threads.get_context_usage, tid)
    assert_shape(usage, ThreadContextUsage)
    assert usage["thread_id"] == tid and usage["usage"]["total_tokens"] > 0
    assert (await call(client.threads.get_context_usage, tid, agent_key="demo"))["agent_key"] == "demo"


async def test_state_checkpoints_thread_stream_and_run_delete(
    client: Any, live: Served, xperts: dict[str, str]
) -> None:
    thread = await call(client.threads.create)
    tid = thread["thread_id"]
    await call(client.runs.wait, tid, xperts["demo"], input=chat_input("one"))
    latest = await call(client.threads.get_state, tid)
    parent = latest["parent_checkpoint"]
    older = await call(client.threads.get_state, tid, parent["checkpoint_id"])
    assert await call(client.threads.get_state, tid, checkpoint=parent) == older
    patched = await call(client.threads.patch_state, tid, {"reviewed": True})
    assert_shape(patched, StateUpdate)
    assert patched["checkpoint"] == latest["checkpoint"]
    assert (await call(client.threads.get_state, tid))["metadata"]["reviewed"] is True

    (run,) = await call(client.runs.list, tid)
    events = await collect(client.threads.join_stream(tid, last_event_id=f"{run['run_id']}:0"))
    assert events[-1].event == "complete" and all(e.id.startswith(f"{run['run_id']}:") for e in events)
    assert text_of(events) == text_of(await collect(client.runs.join_stream(tid, run["run_id"])))
    assert await collect(client.threads.join_stream(tid)) == []  # idle: nothing to follow

    deleted = await call(client.runs.delete, tid, run["run_id"])
    assert_shape(deleted, Deleted)
    assert deleted == {"id": run["run_id"], "deleted": True, "affected": 1}
    with pytest.raises(NotFoundError):
        await call(client.runs.get, tid, run["run_id"])
    live_run = await call(client.runs.create, None, xperts["sdk-ticker"], input=chat_input("live"))
    with pytest.raises(ConflictError, match="cancel it first"):
        await call(client.runs.delete, live_run["thread_id"], live_run["run_id"])
    joined = await collect(client.runs.join_stream(None, live_run["run_id"]))
    assert joined[-1].event == "complete" and text_of(joined).startswith("t0 t1 ")
    assert await call(client.assistants.get_subgraphs, xperts["demo"], recurse=True) == {}


async def test_runtime_capabilities(client: Any, live: Served, xperts: dict[str, str]) -> None:
    caps = await call(client.assistants.get_runtime_capabilities, xperts["demo"])
    assert_shape(caps, RuntimeCapabilities)
    assert {"current_time", "calculator"} <= {skill["name"] for skill in caps["skills"]}


async def test_stateless_runs(client: Any, live: Served, xperts: dict[str, str]) -> None:
    reply = await call(client.runs.wait, None, xperts["sdk-ticker"], input=chat_input("no thread"))
    assert reply["role"] == "ai" and reply["content"].startswith("t0 t1 ")

    run = await call(client.runs.create, None, xperts["sdk-ticker"], input=chat_input("background"))
    assert_shape(run, Run)
    assert (await call(client.runs.join, run["thread_id"], run["run_id"]))["content"].startswith("t0 ")

    stream = client.runs.stream(None, xperts["sdk-ticker"], input=chat_input("streamed"))
    events = await collect(stream)
    assert events[-1].event == "complete" and text_of(events).startswith("t0 t1 ")
    # The stream learned its (temporary) thread from `on_agent_start`, so it could have resumed a drop.
    assert stream.thread_id and stream.run_id


async def test_upload_files_three_ways_and_delete(client: Any, live: Served, tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text(FACT, encoding="utf-8")
    from_bytes = await call(client.contexts.upload_file, FACT.encode(), filename="fact.txt")
    from_path = await call(client.contexts.upload_file, path)
    with path.open("rb") as handle:
        from_file_object = await call(client.contexts.upload_file, handle)
    for uploaded, name in ((from_bytes, "fact.txt"), (from_path, "notes.md"), (from_file_object, "notes.md")):
        assert_shape(uploaded, AgentFile)
        assert uploaded["originalName"] == name and uploaded["size"] == len(FACT)
        assert uploaded["id"] == uploaded["fileId"]
    nameless = await call(client.contexts.upload_file, io.BytesIO(b"abc"))
    assert nameless["originalName"] == "upload"

    deleted = await call(client.contexts.delete_file, nameless["id"])
    assert_shape(deleted, Deleted)
    assert deleted["deleted"] is True
    with pytest.raises(NotFoundError):
        await call(client.contexts.delete_file, nameless["id"])


async def test_a_run_reads_an_uploaded_file(client: Any, live: Served, xperts: dict[str, str]) -> None:
    manual = (
        ("Chapter 1. Unpack the device.\n\n" * 20) + FACT + "\n\n" + ("Chapter 9. Warranty terms.\n\n" * 20)
    )
    uploaded = await call(client.contexts.upload_file, manual.encode(), filename="manual.txt")
    thread = await call(client.threads.create)
    reply = await call(client.runs.wait, thread["thread_id"], xperts["demo"],
                       input=chat_input("How often must the Frobnicator be descaled?", files=[uploaded]))  # fmt: skip
    assert "30 days" in reply["content"]


async def test_knowledge_base_lifecycle(client: Any, live: Served) -> None:
    kb = await call(client.knowledges.create, f"Manuals {secrets.token_hex(3)}", description="first",
                    recall={"topK": 3, "score": 0.0})  # fmt: skip
    assert_shape(kb, Knowledgebase)
    updated = await call(client.knowledges.update, kb["id"], description="second")
    assert_shape(updated, Knowledgebase)
    assert updated["description"] == "second"

    uploaded = await call(client.contexts.upload_file, FACT.encode(), filename="frobnicator.txt")
    docs = await call(client.knowledges.add_documents, kb["id"], [
        {"name": "frobnicator.txt", "fileId": uploaded["id"]},
        {"name": "router.txt", "text": "To reset the router, hold the red button for ten seconds."},
    ])  # fmt: skip
    assert_shape(docs, list[KnowledgeDocument])
    ids = [doc["id"] for doc in docs]
    started = await call(client.knowledges.process, kb["id"], ids)
    assert_shape(started, list[DocumentStatus])
    progress: list[list[DocumentStatus]] = []
    ready = await call(client.knowledges.wait_until_ready, kb["id"], ids, on_progress=progress.append,
                       timeout=120, poll_interval=0.1)  # fmt: skip
    assert [status["status"] for status in ready] == ["finish", "finish"]
    assert progress[-1] == ready
    assert_shape(await call(client.knowledges.status, kb["id"], ids), list[DocumentStatus])

    found = await call(client.knowledges.search, kb["id"], "how do I reset the router", top_k=1)
    assert_shape(found, KnowledgeSearchResult)
    (hit,) = found["items"]
    assert hit["document_name"] == "router.txt" and "red button" in hit["content"]
    lexical = await call(client.knowledges.search, kb["id"], "descaled", mode="lexical")
    assert [h["document_name"] for h in lexical["items"]][:1] == ["frobnicator.txt"]

    deleted = await call(client.knowledges.delete, kb["id"])
    assert_shape(deleted, Deleted)
    with pytest.raises(NotFoundError):
        await call(client.knowledges.search, kb["id"], "router")


async def test_store(client: Any, live: Served) -> None:
    user = f"user-{secrets.token_hex(3)}"
    assert_shape(await call(client.store.put_item, ["prefs", user], "lang", {"language": "en"}), Success)
    await call(client.store.put_item, ["prefs", user, "ui"], "theme", {"theme": "dark"})

    item = await call(client.store.get_item, ["prefs", user], "lang")
    assert_shape(item, Item)
    assert (item["namespace"], item["key"], item["value"]) == (["prefs", user], "lang", {"language": "en"})

    found = await call(client.store.search_items, ["prefs", user])
    assert_shape(found, SearchItemsResponse)
    assert sorted(i["key"] for i in found["items"]) == ["lang", "theme"]
    dark = await call(client.store.search_items, ["prefs", user], filter={"theme": "dark"})
    assert [i["key"] for i in dark["items"]] == ["theme"]

    spaces = await call(client.store.list_namespaces, prefix=["prefs", user])
    assert_shape(spaces, ListNamespacesResponse)
    assert sorted(spaces["namespaces"]) == [["prefs", user], ["prefs", user, "ui"]]
    shallow = await call(client.store.list_namespaces, prefix=["prefs", user], max_depth=2)
    assert shallow["namespaces"] == [["prefs", user]]

    assert_shape(await call(client.store.delete_item, ["prefs", user], "lang"), Success)
    assert await call(client.store.get_item, ["prefs", user], "lang") is None


async def test_chatkit_client_secret(make_client: MakeClient, client: Any, live: Served) -> None:
    secret = await call(client.chatkit.sessions.create, expires_after=120)
    assert_shape(secret, ClientSecret)
    assert secret["client_secret"].startswith("cs-x-") and secret["expires_after"] == 120

    # A browser holding only the secret can chat, but cannot mint another secret.
    browser = make_client(api_key=secret["client_secret"])
    thread = await call(browser.threads.create)
    assert thread["thread_id"]
    with pytest.raises(PermissionDeniedError):
        await call(browser.chatkit.sessions.create)
