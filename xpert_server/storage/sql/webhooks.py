"""Webhooks: an org's subscriptions and signing secret, and the outbox with its delivery log.

`enqueue_run_event` and `enqueue_document_event` run inside the transaction that ends a run or a document,
so an event exists exactly when its cause was committed: a crash after the commit loses nothing (the
outbox is delivered after restart), a rollback leaves no event behind.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.storage import schema as t
from xpert_server.storage.records import (
    AttemptRecord,
    DeliveryRecord,
    RunRecord,
    WebhookEndpointRecord,
)
from xpert_server.storage.sql.core import SQLCore
from xpert_server.storage.sql.prepared import SUBSCRIPTIONS
from xpert_server.webhooks import events

E = t.webhook_endpoints
D = t.webhook_deliveries
A = t.webhook_attempts
UPDATABLE = frozenset({"url", "events", "description", "active"})


def _endpoint(row: Any) -> WebhookEndpointRecord:
    return WebhookEndpointRecord(
        id=row.id,
        org_id=row.org_id,
        url=row.url,
        events=list(row.events or []),
        description=row.description,
        secret=row.secret,
        hint=row.hint,
        active=bool(row.active),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _delivery(row: Any) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        org_id=row.org_id,
        endpoint_id=row.endpoint_id,
        url=row.url,
        event=row.event,
        payload=bytes(row.payload),
        status=row.status,
        attempts=row.attempts,
        next_at=row.next_at,
        last_status=row.last_status,
        last_error=row.last_error,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _subscribed(conn: Connection, org_id: str, event: str) -> list[tuple[str, str]]:
    """(endpoint id, url) of the org's active subscriptions to `event`. The list of an org is short, so
    the event is matched here rather than by a dialect-specific JSON query."""
    rows = conn.execute(SUBSCRIPTIONS, {"b_org": org_id})  # prebuilt: every run's end asks
    return [(r.id, r.url) for r in rows if event in (r.events or ())]


def _enqueue(
    conn: Connection,
    org_id: str,
    event: str,
    targets: Sequence[tuple[str | None, str]],
    body: bytes,
    now: float,
) -> None:
    if targets:
        conn.execute(
            insert(D),
            [
                {
                    "id": f"msg_{new_id().replace('-', '')}",
                    "org_id": org_id,
                    "endpoint_id": endpoint_id,
                    "url": url,
                    "event": event,
                    "payload": body,
                    "status": "pending",
                    "attempts": 0,
                    "next_at": now,
                    "lease_until": None,
                    "last_status": None,
                    "last_error": None,
                    "created_at": now,
                    "updated_at": now,
                }
                for endpoint_id, url in targets
            ],
        )


def enqueue_run_event(
    conn: Connection, run: RunRecord, *, status: str, thread_status: str, error: str | None, now: float
) -> None:
    """The run's end as an event, for its own `webhook` URL and the org's subscriptions to it."""
    event = events.run_event(status, thread_status)
    targets: list[tuple[str | None, str]] = list(_subscribed(conn, run.org_id, event))
    own = run.kwargs.get("webhook")
    if isinstance(own, str) and own:
        targets.append((None, own))
    if not targets:
        return
    thread_id = conn.execute(select(t.threads.c.public_id).where(t.threads.c.id == run.thread_id)).scalar()
    body = events.run_body(
        event, run, thread_id=thread_id or run.thread_id, status=status, error=error, at=now
    )
    _enqueue(conn, run.org_id, event, targets, body, now)


def enqueue_document_event(conn: Connection, doc_ids: Sequence[str], now: float) -> None:
    """Documents that just finished (`finish`) or failed (`error`), for the org's subscriptions."""
    docs = t.knowledge_documents
    for doc in conn.execute(select(docs).where(docs.c.id.in_(list(doc_ids)))):
        if doc.status not in ("finish", "error"):
            continue
        event = events.DOCUMENT_PROCESSED if doc.status == "finish" else events.DOCUMENT_FAILED
        targets: list[tuple[str | None, str]] = list(_subscribed(conn, doc.org_id, event))
        _enqueue(conn, doc.org_id, event, targets, events.document_body(event, doc, at=now), now)


