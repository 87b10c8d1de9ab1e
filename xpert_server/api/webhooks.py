"""Webhooks of the caller's org, for its admins: subscriptions (each with its own signing secret, shown
once), the org's signing secret for the `webhook` URLs runs name, the delivery log, and redelivery.

Every route here needs an `admin` key (auth/roles.py lists none for apps, auth/scope.py none for client
secrets). Target URLs are held to the public-address rule unless the operator allows the org private ones
(`XPERT_WEBHOOK_PRIVATE_ORGS`); the dispatcher holds every attempt to it again.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator

from xpert_server.api.deps import PrincipalDep, ServicesDep
from xpert_server.api.wire.webhooks import (
    Delivery,
    DeliveryDetail,
    SigningSecret,
    Webhook,
    WebhookDeleted,
    WebhookWithSecret,
    delivery_json,
    webhook_json,
)
from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id, ts
from xpert_server.errors import BadRequest, Forbidden, NotFound
from xpert_server.net.public import AddressRefused
from xpert_server.services import Services
from xpert_server.storage.records import WebhookEndpointRecord
from xpert_server.webhooks.events import EVENT_TYPES, EventType

BOUND_KEY_REFUSED = (
    "A key bound to one xpert cannot manage the org's webhooks: use an admin key not bound to an xpert."
)


def _require_unbound(p: Principal) -> None:
    """Webhooks are the org's: a subscription hears every xpert's runs, so a key bound to one xpert (which
    sees only that xpert's) may not manage them."""
    if p.xpert_id is not None:
        raise Forbidden(BOUND_KEY_REFUSED)


async def unbound(p: PrincipalDep) -> None:
    _require_unbound(p)


router = APIRouter(prefix="/webhooks", tags=["webhooks"], dependencies=[Depends(unbound)])

MAX_URL = 2000


def _events(v: list[EventType]) -> list[EventType]:
    if not v or len(set(v)) != len(v):
        raise ValueError(f"name each event once, at least one of: {', '.join(EVENT_TYPES)}")
    return v


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=MAX_URL)
    # Every event when left out.
    events: list[EventType] | None = Field(default=None, max_length=len(EVENT_TYPES))
    description: str | None = Field(default=None, max_length=2000)
    active: bool = True

    @field_validator("events")
    @classmethod
    def _check_events(cls, v: list[EventType] | None) -> list[EventType] | None:
        return None if v is None else _events(v)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(default=None, min_length=1, max_length=MAX_URL)
    events: list[EventType] | None = Field(default=None, max_length=len(EVENT_TYPES))
    description: str | None = Field(default=None, max_length=2000)
    active: bool | None = None

    @field_validator("events")
    @classmethod
    def _check_events(cls, v: list[EventType] | None) -> list[EventType] | None:
        return None if v is None else _events(v)


async def check_target(services: Services, org_id: str, url: str) -> None:
    """400 unless `url` may receive this org's webhooks (also a run's own `webhook`)."""
    try:
        await services.webhooks.check_target(org_id, url)
    except AddressRefused as e:
        raise BadRequest(f"webhook URL refused: {e}") from None


async def _load(services: Services, org_id: str, webhook_id: str) -> WebhookEndpointRecord:
    found = await services.storage.get_webhook(org_id, webhook_id)
    if found is None:
        raise NotFound(f"Webhook '{webhook_id}' not found.")
    return found


@router.get("", summary="List the org's webhook subscriptions", response_model=list[Webhook])
async def list_webhooks(services: ServicesDep, p: PrincipalDep) -> list[dict[str, Any]]:
    return [webhook_json(w) for w in await services.storage.list_webhooks(p.org_id)]


