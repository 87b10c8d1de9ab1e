"""Conformance for webhooks (subscriptions, the org's signing secret, the outbox and its log) and usage
accounting (storage/sql/webhooks.py, usage.py): the same checks on SQLite and PostgreSQL."""

from __future__ import annotations

import time

from tests.harness.app import new_org
from tests.storage.test_conformance_runs import run_of
from xpert_server.auth.principal import Principal
from xpert_server.encoding import loads, new_id
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import AttemptRecord, QueuePlacement, TokenUsage, WebhookEndpointRecord


def _endpoint(
    org: str, events: list[str], url: str = "https://example.invalid/hook"
) -> WebhookEndpointRecord:
    now = time.time()
    return WebhookEndpointRecord(new_id(), org, url, events, None, b"sealed", "whsec_…abcd", True, now, now)


async def test_subscriptions_are_per_org_and_updatable(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    other = Principal(org_id=new_org(), kind="key", key_id="k")
    made = await storage.create_webhook(p, _endpoint(p.org_id, ["run.failed"]))
    assert [w.id for w in await storage.list_webhooks(p.org_id)] == [made.id]
    assert await storage.list_webhooks(other.org_id) == []
    assert await storage.get_webhook(other.org_id, made.id) is None
    got = await storage.get_webhook(p.org_id, made.id)
    assert got is not None and got.events == ["run.failed"] and got.secret == b"sealed" and got.active
    changed = await storage.update_webhook(p, made.id, events=["run.succeeded"], active=False)
    assert changed is not None and changed.events == ["run.succeeded"] and not changed.active
    assert await storage.update_webhook(other, made.id, active=True) is None
    assert not await storage.delete_webhook(other, made.id)
    assert await storage.delete_webhook(p, made.id)
    assert await storage.get_webhook(p.org_id, made.id) is None


async def test_the_org_signing_secret_is_made_once_and_rotates(storage: SQLStorage) -> None:
    org = new_org()
    assert await storage.get_signing_secret(org) is None
    first = await storage.put_signing_secret(org, b"one", "h1", rotate=False)
    assert (await storage.put_signing_secret(org, b"two", "h2", rotate=False))[0] == b"one"  # first wins
    found = await storage.get_signing_secret(org)
    assert found is not None and found[0] == b"one" and found[2] == first[2]
    assert (await storage.put_signing_secret(org, b"three", "h3", rotate=True))[0] == b"three"
    found = await storage.get_signing_secret(org)
    assert found is not None and found[:2] == (b"three", "h3")


async def test_a_runs_end_is_an_outbox_row_claimed_once_logged_and_redelivered(storage: SQLStorage) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    hook = await storage.create_webhook(p, _endpoint(p.org_id, ["run.succeeded"]))
    await storage.create_webhook(p, _endpoint(p.org_id, ["run.failed"]))  # not this event
    thread = await storage.create_thread(p)
    run = run_of(p, thread.id)
    run.kwargs["webhook"] = "https://example.invalid/own"
    await storage.start_run(p, run, placement=QueuePlacement("local", worker_id="proc"))
    await storage.finish_run(
        run, status="success", thread_status="idle", usage=[TokenUsage("m1", 12, 3), TokenUsage("m2", 1, 1)]
    )
    deliveries = await storage.list_deliveries(p.org_id)
    assert {(d.endpoint_id, d.url) for d in deliveries} == {
        (hook.id, hook.url),
        (None, "https://example.invalid/own"),
    }
    assert len(deliveries) == 2
    body = loads(deliveries[0].payload)
    assert body["type"] == "run.succeeded" and body["data"]["run_id"] == run.id
    assert body["data"]["thread_id"] == thread.public_id
    assert [d.id for d in await storage.list_deliveries(p.org_id, endpoint_id=hook.id)] == [
        d.id for d in deliveries if d.endpoint_id == hook.id
    ]

    lease = time.time() + 30
    claimed = [d for d in await storage.claim_deliveries(100, lease) if d.org_id == p.org_id]
    assert len(claimed) == 2 and all(d.attempts == 1 for d in claimed)
    assert not [d for d in await storage.claim_deliveries(100, lease) if d.org_id == p.org_id]  # leased
    first = claimed[0]
    await storage.record_attempt(
        AttemptRecord(first.id, 1, time.time(), 500, 12.5, "no", "HTTP 500"), status="pending", next_at=0.0
    )
    again = [d for d in await storage.claim_deliveries(100, lease) if d.id == first.id]
    assert len(again) == 1 and again[0].attempts == 2
    await storage.record_attempt(
        AttemptRecord(first.id, 2, time.time(), 200, 3.0, "ok", None), status="succeeded", next_at=time.time()
    )
    found = await storage.get_delivery(p.org_id, first.id)
    assert found is not None
    delivery, attempts = found
    assert delivery.status == "succeeded" and delivery.last_status == 200
    assert [(a.attempt, a.status_code, a.error) for a in attempts] == [(1, 500, "HTTP 500"), (2, 200, None)]
    assert await storage.get_delivery(new_org(), first.id) is None
    assert [d.id for d in await storage.list_deliveries(p.org_id, status="succeeded")] == [first.id]
    redone = await storage.redeliver(p, first.id)
    assert redone is not None and redone.status == "pending"
    assert await storage.redeliver(Principal(org_id=new_org(), kind="key"), first.id) is None

    # The same run's usage, per model, summed by org/xpert/model/day, per thread and per model.
    summary = await storage.usage_summary(p.org_id)
    assert {(r["model"], r["input_tokens"], r["output_tokens"], r["runs"]) for r in summary} == {
        ("m1", 12, 3, 1),
        ("m2", 1, 1, 1),
    }
    assert await storage.usage_summary(p.org_id, since="2000-01-01", until="2000-01-02") == []
    assert await storage.thread_usage(thread.id) == (1, 13, 4)
    models = {m: (i, o) for m, i, o in await storage.usage_by_model()}
    assert models["m1"][0] >= 12 and models["m2"][1] >= 1
