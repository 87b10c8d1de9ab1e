"""Webhooks: `verify` checks a delivery's signature in one call; `client.webhooks` manages an org's
subscriptions, its signing secret and the delivery log (admin keys).

A receiver::

    from xpert_sdk.webhooks import verify

    event = verify(request_body_bytes, request_headers, "whsec_…")  # raises WebhookVerificationError
    if event["type"] == "run.succeeded": ...

Deliveries are signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`:
`v1,` + base64 of HMAC-SHA256 over ``"{id}.{timestamp}.{body}"`` with the secret's bytes). A delivery may
arrive more than once (retries keep the same `webhook-id`): receivers should treat it as idempotent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, Literal, cast

from xpert_sdk._http import AsyncHTTP, Call, SyncHTTP, compact
from xpert_sdk.errors import XpertError
from xpert_sdk.types import Webhook, WebhookDeleted, WebhookDelivery, WebhookEvent, WebhookSigningSecret

__all__ = ["AsyncWebhooks", "WebhookVerificationError", "Webhooks", "verify"]

DeliveryStatus = Literal["pending", "succeeded", "failed"]
# Aliases: `list` is a method name in the classes below.
_Webhooks = list[Webhook]
_Deliveries = list[WebhookDelivery]
TOLERANCE = 300.0  # seconds a delivery's timestamp may be off (replays older than this are refused)


class WebhookVerificationError(XpertError):
    """A delivery whose signature, timestamp or headers do not check out: do not act on it."""


def verify(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: float = TOLERANCE,
    now: float | None = None,
) -> Any:
    """The delivery's JSON body, once its signature verifies with `secret` (`whsec_…`) and its timestamp
    is within `tolerance` seconds; WebhookVerificationError otherwise.

    Example: ``event = verify(body, dict(request.headers), secret)``
    """
    found = {k.lower(): v for k, v in headers.items()}
    msg_id, stamp, signatures = (
        found.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature")
    )
    if not (msg_id and stamp and signatures):
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        at = int(stamp)
    except ValueError:
        raise WebhookVerificationError(f"webhook-timestamp is not a number: {stamp!r}") from None
    if abs((time.time() if now is None else now) - at) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is too far from now (a replay, or a wrong clock)")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError:
        raise WebhookVerificationError("the secret is not a `whsec_…` signing secret") from None
    body = payload.encode() if isinstance(payload, str) else payload
    digest = hmac.new(key, f"{msg_id}.{at}.".encode() + body, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    for signature in signatures.split(" "):
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return json.loads(body)
    raise WebhookVerificationError("no signature matches this secret")


def _create(url: str, events: Sequence[WebhookEvent] | None, description: str | None, active: bool) -> Call:
    body = {"url": url, "active": active} | compact(
        events=list(events) if events is not None else None, description=description
    )
    return Call("POST", "/webhooks", json=body)


def _update(
    webhook_id: str,
    url: str | None,
    events: Sequence[WebhookEvent] | None,
    description: str | None,
    active: bool | None,
) -> Call:
    body = compact(
        url=url, events=list(events) if events is not None else None, description=description, active=active
    )
    return Call("PATCH", f"/webhooks/{webhook_id}", json=body)


def _deliveries(webhook_id: str | None, status: DeliveryStatus | None, limit: int, offset: int) -> Call:
    path = "/webhooks/deliveries" if webhook_id is None else f"/webhooks/{webhook_id}/deliveries"
    return Call("GET", path, params={"limit": limit, "offset": offset} | compact(status=status))


class Webhooks:
    """An org's webhook subscriptions, signing secret and deliveries (admin keys)."""

    def __init__(self, http: SyncHTTP) -> None:
        self._http = http

    def list(self) -> _Webhooks:
        """The org's subscriptions (secret hints only).

        Example: ``hooks = client.webhooks.list()``
        """
        return cast(_Webhooks, self._http.request(Call("GET", "/webhooks")))

    def create(
        self,
        url: str,
        events: Sequence[WebhookEvent] | None = None,
        description: str | None = None,
        active: bool = True,
    ) -> Webhook:
        """Subscribe `url` to `events` (every event when None); the reply holds its secret, once.

        Example: ``secret = client.webhooks.create("https://example.com/hook", ["run.succeeded"])["secret"]``
        """
        return cast(Webhook, self._http.request(_create(url, events, description, active)))

    def get(self, webhook_id: str) -> Webhook:
        """One subscription.

        Example: ``hook = client.webhooks.get(webhook_id)``
        """
        return cast(Webhook, self._http.request(Call("GET", f"/webhooks/{webhook_id}")))

    def update(
        self,
        webhook_id: str,
        url: str | None = None,
        events: Sequence[WebhookEvent] | None = None,
        description: str | None = None,
        active: bool | None = None,
    ) -> Webhook:
        """Change what is given; the rest stays.

        Example: ``client.webhooks.update(webhook_id, active=False)``
        """
        return cast(Webhook, self._http.request(_update(webhook_id, url, events, description, active)))

    def delete(self, webhook_id: str) -> WebhookDeleted:
        """Delete a subscription (its pending deliveries end `failed`).

        Example: ``client.webhooks.delete(webhook_id)``
        """
        return cast(WebhookDeleted, self._http.request(Call("DELETE", f"/webhooks/{webhook_id}")))

    def rotate_secret(self, webhook_id: str) -> Webhook:
        """A new signing secret for a subscription, in this reply only.

        Example: ``secret = client.webhooks.rotate_secret(webhook_id)["secret"]``
        """
        return cast(Webhook, self._http.request(Call("POST", f"/webhooks/{webhook_id}/rotate-secret")))

    def list_deliveries(
        self,
        webhook_id: str | None = None,
        status: DeliveryStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> _Deliveries:
        """Deliveries, newest first: a subscription's, or the org's (runs' own URLs included) when None.

        Example: ``failed = client.webhooks.list_deliveries(status="failed")``
        """
        return cast(_Deliveries, self._http.request(_deliveries(webhook_id, status, limit, offset)))

    def get_delivery(self, delivery_id: str) -> WebhookDelivery:
        """A delivery with its `attempt_log` (status, latency and the start of each answer).

        Example: ``log = client.webhooks.get_delivery(delivery_id)["attempt_log"]``
        """
        call = Call("GET", f"/webhooks/deliveries/{delivery_id}")
        return cast(WebhookDelivery, self._http.request(call))

    def redeliver(self, delivery_id: str) -> WebhookDelivery:
        """Attempt a delivery again now, with the same `webhook-id` and body.

        Example: ``client.webhooks.redeliver(delivery_id)``
        """
        call = Call("POST", f"/webhooks/deliveries/{delivery_id}/redeliver")
        return cast(WebhookDelivery, self._http.request(call))

    def signing_secret(self) -> WebhookSigningSecret:
        """The org's secret that signs the `webhook` URLs runs name (made on first use).

        Example: ``secret = client.webhooks.signing_secret()["secret"]``
        """
        return cast(WebhookSigningSecret, self._http.request(Call("GET", "/webhooks/signing-secret")))

    def rotate_signing_secret(self) -> WebhookSigningSecret:
        """Replace the org's signing secret.

        Example: ``secret = client.webhooks.rotate_signing_secret()["secret"]``
        """
        call = Call("POST", "/webhooks/signing-secret/rotate")
        return cast(WebhookSigningSecret, self._http.request(call))


class AsyncWebhooks:
    """An org's webhook subscriptions, signing secret and deliveries (admin keys)."""

    def __init__(self, http: AsyncHTTP) -> None:
        self._http = http

    async def list(self) -> _Webhooks:
        """The org's subscriptions (secret hints only).

        Example: ``hooks = await client.webhooks.list()``
        """
        return cast(_Webhooks, await self._http.request(Call("GET", "/webhooks")))

    async def create(
        self,
        url: str,
        events: Sequence[WebhookEvent] | None = None,
        description: str | None = None,
        active: bool = True,
    ) -> Webhook:
        """Subscribe `url` to `events` (every event when None); the reply holds its secret, once.

        Example: ``hook = await client.webhooks.create("https://example.com/hook", ["run.failed"])``
        """
        return cast(Webhook, await self._http.request(_create(url, events, description, active)))

    async def get(self, webhook_id: str) -> Webhook:
        """One subscription.

        Example: ``hook = await client.webhooks.get(webhook_id)``
        """
        return cast(Webhook, await self._http.request(Call("GET", f"/webhooks/{webhook_id}")))

    async def update(
        self,
        webhook_id: str,
        url: str | None = None,
        events: Sequence[WebhookEvent] | None = None,
        description: str | None = None,
        active: bool | None = None,
    ) -> Webhook:
        """Change what is given; the rest stays.

        Example: ``await client.webhooks.update(webhook_id, active=False)``
        """
        return cast(Webhook, await self._http.request(_update(webhook_id, url, events, description, active)))

    async def delete(self, webhook_id: str) -> WebhookDeleted:
        """Delete a subscription (its pending deliveries end `failed`).

        Example: ``await client.webhooks.delete(webhook_id)``
        """
        return cast(WebhookDeleted, await self._http.request(Call("DELETE", f"/webhooks/{webhook_id}")))

    async def rotate_secret(self, webhook_id: str) -> Webhook:
        """A new signing secret for a subscription, in this reply only.

        Example: ``secret = (await client.webhooks.rotate_secret(webhook_id))["secret"]``
        """
        call = Call("POST", f"/webhooks/{webhook_id}/rotate-secret")
        return cast(Webhook, await self._http.request(call))

    async def list_deliveries(
        self,
        webhook_id: str | None = None,
        status: DeliveryStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> _Deliveries:
        """Deliveries, newest first: a subscription's, or the org's (runs' own URLs included) when None.

        Example: ``failed = await client.webhooks.list_deliveries(status="failed")``
        """
        call = _deliveries(webhook_id, status, limit, offset)
        return cast(_Deliveries, await self._http.request(call))

    async def get_delivery(self, delivery_id: str) -> WebhookDelivery:
        """A delivery with its `attempt_log` (status, latency and the start of each answer).

        Example: ``log = (await client.webhooks.get_delivery(delivery_id))["attempt_log"]``
        """
        call = Call("GET", f"/webhooks/deliveries/{delivery_id}")
        return cast(WebhookDelivery, await self._http.request(call))

    async def redeliver(self, delivery_id: str) -> WebhookDelivery:
        """Attempt a delivery again now, with the same `webhook-id` and body.

        Example: ``await client.webhooks.redeliver(delivery_id)``
        """
        call = Call("POST", f"/webhooks/deliveries/{delivery_id}/redeliver")
        return cast(WebhookDelivery, await self._http.request(call))

    async def signing_secret(self) -> WebhookSigningSecret:
        """The org's secret that signs the `webhook` URLs runs name (made on first use).

        Example: ``secret = (await client.webhooks.signing_secret())["secret"]``
        """
        return cast(WebhookSigningSecret, await self._http.request(Call("GET", "/webhooks/signing-secret")))

    async def rotate_signing_secret(self) -> WebhookSigningSecret:
        """Replace the org's signing secret.

        Example: ``secret = (await client.webhooks.rotate_signing_secret())["secret"]``
        """
        call = Call("POST", "/webhooks/signing-secret/rotate")
        return cast(WebhookSigningSecret, await self._http.request(call))
