"""Runs, their stored frames, and the conversation's messages."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)

from xpert_server.auth.principal import Principal
from xpert_server.storage import schema as t
from xpert_server.storage.records import (
    TERMINAL_RUN_STATUSES,
    IdempotencyMismatch,
    MessageRecord,
    NothingToResume,
    Page,
    QueuePlacement,
    RunRecord,
    StartResult,
    ThreadBound,
    ThreadBusy,
    TokenUsage,
)
from xpert_server.storage.sql.core import SQLCore
from xpert_server.storage.sql.prepared import MESSAGE_INSERT, MESSAGE_UPDATE, RUN_STATUS, THREAD_STATUS
from xpert_server.storage.sql.threads import thread_from_row
from xpert_server.storage.sql.usage import record_usage
from xpert_server.storage.sql.webhooks import enqueue_run_event

R, T, M, E = t.runs, t.threads, t.messages, t.run_events
FRAMES_UNNEST = text(
    "INSERT INTO run_events (run_id, seq, event, data, created_at) "
    "SELECT * FROM unnest(CAST(:r AS varchar[]), CAST(:s AS integer[]), CAST(:e AS varchar[]), "
    "CAST(:d AS bytea[]), CAST(:c AS double precision[]))"
)

FRAMES_INSERT = "INSERT INTO run_events (run_id, seq, event, data, created_at) VALUES (?, ?, ?, ?, ?)"


def run_from_row(row: Any) -> RunRecord:
    return RunRecord(
        id=row.id,
        org_id=row.org_id,
        thread_id=row.thread_id,
        assistant_id=row.assistant_id,
        status=row.status,
        input=row.input,
        kwargs=row.kwargs or {},
        metadata=row.metadata or {},
        created_by=row.created_by,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def message_from_row(row: Any) -> MessageRecord:
    return MessageRecord(
        id=row.id,
        thread_id=row.thread_id,
        role=row.role,
        content=row.content,
        reasoning=row.reasoning,
        files=row.files,
        status=row.status,
        error=row.error,
        execution_id=row.execution_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class RunsMixin(SQLCore):
    async def start_run(
        self,
        p: Principal,
        run: RunRecord,
        *,
        title: str | None = None,
        messages: Sequence[MessageRecord] = (),
        enqueue: bool = False,
        resume: bool = False,
        resume_target: str | None = None,
        idempotency: tuple[str, str, str] | None = None,
        placement: QueuePlacement | None = None,
    ) -> StartResult:
        """Accept a run: mark its thread busy (atomically), bind the assistant, store run and messages.

        `enqueue`: a busy thread queues the run (pending) instead of refusing it. `resume`: the thread
        must be waiting on an interrupt. `idempotency`: (credential id, key, request hash) — a repeat
        returns the first run. Raises LookupError (thread not visible), ThreadBound, ThreadBusy,
        NothingToResume, IdempotencyMismatch. `placement`: the run's `run_queue` row (scale-out), stored
        in the same transaction so no accepted run is ever without its owner or queue entry.
        """
        visible = self.visible_threads(p)

        def op(conn: Connection) -> StartResult:
            if idempotency is not None:
                found = _idempotent_run(conn, idempotency)
                if found is not None:
                    return StartResult(existing_run=found)
            if resume and resume_target is not None:
                # Only the execution that is waiting may be resumed: a late duplicate of an earlier
                # resume must not answer the thread's next question.
                latest = conn.execute(
                    select(R.c.id, R.c.status)
                    .where(R.c.thread_id == run.thread_id)
                    .order_by(R.c.created_at.desc(), R.c.id.desc())
                    .limit(1)
                ).first()
                if latest is None or latest.id != resume_target or latest.status != "interrupted":
                    raise NothingToResume(run.thread_id)
            status_ok = T.c.status == "interrupted" if resume else T.c.status != "busy"
            claim_thread = (
                update(T)
                .where(
                    T.c.id == run.thread_id,
                    visible,
                    status_ok,
                    or_(T.c.assistant_id.is_(None), T.c.assistant_id == run.assistant_id),
                )
                .values(
                    status="busy",
                    assistant_id=run.assistant_id,
                    title=func.coalesce(T.c.title, title),
                    updated_at=run.created_at,
                    updated_by=p.user_id,
                    error=None,
                )
            )
            pg = conn.dialect.name == "postgresql"
            if pg:  # round trips are PostgreSQL's cost: the updated row comes back with the update
                row = conn.execute(claim_thread.returning(*T.c)).first()
                taken = row is not None
                if not taken:
                    row = conn.execute(select(T).where(T.c.id == run.thread_id, visible)).first()
            else:
                taken = (conn.execute(claim_thread).rowcount or 0) > 0
                row = conn.execute(select(T).where(T.c.id == run.thread_id, visible)).first()
            queued = False
            if not taken:
                if row is None:
                    raise LookupError(run.thread_id)
                if row.assistant_id is not None and row.assistant_id != run.assistant_id:
                    raise ThreadBound(row.assistant_id)
                if row.status != "busy":
                    raise NothingToResume(run.thread_id)
                if not enqueue:
                    raise ThreadBusy(run.thread_id)
                queued = True
            inserts: list[Any] = [insert(R).values(**_run_values(run), key_id=p.key_id or p.secret_id)]
            if placement is not None:
                # Queued behind a busy thread: `wait`, in either mode, until `activate_waiting` (the one
                # enqueue path) makes it `ready` (durable) or `local` to its process (in-process).
                state = "wait" if queued else placement.state
                inserts.append(
                    insert(t.run_queue).values(
                        run_id=run.id,
                        thread_id=run.thread_id,
                        state=state,
                        queue=placement.queue,
                        worker_id=placement.worker_id,
                        attempt=0,
                        cancel=0,
                        ready_at=run.created_at,
                    )
                )
            if messages and not queued:
                inserts.append(insert(M).values([_message_values(p.org_id, m) for m in messages]))
            if idempotency is not None:
                cred, key, digest = idempotency
                inserts.append(
                    insert(t.idempotency_keys).values(
                        credential_id=cred,
                        key=key,
                        run_id=run.id,
                        request_hash=digest,
                        created_at=run.created_at,
                    )
                )
            if pg:
                # One statement: the inserts as data-modifying CTEs (each runs once, to completion).
                inserts.append(
                    insert(t.audit_log).values(
                        org_id=p.org_id,
                        key_id=p.key_id or p.secret_id,
                        principal_user_id=p.user_id,
                        action="create",
                        resource_type="run",
                        resource_id=run.id,
                        at=time.time(),
                    )
                )
                conn.execute(select(literal(1)).add_cte(*(s.cte(f"w{i}") for i, s in enumerate(inserts))))
            else:
                for stmt in inserts:
                    conn.execute(stmt)
                self.audit(conn, p, "create", "run", run.id)
            return StartResult(thread=thread_from_row(row), queued=queued)

        return await self.write(op)

    async def rollback_run(self, run_id: str, title: str | None = None) -> None:
        """Undo a run's record: the run, its frames, its messages and their feedback; and the title it
        gave its thread (`title`, derived from its message) when it was the thread's only run."""

        def op(conn: Connection) -> None:
            run = conn.execute(select(R.c.thread_id).where(R.c.id == run_id)).first()
            message_ids = select(M.c.id).where(M.c.execution_id == run_id).scalar_subquery()
            conn.execute(delete(t.feedbacks).where(t.feedbacks.c.message_id.in_(message_ids)))
            conn.execute(delete(M).where(M.c.execution_id == run_id))
            conn.execute(delete(E).where(E.c.run_id == run_id))
            conn.execute(delete(t.idempotency_keys).where(t.idempotency_keys.c.run_id == run_id))
            conn.execute(delete(t.run_queue).where(t.run_queue.c.run_id == run_id))
            conn.execute(delete(R).where(R.c.id == run_id))
            if run is not None and title is not None:
                others = conn.execute(
                    select(func.count()).select_from(R).where(R.c.thread_id == run.thread_id)
                )
                if others.scalar_one() == 0:
                    conn.execute(
                        update(T).where(T.c.id == run.thread_id, T.c.title == title).values(title=None)
                    )

        await self.write(op)

    async def recover_orphaned_runs(
        self, reason: str, is_alive: Callable[[Any], bool] | None = None
    ) -> list[tuple[RunRecord, str | None, str | None]]:
        """Runs left pending/running by a dead process end `error`; their threads go idle.
        Returns (run, its AI message id, its conversation id) for the closing frames.

        `is_alive(workers row)` spares the runs of live processes: only runs with no live work (no
        `run_queue` row, as before scale-out) or held by a dead process (`local` to it, or `wait`ing in its
        memory behind a busy thread) are ended; the durable queue's runs (no process named, or `ready`
        or leased) are the reaper's. Without it, every pending/running run is ended."""
        now = time.time()

        def op(conn: Connection) -> list[tuple[RunRecord, str | None, str | None]]:
            cond: ColumnElement[bool] = R.c.status.in_(("pending", "running"))
            if is_alive is not None:
                Q = t.run_queue
                live = [w.id for w in conn.execute(select(t.workers)) if is_alive(w)]
                spared = select(Q.c.run_id).where(
                    or_(Q.c.state.in_(("ready", "lease")), Q.c.worker_id.is_(None), Q.c.worker_id.in_(live))
                )
                cond = and_(cond, R.c.id.not_in(spared))
            rows = [run_from_row(r) for r in conn.execute(select(R).where(cond))]
            return end_runs_as_error(conn, rows, reason, now)

        return await self.write(op)

    async def delete_idempotency_before(self, cutoff: float) -> int:
        stmt = delete(t.idempotency_keys).where(t.idempotency_keys.c.created_at < cutoff)
        return await self.write(lambda conn: int(conn.execute(stmt).rowcount or 0))

    async def find_idempotent_run(self, credential_id: str, key: str, digest: str) -> RunRecord | None:
        return await self.read(lambda conn: _idempotent_run(conn, (credential_id, key, digest)))

    async def set_run_status(self, run_id: str, status: str, error: str | None = None) -> None:
        now = time.time()
        params = {"b_id": run_id, "b_status": status, "b_error": error, "b_now": now}
        await self.write(lambda conn: conn.execute(RUN_STATUS, params))

    async def finish_run(
        self,
        run: RunRecord,
        *,
        status: str,
        thread_status: str,
        error: str | None = None,
        messages: Sequence[MessageRecord] = (),
        usage: Sequence[TokenUsage] = (),
    ) -> None:
        """Commit a run's end: its status, its thread's status, the messages it produced, the tokens it
        spent and its webhook event, together."""
        now = time.time()

        def op(conn: Connection) -> None:
            conn.execute(RUN_STATUS, {"b_id": run.id, "b_status": status, "b_error": error, "b_now": now})
            conn.execute(delete(t.run_queue).where(t.run_queue.c.run_id == run.id))  # its live work is over
            conn.execute(
                THREAD_STATUS,
                {"b_id": run.thread_id, "b_status": thread_status, "b_error": error, "b_now": now},
            )
            for m in messages:
                _upsert_message(conn, run.org_id, m)
            if usage:
                record_usage(conn, run, usage, now)
            enqueue_run_event(conn, run, status=status, thread_status=thread_status, error=error, now=now)

        await self.write(op)

    async def get_run(self, p: Principal, thread_id: str, run_id: str) -> RunRecord | None:
        q = (
            select(R)
            .join(T, T.c.id == R.c.thread_id)
            .where(R.c.id == run_id, R.c.thread_id == thread_id, self.visible_threads(p))
        )
        return await self.read(lambda conn: _run_or_none(conn.execute(q).first()))

    async def get_run_by_id(self, run_id: str) -> RunRecord | None:
        """Unscoped: for executors, which act for the run's own principal."""
        q = select(R).where(R.c.id == run_id)
        return await self.read(lambda conn: _run_or_none(conn.execute(q).first()))

    async def find_run(self, p: Principal, run_id: str) -> RunRecord | None:
        """A run named by its id alone (a stateless run's join names no thread), if `p` may see its thread."""
        q = select(R).join(T, T.c.id == R.c.thread_id).where(R.c.id == run_id, self.visible_threads(p))
        return await self.read(lambda conn: _run_or_none(conn.execute(q).first()))

    async def delete_run(self, p: Principal, thread_id: str, run_id: str) -> bool:
        """Delete a finished run with its frames and idempotency keys. False when the run is not there, its
        thread is not visible to `p`, or it has not finished (a live run is cancelled first, by the caller).
        Its messages and checkpoints stay: they are the thread's conversation and state."""
        visible = self.visible_threads(p)

        def op(conn: Connection) -> bool:
            found = conn.execute(
                select(T.c.public_id)
                .join(R, R.c.thread_id == T.c.id)
                .where(
                    R.c.id == run_id,
                    R.c.thread_id == thread_id,
                    R.c.status.in_(TERMINAL_RUN_STATUSES),
                    visible,
                )
            ).first()
            if found is None:
                return False
            conn.execute(delete(E).where(E.c.run_id == run_id))
            conn.execute(delete(t.idempotency_keys).where(t.idempotency_keys.c.run_id == run_id))
            conn.execute(delete(t.run_queue).where(t.run_queue.c.run_id == run_id))
            conn.execute(delete(R).where(R.c.id == run_id))
            self.audit(conn, p, "delete", "run", run_id)
            return True

        return await self.write(op)

    async def list_runs(
        self, p: Principal, thread_id: str, *, limit: int = 10, offset: int = 0, status: str | None = None
    ) -> list[RunRecord]:
        cond = and_(R.c.thread_id == thread_id, self.visible_threads(p))
        if status:
            cond = and_(cond, R.c.status == status)
        q = select(R).join(T, T.c.id == R.c.thread_id).where(cond).order_by(R.c.created_at.desc(), R.c.id)
        q = q.limit(limit).offset(offset)
        return await self.read(lambda conn: [run_from_row(r) for r in conn.execute(q)])

    async def active_runs(self, thread_id: str) -> list[RunRecord]:
        q = select(R).where(R.c.thread_id == thread_id, R.c.status.in_(("pending", "running")))
        return await self.read(lambda conn: [run_from_row(r) for r in conn.execute(q)])

    # ---- frames ---------------------------------------------------------------------------------
    async def append_events(self, rows: Sequence[tuple[str, int, str | None, bytes]]) -> None:
        """Store frames (run_id, seq, event, data) in one transaction: the group commit of the event log.

        Written through the `frames` lane (its own writer connection on PostgreSQL): the event log stores
        one batch at a time, so each run's frames still commit in id order. On PostgreSQL the batch is
        one statement (`unnest` of arrays: one round trip, whatever its size)."""
        if not rows:
            return
        now = time.time()

        def op(conn: Connection) -> None:
            if conn.dialect.name == "postgresql":
                conn.execute(
                    FRAMES_UNNEST,
                    {
                        "r": [r[0] for r in rows],
                        "s": [r[1] for r in rows],
                        "e": [r[2] for r in rows],
                        "d": [r[3] for r in rows],
                        "c": [now] * len(rows),
                    },
                )
                return
            # The driver's executemany on plain tuples: SQLAlchemy's insert with a dict per row spent more
            # CPU (holding the GIL, in this writer thread) than SQLite did storing the frames.
            conn.exec_driver_sql(FRAMES_INSERT, [(r, s, e, d, now) for r, s, e, d in rows])

        assert self._db is not None, "storage is not open"
        await self._db.write(op, lane="frames")

    async def read_events(
        self, run_id: str, after: int = 0, limit: int = 10_000
    ) -> list[tuple[int, str | None, bytes]]:
        q = (
            select(E.c.seq, E.c.event, E.c.data)
            .where(E.c.run_id == run_id, E.c.seq > after)
            .order_by(E.c.seq)
        )
        q = q.limit(limit)
        return await self.read(lambda conn: [(r.seq, r.event, bytes(r.data)) for r in conn.execute(q)])

    async def poll_events(
        self, run_id: str, after: int = 0, limit: int = 10_000
    ) -> tuple[list[tuple[int, str | None, bytes]], str | None]:
        """Frames after `after` and, when there are none, the run's status (None: no such run), in one
        read: what a follower of a run asks the database when Redis has nothing new."""
        q = (
            select(E.c.seq, E.c.event, E.c.data)
            .where(E.c.run_id == run_id, E.c.seq > after)
            .order_by(E.c.seq)
        )
        q = q.limit(limit)
        sq = select(R.c.status).where(R.c.id == run_id)

        def op(conn: Connection) -> tuple[list[tuple[int, str | None, bytes]], str | None]:
            rows = [(r.seq, r.event, bytes(r.data)) for r in conn.execute(q)]
            return rows, (None if rows else conn.execute(sq).scalar())

        return await self.read(op)

    async def last_event_seq(self, run_id: str) -> int:
        q = select(func.max(E.c.seq)).where(E.c.run_id == run_id)
        return await self.read(lambda conn: int(conn.execute(q).scalar() or 0))

    async def delete_events_before(self, cutoff: float) -> int:
        return await self.write(
            lambda conn: int(conn.execute(delete(E).where(E.c.created_at < cutoff)).rowcount or 0)
        )

    # ---- messages -------------------------------------------------------------------------------
    async def keep_streamed_reply(
        self, run_id: str, content: list[dict[str, Any]], reasoning: str | None
    ) -> None:
        """Put on a run's AI message the reply it streamed, for a run ended without its executor."""
        stmt = (
            update(M)
            .where(M.c.execution_id == run_id, M.c.role == "ai")
            .values(content=content, reasoning=reasoning, updated_at=time.time())
        )
        await self.write(lambda conn: conn.execute(stmt))

    async def list_messages(self, p: Principal, thread_id: str, *, limit: int = 100, offset: int = 0) -> Page:
        cond = and_(M.c.thread_id == thread_id, M.c.org_id == p.org_id)

        def op(conn: Connection) -> Page:
            total = conn.execute(select(func.count()).select_from(M).where(cond)).scalar_one()
            rows = conn.execute(
                select(M).where(cond).order_by(M.c.created_at, M.c.id).limit(limit).offset(offset)
            )
            return Page(items=[message_from_row(r) for r in rows], total=int(total))

        return await self.read(op)


