"""Conformance for the rest of the storage interface — client secrets, assistant versions, thread copies,
conversations and feedback, run listings and frame polling — and the check that every public storage
method has a conformance test. The same checks on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

from tests.harness.app import new_org
from tests.harness.clock import ManualClock
from tests.storage.test_conformance import assistant
from tests.storage.test_conformance_runs import human, run_of
from xpert_server.auth.keys import generate_key, hash_credential, key_hint
from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import MessageRecord, QueuePlacement

# Public SQLStorage attributes that are not storage operations, so have no conformance test of their own:
NOT_OPERATIONS = {
    "read": "the read transaction every query method runs in",
    "write": "the write transaction every command method runs in",
    "read_plain_rows": "the small-read primitive the search methods run in (tests/storage/test_inline_reads.py)",
    "audit": "a statement helper run inside other methods' transactions (their tests cover it)",
    "metadata_filter": "a query builder (a WHERE clause) used by the search methods",
    "visible_threads": "a query builder (a WHERE clause) used by the thread and run methods",
    "visible_crons": "a query builder (a WHERE clause) used by the cron methods",
    "open": "opened by the storage fixture for every test",
    "close": "closed by the storage fixture after every test",
}


def test_every_public_storage_method_has_a_conformance_test() -> None:
    """A method added to the storage interface needs a test here (called as `storage.<name>(`)."""
    public = {n for n in dir(SQLStorage) if not n.startswith("_") and callable(getattr(SQLStorage, n))}
    tests = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_conformance*.py"))
    called = set(re.findall(r"storage\.(\w+)\(", tests))
    missing = sorted(public - called - set(NOT_OPERATIONS))
    assert not missing, f"storage methods without a conformance test: {missing}"
    assert set(NOT_OPERATIONS) <= public, "the exclusion list names a method that no longer exists"


async def test_client_secrets_expire_on_the_storage_clock_and_never_outlive_their_key(
    storage: SQLStorage,
) -> None:
    org = new_org()
    await storage.ensure_org(org)
    clock = ManualClock()
    saved, storage.clock = storage.clock, clock
    try:
        key = await storage.create_api_key(
            org, hash_credential(k := generate_key()), key_hint(k), role="admin", expires_at=clock() + 100
        )
        p = Principal(org_id=org, kind="key", key_id=key.id)
        secret = await storage.create_client_secret(
            p, hash_credential("cs-a"), 600, user_id="carol", xpert_id=None
        )
        assert secret.user_id == "carol" and secret.expires_at == key.expires_at  # capped by the key
        anonymous = await storage.create_client_secret(
            p, hash_credential("cs-b"), 60, user_id=None, xpert_id="x"
        )
        assert anonymous.user_id == f"cs:{anonymous.id}" and anonymous.expires_at < secret.expires_at
        found = await storage.find_client_secret(hash_credential("cs-a"))
        assert found is not None and found.id == secret.id and not found.key_revoked
        assert await storage.find_client_secret(hash_credential("cs-unknown")) is None
        clock.advance(30)
        await storage.expire_client_secret(secret.id)
        expired = await storage.find_client_secret(hash_credential("cs-a"))
        assert expired is not None and expired.expires_at == clock()
        await storage.revoke_api_key(key.id)
        revoked = await storage.find_client_secret(hash_credential("cs-b"))
        assert revoked is not None and revoked.key_revoked
    finally:
        storage.clock = saved


async def test_a_stored_assistant_version_becomes_the_current_one(storage: SQLStorage) -> None:
    org = new_org()
    p = Principal.system(org)
    rec = await storage.create_assistant(p, assistant(org, "versioned"))
    await storage.update_assistant(p, rec.id, {"name": "Second"})
    first = await storage.set_assistant_version(p, rec.id, 1)
    assert first is not None and first.version == 1 and first.name == rec.name
    versions = await storage.list_assistant_versions(p, rec.id)
    assert versions is not None and len(versions) == 2  # choosing a version adds none
    assert await storage.set_assistant_version(p, rec.id, 9) is None
    assert await storage.set_assistant_version(Principal.system(new_org()), rec.id, 1) is None


async def test_a_copied_thread_has_the_conversation_but_not_a_reply_in_progress(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    source = await storage.create_thread(p, metadata={"topic": "descaling"})
    run = run_of(p, source.id)
    await storage.start_run(
        p, run, title="Descaling", messages=[human(source.id, run.id, "how?"), _ai(source.id, run.id)]
    )
    source = await storage.get_thread(p, source.id) or source
    copy = await storage.copy_thread(p, source)
    assert copy.id != source.id and copy.status == "idle" and copy.title == "Descaling"
    assert copy.metadata == {"topic": "descaling"} and copy.assistant_id == source.assistant_id
    page = await storage.list_messages(p, copy.id)
    assert [(m.role, m.content) for m in page.items] == [
        ("human", "how?")
    ]  # the `thinking` reply stays behind


def _ai(thread_id: str, run_id: str) -> MessageRecord:
    msg = human(thread_id, run_id, "")
    msg.id, msg.role, msg.status, msg.content = new_id(), "ai", "thinking", []
    return msg


async def test_conversations_are_searched_and_messages_take_feedback(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    threads = []
    for title in ("Descaling", "Filters", "Descaling again"):
        t = await storage.create_thread(p)
        run = run_of(p, t.id)
        message = human(t.id, run.id)
        await storage.start_run(p, run, title=title, messages=[message])
        await storage.finish_run(run, status="success", thread_status="idle")
        threads.append((t, message))
    page = await storage.search_conversations(p, search="descal", order={"createdAt": "ASC"})
    assert page.total == 2 and [t.title for t in page.items] == ["Descaling", "Descaling again"]
    assert (await storage.search_conversations(p, limit=1)).total == 3
    assert (await storage.search_conversations(p, where={"status": "busy"})).total == 0
    assert (await storage.search_conversations(Principal(org_id=new_org(), kind="key"))).total == 0
    thread, message = threads[0]
    feedback = await storage.add_feedback(p, thread.id, message.id, "like", "helpful")
    assert feedback is not None and feedback["rating"] == "like"
    assert await storage.add_feedback(p, thread.id, new_id(), "like", None) is None
    assert (
        await storage.add_feedback(
            Principal(org_id=new_org(), kind="key"), thread.id, message.id, "like", None
        )
        is None
    )
    assert [f["content"] for f in (await storage.search_feedbacks(p, thread.id, message.id)).items] == [
        "helpful"
    ]


async def test_runs_are_listed_polled_cancelled_while_queued_and_keep_their_reply(
    storage: SQLStorage,
) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    thread = await storage.create_thread(p)
    first, second = run_of(p, thread.id), run_of(p, thread.id)
    await storage.start_run(p, first, messages=[human(thread.id, first.id), _ai(thread.id, first.id)])
    await storage.set_run_status(first.id, "running")
    await storage.start_run(p, second, enqueue=True, placement=QueuePlacement("local", worker_id="proc-1"))
    assert {r.id for r in await storage.active_runs(thread.id)} == {first.id, second.id}
    assert [r.id for r in await storage.list_runs(p, thread.id, status="pending")] == [second.id]
    assert len(await storage.list_runs(p, thread.id, limit=1)) == 1
    assert await storage.list_runs(Principal(org_id=new_org(), kind="key"), thread.id) == []
    assert await storage.cancel_waiting(second.id)
    cancelled = await storage.get_run_by_id(second.id)
    assert cancelled is not None and cancelled.status == "interrupted"

    assert await storage.poll_events(first.id) == ([], "running")  # no frames yet: the status instead
    assert await storage.poll_events(new_id()) == ([], None)
    await storage.append_events([(first.id, 1, None, b"{}")])
    assert await storage.poll_events(first.id) == ([(1, None, b"{}")], None)

    await storage.keep_streamed_reply(first.id, [{"type": "text", "text": "partial"}], "thinking...")
    ai = [m for m in (await storage.list_messages(p, thread.id)).items if m.role == "ai"]
    assert [m.content for m in ai] == [[{"type": "text", "text": "partial"}]] and ai[
        0
    ].reasoning == "thinking..."


def _written(thread_id: str, text: str, role: str = "human") -> MessageRecord:
    msg = human(thread_id, "", text)
    msg.role, msg.execution_id = role, None
    return msg


async def test_messages_written_over_the_api_are_kept_marked_and_changed(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    thread = await storage.create_thread(p, conversation_id=(cid := new_id()))
    assert thread.conversation_id == cid
    run = run_of(p, thread.id)
    await storage.start_run(p, run, title="t", messages=[human(thread.id, run.id, "from a run")])
    await storage.finish_run(run, status="success", thread_status="idle")
    first = await storage.create_message(p, _written(thread.id, "written"))
    second = await storage.create_message(p, _written(thread.id, "reply", role="ai"))
    # Only the API's are what a run merges into the model's history, oldest first.
    assert [m.content for m in await storage.written_messages(thread.id)] == ["written", "reply"]
    got = await storage.get_message(p, thread.id, first.id)
    assert got is not None and (got.role, got.content) == ("human", "written")
    assert await storage.get_message(Principal(org_id=new_org(), kind="key"), thread.id, first.id) is None
    page = await storage.search_messages(p, thread.id, where={"role": "ai"})
    assert [m.id for m in page.items] == [second.id] and page.total == 1
    newest = await storage.search_messages(p, thread.id, order={"createdAt": "DESC"}, limit=1)
    assert [m.id for m in newest.items] == [second.id] and newest.total == 3
    changed = await storage.update_message(
        p, thread.id, first.id, {"content": "rewritten", "execution_id": "x"}
    )
    assert changed is not None and changed.content == "rewritten" and changed.execution_id is None
    assert await storage.update_message(p, thread.id, new_id(), {"content": "x"}) is None
    await storage.add_feedback(p, thread.id, second.id, "like", None)
    assert await storage.delete_message(p, thread.id, second.id) is True
    assert await storage.delete_message(p, thread.id, second.id) is False
    assert (await storage.search_feedbacks(p, thread.id, second.id)).total == 0
    assert [m.content for m in await storage.written_messages(thread.id)] == ["rewritten"]
    # A copy's messages are record only: the copied checkpoints already hold them.
    copy = await storage.copy_thread(p, await storage.get_thread(p, thread.public_id) or thread)
    assert await storage.written_messages(copy.id) == []


async def test_feedback_is_read_changed_and_deleted_by_its_own_principal(storage: SQLStorage) -> None:
    org = new_org()
    app = Principal(org_id=org, kind="key", key_id="k")
    alice = Principal(org_id=org, kind="secret", secret_id="s", user_id="alice")
    thread = await storage.create_thread(alice)
    message = await storage.create_message(alice, _written(thread.id, "rate me", role="ai"))
    staff = await storage.add_feedback(app, thread.id, message.id, "dislike", "staff")
    mine = await storage.add_feedback(alice, thread.id, message.id, "like", None)
    assert staff is not None and mine is not None
    assert [f["id"] for f in (await storage.search_feedbacks(alice, thread.id, message.id)).items] == [
        mine["id"]
    ]
    both = await storage.search_feedbacks(app, thread.id, message.id, order={"createdAt": "DESC"})
    assert [f["id"] for f in both.items] == [mine["id"], staff["id"]] and both.total == 2
    likes = await storage.search_feedbacks(app, thread.id, message.id, where={"rating": "like"}, limit=1)
    assert [f["id"] for f in likes.items] == [mine["id"]]
    assert await storage.get_feedback(alice, thread.id, message.id, staff["id"]) is None
    got = await storage.get_feedback(app, thread.id, message.id, mine["id"])
    assert got is not None and got["rating"] == "like" and got["updated_at"] is None
    changed = await storage.update_feedback(alice, thread.id, message.id, mine["id"], {"rating": "dislike"})
    assert (
        changed is not None
        and changed["rating"] == "dislike"
        and changed["updated_at"] >= changed["created_at"]
    )
    assert (
        await storage.update_feedback(alice, thread.id, message.id, staff["id"], {"rating": "like"}) is None
    )
    assert await storage.delete_feedback(alice, thread.id, message.id, staff["id"]) is False
    assert await storage.delete_feedback(alice, thread.id, message.id, mine["id"]) is True
    assert [f["content"] for f in (await storage.search_feedbacks(app, thread.id, message.id)).items] == [
        "staff"
    ]
