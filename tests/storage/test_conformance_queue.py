"""Conformance for the durable run queue and the process table (storage/sql/queue.py): the same checks on
SQLite and PostgreSQL. Written against the queue methods as they are; kept apart so a queue redesign
changes this file only."""

from __future__ import annotations

import secrets
import time

from tests.harness.app import new_org
from tests.storage.test_conformance_runs import human, run_of
from xpert_server.auth.principal import Principal
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import QueuePlacement, RunRecord


def _queue() -> str:
    return f"q-{secrets.token_hex(4)}"  # each test its own queue: the session's storage is shared


def _process(worker_id: str, heartbeat_at: float) -> dict[str, object]:
    return {
        "id": worker_id,
        "kind": "worker",
        "host": "test",
        "pid": 1,
        "proc_start": None,
        "concurrency": 2,
        "running": 0,
        "version": "test",
        "started_at": heartbeat_at,
        "heartbeat_at": heartbeat_at,
    }


async def _queued(
    storage: SQLStorage, queue: str, *, busy_first: bool = False
) -> tuple[Principal, RunRecord]:
    """A run accepted into `queue` (ready), on a thread of a fresh org."""
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    thread = await storage.create_thread(p)
    run = run_of(p, thread.id)
    await storage.start_run(p, run, placement=QueuePlacement(state="ready", queue=queue))
    return p, run


async def test_processes_register_heartbeat_list_and_are_pruned(storage: SQLStorage) -> None:
    me, dead = f"w-{secrets.token_hex(4)}", f"w-{secrets.token_hex(4)}"
    now = time.time()
    await storage.register_process(_process(me, now))
    await storage.register_process(_process(dead, now - 3600))
    assert {me, dead} <= {row["id"] for row in await storage.list_processes()}
    renewal = await storage.heartbeat(me, running=1)
    assert renewal is not None and renewal.owned == set() and renewal.cancelled == set()
    assert await storage.prune_processes(now - 60) >= 1
    ids = {row["id"] for row in await storage.list_processes()}
    assert me in ids and dead not in ids
    assert await storage.heartbeat(dead, running=0) is None  # pruned: the caller must register again
    await storage.deregister_process(me)
    assert me not in {row["id"] for row in await storage.list_processes()}


async def test_a_ready_run_is_claimed_once_renewed_confirmed_and_released(storage: SQLStorage) -> None:
    queue = _queue()
    _, run = await _queued(storage, queue)
    assert (await storage.queue_counts(queue)).get("ready") == 1
    lease = time.time() + 30
    (claim,) = await storage.claim_runs("w1", 10, lease, queue=queue)
    assert claim.run.id == run.id and claim.attempt == 1 and not claim.cancel and claim.last_seq == 0
    assert await storage.claim_runs("w2", 10, lease, queue=queue) == []  # leased: nobody else gets it
    await storage.register_process(_process("w1", time.time()))
    renewal = await storage.heartbeat("w1", 1, [run.id], lease + 30)
    assert renewal is not None and renewal.owned == {run.id}
    assert await storage.confirm_lease(run.id, "w1", 1, lease + 60)
    assert not await storage.confirm_lease(run.id, "w2", 1, lease + 60)
    assert not await storage.confirm_lease(run.id, "w1", 2, lease + 60)
    assert await storage.release_run(run.id, "w1")
    assert not await storage.release_run(run.id, "w1")  # not leased any more
    (again,) = await storage.claim_runs("w2", 10, lease, run_id=run.id)
    assert again.attempt == 1  # a released attempt is not counted
    await storage.deregister_process("w1")


async def test_a_leased_run_ends_only_while_its_attempt_holds_the_lease(storage: SQLStorage) -> None:
    queue = _queue()
    _, run = await _queued(storage, queue)
    (claim,) = await storage.claim_runs("w1", 10, time.time() + 30, queue=queue)
    assert not await storage.finish_leased_run(claim.run, "w2", 1, status="success", thread_status="idle")
    assert not await storage.finish_leased_run(claim.run, "w1", 2, status="success", thread_status="idle")
    still = await storage.get_run_by_id(run.id)
    assert still is not None and still.status == "pending"  # a refused end wrote nothing
    assert await storage.finish_leased_run(claim.run, "w1", 1, status="success", thread_status="idle")
    done = await storage.get_run_by_id(run.id)
    assert done is not None and done.status == "success"
    assert (await storage.queue_counts(queue)) == {}  # its queue row went with it
    assert not await storage.finish_leased_run(claim.run, "w1", 1, status="error", thread_status="idle")


async def test_expired_leases_are_requeued_then_ended_after_the_last_attempt(storage: SQLStorage) -> None:
    queue = _queue()
    p, run = await _queued(storage, queue)
    past = time.time() - 1
    await storage.claim_runs("w1", 1, past, queue=queue)
    again, ended = await storage.reap_expired(time.time(), 2, "worker lost")
    assert run.id in again and run.id not in {r.id for r, _, _ in ended}
    (second,) = await storage.claim_runs("w2", 1, past, queue=queue)
    assert second.attempt == 2
    again, ended = await storage.reap_expired(time.time(), 2, "worker lost")
    assert run.id not in again and run.id in {r.id for r, _, _ in ended}
    after = await storage.get_run_by_id(run.id)
    assert after is not None and after.status == "error" and after.error == "worker lost"
    assert (await storage.queue_counts(queue)) == {}