def end_runs_as_error(
    conn: Connection, runs: Sequence[RunRecord], reason: str, now: float
) -> list[tuple[RunRecord, str | None, str | None]]:
    """End runs nobody will finish: `error`, thread idle, the reply being written closed as an error.
    Returns (run, its AI message id, its conversation id) for the closing frames."""
    out = []
    for r in runs:
        ai = conn.execute(select(M.c.id).where(M.c.execution_id == r.id, M.c.role == "ai")).scalar()
        conv = conn.execute(select(T.c.conversation_id).where(T.c.id == r.thread_id)).scalar()
        out.append((r, ai, conv))
        conn.execute(update(R).where(R.c.id == r.id).values(status="error", error=reason, updated_at=now))
        conn.execute(delete(t.run_queue).where(t.run_queue.c.run_id == r.id))
        conn.execute(
            update(T).where(T.c.id == r.thread_id, T.c.status == "busy").values(status="idle", updated_at=now)
        )
        conn.execute(
            update(M)
            .where(M.c.execution_id == r.id, M.c.status == "thinking")
            .values(status="error", error=reason, updated_at=now)
        )
        enqueue_run_event(conn, r, status="error", thread_status="idle", error=reason, now=now)
    return out


def _idempotent_run(conn: Connection, idempotency: tuple[str, str, str]) -> RunRecord | None:
    cred, key, digest = idempotency
    keys = t.idempotency_keys
    row = conn.execute(select(keys).where(keys.c.credential_id == cred, keys.c.key == key)).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise IdempotencyMismatch(key)
    return _run_or_none(conn.execute(select(R).where(R.c.id == row.run_id)).first())


