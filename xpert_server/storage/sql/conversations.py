"""Conversations (the thread seen through XpertAI's chat API) and message feedback."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, select, update

from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.storage import schema as t
from xpert_server.storage.records import Page
from xpert_server.storage.sql.core import SQLCore
from xpert_server.storage.sql.threads import thread_from_row

T, M, F = t.threads, t.messages, t.feedbacks
# `where` keys XpertAI's clients filter on → columns.
_WHERE = {
    "xpertId": T.c.assistant_id,
    "status": T.c.status,
    "threadId": T.c.public_id,
    "id": T.c.conversation_id,
    "title": T.c.title,
    "fromEndUserId": T.c.created_by,
}
CONVERSATION_SORT = {"updatedAt": T.c.updated_at, "createdAt": T.c.created_at, "title": T.c.title}
FEEDBACK_WHERE = {"id": F.c.id, "rating": F.c.rating, "createdById": F.c.created_by}
FEEDBACK_SORT = {"createdAt": F.c.created_at, "updatedAt": F.c.updated_at, "rating": F.c.rating}


class ConversationsMixin(SQLCore):
    async def search_conversations(
        self,
        p: Principal,
        *,
        where: dict[str, Any] | None = None,
        order: dict[str, str] | None = None,
        limit: int = 20,
        offset: int = 0,
        search: str | None = None,
    ) -> Page:
        conds = [self.visible_threads(p)]
        for key, value in (where or {}).items():
            if key in _WHERE and isinstance(value, str | int | float | bool | type(None)):
                col = _WHERE[key]
                conds.append(col.is_(None) if value is None else col == value)
        if search:
            conds.append(T.c.title.ilike(f"%{search}%", escape="\\"))
        cond = and_(*conds)
        orders = []
        for key, direction in (order or {"updatedAt": "DESC"}).items():
            sort_col = CONVERSATION_SORT.get(key)
            if sort_col is not None:
                orders.append(sort_col.asc() if str(direction).upper() == "ASC" else sort_col.desc())
        q = select(T).where(cond).order_by(*orders, T.c.id.desc()).limit(limit).offset(offset)

        def op(conn: Connection) -> Page:
            total = conn.execute(select(func.count()).select_from(T).where(cond)).scalar_one()
            return Page(items=[thread_from_row(r) for r in conn.execute(q)], total=int(total))

        return await self.read(op)

    async def add_feedback(
        self, p: Principal, thread_id: str, message_id: str, rating: str, content: str | None
    ) -> dict[str, Any] | None:
        def op(conn: Connection) -> dict[str, Any] | None:
            row = conn.execute(
                select(M.c.id).where(M.c.id == message_id, M.c.thread_id == thread_id, M.c.org_id == p.org_id)
            ).first()
            if row is None:
                return None
            feedback_id = new_id()
            feedback = {
                "id": feedback_id,
                "org_id": p.org_id,
                "message_id": message_id,
                "thread_id": thread_id,
                "rating": rating,
                "content": content,
                "created_by": p.user_id,
                "created_at": time.time(),
            }
            conn.execute(insert(F).values(**feedback))
            self.audit(conn, p, "create", "feedback", feedback_id)
            return feedback

        return await self.write(op)

    async def search_feedbacks(
        self,
        p: Principal,
        thread_id: str,
        message_id: str,
        *,
        where: dict[str, Any] | None = None,
        order: dict[str, str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Page:
        """A message's feedback, oldest first unless `order` says otherwise; `where` keys are FEEDBACK_WHERE's
        (others: KeyError). A principal that names a user sees its own feedback only."""
        conds = [_feedback_of(p, thread_id, message_id)]
        for key, value in (where or {}).items():
            col = FEEDBACK_WHERE[key]
            conds.append(col.is_(None) if value is None else col == value)
        cond = and_(*conds)
        orders = [
            FEEDBACK_SORT[k].asc() if str(d).upper() == "ASC" else FEEDBACK_SORT[k].desc()
            for k, d in (order or {"createdAt": "ASC"}).items()
        ]
        q = select(F).where(cond).order_by(*orders, F.c.id).limit(limit).offset(offset)

        def op(conn: Connection) -> Page:
            total = conn.execute(select(func.count()).select_from(F).where(cond)).scalar_one()
            return Page(items=[dict(r._mapping) for r in conn.execute(q)], total=int(total))

        return await self.read(op)

    async def get_feedback(
        self, p: Principal, thread_id: str, message_id: str, feedback_id: str
    ) -> dict[str, Any] | None:
        q = select(F).where(F.c.id == feedback_id, _feedback_of(p, thread_id, message_id))
        return await self.read(lambda conn: _row_dict(conn.execute(q).first()))

    async def update_feedback(
        self, p: Principal, thread_id: str, message_id: str, feedback_id: str, changes: dict[str, Any]
    ) -> dict[str, Any] | None:
        """Change `rating` and/or `content`; None when the feedback is not there (or not the caller's)."""
        values = {k: v for k, v in changes.items() if k in ("rating", "content")}
        cond = and_(F.c.id == feedback_id, _feedback_of(p, thread_id, message_id))

        def op(conn: Connection) -> dict[str, Any] | None:
            if conn.execute(update(F).where(cond).values(**values, updated_at=time.time())).rowcount == 0:
                return None
            self.audit(conn, p, "update", "feedback", feedback_id)
            return _row_dict(conn.execute(select(F).where(cond)).first())

        return await self.write(op)

    async def delete_feedback(self, p: Principal, thread_id: str, message_id: str, feedback_id: str) -> bool:
        cond = and_(F.c.id == feedback_id, _feedback_of(p, thread_id, message_id))

        def op(conn: Connection) -> bool:
            if conn.execute(delete(F).where(cond)).rowcount == 0:
                return False
            self.audit(conn, p, "delete", "feedback", feedback_id)
            return True

        return await self.write(op)


def _feedback_of(p: Principal, thread_id: str, message_id: str) -> ColumnElement[bool]:
    """A message's feedback rows this principal may see: its own when it names a user."""
    cond = and_(F.c.thread_id == thread_id, F.c.message_id == message_id, F.c.org_id == p.org_id)
    return cond if p.user_id is None else and_(cond, F.c.created_by == p.user_id)


def _row_dict(row: Any) -> dict[str, Any] | None:
    return None if row is None else dict(row._mapping)
