"""Threads. A thread is also its conversation (one per thread): `conversation_id` lives on the row.

A thread has two ids: `public_id`, the one its org's clients name (chosen by them or generated; unique per
org), and `id`, internal and global, which everything downstream keys on. `get_thread` looks a thread up by
its public id; every other method here takes the internal id of a thread already looked up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.storage import schema as t
from xpert_server.storage.records import AlreadyExists, ThreadRecord
from xpert_server.storage.sql.core import SQLCore
from xpert_server.storage.sql.prepared import THREAD_INSERT, thread_by_id, thread_params

T = t.threads
THREAD_SORT = {
    "thread_id": T.c.public_id,
    "status": T.c.status,
    "created_at": T.c.created_at,
    "updated_at": T.c.updated_at,
}
# Metadata keys that the contract shows inside `metadata` but that are columns of their own.
_COLUMN_KEYS = {"assistant_id": T.c.assistant_id, "title": T.c.title, "id": T.c.conversation_id}


def thread_from_row(row: Any) -> ThreadRecord:
    return ThreadRecord(
        id=row.id,
        public_id=row.public_id,
        org_id=row.org_id,
        conversation_id=row.conversation_id,
        assistant_id=row.assistant_id,
        status=row.status,
        title=row.title,
        metadata=row.metadata or {},
        created_by=row.created_by,
        updated_by=row.updated_by,
        error=row.error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class ThreadsMixin(SQLCore):
    async def create_thread(
        self,
        p: Principal,
        *,
        thread_id: str | None = None,
        assistant_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        if_exists: str = "raise",
        conversation_id: str | None = None,
    ) -> ThreadRecord:
        """A new idle thread, with its conversation (`conversation_id`, or a generated one)."""
        user_meta = dict(metadata or {})
        title = user_meta.pop("title", None)
        now = self.clock()
        # A chosen id gets an internal id of its own, so the same public id in two orgs never shares a key.
        internal_id = new_id()
        record = ThreadRecord(
            id=internal_id,
            public_id=thread_id or internal_id,
            org_id=p.org_id,
            conversation_id=conversation_id or new_id(),
            assistant_id=assistant_id,
            status="idle",
            title=title if isinstance(title, str) else None,
            metadata=user_meta,
            created_by=p.user_id,
            updated_by=p.user_id,
            error=None,
            created_at=now,
            updated_at=now,
        )

        def op(conn: Connection) -> ThreadRecord:
            if thread_id is not None and if_exists == "do_nothing":
                row = conn.execute(
                    select(T).where(T.c.public_id == thread_id, self.visible_threads(p))
                ).first()
                if row is not None:
                    return thread_from_row(row)
            conn.execute(
                THREAD_INSERT,
                {
                    "id": record.id,
                    "public_id": record.public_id,
                    "org_id": record.org_id,
                    "conversation_id": record.conversation_id,
                    "assistant_id": record.assistant_id,
                    "status": record.status,
                    "title": record.title,
                    "metadata": record.metadata,
                    "created_by": record.created_by,
                    "updated_by": record.updated_by,
                    "key_id": p.key_id or p.secret_id,
                    "error": None,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            self.audit(conn, p, "create", "thread", record.public_id)
            return record

        try:
            return await self.write(op)
        except IntegrityError as e:
            # Taken in this org (ids are per org: another org's thread is no obstacle).
            raise AlreadyExists("The thread already exists.") from e

    async def get_thread(self, p: Principal, thread_id: str) -> ThreadRecord | None:
        """A visible thread by the id its org's clients use."""
        q = thread_by_id(p.user_id is not None, p.xpert_id is not None)
        params = thread_params(thread_id, p.org_id, p.user_id, p.xpert_id)
        return await self.read(lambda conn: _one(conn.execute(q, params).first()))

    async def get_thread_by_internal_id(self, p: Principal, internal_id: str) -> ThreadRecord | None:
        """A visible thread by its internal id (what a run row holds): for executors."""
        q = thread_by_id(p.user_id is not None, p.xpert_id is not None, internal=True)
        params = thread_params(internal_id, p.org_id, p.user_id, p.xpert_id)
        return await self.read(lambda conn: _one(conn.execute(q, params).first()))

    async def get_thread_by_conversation(self, p: Principal, conversation_id: str) -> ThreadRecord | None:
        q = select(T).where(T.c.conversation_id == conversation_id, self.visible_threads(p))
        return await self.read(lambda conn: _one(conn.execute(q).first()))

    async def update_thread(
        self,
        p: Principal,
        thread_id: str,
        *,
        metadata: dict[str, Any] | None = None,
        title: str | None = None,
    ) -> ThreadRecord | None:
        """Merge `metadata` into the thread's (a `title` key sets the title)."""
        visible = self.visible_threads(p)

        def op(conn: Connection) -> ThreadRecord | None:
            row = conn.execute(select(T).where(T.c.id == thread_id, visible)).first()
            if row is None:
                return None
            record = thread_from_row(row)
            user_meta = dict(metadata or {})
            new_title = user_meta.pop("title", title)
            record.metadata = {**record.metadata, **user_meta}
            if isinstance(new_title, str):
                record.title = new_title
            record.updated_at = self.clock()
            record.updated_by = p.user_id
            conn.execute(
                update(T)
                .where(T.c.id == thread_id)
                .values(
                    metadata=record.metadata,
                    title=record.title,
                    updated_at=record.updated_at,
                    updated_by=record.updated_by,
                )
            )
            self.audit(conn, p, "update", "thread", record.public_id)
            return record

        return await self.write(op)

    async def copy_thread(self, p: Principal, source: ThreadRecord) -> ThreadRecord:
        """A new thread with the source's metadata, title, assistant and conversation messages."""
        now = self.clock()
        copy = ThreadRecord(
            # A generated id: public and internal are the same.
            id=new_id(),
            org_id=p.org_id,
            conversation_id=new_id(),
            assistant_id=source.assistant_id,
            status="idle",
            title=source.title,
            metadata=dict(source.metadata),
            created_by=p.user_id,
            updated_by=p.user_id,
            error=None,
            created_at=now,
            updated_at=now,
        )
        M = t.messages

        def op(conn: Connection) -> ThreadRecord:
            conn.execute(
                insert(T).values(
                    id=copy.id,
                    public_id=copy.public_id,
                    org_id=copy.org_id,
                    conversation_id=copy.conversation_id,
                    assistant_id=copy.assistant_id,
                    status="idle",
                    title=copy.title,
                    metadata=copy.metadata,
                    created_by=copy.created_by,
                    updated_by=copy.updated_by,
                    key_id=p.key_id or p.secret_id,
                    created_at=now,
                    updated_at=now,
                )
            )
            # A reply still being written (status thinking) belongs to a run the copy does not have.
            rows = conn.execute(
                select(M)
                .where(M.c.thread_id == source.id, M.c.status.is_distinct_from("thinking"))
                .order_by(M.c.created_at)
            ).all()
            if rows:
                # Under new ids, messages written over the API are record only in the copy: the copied
                # checkpoints already hold them (under the old ids), so the copy's runs leave them be.
                conn.execute(
                    insert(M),
                    [
                        {**dict(r._mapping), "id": new_id(), "thread_id": copy.id, "origin": None}
                        for r in rows
                    ],
                )
            self.audit(conn, p, "copy", "thread", copy.id)
            return copy

        return await self.write(op)

    async def delete_thread(self, p: Principal, thread_id: str) -> bool:
        """Delete the thread with its runs, frames, messages and feedback (checkpoints: the caller)."""
        visible = self.visible_threads(p)

        def op(conn: Connection) -> bool:
            public_id = conn.execute(select(T.c.public_id).where(T.c.id == thread_id, visible)).scalar()
            if public_id is None:
                return False
            conn.execute(delete(T).where(T.c.id == thread_id))
            run_ids = select(t.runs.c.id).where(t.runs.c.thread_id == thread_id).scalar_subquery()
            conn.execute(delete(t.run_events).where(t.run_events.c.run_id.in_(run_ids)))
            # A key whose run is gone would make its retry collide with it: it goes with the run.
            conn.execute(delete(t.idempotency_keys).where(t.idempotency_keys.c.run_id.in_(run_ids)))
            conn.execute(delete(t.runs).where(t.runs.c.thread_id == thread_id))
            conn.execute(
                delete(t.run_queue).where(t.run_queue.c.thread_id == thread_id)
            )  # no worker takes them
            conn.execute(delete(t.feedbacks).where(t.feedbacks.c.thread_id == thread_id))
            conn.execute(delete(t.messages).where(t.messages.c.thread_id == thread_id))
            # Its crons have nothing left to run on; its ttl nothing left to sweep.
            conn.execute(delete(t.crons).where(t.crons.c.thread_id == thread_id))
            conn.execute(delete(t.thread_ttls).where(t.thread_ttls.c.thread_id == thread_id))
            self.audit(conn, p, "delete", "thread", public_id)
            return True

        return await self.write(op)

    def _thread_filter(
        self,
        p: Principal,
        metadata: dict[str, Any] | None,
        status: str | None,
        ids: Sequence[str] | None,
    ) -> ColumnElement[bool]:
        conds: list[ColumnElement[bool]] = [self.visible_threads(p)]
        json_meta: dict[str, Any] = {}
        for key, value in (metadata or {}).items():
            if key in _COLUMN_KEYS:
                col = _COLUMN_KEYS[key]
                conds.append(col.is_(None) if value is None else col == value)
            else:
                json_meta[key] = value
        if json_meta:
            conds.append(self.metadata_filter(T.c.metadata, json_meta))
        if status:
            conds.append(T.c.status == status)
        if ids is not None:
            conds.append(T.c.public_id.in_(list(ids)))
        return and_(*conds)

    async def search_threads(
        self,
        p: Principal,
        *,
        metadata: dict[str, Any] | None = None,
        status: str | None = None,
        ids: Sequence[str] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str = "created_at",
        sort_order: str = "desc",
    ) -> list[ThreadRecord]:
        col = THREAD_SORT[sort_by]
        order = col.asc() if sort_order == "asc" else col.desc()
        q = select(T).where(self._thread_filter(p, metadata, status, ids)).order_by(order, T.c.id.desc())
        q = q.limit(limit).offset(offset)
        return await self.read(lambda conn: [thread_from_row(r) for r in conn.execute(q)])

    async def count_threads(
        self, p: Principal, *, metadata: dict[str, Any] | None = None, status: str | None = None
    ) -> int:
        q = select(func.count()).select_from(T).where(self._thread_filter(p, metadata, status, None))
        return await self.read(lambda conn: int(conn.execute(q).scalar_one()))


def _one(row: Any) -> ThreadRecord | None:
    return None if row is None else thread_from_row(row)
