"""Crons and thread ttls (crons/, runs/recovery.py's sweeper).

Which crons a caller sees: its org's; its own when it names an end user; a key bound to one xpert, that
xpert's. Firing reads due crons for every org (`due_crons`) and claims a tick with a compare-and-set on
`next_run_date` (`claim_tick`): of any number of processes that see the same due tick, exactly one moves it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, or_, select, update

from xpert_server.auth.principal import Principal
from xpert_server.storage import schema as t
from xpert_server.storage.records import CronRecord, ThreadTTL
from xpert_server.storage.sql.core import SQLCore

C = t.crons
TTL = t.thread_ttls
T = t.threads
CRON_SORT = {
    "cron_id": C.c.id,
    "assistant_id": C.c.assistant_id,
    "thread_id": C.c.thread_public_id,
    "created_at": C.c.created_at,
    "updated_at": C.c.updated_at,
    "next_run_date": C.c.next_run_date,
    "end_time": C.c.end_time,
}
# What `update_cron` may change.
CRON_FIELDS = (
    "schedule",
    "timezone",
    "end_time",
    "payload",
    "metadata",
    "on_run_completed",
    "enabled",
    "next_run_date",
)


def cron_from_row(row: Any) -> CronRecord:
    return CronRecord(
        id=row.id,
        org_id=row.org_id,
        assistant_id=row.assistant_id,
        thread_id=row.thread_id,
        thread_public_id=row.thread_public_id,
        user_id=row.user_id,
        key_id=row.key_id,
        xpert_binding=row.xpert_binding,
        schedule=row.schedule,
        timezone=row.timezone,
        end_time=row.end_time,
        payload=row.payload or {},
        metadata=row.metadata or {},
        on_run_completed=row.on_run_completed,
        enabled=bool(row.enabled),
        next_run_date=row.next_run_date,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class CronsMixin(SQLCore):
    @staticmethod
    def visible_crons(p: Principal) -> ColumnElement[bool]:
        cond = C.c.org_id == p.org_id
        if p.user_id is not None:
            cond = and_(cond, C.c.user_id == p.user_id)
        if p.xpert_id is not None:
            cond = and_(cond, C.c.assistant_id == p.xpert_id)
        return cond

    async def create_cron(self, p: Principal, cron: CronRecord) -> CronRecord:
        def op(conn: Connection) -> CronRecord:
            conn.execute(
                insert(C).values(
                    id=cron.id,
                    org_id=cron.org_id,
                    assistant_id=cron.assistant_id,
                    thread_id=cron.thread_id,
                    thread_public_id=cron.thread_public_id,
                    user_id=cron.user_id,
                    key_id=cron.key_id,
                    xpert_binding=cron.xpert_binding,
                    schedule=cron.schedule,
                    timezone=cron.timezone,
                    end_time=cron.end_time,
                    payload=cron.payload,
                    metadata=cron.metadata,
                    on_run_completed=cron.on_run_completed,
                    enabled=int(cron.enabled),
                    next_run_date=cron.next_run_date,
                    created_at=cron.created_at,
                    updated_at=cron.updated_at,
                )
            )
            self.audit(conn, p, "create", "cron", cron.id)
            return cron

        return await self.write(op)

    async def get_cron(self, p: Principal, cron_id: str) -> CronRecord | None:
        q = select(C).where(C.c.id == cron_id, self.visible_crons(p))
        return await self.read(lambda conn: _one(conn.execute(q).first()))

    def _cron_filter(
        self,
        p: Principal,
        assistant_id: str | None,
        thread_id: str | None,
        enabled: bool | None,
        metadata: dict[str, Any] | None,
    ) -> ColumnElement[bool]:
        conds = [self.visible_crons(p), self.metadata_filter(C.c.metadata, metadata)]
        if assistant_id is not None:
            conds.append(C.c.assistant_id == assistant_id)
        if thread_id is not None:
            conds.append(C.c.thread_public_id == thread_id)
        if enabled is not None:
            conds.append(C.c.enabled == int(enabled))
        return and_(*conds)

    async def search_crons(
        self,
        p: Principal,
        *,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        enabled: bool | None = None,
        metadata: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str = "created_at",
        sort_order: str = "desc",
    ) -> list[CronRecord]:
        """`thread_id`: the thread's public id."""
        col = CRON_SORT[sort_by]
        order = col.asc() if sort_order == "asc" else col.desc()
        q = (
            select(C)
            .where(self._cron_filter(p, assistant_id, thread_id, enabled, metadata))
            .order_by(order, C.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return await self.read(lambda conn: [cron_from_row(r) for r in conn.execute(q)])

    async def count_crons(
        self,
        p: Principal,
        *,
        assistant_id: str | None = None,
        thread_id: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> int:
        where = self._cron_filter(p, assistant_id, thread_id, None, metadata)
        q = select(func.count()).select_from(C).where(where)
        return await self.read(lambda conn: int(conn.execute(q).scalar_one()))

    async def update_cron(self, p: Principal, cron_id: str, changes: dict[str, Any]) -> CronRecord | None:
        """Set the given columns (`CRON_FIELDS`); None when the caller cannot see the cron."""
        values = {k: (int(v) if k == "enabled" else v) for k, v in changes.items() if k in CRON_FIELDS}
        visible = self.visible_crons(p)
        now = self.clock()

        def op(conn: Connection) -> CronRecord | None:
            done = conn.execute(update(C).where(C.c.id == cron_id, visible).values(**values, updated_at=now))
            if done.rowcount == 0:
                return None
            self.audit(conn, p, "update", "cron", cron_id)
            return _one(conn.execute(select(C).where(C.c.id == cron_id)).first())

        return await self.write(op)

    async def delete_cron(self, p: Principal, cron_id: str) -> bool:
        visible = self.visible_crons(p)

        def op(conn: Connection) -> bool:
            if conn.execute(delete(C).where(C.c.id == cron_id, visible)).rowcount == 0:
                return False
            self.audit(conn, p, "delete", "cron", cron_id)
            return True

        return await self.write(op)

    async def due_crons(self, now: float, limit: int = 100) -> list[CronRecord]:
        """Enabled crons, of every org, whose next tick is at or before `now`, the most overdue first."""
        q = (
            select(C)
            .where(C.c.enabled == 1, C.c.next_run_date.is_not(None), C.c.next_run_date <= now)
            .order_by(C.c.next_run_date)
            .limit(limit)
        )
        return await self.read(lambda conn: [cron_from_row(r) for r in conn.execute(q)])

    async def claim_tick(self, cron_id: str, due: float, next_run_date: float | None) -> bool:
        """Move the cron from tick `due` to `next_run_date`, only if it is still at `due`: True for the one
        process whose update did it (PostgreSQL re-reads the row after a concurrent update; SQLite writes
        one at a time), False for every other that saw the same tick."""

        def op(conn: Connection) -> bool:
            done = conn.execute(
                update(C)
                .where(C.c.id == cron_id, C.c.enabled == 1, C.c.next_run_date == due)
                .values(next_run_date=next_run_date)
            )
            return bool(done.rowcount == 1)

        return await self.write(op)

    # ---- thread ttls ---------------------------------------------------------------------------------
    async def set_thread_ttl(self, thread_id: str, org_id: str, ttl_seconds: float, strategy: str) -> None:
        """The ttl of a thread already looked up (its internal id); replaces any earlier one."""

        def op(conn: Connection) -> None:
            conn.execute(delete(TTL).where(TTL.c.thread_id == thread_id))
            conn.execute(
                insert(TTL).values(
                    thread_id=thread_id, org_id=org_id, ttl_seconds=ttl_seconds, strategy=strategy
                )
            )

        await self.write(op)

    async def get_thread_ttl(self, thread_id: str) -> ThreadTTL | None:
        q = select(TTL).where(TTL.c.thread_id == thread_id)
        row = await self.read(lambda conn: conn.execute(q).first())
        return None if row is None else ThreadTTL(row.thread_id, row.ttl_seconds, row.strategy)

    async def expired_threads(self, now: float, limit: int = 500) -> list[tuple[str, str, str, float]]:
        """(internal id, org, strategy, updated_at) of idle threads whose ttl has run out since their last
        activity; a `keep_latest` one only if it changed since it was last pruned."""
        # From the ttls (few) to their threads: SQLite, with no statistics, otherwise scans every thread
        # (26 ms of CPU per sweep with 100,000 threads stored, every 5 minutes) to probe the ttls.
        q = (
            select(T.c.id, T.c.org_id, TTL.c.strategy, T.c.updated_at)
            .select_from(TTL)
            .join(T, T.c.id == TTL.c.thread_id)
            .where(
                T.c.status != "busy",
                T.c.updated_at + TTL.c.ttl_seconds <= now,
                or_(
                    TTL.c.strategy == "delete",
                    TTL.c.swept_at.is_(None),
                    TTL.c.swept_at < T.c.updated_at,
                ),
            )
            .limit(limit)
        )
        return await self.read(lambda conn: [(r[0], r[1], r[2], r[3]) for r in conn.execute(q)])

    async def mark_thread_pruned(self, thread_id: str, updated_at: float) -> None:
        q = update(TTL).where(TTL.c.thread_id == thread_id).values(swept_at=updated_at)
        await self.write(lambda conn: conn.execute(q))


def _one(row: Any) -> CronRecord | None:
    return None if row is None else cron_from_row(row)
