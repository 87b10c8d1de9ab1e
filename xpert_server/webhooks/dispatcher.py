"""Delivering the outbox: every process runs one dispatcher; a delivery is attempted by one process at a
time (its lease, storage `claim_deliveries`), with the same `webhook-id` and body on every attempt.

An attempt succeeds on a 2xx answer within the timeout; anything else (an error status, a redirect — not
followed —, a refused or unreachable address, a timeout) is retried after an exponential backoff with
jitter, until the event is older than the retry window: then the delivery is `failed`. Every attempt is
logged (status, latency, the start of the answer). Targets are held to the public-address rule on every
attempt (net/public.py: the DNS answer is checked and the connection pinned to it) unless the operator
allows the org private ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from xpert_server.net.public import AddressRefused, Resolver, checked_address, pinned, system_resolver
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import AttemptRecord, DeliveryRecord
from xpert_server.telemetry import Tracing
from xpert_server.webhooks.secrets import WebhookSecrets
from xpert_server.webhooks.signing import signed_headers

log = logging.getLogger("xpert.webhooks")

HINT = "webhooks may target public addresses only; the operator may allow private ones for this org"
EXCERPT = 512  # characters of an answer kept in the delivery log
BACKOFF_CAP = 3600.0
BATCH = 32


@dataclass(frozen=True)
class Retry:
    """`backoff`: the first retry's delay (doubling, with ±50% jitter, up to an hour); `window`: seconds
    after the event within which it is retried; `timeout`: one attempt's."""

    backoff: float
    window: float
    timeout: float

    def delay(self, attempts: int) -> float:
        return min(BACKOFF_CAP, self.backoff * 2 ** max(0, attempts - 1)) * random.uniform(0.5, 1.5)


class Dispatcher:
    def __init__(
        self,
        storage: SQLStorage,
        secrets: WebhookSecrets,
        retry: Retry,
        *,
        private_allowed: Callable[[str], bool],
        poll: float = 1.0,
        resolver: Resolver = system_resolver,
        tracing: Tracing | None = None,
    ):
        self.tracing = tracing or Tracing()
        self.storage = storage
        self.secrets = secrets
        self.retry = retry
        self.private_allowed = private_allowed
        self.poll = poll
        self.resolver = resolver
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client = httpx.AsyncClient(trust_env=False, follow_redirects=False, timeout=retry.timeout)

    async def check_target(self, org_id: str, url: str) -> None:
        """AddressRefused unless `url` may be a target of this org (at subscription or run creation)."""
        await checked_address(url, self.private_allowed(org_id), self.resolver, HINT)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="webhooks")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()

    async def _loop(self) -> None:
        while True:
            try:
                busy = await self.deliver_due()
            except Exception:  # the database may be briefly unreachable: keep the dispatcher
                log.exception("webhooks: delivering the outbox failed")
                busy = 0
            if busy:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll)

    async def deliver_due(self) -> int:
        """Attempt every due delivery once (in parallel); how many were attempted."""
        lease = time.time() + self.retry.timeout + 30.0
        claimed = await self.storage.claim_deliveries(BATCH, lease)
        if claimed:
            await asyncio.gather(*(self._attempt(d) for d in claimed))
        return len(claimed)

    async def _attempt(self, d: DeliveryRecord) -> None:
        attrs = {"xpert__org_id": d.org_id, "xpert__delivery_id": d.id, "xpert__event": d.event}
        with self.tracing.span("webhook.deliver", xpert__attempt=d.attempts, **attrs) as span:
            status_code = await self._attempt_logged(d)
            if status_code is not None:
                span.set_attribute("http.response.status_code", status_code)

    async def _attempt_logged(self, d: DeliveryRecord) -> int | None:
        started = time.time()
        status_code: int | None = None
        response: str | None = None
        error: str | None = None
        try:
            secret = await self.secrets.for_delivery(d)
            if secret is None:
                error = "The webhook was deleted."
            else:
                status_code, response = await self._send(d, secret, started)
                if not 200 <= status_code < 300:
                    error = f"HTTP {status_code}"
        except AddressRefused as e:
            error = str(e)
        except (httpx.TimeoutException, TimeoutError):
            error = f"no answer within {self.retry.timeout:g} s"
        except httpx.HTTPError as e:
            error = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        except Exception as e:  # e.g. a secret this process cannot open: logged and retried, never stuck
            log.exception("webhook %s: attempt failed", d.id)
            error = f"{type(e).__name__}: {e}"
        now = time.time()
        latency_ms = (now - started) * 1000.0
        if error is None:
            outcome, next_at = "succeeded", now
        else:
            next_at = now + self.retry.delay(d.attempts)
            gone = d.endpoint_id is not None and error == "The webhook was deleted."
            outcome = "failed" if gone or next_at - d.created_at > self.retry.window else "pending"
        attempt = AttemptRecord(d.id, d.attempts, started, status_code, latency_ms, response, error)
        await self.storage.record_attempt(attempt, status=outcome, next_at=next_at)
        level = logging.INFO if outcome == "succeeded" else logging.WARNING
        self._log(level, d, outcome if error is None else f"{error}; {outcome}")
        return status_code

    @staticmethod
    def _log(level: int, d: DeliveryRecord, what: str) -> None:
        log.log(
            level,
            "webhook %s (%s, org %s) attempt %d: %s",
            d.id,
            d.event,
            d.org_id,
            d.attempts,
            what,
        )

    async def _send(self, d: DeliveryRecord, secret: str, at: float) -> tuple[int, str]:
        _host, _port, ip = await checked_address(d.url, self.private_allowed(d.org_id), self.resolver, HINT)
        target, host, extensions = pinned(d.url, ip)
        headers = {
            **signed_headers(secret, d.id, d.payload, at),
            **host,
            "user-agent": "xpert-server webhooks",
        }
        request = self._client.build_request("POST", target, content=d.payload, headers=headers)
        request.extensions.update(extensions)
        # The whole attempt is bounded (a receiver trickling its answer cannot hold it), and only the
        # start of the answer is read.
        async with asyncio.timeout(self.retry.timeout):
            answer = await self._client.send(request, stream=True)
            try:
                start = b""
                async for chunk in answer.aiter_bytes():
                    start += chunk
                    if len(start) >= EXCERPT * 4:
                        break
            finally:
                await answer.aclose()
        return answer.status_code, start.decode("utf-8", "replace")[:EXCERPT]