@router.post(
    "",
    status_code=201,
    summary="Subscribe a URL to events (its signing secret is shown once, in this reply)",
    response_model=WebhookWithSecret,
)
async def create_webhook(body: WebhookCreate, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    await check_target(services, p.org_id, body.url)
    webhook_id, now = new_id(), time.time()
    secret, sealed, hint = services.webhooks.secrets.new_endpoint_secret(p.org_id, webhook_id)
    record = WebhookEndpointRecord(
        id=webhook_id,
        org_id=p.org_id,
        url=body.url,
        events=list(body.events or EVENT_TYPES),
        description=body.description,
        secret=sealed,
        hint=hint,
        active=body.active,
        created_at=now,
        updated_at=now,
    )
    await services.storage.create_webhook(p, record)
    return webhook_json(record, secret=secret)


# Fixed paths before `/{webhook_id}`, which would otherwise take them.
@router.get(
    "/signing-secret",
    summary="The org's secret that signs the `webhook` URLs runs name (made on first use)",
    response_model=SigningSecret,
)
async def signing_secret(services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    secret, made = await services.webhooks.secrets.org_secret(p.org_id)
    return {"secret": secret, "created_at": ts(made)}


@router.post(
    "/signing-secret/rotate",
    summary="Replace the org's signing secret (deliveries from now on are signed with the new one)",
    response_model=SigningSecret,
)
async def rotate_signing_secret(services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    secret, made = await services.webhooks.secrets.org_secret(p.org_id, rotate=True)
    return {"secret": secret, "created_at": ts(made)}


@router.get(
    "/deliveries",
    summary="The org's deliveries, newest first (subscriptions' and runs' own URLs)",
    response_model=list[Delivery],
)
async def list_deliveries(
    services: ServicesDep,
    p: PrincipalDep,
    status: Literal["pending", "succeeded", "failed"] | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    found = await services.storage.list_deliveries(p.org_id, status=status, limit=limit, offset=offset)
    return [delivery_json(d) for d in found]


@router.get(
    "/deliveries/{delivery_id}",
    summary="One delivery with every attempt (status, latency, the start of the answer)",
    response_model=DeliveryDetail,
)
async def get_delivery(delivery_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    found = await services.storage.get_delivery(p.org_id, delivery_id)
    if found is None:
        raise NotFound(f"Delivery '{delivery_id}' not found.")
    return delivery_json(*found)


@router.post(
    "/deliveries/{delivery_id}/redeliver",
    status_code=202,
    summary="Attempt a delivery again now (same webhook-id and body)",
    response_model=Delivery,
)
async def redeliver(delivery_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    found = await services.storage.redeliver(p, delivery_id)
    if found is None:
        raise NotFound(f"Delivery '{delivery_id}' not found.")
    services.webhooks.wake()
    return delivery_json(found)


@router.get("/{webhook_id}", summary="One webhook subscription", response_model=Webhook)
async def get_webhook(webhook_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    return webhook_json(await _load(services, p.org_id, webhook_id))


@router.patch(
    "/{webhook_id}",
    summary="Change a subscription's URL, events, description or state",
    response_model=Webhook,
)
async def update_webhook(
    webhook_id: str, body: WebhookUpdate, services: ServicesDep, p: PrincipalDep
) -> dict[str, Any]:
    await _load(services, p.org_id, webhook_id)
    values = body.model_dump(exclude_unset=True)
    if values.get("url") is None:
        values.pop("url", None)
    else:
        await check_target(services, p.org_id, values["url"])
    for required in ("events", "active"):
        if required in values and values[required] is None:
            raise BadRequest(f"{required} cannot be null")
    updated = await services.storage.update_webhook(p, webhook_id, **values)
    if updated is None:
        raise NotFound(f"Webhook '{webhook_id}' not found.")
    return webhook_json(updated)


@router.post(
    "/{webhook_id}/rotate-secret",
    summary="Replace a subscription's signing secret (shown once, in this reply)",
    response_model=WebhookWithSecret,
)
async def rotate_secret(webhook_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    await _load(services, p.org_id, webhook_id)
    secret, sealed, hint = services.webhooks.secrets.new_endpoint_secret(p.org_id, webhook_id)
    updated = await services.storage.update_webhook(p, webhook_id, secret=sealed, hint=hint)
    if updated is None:
        raise NotFound(f"Webhook '{webhook_id}' not found.")
    return webhook_json(updated, secret=secret)


@router.get(
    "/{webhook_id}/deliveries",
    summary="A subscription's deliveries, newest first",
    response_model=list[Delivery],
)
async def webhook_deliveries(
    webhook_id: str,
    services: ServicesDep,
    p: PrincipalDep,
    status: Literal["pending", "succeeded", "failed"] | None = None,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    await _load(services, p.org_id, webhook_id)
    found = await services.storage.list_deliveries(
        p.org_id, endpoint_id=webhook_id, status=status, limit=limit, offset=offset
    )
    return [delivery_json(d) for d in found]


@router.delete(
    "/{webhook_id}",
    summary="Delete a subscription (its pending deliveries end failed)",
    response_model=WebhookDeleted,
)
async def delete_webhook(webhook_id: str, services: ServicesDep, p: PrincipalDep) -> dict[str, Any]:
    if not await services.storage.delete_webhook(p, webhook_id):
        raise NotFound(f"Webhook '{webhook_id}' not found.")
    return {"id": webhook_id, "deleted": True}
