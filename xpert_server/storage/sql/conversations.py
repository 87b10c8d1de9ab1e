"""Conversations (the thread seen through XpertAI's chat API) and message feedback."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select

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

    async def list_feedbacks(self, p: Principal, thread_id: str, message_id: str) -> list[dict[str, Any]]:
        q = select(F).where(F.c.thread_id == thread_id, F.c.message_id == message_id, F.c.org_id == p.org_id)
        return await self.read(
            lambda conn: [dict(r._mapping) for r in conn.execute(q.order_by(F.c.created_at))]
        )
