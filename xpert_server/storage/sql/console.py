"""The console's storage: its sessions (found by hash with their key's state, like client secrets) and the
raw facts behind its overview (runs with their latency, tokens by model), read for one org only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.storage import schema as t
from xpert_server.storage.records import ConsoleSessionRecord
from xpert_server.storage.sql.core import SQLCore

S = t.console_sessions
K = t.api_keys
R = t.runs
U = t.run_usage
A = t.assistants
# Ended sessions are kept this long (to answer "Session expired"), then purged by the next sign-in.
KEEP_EXPIRED = 24 * 3600.0
# Runs still queued or running have no latency yet; these have ended.
ENDED = ("success", "error", "timeout", "interrupted")
# At most this many runs (and as many usage rows) are read for one overview: memory stays bounded whatever
# an org's volume; the newest are kept and the answer says it is partial.
MAX_FACTS = 100_000


def _session(row: Any, key_revoked: bool = False, role: Any = "admin") -> ConsoleSessionRecord:
    return ConsoleSessionRecord(
        role=role,
        id=row.id,
        org_id=row.org_id,
        key_id=row.key_id,
        expires_at=row.expires_at,
        created_at=row.created_at,
        key_revoked=key_revoked,
    )


class ConsoleMixin(SQLCore):
    async def create_console_session(
        self, p: Principal, session_hash: str, ttl: float
    ) -> ConsoleSessionRecord:
        """A session for `p`'s org and key; it never outlives the key (an expiring key caps it)."""
        assert p.key_id is not None, "a console session is made from an API key"
        key_id = p.key_id
        now = self.clock()
        session_id = new_id()

        def op(conn: Connection) -> ConsoleSessionRecord:
            expires_at = now + ttl
            key_expiry = conn.execute(select(K.c.expires_at).where(K.c.id == key_id)).scalar()
            if key_expiry is not None:
                expires_at = min(expires_at, key_expiry)
            record = ConsoleSessionRecord(
                id=session_id, org_id=p.org_id, key_id=key_id, expires_at=expires_at, created_at=now
            )
            conn.execute(
                insert(S).values(
                    id=record.id,
                    org_id=record.org_id,
                    key_id=record.key_id,
                    session_hash=session_hash,
                    expires_at=record.expires_at,
                    created_at=record.created_at,
                )
            )
            conn.execute(delete(S).where(S.c.expires_at < now - KEEP_EXPIRED))
            self.audit(conn, p, "create", "console_session", record.id)
            return record

        return await self.write(op)

    async def find_console_session(self, session_hash: str) -> ConsoleSessionRecord | None:
        """The session with this hash; `key_revoked` tells whether its key was revoked (or deleted)."""
        q = (
            select(
                S,
                K.c.id.label("parent_id"),
                K.c.revoked_at.label("parent_revoked_at"),
                K.c.role.label("parent_role"),
            )
            .select_from(S.outerjoin(K, K.c.id == S.c.key_id))
            .where(S.c.session_hash == session_hash)
        )

        def op(conn: Connection) -> ConsoleSessionRecord | None:
            row = conn.execute(q).first()
            if row is None:
                return None
            revoked = row.parent_id is None or row.parent_revoked_at is not None
            return _session(row, key_revoked=revoked, role=row.parent_role or "admin")

        return await self.read(op)

    async def delete_console_session(self, p: Principal, session_id: str) -> bool:
        """Sign-out: the session is gone in every process at once (they read it from here)."""

        def op(conn: Connection) -> bool:
            gone = conn.execute(delete(S).where(S.c.id == session_id, S.c.org_id == p.org_id)).rowcount
            if gone:
                self.audit(conn, p, "delete", "console_session", session_id)
            return bool(gone)

        return await self.write(op)

    async def run_facts(
        self, org_id: str, since: float, *, xpert_id: str | None = None, limit: int = MAX_FACTS
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The org's ended runs created since `since` (xpert public id, status, created_at, seconds taken)
        and its token usage since then (run, xpert, model, at, tokens), optionally for one xpert (internal id);
        the newest `limit` of each, newest first."""
        runs_q = (
            select(R.c.assistant_id, R.c.status, R.c.created_at, R.c.updated_at)
            .where(R.c.org_id == org_id, R.c.created_at >= since, R.c.status.in_(ENDED))
            .order_by(R.c.created_at.desc())
            .limit(limit)
        )
        usage_q = (
            select(U.c.run_id, U.c.assistant_id, U.c.model, U.c.at, U.c.input_tokens, U.c.output_tokens)
            .where(U.c.org_id == org_id, U.c.at >= since)
            .order_by(U.c.at.desc())
            .limit(limit)
        )
        if xpert_id is not None:
            runs_q = runs_q.where(R.c.assistant_id == xpert_id)
            usage_q = usage_q.where(U.c.assistant_id == xpert_id)

        def op(conn: Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            runs = conn.execute(runs_q).all()
            usage = conn.execute(usage_q).all()
            internal = {r.assistant_id for r in runs} | {u.assistant_id for u in usage}
            public = dict(conn.execute(select(A.c.id, A.c.public_id).where(A.c.id.in_(internal))).all())
            return (
                [
                    {
                        "xpert_id": public.get(r.assistant_id, r.assistant_id),
                        "status": r.status,
                        "created_at": r.created_at,
                        "seconds": max(0.0, r.updated_at - r.created_at),
                    }
                    for r in runs
                ],
                [
                    {
                        "run_id": u.run_id,
                        "xpert_id": public.get(u.assistant_id, u.assistant_id),
                        "model": u.model,
                        "at": u.at,
                        "input_tokens": int(u.input_tokens),
                        "output_tokens": int(u.output_tokens),
                    }
                    for u in usage
                ],
            )

        return await self.read(op)

    async def assistant_names(self, org_id: str) -> dict[str, str]:
        """The org's xperts by public id → name (the overview labels its series with them)."""
        q = select(A.c.public_id, A.c.name).where(A.c.org_id == org_id)
        return await self.read(lambda conn: {str(i): str(n) for i, n in conn.execute(q).all()})

    async def org_overview(self) -> list[dict[str, Any]]:
        """Every org (the operator's System page): id, name, created_at, and how many xperts, active keys
        and threads it holds. Server-wide on purpose: only the operator's session reaches it."""
        orgs, threads = t.orgs, t.threads

        def count(table: Any, *where: Any) -> Any:
            return (
                select(func.count())
                .select_from(table)
                .where(table.c.org_id == orgs.c.id, *where)
                .scalar_subquery()
            )

        q = select(
            orgs.c.id,
            orgs.c.name,
            orgs.c.created_at,
            count(A).label("xperts"),
            count(K, K.c.revoked_at.is_(None)).label("keys"),
            count(threads).label("threads"),
        ).order_by(orgs.c.created_at, orgs.c.id)

        def op(conn: Connection) -> list[dict[str, Any]]:
            return [dict(r._mapping) for r in conn.execute(q)]

        return await self.read(op)