async def test_a_run_waiting_behind_its_thread_activates_or_is_cancelled(storage: SQLStorage) -> None:
    queue = _queue()
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    thread = await storage.create_thread(p)
    first, second, third = run_of(p, thread.id), run_of(p, thread.id), run_of(p, thread.id)
    placement = QueuePlacement(state="ready", queue=queue)
    await storage.start_run(p, first, placement=placement)
    assert (await storage.start_run(p, second, enqueue=True, placement=placement)).queued
    assert (await storage.start_run(p, third, enqueue=True, placement=placement)).queued
    waiting = await storage.next_waiting(thread.id)
    assert waiting is not None and waiting.id == second.id
    assert await storage.activate_waiting(second, title=None, messages=[]) == "busy"
    assert await storage.cancel_waiting(third.id)
    assert not await storage.cancel_waiting(third.id)
    cancelled = await storage.get_run_by_id(third.id)
    assert cancelled is not None and cancelled.status == "interrupted"
    await storage.finish_run(first, status="success", thread_status="idle")
    assert (
        await storage.activate_waiting(second, title="Next", messages=[human(thread.id, second.id)])
        == "ready"
    )
    assert await storage.activate_waiting(second, title=None, messages=[]) == "gone"
    assert await storage.next_waiting(thread.id) is None
    (claim,) = await storage.claim_runs("w1", 10, time.time() + 30, queue=queue)
    assert claim.run.id == second.id


async def test_cancel_requests_count_once_and_reach_the_lease_holder(storage: SQLStorage) -> None:
    queue = _queue()
    _, run = await _queued(storage, queue)
    await storage.claim_runs("w1", 1, time.time() + 30, queue=queue)
    assert await storage.request_cancel(run.id) == "lease"
    assert await storage.request_cancel(run.id) is None  # already asked
    assert await storage.request_cancel("no-such-run") is None
    await storage.register_process(_process("w1", time.time()))
    renewal = await storage.heartbeat("w1", 1, [run.id], time.time() + 30)
    assert renewal is not None and renewal.cancelled == {run.id}
    await storage.deregister_process("w1")


async def test_end_runs_ends_live_runs_as_error_and_counts_follow(storage: SQLStorage) -> None:
    queue = _queue()
    _, run = await _queued(storage, queue)
    before = await storage.run_counts()
    ((ended, _, _),) = await storage.end_runs([run.id], "the xpert is gone")
    assert ended.id == run.id
    after = await storage.get_run_by_id(run.id)
    assert after is not None and after.status == "error" and after.error == "the xpert is gone"
    assert await storage.end_runs([run.id], "again") == []  # already ended
    assert (await storage.queue_counts(queue)) == {}
    counts = await storage.run_counts()
    assert counts.get("error", 0) == before.get("error", 0) + 1


async def test_recovery_ends_only_the_runs_a_dead_process_held(storage: SQLStorage) -> None:
    """`recover_orphaned_runs(is_alive=…)`: a dead process's runs — `local` to it, or `wait`ing behind a
    busy thread in its memory — end `error`; a live process's runs and the durable queue's (waiting or
    ready, held by no process) are spared."""
    live, dead, queue = f"p-{secrets.token_hex(4)}", f"p-{secrets.token_hex(4)}", _queue()
    now = time.time()
    await storage.register_process(_process(live, now))
    await storage.register_process(_process(dead, now))

    async def busy_thread_and_waiting(placement: QueuePlacement) -> tuple[RunRecord, RunRecord]:
        p = Principal(org_id=new_org(), kind="key", key_id="k")
        thread = await storage.create_thread(p)
        first, second = run_of(p, thread.id), run_of(p, thread.id)
        await storage.start_run(p, first, placement=placement)
        await storage.set_run_status(first.id, "running")
        assert (await storage.start_run(p, second, enqueue=True, placement=placement)).queued
        return first, second

    dead_local, dead_waiting = await busy_thread_and_waiting(QueuePlacement("local", worker_id=dead))
    live_local, live_waiting = await busy_thread_and_waiting(QueuePlacement("local", worker_id=live))
    ready, durable_waiting = await busy_thread_and_waiting(QueuePlacement("ready", queue=queue))
    recovered = await storage.recover_orphaned_runs("process died", lambda w: w.id != dead)
    ended = {r.id for r, _, _ in recovered}
    assert {dead_local.id, dead_waiting.id} <= ended
    assert not ended & {live_local.id, live_waiting.id, ready.id, durable_waiting.id}
    # End what the test left live: other tests count the shared storage's `local` rows.
    await storage.end_runs([live_local.id, live_waiting.id, ready.id, durable_waiting.id], "test over")
    await storage.deregister_process(live)
    await storage.deregister_process(dead)
