"""The durable run queue (scaled mode) and the table of live processes.

A run's `run_queue` row is its live work: `wait` → `ready` → `lease` (claimed with FOR UPDATE SKIP
LOCKED, so two workers never take one row) → deleted by `finish_run` in the transaction that ends the
run. Leases expire unless renewed; the reaper puts an expired run back to `ready` (a new attempt) or,
after the last attempt, ends it `error`. On SQLite the single writer thread serialises the same
statements (SKIP LOCKED renders as nothing there).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from xpert_server.storage import schema as t
from xpert_server.storage.records import MessageRecord, RunRecord, TokenUsage
from xpert_server.storage.sql.core import SQLCore
from xpert_server.storage.sql.runs import _message_values, end_runs_as_error, run_from_row, write_run_end
from xpert_server.storage.sql.webhooks import enqueue_run_event

Q, W, R, T, M, E = t.run_queue, t.workers, t.runs, t.threads, t.messages, t.run_events
Ended = tuple[RunRecord, str | None, str | None]


@dataclass(frozen=True)
class Claim:
    """A run a worker now holds: its record, which attempt this is, and whether a cancel came first."""

    run: RunRecord
    attempt: int
    cancel: bool
    last_seq: int | None = None  # the run's last stored frame id when claimed (None: not looked up)


@dataclass(frozen=True)
class Renewal:
    """A heartbeat's answer: the runs still leased to this worker, and those a client asked to cancel."""

    owned: set[str]
    cancelled: set[str]