def _run_or_none(row: Any) -> RunRecord | None:
    return None if row is None else run_from_row(row)


def _run_values(r: RunRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "org_id": r.org_id,
        "thread_id": r.thread_id,
        "assistant_id": r.assistant_id,
        "status": r.status,
        "input": r.input,
        "kwargs": r.kwargs,
        "metadata": r.metadata,
        "created_by": r.created_by,
        "error": r.error,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


def _message_values(org_id: str, m: MessageRecord) -> dict[str, Any]:
    return {
        "id": m.id,
        "org_id": org_id,
        "thread_id": m.thread_id,
        "role": m.role,
        "content": m.content,
        "reasoning": m.reasoning,
        "files": m.files,
        "status": m.status,
        "error": m.error,
        "execution_id": m.execution_id,
        "created_at": m.created_at,
        "updated_at": m.updated_at,
    }


def _upsert_message(conn: Connection, org_id: str, m: MessageRecord) -> None:
    values = _message_values(org_id, m)
    # A message keeps its creation time: the run's end rewrites the AI message with the run's (earlier)
    # created_at, which would sort the reply before the question it answers.
    params = {
        f"b_{k}": values[k]
        for k in ("role", "content", "reasoning", "files", "status", "error", "execution_id", "updated_at")
    }
    if conn.execute(MESSAGE_UPDATE, {"b_id": m.id, **params}).rowcount == 0:
        conn.execute(MESSAGE_INSERT, values)