class WebhooksMixin(SQLCore):
    # ---- subscriptions ----------------------------------------------------------------------------
    async def create_webhook(self, p: Principal, record: WebhookEndpointRecord) -> WebhookEndpointRecord:
        def op(conn: Connection) -> None:
            conn.execute(
                insert(E).values(
                    id=record.id,
                    org_id=p.org_id,
                    url=record.url,
                    events=list(record.events),
                    description=record.description,
                    secret=record.secret,
                    hint=record.hint,
                    active=int(record.active),
                    created_at=record.created_at,
                    updated_at=record.updated_at,
                )
            )
            self.audit(conn, p, "create", "webhook", record.id)

        await self.write(op)
        return record

    async def list_webhooks(self, org_id: str) -> list[WebhookEndpointRecord]:
        q = select(E).where(E.c.org_id == org_id).order_by(E.c.created_at, E.c.id)
        return await self.read(lambda conn: [_endpoint(r) for r in conn.execute(q)])

    async def get_webhook(self, org_id: str, webhook_id: str) -> WebhookEndpointRecord | None:
        q = select(E).where(E.c.org_id == org_id, E.c.id == webhook_id)
        return await self.read(
            lambda conn: (lambda r: None if r is None else _endpoint(r))(conn.execute(q).first())
        )

    async def update_webhook(
        self, p: Principal, webhook_id: str, **values: Any
    ) -> WebhookEndpointRecord | None:
        """Change `url`, `events`, `description` or `active` (or `secret`/`hint`, rotating); None if absent."""
        unknown = set(values) - UPDATABLE - {"secret", "hint"}
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        if "active" in values:
            values["active"] = int(values["active"])

        def op(conn: Connection) -> WebhookEndpointRecord | None:
            where = (E.c.org_id == p.org_id) & (E.c.id == webhook_id)
            if not conn.execute(update(E).where(where).values(**values, updated_at=time.time())).rowcount:
                return None
            self.audit(conn, p, "update", "webhook", webhook_id)
            return _endpoint(conn.execute(select(E).where(where)).one())

        return await self.write(op)

    async def delete_webhook(self, p: Principal, webhook_id: str) -> bool:
        """Its pending deliveries end `failed` (nothing may sign them any more); the log stays."""
        now = time.time()

        def op(conn: Connection) -> bool:
            gone = conn.execute(delete(E).where(E.c.org_id == p.org_id, E.c.id == webhook_id)).rowcount
            if not gone:
                return False
            conn.execute(
                update(D)
                .where(D.c.endpoint_id == webhook_id, D.c.status == "pending")
                .values(status="failed", last_error="The webhook was deleted.", updated_at=now)
            )
            self.audit(conn, p, "delete", "webhook", webhook_id)
            return True

        return await self.write(op)

    # ---- the org's signing secret (per-run webhook URLs) -----------------------------------------
    async def get_signing_secret(self, org_id: str) -> tuple[bytes, str, float] | None:
        """(sealed secret, hint, created_at), or None before its first use."""
        q = select(t.webhook_signing).where(t.webhook_signing.c.org_id == org_id)

        def op(conn: Connection) -> tuple[bytes, str, float] | None:
            row = conn.execute(q).first()
            return None if row is None else (bytes(row.secret), row.hint, row.created_at)

        return await self.read(op)

    async def put_signing_secret(
        self, org_id: str, sealed: bytes, hint: str, *, rotate: bool
    ) -> tuple[bytes, str, float]:
        """Store the org's secret. Without `rotate`, a secret another process stored first wins (two
        first uses at once agree on one secret). Returns the secret now in force."""
        S = t.webhook_signing
        now = time.time()

        def op(conn: Connection) -> tuple[bytes, str, float]:
            row = conn.execute(select(S).where(S.c.org_id == org_id).with_for_update()).first()
            if row is None:
                conn.execute(insert(S).values(org_id=org_id, secret=sealed, hint=hint, created_at=now))
                return sealed, hint, now
            if not rotate:
                return bytes(row.secret), row.hint, row.created_at
            conn.execute(
                update(S).where(S.c.org_id == org_id).values(secret=sealed, hint=hint, created_at=now)
            )
            return sealed, hint, now

        return await self.write(op)

    # ---- the outbox -------------------------------------------------------------------------------
    async def claim_deliveries(self, limit: int, lease_until: float) -> list[DeliveryRecord]:
        """Take up to `limit` due deliveries for one attempt each, until `lease_until`: no other process
        attempts them meanwhile. Their `attempts` count this attempt."""
        now = time.time()

        def op(conn: Connection) -> list[DeliveryRecord]:
            due = (
                select(D.c.id)
                .where(
                    D.c.status == "pending",
                    D.c.next_at <= now,
                    or_(D.c.lease_until.is_(None), D.c.lease_until < now),
                )
                .order_by(D.c.next_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            ids = list(conn.execute(due).scalars())
            if not ids:
                return []
            conn.execute(
                update(D).where(D.c.id.in_(ids)).values(lease_until=lease_until, attempts=D.c.attempts + 1)
            )
            return [_delivery(r) for r in conn.execute(select(D).where(D.c.id.in_(ids)))]

        return await self.write(op)

    async def record_attempt(self, attempt: AttemptRecord, *, status: str, next_at: float) -> None:
        """Log an attempt and its outcome: `succeeded`, `failed` (given up), or `pending` again at `next_at`."""

        def op(conn: Connection) -> None:
            conn.execute(
                insert(A).values(
                    delivery_id=attempt.delivery_id,
                    attempt=attempt.attempt,
                    at=attempt.at,
                    status_code=attempt.status_code,
                    latency_ms=attempt.latency_ms,
                    response=attempt.response,
                    error=attempt.error,
                )
            )
            conn.execute(
                update(D)
                .where(D.c.id == attempt.delivery_id, D.c.status == "pending")
                .values(
                    status=status,
                    next_at=next_at,
                    lease_until=None,
                    last_status=attempt.status_code,
                    last_error=attempt.error,
                    updated_at=attempt.at,
                )
            )

        await self.write(op)

    async def list_deliveries(
        self,
        org_id: str,
        *,
        endpoint_id: str | None = None,
        status: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[DeliveryRecord]:
        q = select(D).where(D.c.org_id == org_id)
        if endpoint_id is not None:
            q = q.where(D.c.endpoint_id == endpoint_id)
        if status is not None:
            q = q.where(D.c.status == status)
        q = q.order_by(D.c.created_at.desc(), D.c.id).limit(limit).offset(offset)
        return await self.read(lambda conn: [_delivery(r) for r in conn.execute(q)])

    async def get_delivery(
        self, org_id: str, delivery_id: str
    ) -> tuple[DeliveryRecord, list[AttemptRecord]] | None:
        """A delivery of the org and its attempts, oldest first."""

        def op(conn: Connection) -> tuple[DeliveryRecord, list[AttemptRecord]] | None:
            row = conn.execute(select(D).where(D.c.org_id == org_id, D.c.id == delivery_id)).first()
            if row is None:
                return None
            attempts = [
                AttemptRecord(
                    delivery_id=a.delivery_id,
                    attempt=a.attempt,
                    at=a.at,
                    status_code=a.status_code,
                    latency_ms=a.latency_ms,
                    response=a.response,
                    error=a.error,
                )
                for a in conn.execute(
                    select(A).where(A.c.delivery_id == delivery_id).order_by(A.c.attempt, A.c.id)
                )
            ]
            return _delivery(row), attempts

        return await self.read(op)

    async def redeliver(self, p: Principal, delivery_id: str) -> DeliveryRecord | None:
        """Due again now, with the same `webhook-id` and body (one more attempt; retries only within the
        event's retry window). None if the org has no such delivery."""
        now = time.time()

        def op(conn: Connection) -> DeliveryRecord | None:
            where = (D.c.org_id == p.org_id) & (D.c.id == delivery_id)
            done = conn.execute(
                update(D).where(where).values(status="pending", next_at=now, lease_until=None, updated_at=now)
            ).rowcount
            if not done:
                return None
            self.audit(conn, p, "redeliver", "webhook_delivery", delivery_id)
            return _delivery(conn.execute(select(D).where(where)).one())

        return await self.write(op)
