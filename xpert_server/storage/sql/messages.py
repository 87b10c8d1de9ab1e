"""A conversation's messages written, read, changed and deleted over the API (runs write theirs in
storage/sql/runs.py). Each method takes the internal id of a thread its caller already found visible."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update

from xpert_server.auth.principal import Principal
from xpert_server.storage import schema as t
from xpert_server.storage.records import MessageRecord, Page
from xpert_server.storage.sql.core import SQLCore
from xpert_server.storage.sql.runs import message_from_row

M, F = t.messages, t.feedbacks
# `where` keys XpertAI's clients filter messages on → columns.
MESSAGE_WHERE = {"id": M.c.id, "role": M.c.role, "status": M.c.status, "executionId": M.c.execution_id}
MESSAGE_SORT = {"createdAt": M.c.created_at, "updatedAt": M.c.updated_at}
# What PATCH may change (record fields → columns).
MESSAGE_FIELDS = ("role", "content", "reasoning", "files", "status", "error")
API = "api"


class MessagesMixin(SQLCore):
    async def create_message(self, p: Principal, message: MessageRecord) -> MessageRecord:
        """Store a message written over the API (marked, so the next run gives it to the model)."""

        def op(conn: Connection) -> MessageRecord:
            conn.execute(
                insert(M).values(
                    id=message.id,
                    org_id=p.org_id,
                    thread_id=message.thread_id,
                    role=message.role,
                    content=message.content,
                    reasoning=message.reasoning,
                    files=message.files,
                    status=message.status,
                    error=message.error,
                    execution_id=message.execution_id,
                    created_at=message.created_at,
                    updated_at=message.updated_at,
                    origin=API,
                )
            )
            self.audit(conn, p, "create", "message", message.id)
            return message

        return await self.write(op)

    async def get_message(self, p: Principal, thread_id: str, message_id: str) -> MessageRecord | None:
        q = select(M).where(M.c.id == message_id, M.c.thread_id == thread_id, M.c.org_id == p.org_id)
        return await self.read(lambda conn: _message_or_none(conn.execute(q).first()))

    async def search_messages(
        self,
        p: Principal,
        thread_id: str,
        *,
        where: dict[str, Any] | None = None,
        order: dict[str, str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page:
        """Oldest first unless `order` says otherwise; `where` keys are MESSAGE_WHERE's (others: KeyError)."""
        conds = [M.c.thread_id == thread_id, M.c.org_id == p.org_id]
        for key, value in (where or {}).items():
            col = MESSAGE_WHERE[key]
            conds.append(col.is_(None) if value is None else col == value)
        cond = and_(*conds)
        orders = [
            MESSAGE_SORT[k].asc() if str(d).upper() == "ASC" else MESSAGE_SORT[k].desc()
            for k, d in (order or {"createdAt": "ASC"}).items()
        ]
        q = select(M).where(cond).order_by(*orders, M.c.id).limit(limit).offset(offset)

        def op(conn: Connection) -> Page:
            total = conn.execute(select(func.count()).select_from(M).where(cond)).scalar_one()
            return Page(items=[message_from_row(r) for r in conn.execute(q)], total=int(total))

        return await self.read(op)

    async def update_message(
        self, p: Principal, thread_id: str, message_id: str, changes: dict[str, Any]
    ) -> MessageRecord | None:
        """Change MESSAGE_FIELDS of a message; None when it is not in this thread."""
        values = {k: v for k, v in changes.items() if k in MESSAGE_FIELDS}
        cond = and_(M.c.id == message_id, M.c.thread_id == thread_id, M.c.org_id == p.org_id)

        def op(conn: Connection) -> MessageRecord | None:
            if conn.execute(update(M).where(cond).values(**values, updated_at=time.time())).rowcount == 0:
                return None
            self.audit(conn, p, "update", "message", message_id)
            return _message_or_none(conn.execute(select(M).where(cond)).first())

        return await self.write(op)

    async def delete_message(self, p: Principal, thread_id: str, message_id: str) -> bool:
        """Delete a message and its feedback; False when it is not in this thread."""
        cond = and_(M.c.id == message_id, M.c.thread_id == thread_id, M.c.org_id == p.org_id)

        def op(conn: Connection) -> bool:
            if conn.execute(delete(M).where(cond)).rowcount == 0:
                return False
            conn.execute(delete(F).where(F.c.message_id == message_id, F.c.thread_id == thread_id))
            self.audit(conn, p, "delete", "message", message_id)
            return True

        return await self.write(op)

    async def written_messages(self, thread_id: str) -> list[MessageRecord]:
        """The thread's messages written over the API, oldest first: what a run puts into the model's
        history (runs/written.py). For executors, which hold a thread already found."""
        params = {"b_thread": thread_id}
        return await self.read(lambda conn: [message_from_row(r) for r in conn.execute(WRITTEN, params)])


# Prebuilt: every run's start asks (storage/sql/prepared.py says why).
WRITTEN = (
    select(M)
    .where(M.c.thread_id == bindparam("b_thread"), M.c.origin == API)
    .order_by(M.c.created_at, M.c.id)
)


def _message_or_none(row: Any) -> MessageRecord | None:
    return None if row is None else message_from_row(row)
