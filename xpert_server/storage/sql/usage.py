"""Token usage: what each run spent per model (written with its end), and its sums for `/usage`, a
thread's context usage and `/metrics`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, select

from xpert_server.storage import schema as t
from xpert_server.storage.records import RunRecord, TokenUsage
from xpert_server.storage.sql.core import SQLCore
from xpert_server.storage.sql.prepared import USAGE_INSERT

U = t.run_usage


def record_usage(conn: Connection, run: RunRecord, usage: Sequence[TokenUsage], now: float) -> None:
    """Inside the transaction that ends the run."""
    day = time.strftime("%Y-%m-%d", time.gmtime(now))
    conn.execute(
        USAGE_INSERT,
        [
            {
                "org_id": run.org_id,
                "run_id": run.id,
                "thread_id": run.thread_id,
                "assistant_id": run.assistant_id,
                "model": u.model[:200],
                "input_tokens": u.input_tokens,
                "output_tokens": u.output_tokens,
                "day": day,
                "at": now,
            }
            for u in usage
        ],
    )


class UsageMixin(SQLCore):
    async def usage_summary(
        self, org_id: str, *, since: str | None = None, until: str | None = None
    ) -> list[dict[str, Any]]:
        """The org's tokens by xpert (its public id), model and UTC day, days `since`..`until` inclusive
        (YYYY-MM-DD), newest day first."""
        q = (
            select(
                U.c.assistant_id,
                U.c.model,
                U.c.day,
                func.count(func.distinct(U.c.run_id)).label("runs"),
                func.sum(U.c.input_tokens).label("input_tokens"),
                func.sum(U.c.output_tokens).label("output_tokens"),
            )
            .where(U.c.org_id == org_id)
            .group_by(U.c.assistant_id, U.c.model, U.c.day)
            .order_by(U.c.day.desc(), U.c.assistant_id, U.c.model)
        )
        if since is not None:
            q = q.where(U.c.day >= since)
        if until is not None:
            q = q.where(U.c.day <= until)

        def op(conn: Connection) -> list[dict[str, Any]]:
            rows = conn.execute(q).all()
            internal = {r.assistant_id for r in rows}
            public = dict(
                conn.execute(
                    select(t.assistants.c.id, t.assistants.c.public_id).where(t.assistants.c.id.in_(internal))
                ).all()
            )
            return [
                {
                    "xpert_id": public.get(r.assistant_id, r.assistant_id),  # a deleted xpert: its old id
                    "model": r.model,
                    "day": r.day,
                    "runs": int(r.runs),
                    "input_tokens": int(r.input_tokens or 0),
                    "output_tokens": int(r.output_tokens or 0),
                }
                for r in rows
            ]

        return await self.read(op)

    async def thread_usage(self, thread_id: str) -> tuple[int, int, int]:
        """(runs, input tokens, output tokens) over every run of the thread."""
        q = select(
            func.count(func.distinct(U.c.run_id)), func.sum(U.c.input_tokens), func.sum(U.c.output_tokens)
        ).where(U.c.thread_id == thread_id)

        def op(conn: Connection) -> tuple[int, int, int]:
            runs, spent_in, spent_out = conn.execute(q).one()
            return int(runs or 0), int(spent_in or 0), int(spent_out or 0)

        return await self.read(op)

    async def usage_by_model(self) -> list[tuple[str, int, int]]:
        """(model, input tokens, output tokens) of the whole deployment: /metrics' counters."""
        q = (
            select(U.c.model, func.sum(U.c.input_tokens), func.sum(U.c.output_tokens))
            .group_by(U.c.model)
            .order_by(U.c.model)
        )
        return await self.read(
            lambda conn: [(str(m), int(i or 0), int(o or 0)) for m, i, o in conn.execute(q)]
        )
