"""Uploaded context files: metadata, parse state and extracted text. Bytes live in the file store."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, insert, select, update

from xpert_server.auth.principal import Principal
from xpert_server.storage import schema as t
from xpert_server.storage.sql.core import SQLCore

F = t.files


@dataclass(slots=True)
class FileRecord:
    id: str
    org_id: str
    created_by: str | None
    original_name: str
    storage_key: str
    size: int
    sha256: str
    mime_type: str
    purpose: str
    parse_mode: str
    parse_status: str
    parse_error: str | None
    summary: str | None
    context: dict[str, Any]
    created_at: float
    updated_at: float
    key_id: str | None = None
    text: str | None = None


_META = [c for c in F.c if c.name != "text"]


def _record(row: Any, with_text: bool = False) -> FileRecord:
    m = row._mapping
    return FileRecord(**{c.name: m[c.name] for c in _META}, text=m["text"] if with_text else None)


def visible_files(p: Principal) -> ColumnElement[bool]:
    """A caller sees its org's files; one that names a principal (or a client secret) only its own."""
    cond = F.c.org_id == p.org_id
    if p.user_id is not None:
        cond = and_(cond, F.c.created_by == p.user_id)
    return cond


class FilesMixin(SQLCore):
    async def create_file(self, p: Principal, record: FileRecord) -> FileRecord:
        values = {c.name: getattr(record, c.name) for c in _META}

        def op(conn: Connection) -> FileRecord:
            conn.execute(insert(F).values(**values))
            self.audit(conn, p, "create", "file", record.id)
            return record

        return await self.write(op)

    async def get_file(self, p: Principal | None, file_id: str, with_text: bool = False) -> FileRecord | None:
        """`p=None`: the server itself (workers), across orgs."""
        cols = list(F.c) if with_text else _META
        q = select(*cols).where(F.c.id == file_id)
        if p is not None:
            q = q.where(visible_files(p))
        return await self.read(
            lambda conn: (lambda r: None if r is None else _record(r, with_text))(conn.execute(q).first())
        )

    async def set_file_parsed(
        self, file_id: str, status: str, text: str | None, summary: str | None, error: str | None
    ) -> bool:
        q = (
            update(F)
            .where(F.c.id == file_id)
            .values(
                parse_status=status, text=text, summary=summary, parse_error=error, updated_at=time.time()
            )
        )
        return await self.write(lambda conn: conn.execute(q).rowcount > 0)

    async def delete_file(self, p: Principal, file_id: str) -> FileRecord | None:
        def op(conn: Connection) -> FileRecord | None:
            row = conn.execute(select(*_META).where(F.c.id == file_id, visible_files(p))).first()
            if row is None:
                return None
            conn.execute(delete(F).where(F.c.id == file_id))
            self.audit(conn, p, "delete", "file", file_id)
            return _record(row)

        return await self.write(op)

    async def files_parsing(self) -> list[str]:
        q = select(F.c.id).where(F.c.parse_status == "parsing").order_by(F.c.created_at)
        return await self.read(lambda conn: list(conn.execute(q).scalars()))
