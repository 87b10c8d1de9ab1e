"""Conformance for runs, frames, messages, store and idempotency: the same checks on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.harness.app import new_org
from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import (
    IdempotencyMismatch,
    MessageRecord,
    NothingToResume,
    QueuePlacement,
    RunRecord,
    ThreadBound,
    ThreadBusy,
)


def run_of(p: Principal, thread_id: str, assistant_id: str = "a-1", status: str = "pending") -> RunRecord:
    now = time.time()
    return RunRecord(
        id=new_id(),
        org_id=p.org_id,
        thread_id=thread_id,
        assistant_id=assistant_id,
        status=status,
        input={"input": "hi"},
        kwargs={},
        metadata={},
        created_by=p.user_id,
        error=None,
        created_at=now,
        updated_at=now,
    )


def human(thread_id: str, run_id: str, text: str = "hi") -> MessageRecord:
    now = time.time()
    return MessageRecord(
        id=new_id(),
        thread_id=thread_id,
        role="human",
        content=text,
        execution_id=run_id,
        status="success",
        created_at=now,
        updated_at=now,
    )


async def test_start_run_marks_busy_binds_and_refuses_a_second(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    thread = await storage.create_thread(p)
    first = run_of(p, thread.id)
    started = await storage.start_run(p, first, title="Hello", messages=[human(thread.id, first.id)])
    assert started.thread is not None and started.thread.status == "busy" and started.thread.title == "Hello"
    assert started.thread.assistant_id == "a-1" and not started.queued
    with pytest.raises(ThreadBusy):
        await storage.start_run(p, run_of(p, thread.id))
    queued = await storage.start_run(p, run_of(p, thread.id), enqueue=True)
    assert queued.queued
    await storage.finish_run(first, status="success", thread_status="idle")
    with pytest.raises(ThreadBound):
        await storage.start_run(p, run_of(p, thread.id, assistant_id="a-2"))
    with pytest.raises(LookupError):
        await storage.start_run(Principal.system(new_org()), run_of(p, thread.id))
    with pytest.raises(NothingToResume):
        await storage.start_run(p, run_of(p, thread.id), resume=True)
    page = await storage.list_messages(p, thread.id)
    assert page.total == 1 and page.items[0].content == "hi"


async def test_concurrent_starts_on_one_thread_admit_exactly_one(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    thread = await storage.create_thread(p)
    results = await asyncio.gather(
        *[storage.start_run(p, run_of(p, thread.id)) for _ in range(8)], return_exceptions=True
    )
    assert sum(1 for r in results if not isinstance(r, BaseException)) == 1
    assert all(isinstance(r, ThreadBusy) for r in results if isinstance(r, BaseException))


async def test_queued_run_activates_when_free_local_to_its_process(storage: SQLStorage) -> None:
    """Embedded mode's enqueue: the same `wait` row and activation as the durable queue's, but the run
    becomes `local` to the process that holds it (which executes it), never `ready` for workers."""
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    thread = await storage.create_thread(p)
    first, second = run_of(p, thread.id), run_of(p, thread.id)
    local = QueuePlacement("local", worker_id="proc-1")
    await storage.start_run(p, first, placement=local)
    await storage.set_run_status(first.id, "running")
    assert (await storage.start_run(p, second, enqueue=True, placement=local)).queued
    waiting = await storage.next_waiting(thread.id)
    assert waiting is not None and waiting.id == second.id
    assert await storage.activate_waiting(second, title=None, messages=[], local_to="proc-1") == "busy"
    await storage.finish_run(first, status="success", thread_status="idle")
    outcome = await storage.activate_waiting(
        second, title="Next", messages=[human(thread.id, second.id)], local_to="proc-1"
    )
    assert outcome == "ready"
    busy = await storage.get_thread(p, thread.id)
    assert busy is not None and busy.status == "busy" and busy.title == "Next"
    assert await storage.next_waiting(thread.id) is None
    # `local`: no worker may take it.
    assert await storage.claim_runs("w1", 10, time.time() + 30, run_id=second.id) == []
    await storage.finish_run(second, status="success", thread_status="idle")  # the shared storage's rows


async def test_idempotency_returns_the_first_run_and_refuses_another_body(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id=new_id())
    thread = await storage.create_thread(p)
    first = run_of(p, thread.id)
    await storage.start_run(p, first, idempotency=(p.key_id or "", "key-1", "hash-a"))
    again = await storage.start_run(p, run_of(p, thread.id), idempotency=(p.key_id or "", "key-1", "hash-a"))
    assert again.existing_run is not None and again.existing_run.id == first.id
    with pytest.raises(IdempotencyMismatch):
        await storage.start_run(p, run_of(p, thread.id), idempotency=(p.key_id or "", "key-1", "hash-b"))
    assert await storage.delete_idempotency_before(time.time() + 1) >= 1
    assert await storage.find_idempotent_run(p.key_id or "", "key-1", "hash-a") is None


async def test_frames_append_read_after_and_expire(storage: SQLStorage) -> None:
    run_id = new_id()
    await storage.append_events([(run_id, i, None, b'{"n":%d}' % i) for i in range(1, 6)])
    await storage.append_events([(run_id, 6, "complete", b'{"type":"complete"}')])
    assert [s for s, _, _ in await storage.read_events(run_id, 3)] == [4, 5, 6]
    assert (await storage.read_events(run_id, 5))[-1][1] == "complete"
    assert await storage.last_event_seq(run_id) == 6
    assert await storage.delete_events_before(time.time() - 3600) == 0
    assert await storage.delete_events_before(time.time() + 1) >= 6
    assert await storage.read_events(run_id) == []


async def test_frames_expire_oldest_first_a_batch_per_transaction(storage: SQLStorage) -> None:
    """Retention deletes in batches (by the created_at index); together they take exactly the frames stored
    before the cutoff, also when one stored batch of frames (one created_at) is larger than a batch."""
    old, new = new_id(), new_id()
    for first in (1, 6, 8):  # three stored batches: three created_at values, the first holding 5 frames
        await storage.append_events(
            [(old, i, None, b"{}") for i in range(first, first + (5 if first == 1 else 2))]
        )
        await asyncio.sleep(0.002)
    cutoff = time.time()
    await asyncio.sleep(0.002)
    await storage.append_events([(new, i, None, b"{}") for i in range(1, 4)])
    assert await storage.delete_events_before(cutoff, batch=2) >= 9
    assert await storage.read_events(old) == []
    assert [s for s, _, _ in await storage.read_events(new)] == [1, 2, 3]


async def test_rollback_erases_the_run_its_frames_and_messages(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    thread = await storage.create_thread(p)
    run = run_of(p, thread.id)
    await storage.start_run(p, run, messages=[human(thread.id, run.id)])
    await storage.append_events([(run.id, 1, None, b"{}")])
    await storage.rollback_run(run.id)
    assert await storage.get_run(p, thread.id, run.id) is None
    assert await storage.read_events(run.id) == []
    assert (await storage.list_messages(p, thread.id)).total == 0


async def test_orphaned_runs_end_error_and_free_their_threads(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    thread = await storage.create_thread(p)
    run = run_of(p, thread.id)
    await storage.start_run(p, run)
    await storage.set_run_status(run.id, "running")
    recovered = await storage.recover_orphaned_runs("server stopped")
    assert run.id in {r.id for r, _, _ in recovered}
    after = await storage.get_run(p, thread.id, run.id)
    assert after is not None and after.status == "error" and after.error == "server stopped"
    t = await storage.get_thread(p, thread.id)
    assert t is not None and t.status == "idle"


async def test_store_is_per_org(storage: SQLStorage) -> None:
    a, b = new_org(), new_org()
    await storage.store_put(a, "users.u1", "prefs", {"lang": "zh"})
    await storage.store_put(a, "users.u1", "prefs", {"lang": "en"})  # replaces
    await storage.store_put(a, "users.u2", "prefs", {"lang": "fr"})
    got = await storage.store_get(a, "users.u1", "prefs")
    assert got is not None and got["value"] == {"lang": "en"} and got["namespace"] == ["users", "u1"]
    assert await storage.store_get(b, "users.u1", "prefs") is None
    assert len(await storage.store_search(a, "users")) == 2
    assert await storage.store_search(b, "users") == []
    assert await storage.store_namespaces(a, "") == ["users.u1", "users.u2"]
    assert await storage.store_delete(a, "users.u1", "prefs")
    assert not await storage.store_delete(a, "users.u1", "prefs")


async def test_a_run_is_found_by_its_id_alone_and_deleted_once_finished(storage: SQLStorage) -> None:
    alice = Principal(org_id=new_org(), kind="secret", key_id="k", user_id="alice")
    mallory = Principal(org_id=alice.org_id, kind="secret", key_id="k", user_id="mallory")
    thread = await storage.create_thread(alice)
    run = run_of(alice, thread.id)
    await storage.start_run(alice, run, messages=[human(thread.id, run.id)])
    await storage.append_events([(run.id, 1, None, b"{}")])
    found = await storage.find_run(alice, run.id)
    assert found is not None and found.thread_id == thread.id
    assert await storage.find_run(mallory, run.id) is None  # another principal's thread
    assert await storage.find_run(Principal(org_id=new_org(), kind="key"), run.id) is None
    assert await storage.find_run(alice, "no-such-run") is None
    # Live: not deleted.
    assert not await storage.delete_run(alice, thread.id, run.id)
    await storage.finish_run(run, status="success", thread_status="idle")
    assert not await storage.delete_run(mallory, thread.id, run.id)
    assert not await storage.delete_run(alice, "another-thread", run.id)
    assert await storage.delete_run(alice, thread.id, run.id)
    assert await storage.get_run_by_id(run.id) is None and await storage.read_events(run.id) == []
    assert (await storage.list_messages(alice, thread.id)).total == 1  # the conversation stays
    assert not await storage.delete_run(alice, thread.id, run.id)