class QueueMixin(SQLCore):
    # ---- processes --------------------------------------------------------------------------------
    async def register_process(self, row: dict[str, Any]) -> None:
        def op(conn: Connection) -> None:
            conn.execute(delete(W).where(W.c.id == row["id"]))
            conn.execute(insert(W).values(**row))

        await self.write(op)

    async def deregister_process(self, worker_id: str) -> None:
        await self.write(lambda conn: conn.execute(delete(W).where(W.c.id == worker_id)))

    async def list_processes(self) -> list[dict[str, Any]]:
        return await self.read(lambda conn: [dict(r._mapping) for r in conn.execute(select(W))])

    async def prune_processes(self, before: float) -> int:
        stmt = delete(W).where(W.c.heartbeat_at < before)
        return await self.write(lambda conn: int(conn.execute(stmt).rowcount or 0))

    async def heartbeat(
        self, worker_id: str, running: int, leases: Sequence[str] = (), lease_until: float | None = None
    ) -> Renewal | None:
        """Refresh this process's row and renew its leases. None when its row is gone (pruned as dead
        while it was stalled): the caller registers again and treats its leases as lost."""
        now = time.time()

        def op(conn: Connection) -> Renewal | None:
            res = conn.execute(update(W).where(W.c.id == worker_id).values(heartbeat_at=now, running=running))
            if res.rowcount == 0:
                return None
            if not leases:
                return Renewal(set(), set())
            mine = and_(Q.c.run_id.in_(list(leases)), Q.c.worker_id == worker_id, Q.c.state == "lease")
            conn.execute(update(Q).where(mine).values(lease_until=lease_until))
            rows = conn.execute(select(Q.c.run_id, Q.c.cancel).where(mine)).all()
            return Renewal({r.run_id for r in rows}, {r.run_id for r in rows if r.cancel})

        return await self.write(op)

    # ---- claiming ---------------------------------------------------------------------------------
    async def claim_runs(
        self, worker_id: str, limit: int, lease_until: float, *, queue: str = "", run_id: str | None = None
    ) -> list[Claim]:
        """Lease up to `limit` ready runs of `queue` (oldest first), or exactly `run_id` when it is ready."""

        def op(conn: Connection) -> list[Claim]:
            q = select(Q.c.run_id).where(Q.c.state == "ready")
            q = q.where(Q.c.run_id == run_id) if run_id is not None else q.where(Q.c.queue == queue)
            ids = list(
                conn.execute(
                    q.order_by(Q.c.ready_at).limit(limit).with_for_update(skip_locked=True)
                ).scalars()
            )
            if not ids:
                return []
            conn.execute(
                update(Q)
                .where(Q.c.run_id.in_(ids), Q.c.state == "ready")
                .values(state="lease", worker_id=worker_id, lease_until=lease_until, attempt=Q.c.attempt + 1)
            )
            rows = conn.execute(
                select(R, Q.c.attempt.label("q_attempt"), Q.c.cancel.label("q_cancel"))
                .join(Q, Q.c.run_id == R.c.id)
                .where(R.c.id.in_(ids), Q.c.worker_id == worker_id, Q.c.state == "lease")
            ).all()
            gone = set(ids) - {r.id for r in rows}
            if gone:  # queue rows whose run was deleted meanwhile: nothing to execute
                conn.execute(delete(Q).where(Q.c.run_id.in_(list(gone))))
            if not rows:
                return []
            # Where each attempt's frame ids continue, read here rather than one query per run after.
            tops = (
                select(E.c.run_id, func.max(E.c.seq))
                .where(E.c.run_id.in_([r.id for r in rows]))
                .group_by(E.c.run_id)
            )
            last = {run_id: top for run_id, top in conn.execute(tops)}
            return [
                Claim(run_from_row(r), int(r.q_attempt), bool(r.q_cancel), int(last.get(r.id) or 0))
                for r in rows
            ]

        return await self.write(op)

    async def confirm_lease(self, run_id: str, worker_id: str, attempt: int, lease_until: float) -> bool:
        """Extend one lease if it is still ours (this attempt): the fence before a run's final writes."""
        stmt = (
            update(Q)
            .where(
                Q.c.run_id == run_id, Q.c.worker_id == worker_id, Q.c.attempt == attempt, Q.c.state == "lease"
            )
            .values(lease_until=lease_until)
        )
        return await self.write(lambda conn: (conn.execute(stmt).rowcount or 0) == 1)

    async def finish_leased_run(
        self,
        run: RunRecord,
        worker_id: str,
        attempt: int,
        *,
        status: str,
        thread_status: str,
        error: str | None = None,
        messages: Sequence[MessageRecord] = (),
        usage: Sequence[TokenUsage] = (),
    ) -> bool:
        """`finish_run` for a leased run, only while this worker holds this attempt's lease, in one
        transaction (it was two writes: `confirm_lease`, then `finish_run`). False: the lease is gone,
        nothing written."""
        held = update(Q).where(
            Q.c.run_id == run.id, Q.c.worker_id == worker_id, Q.c.attempt == attempt, Q.c.state == "lease"
        )
        now = time.time()

        def op(conn: Connection) -> bool:
            # A row lock until the end of the transaction: no reaper can take the run meanwhile.
            if (conn.execute(held.values(lease_until=Q.c.lease_until)).rowcount or 0) != 1:
                return False
            write_run_end(conn, run, status, thread_status, error, messages, usage, now)
            return True

        return await self.write(op)

    async def release_run(self, run_id: str, worker_id: str) -> bool:
        """Hand a claimed run back (graceful shutdown): ready again, and the attempt not counted."""
        stmt = (
            update(Q)
            .where(Q.c.run_id == run_id, Q.c.worker_id == worker_id, Q.c.state == "lease")
            .values(state="ready", worker_id=None, lease_until=None, attempt=Q.c.attempt - 1)
        )
        return await self.write(lambda conn: (conn.execute(stmt).rowcount or 0) == 1)

    async def reap_expired(self, now: float, max_attempts: int, reason: str) -> tuple[list[str], list[Ended]]:
        """Leases that ran out (their worker died or stalled): back to `ready` for another attempt, or
        ended `error` once `max_attempts` were made. Returns (re-queued run ids, ended runs)."""

        def op(conn: Connection) -> tuple[list[str], list[Ended]]:
            rows = conn.execute(
                select(Q.c.run_id, Q.c.attempt)
                .where(Q.c.state == "lease", Q.c.lease_until < now)
                .with_for_update(skip_locked=True)
            ).all()
            again = [r.run_id for r in rows if r.attempt < max_attempts]
            spent = [r.run_id for r in rows if r.attempt >= max_attempts]
            if again:
                conn.execute(
                    update(Q)
                    .where(Q.c.run_id.in_(again))
                    .values(state="ready", worker_id=None, lease_until=None)
                )
            ended: list[Ended] = []
            if spent:
                runs = [run_from_row(r) for r in conn.execute(select(R).where(R.c.id.in_(spent)))]
                ended = end_runs_as_error(conn, runs, reason, now)
                conn.execute(delete(Q).where(Q.c.run_id.in_(spent)))
            return again, ended

        return await self.write(op)

    # ---- threads' queues --------------------------------------------------------------------------
    async def next_waiting(self, thread_id: str) -> RunRecord | None:
        """The oldest run queued behind this thread's current one (multitask_strategy `enqueue`)."""
        q = (
            select(R)
            .join(Q, Q.c.run_id == R.c.id)
            .where(Q.c.thread_id == thread_id, Q.c.state == "wait")
            .order_by(Q.c.ready_at, Q.c.run_id)
            .limit(1)
        )
        return await self.read(
            lambda conn: (lambda r: None if r is None else run_from_row(r))(conn.execute(q).first())
        )

    async def activate_waiting(
        self,
        run: RunRecord,
        *,
        title: str | None,
        messages: Sequence[MessageRecord],
        local_to: str | None = None,
    ) -> str:
        """Start a run queued behind its thread once the thread is free: thread busy, messages stored, and
        the run `ready` for the durable queue's workers — or, with `local_to` (a process id), `local` to
        that process, which executes it itself (embedded mode). The one enqueue path of both modes.
        Returns `ready` (done), `busy` (the thread is taken) or `gone` (the run no longer waits)."""
        now = time.time()

        def op(conn: Connection) -> str:
            row = conn.execute(select(Q.c.state).where(Q.c.run_id == run.id).with_for_update()).first()
            if row is None or row.state != "wait":
                return "gone"
            res = conn.execute(
                update(T)
                .where(T.c.id == run.thread_id, T.c.status != "busy")
                .values(status="busy", title=func.coalesce(T.c.title, title), updated_at=now, error=None)
            )
            if res.rowcount == 0:
                return "busy"
            if messages:
                conn.execute(insert(M), [_message_values(run.org_id, m) for m in messages])
            state = "ready" if local_to is None else "local"
            conn.execute(
                update(Q).where(Q.c.run_id == run.id).values(state=state, worker_id=local_to, ready_at=now)
            )
            return "ready"

        return await self.write(op)

    async def end_runs(self, run_ids: Sequence[str], reason: str) -> list[Ended]:
        """End runs that cannot execute (their thread or xpert is gone): `error`, with the reason."""
        now = time.time()

        def op(conn: Connection) -> list[Ended]:
            runs = [
                run_from_row(r)
                for r in conn.execute(
                    select(R).where(R.c.id.in_(list(run_ids)), R.c.status.in_(("pending", "running")))
                )
            ]
            ended = end_runs_as_error(conn, runs, reason, now)
            conn.execute(delete(Q).where(Q.c.run_id.in_(list(run_ids))))
            return ended

        return await self.write(op)

    # ---- cancelling -------------------------------------------------------------------------------
    async def request_cancel(self, run_id: str) -> str | None:
        """Record a cancel request. Returns the run's queue state when this request is the first one
        (`wait`, `ready`, `lease` or `local`), None when the run has no live work or was cancelled already."""

        def op(conn: Connection) -> str | None:
            row = conn.execute(
                select(Q.c.state, Q.c.cancel).where(Q.c.run_id == run_id).with_for_update()
            ).first()
            if row is None or row.cancel:
                return None
            conn.execute(update(Q).where(Q.c.run_id == run_id).values(cancel=1))
            return str(row.state)

        return await self.write(op)

    async def cancel_waiting(self, run_id: str) -> bool:
        """End a run still queued behind its thread: `interrupted`, without ever running."""
        now = time.time()

        def op(conn: Connection) -> bool:
            gone = conn.execute(delete(Q).where(Q.c.run_id == run_id, Q.c.state == "wait")).rowcount
            if not gone:
                return False
            error = "Cancelled before it started."
            ended = conn.execute(
                update(R)
                .where(R.c.id == run_id, R.c.status == "pending")
                .values(status="interrupted", error=error, updated_at=now)
            ).rowcount
            row = conn.execute(select(R).where(R.c.id == run_id)).first() if ended else None
            if row is not None:
                run = run_from_row(row)
                enqueue_run_event(conn, run, status="interrupted", thread_status="idle", error=error, now=now)
            return True

        return await self.write(op)

    # ---- numbers for /info and /metrics -----------------------------------------------------------
    async def queue_counts(self, queue: str | None = None) -> dict[str, int]:
        q = select(Q.c.state, func.count()).group_by(Q.c.state)
        if queue is not None:
            q = q.where(or_(Q.c.queue == queue, Q.c.state == "local"))
        return await self.read(lambda conn: {str(s): int(n) for s, n in conn.execute(q)})

    async def run_counts(self) -> dict[str, int]:
        q = select(R.c.status, func.count()).group_by(R.c.status)
        return await self.read(lambda conn: {str(s): int(n) for s, n in conn.execute(q)})
