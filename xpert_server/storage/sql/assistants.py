"""Assistants (xperts) and their versions. Each update bumps `version` and keeps the old one.

An assistant has two ids: `public_id`, the one its org's clients name (unique per org; what threads, runs
and key bindings refer to, always within their org), and `id`, internal and global (versions, graph
caches). Every method here takes the public id.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from xpert_server.auth.principal import Principal
from xpert_server.storage import schema as t
from xpert_server.storage.records import (
    AlreadyExists,
    AssistantRecord,
    AssistantStamp,
    AssistantVersionRecord,
)
from xpert_server.storage.sql.core import SQLCore
from xpert_server.storage.sql.prepared import ASSISTANT_BY_ID

A = t.assistants
ASSISTANT_SORT = {
    "assistant_id": A.c.public_id,
    "graph_id": A.c.public_id,
    "name": A.c.name,
    "created_at": A.c.created_at,
    "updated_at": A.c.updated_at,
    "version": A.c.version,
}
INLINE_MAX_ROWS = 1000
_FIELDS = ("slug", "name", "description", "definition", "config", "metadata", "context")
# The rows of a search by their stamps only: no JSON column is read or decoded (api/assistants.py renders
# each row's content once per stamp and asks for full rows only for stamps it has not rendered).
_STAMP = (A.c.id, A.c.version, A.c.updated_at)
ASSISTANTS_BY_INTERNAL_ID = select(A).where(
    A.c.org_id == bindparam("b_org"), A.c.id.in_(bindparam("b_ids", expanding=True))
)


def _page(q: Select[Any], sort_by: str, sort_order: str) -> Select[Any]:
    col = ASSISTANT_SORT[sort_by]
    order = col.asc() if sort_order == "asc" else col.desc()
    return q.order_by(order, A.c.id).limit(bindparam("b_limit")).offset(bindparam("b_offset"))


@cache
def _stamps_page(bound: bool, sort_by: str, sort_order: str) -> Select[Any]:
    """A page of an org's assistants' stamps with no filter, prebuilt (building it per request cost more
    than running it): its org's; only its own xpert for a credential bound to one."""
    q = select(*_STAMP).where(A.c.org_id == bindparam("b_org"))
    if bound:
        q = q.where(A.c.public_id == bindparam("b_xpert"))
    return _page(q, sort_by, sort_order)


