"""Webhook subscriptions, the org's signing secret, deliveries and their attempts, as admins see them."""

from __future__ import annotations

from typing import Any

from xpert_server.api.wire.base import Wire
from xpert_server.encoding import loads, ts
from xpert_server.storage.records import AttemptRecord, DeliveryRecord, WebhookEndpointRecord


class Webhook(Wire):
    id: str
    url: str
    events: list[str]
    description: str | None
    active: bool
    secret_hint: str
    created_at: str | None
    updated_at: str | None


class WebhookWithSecret(Webhook):
    secret: str  # in this reply only: afterwards, the hint


class WebhookDeleted(Wire):
    id: str
    deleted: bool


class SigningSecret(Wire):
    """The org's secret for the `webhook` URLs runs name (Standard Webhooks, `whsec_…`)."""

    secret: str
    created_at: str | None


class Attempt(Wire):
    attempt: int
    at: str | None
    status_code: int | None
    latency_ms: float
    response: str | None
    error: str | None


class Delivery(Wire):
    id: str  # the `webhook-id` header of every attempt
    webhook_id: str | None  # None: a run's own `webhook` URL
    event: str
    status: str
    attempts: int
    next_attempt_at: str | None
    last_status: int | None
    last_error: str | None
    created_at: str | None
    updated_at: str | None
    payload: dict[str, Any]


class DeliveryDetail(Delivery):
    attempt_log: list[Attempt]


def webhook_json(w: WebhookEndpointRecord, *, secret: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": w.id,
        "url": w.url,
        "events": w.events,
        "description": w.description,
        "active": w.active,
        "secret_hint": w.hint,
        "created_at": ts(w.created_at),
        "updated_at": ts(w.updated_at),
    }
    if secret is not None:
        out["secret"] = secret
    return out


def delivery_json(d: DeliveryRecord, attempts: list[AttemptRecord] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": d.id,
        "webhook_id": d.endpoint_id,
        "event": d.event,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": ts(d.next_at) if d.status == "pending" else None,
        "last_status": d.last_status,
        "last_error": d.last_error,
        "created_at": ts(d.created_at),
        "updated_at": ts(d.updated_at),
        "payload": loads(d.payload),
    }
    if attempts is not None:
        out["attempt_log"] = [
            {
                "attempt": a.attempt,
                "at": ts(a.at),
                "status_code": a.status_code,
                "latency_ms": round(a.latency_ms, 1),
                "response": a.response,
                "error": a.error,
            }
            for a in attempts
        ]
    return out