def _assistant(row: Any) -> AssistantRecord:
    return AssistantRecord(
        id=row.id,
        public_id=row.public_id,
        org_id=row.org_id,
        slug=row.slug,
        name=row.name,
        description=row.description,
        version=row.version,
        source=row.source,
        definition=row.definition or {},
        config=row.config or {},
        metadata=row.metadata or {},
        context=row.context,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class AssistantsMixin(SQLCore):
    def _visible_assistants(self, p: Principal) -> ColumnElement[bool]:
        cond = A.c.org_id == p.org_id
        if p.xpert_id is not None:
            cond = and_(cond, A.c.public_id == p.xpert_id)
        return cond

    async def create_assistant(self, p: Principal, record: AssistantRecord) -> AssistantRecord:
        def op(conn: Connection) -> None:
            conn.execute(insert(A).values(**_values(record), created_by=p.user_id))
            _insert_version(conn, record)
            self.audit(conn, p, "create", "assistant", record.public_id)

        try:
            await self.write(op)
        except IntegrityError as e:
            raise AlreadyExists("An assistant with this id or slug already exists.") from e
        return record

    async def upsert_assistant_by_slug(
        self, p: Principal, record: AssistantRecord
    ) -> tuple[AssistantRecord, bool]:
        """Insert, or update the (org, slug) row when its content changed. Returns (record, changed).

        Keeps the id stable across restarts and processes, so YAML xperts never change id.
        """

        def op(conn: Connection) -> tuple[AssistantRecord, bool]:
            row = conn.execute(select(A).where(A.c.org_id == record.org_id, A.c.slug == record.slug)).first()
            if row is None:
                conn.execute(insert(A).values(**_values(record), created_by=None))
                _insert_version(conn, record)
                self.audit(conn, p, "create", "assistant", record.public_id)
                return record, True
            current = _assistant(row)
            if all(getattr(current, f) == getattr(record, f) for f in _FIELDS):
                return current, False
            updated = _apply_update(conn, current, {f: getattr(record, f) for f in _FIELDS})
            self.audit(conn, p, "update", "assistant", current.public_id)
            return updated, True

        return await self.write(op)

    async def get_assistant(self, p: Principal, assistant_id: str) -> AssistantRecord | None:
        """By id within the org (a key's xpert binding is checked by the caller, to answer 403)."""

        def op(conn: Connection) -> AssistantRecord | None:
            row = conn.execute(ASSISTANT_BY_ID, {"b_id": assistant_id, "b_org": p.org_id}).first()
            return None if row is None else _assistant(row)

        return await self.read(op)

    async def update_assistant(
        self, p: Principal, assistant_id: str, changes: dict[str, Any]
    ) -> AssistantRecord | None:
        def op(conn: Connection) -> AssistantRecord | None:
            row = conn.execute(select(A).where(A.c.public_id == assistant_id, A.c.org_id == p.org_id)).first()
            if row is None:
                return None
            updated = _apply_update(conn, _assistant(row), changes)
            self.audit(conn, p, "update", "assistant", assistant_id)
            return updated

        try:
            return await self.write(op)
        except IntegrityError as e:
            raise AlreadyExists("An assistant with this slug already exists.") from e

    async def set_assistant_version(
        self, p: Principal, assistant_id: str, version: int
    ) -> AssistantRecord | None:
        """Make a stored version the current one (LangGraph's `latest`), without adding a version."""
        V = t.assistant_versions

        def op(conn: Connection) -> AssistantRecord | None:
            row = conn.execute(select(A).where(A.c.public_id == assistant_id, A.c.org_id == p.org_id)).first()
            if row is None:
                return None
            chosen = conn.execute(select(V).where(V.c.assistant_id == row.id, V.c.version == version)).first()
            if chosen is None:
                return None
            current = _assistant(row)
            current.name, current.description = chosen.name, chosen.description
            current.definition, current.config, current.metadata = (
                chosen.definition,
                chosen.config,
                chosen.metadata,
            )
            current.slug = chosen.definition.get("slug", current.slug)
            current.version = version
            current.updated_at = time.time()
            conn.execute(update(A).where(A.c.id == current.id).values(**_values(current, with_id=False)))
            self.audit(conn, p, "set_latest", "assistant", assistant_id)
            return current

        try:
            return await self.write(op)
        except IntegrityError as e:
            raise AlreadyExists("Another assistant now uses that version's slug.") from e

    async def delete_assistant(self, p: Principal, assistant_id: str) -> bool:
        def op(conn: Connection) -> bool:
            internal_id = conn.execute(
                select(A.c.id).where(A.c.public_id == assistant_id, A.c.org_id == p.org_id)
            ).scalar()
            if internal_id is None:
                return False
            conn.execute(delete(A).where(A.c.id == internal_id))
            conn.execute(
                delete(t.assistant_versions).where(t.assistant_versions.c.assistant_id == internal_id)
            )
            self.audit(conn, p, "delete", "assistant", assistant_id)
            return True

        return await self.write(op)

    def _assistant_filter(
        self, p: Principal, metadata: dict[str, Any] | None, graph_id: str | None
    ) -> ColumnElement[bool]:
        cond = and_(self._visible_assistants(p), self.metadata_filter(A.c.metadata, metadata))
        if graph_id:
            # LangGraph names a graph; here an xpert's slug is its graph's name (its id still matches).
            # An assistant made from a graph (`POST /assistants {graph_id}`) keeps its name in metadata.
            cond = and_(
                cond,
                or_(
                    A.c.public_id == graph_id,
                    A.c.slug == graph_id,
                    self.dialect.json_match(A.c.metadata, "graph_id", graph_id),
                ),
            )
        return cond

    async def search_assistants(
        self,
        p: Principal,
        *,
        metadata: dict[str, Any] | None = None,
        graph_id: str | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str = "created_at",
        sort_order: str = "desc",
    ) -> list[AssistantRecord]:
        q = _page(select(A).where(self._assistant_filter(p, metadata, graph_id)), sort_by, sort_order)
        params = {"b_limit": limit, "b_offset": offset}
        return await self.read(lambda conn: [_assistant(r) for r in conn.execute(q, params)])

    async def search_assistant_stamps(
        self,
        p: Principal,
        *,
        metadata: dict[str, Any] | None = None,
        graph_id: str | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str = "created_at",
        sort_order: str = "desc",
    ) -> list[AssistantStamp]:
        """`search_assistants`' rows, as stamps: which rows, in which order, holding which content."""
        params: dict[str, Any] = {"b_limit": limit, "b_offset": offset}
        if metadata or graph_id:
            q = _page(
                select(*_STAMP).where(self._assistant_filter(p, metadata, graph_id)), sort_by, sort_order
            )
            return await self.read(lambda conn: [AssistantStamp(*r) for r in conn.execute(q, params)])
        q = _stamps_page(p.xpert_id is not None, sort_by, sort_order)
        params["b_org"] = p.org_id
        if p.xpert_id is not None:
            params["b_xpert"] = p.xpert_id
        if sort_by == "created_at" and offset + limit <= INLINE_MAX_ROWS:
            # Walks (org, created_at)'s index for at most offset + limit entries: bounded, so it may run
            # without the thread hop (db.py read_plain_rows). Other orders sort the whole org's rows.
            return [AssistantStamp(*r) for r in await self.read_plain_rows(q, params)]
        return await self.read(lambda conn: [AssistantStamp(*r) for r in conn.execute(q, params)])

    async def get_assistants_by_internal_ids(self, p: Principal, ids: list[str]) -> list[AssistantRecord]:
        """Full rows of the org's assistants by internal id (those of a search's stamps); rows deleted
        since are absent."""
        params = {"b_org": p.org_id, "b_ids": ids}
        return await self.read(
            lambda conn: [_assistant(r) for r in conn.execute(ASSISTANTS_BY_INTERNAL_ID, params)]
        )

    async def count_assistants(
        self, p: Principal, *, metadata: dict[str, Any] | None = None, graph_id: str | None = None
    ) -> int:
        q = select(func.count()).select_from(A).where(self._assistant_filter(p, metadata, graph_id))
        return await self.read(lambda conn: int(conn.execute(q).scalar_one()))

    async def list_assistant_versions(
        self, p: Principal, assistant_id: str, *, limit: int = 10, offset: int = 0
    ) -> list[AssistantVersionRecord] | None:
        V = t.assistant_versions

        def op(conn: Connection) -> list[AssistantVersionRecord] | None:
            internal_id = conn.execute(
                select(A.c.id).where(A.c.public_id == assistant_id, A.c.org_id == p.org_id)
            ).scalar()
            if internal_id is None:
                return None
            rows = conn.execute(
                select(V)
                .where(V.c.assistant_id == internal_id)
                .order_by(V.c.version.desc())
                .limit(limit)
                .offset(offset)
            )
            return [
                AssistantVersionRecord(
                    assistant_id=assistant_id,  # answered by the id the client named
                    version=r.version,
                    name=r.name,
                    description=r.description,
                    definition=r.definition,
                    config=r.config,
                    metadata=r.metadata,
                    created_at=r.created_at,
                )
                for r in rows
            ]

        return await self.read(op)


def _apply_update(conn: Connection, current: AssistantRecord, changes: dict[str, Any]) -> AssistantRecord:
    for key, value in changes.items():
        setattr(current, key, value)
    # After the newest version, not after the current one: `latest` may have made an older one current.
    V = t.assistant_versions
    newest = conn.execute(select(func.max(V.c.version)).where(V.c.assistant_id == current.id)).scalar()
    current.version = max(int(newest or 0), current.version) + 1
    current.updated_at = time.time()
    conn.execute(update(A).where(A.c.id == current.id).values(**_values(current, with_id=False)))
    _insert_version(conn, current)
    return current


def _values(r: AssistantRecord, with_id: bool = True) -> dict[str, Any]:
    values: dict[str, Any] = {
        "org_id": r.org_id,
        "slug": r.slug,
        "name": r.name,
        "description": r.description,
        "version": r.version,
        "source": r.source,
        "definition": r.definition,
        "config": r.config,
        "metadata": r.metadata,
        "context": r.context,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }
    if with_id:
        values["id"] = r.id
        values["public_id"] = r.public_id
    return values


def _insert_version(conn: Connection, r: AssistantRecord) -> None:
    conn.execute(
        insert(t.assistant_versions).values(
            assistant_id=r.id,
            version=r.version,
            name=r.name,
            description=r.description,
            definition=r.definition,
            config=r.config,
            metadata=r.metadata,
            created_at=r.updated_at,
        )
    )
