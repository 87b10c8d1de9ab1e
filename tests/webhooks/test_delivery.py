"""Webhooks end to end, with real HTTP receivers on loopback: signed (Standard Webhooks), retried with one
`webhook-id`, bounded, logged, redelivered; per-run URLs; the address rule; who may set what."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError
from xpert_sdk.webhooks import WebhookVerificationError as SdkVerificationError
from xpert_sdk.webhooks import verify as sdk_verify

from tests.harness.app import ApiHarness, open_harness
from tests.harness.chat import send
from tests.webhooks.conftest import FAST
from tests.webhooks.receiver import receiving


async def _xpert(c: httpx.AsyncClient) -> str:
    made = await c.post("/assistants", json={"name": "Hooked", "slug": "hooked"})
    assert made.status_code == 201, made.text
    return str(made.json()["assistant_id"])


async def _run(c: httpx.AsyncClient, xpert: str, **body: Any) -> dict[str, Any]:
    thread = (await c.post("/threads", json={})).json()["thread_id"]
    done = await c.post(
        f"/threads/{thread}/runs/wait", json={"assistant_id": xpert, "input": send("hi"), **body}
    )
    assert done.status_code in (200, 201), done.text
    (run,) = (await c.get(f"/threads/{thread}/runs")).json()
    return {"thread_id": thread, **run}


async def _delivery(
    c: httpx.AsyncClient, delivery_id: str, status: str, timeout: float = 20.0
) -> dict[str, Any]:
    """The delivery once its status is `status`."""
    deadline = time.monotonic() + timeout
    while True:
        got = (await c.get(f"/webhooks/deliveries/{delivery_id}")).json()
        if got["status"] == status:
            return dict(got)
        assert time.monotonic() < deadline, f"delivery still {got['status']}: {got}"
        await asyncio.sleep(0.05)


async def test_a_subscription_gets_each_run_event_signed(hooks: ApiHarness) -> None:
    admin, _ = await hooks.mint_key(role="admin")
    async with receiving() as rx, hooks.client(admin) as c:
        made = await c.post("/webhooks", json={"url": rx.url, "events": ["run.succeeded"]})
        assert made.status_code == 201, made.text
        secret = made.json()["secret"]
        assert secret.startswith("whsec_") and made.json()["secret_hint"].endswith(secret[-4:])
        listed = (await c.get("/webhooks")).json()
        assert [w["id"] for w in listed] == [made.json()["id"]] and "secret" not in listed[0]
        run = await _run(c, await _xpert(c))
        (got,) = await rx.until(1)
        # The signature verifies with the specification's library…
        body = Webhook(secret).verify(got.body, got.headers)
        assert body["type"] == "run.succeeded" and got.id.startswith("msg_")
        data = body["data"]
        assert data["run_id"] == run["run_id"] and data["thread_id"] == run["thread_id"]
        assert data["status"] == "success" and data["error"] is None
        # …and not with another secret, nor over another body.
        other = (await c.post("/webhooks", json={"url": rx.url, "events": ["run.failed"]})).json()["secret"]
        with pytest.raises(WebhookVerificationError):
            Webhook(other).verify(got.body, got.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(got.body + b" ", got.headers)
        # The SDK's one-call check agrees, and refuses the same forgeries and a stale timestamp.
        assert sdk_verify(got.body, got.headers, secret) == body
        for args in ((got.body, got.headers, other), (got.body + b" ", got.headers, secret)):
            with pytest.raises(SdkVerificationError):
                sdk_verify(*args)
        with pytest.raises(SdkVerificationError, match="too far"):
            sdk_verify(got.body, got.headers, secret, now=time.time() + 3600)
        delivery = await _delivery(c, got.id, "succeeded")
        assert delivery["attempts"] == 1 and delivery["attempt_log"][0]["status_code"] == 200
        assert delivery["attempt_log"][0]["response"] == "answered 200"


async def test_a_receiver_failing_twice_gets_the_event_three_times_under_one_id(hooks: ApiHarness) -> None:
    admin, _ = await hooks.mint_key(role="admin")
    async with receiving(500, 503) as rx, hooks.client(admin) as c:
        await c.post("/webhooks", json={"url": rx.url})
        await _run(c, await _xpert(c))
        got = await rx.until(3)
        assert len({g.id for g in got}) == 1
        assert len({g.body for g in got}) == 1  # the same bytes every time
        delivery = await _delivery(c, got[0].id, "succeeded")
        assert [a["status_code"] for a in delivery["attempt_log"]] == [500, 503, 200]
        assert delivery["attempt_log"][0]["error"] == "HTTP 500"
        await asyncio.sleep(0.3)
        assert len(rx.got) == 3  # nothing more once it succeeded
        # Redelivery: the same id and body, once more.
        again = await c.post(f"/webhooks/deliveries/{got[0].id}/redeliver")
        assert again.status_code == 202, again.text
        fourth = (await rx.until(4))[3]
        assert fourth.id == got[0].id and fourth.body == got[0].body
        assert (await _delivery(c, got[0].id, "succeeded"))["attempts"] == 4


async def test_retries_stop_at_the_bound_and_the_delivery_fails(webhook_db: str, tmp_path: Path) -> None:
    settings = {**FAST, "webhook_retry_for": 0.6}
    async with open_harness(tmp_path / "data", webhook_db, **settings) as h:
        admin, _ = await h.mint_key(role="admin")
        async with receiving(*[500] * 1000) as rx, h.client(admin) as c:
            await c.post("/webhooks", json={"url": rx.url})
            await _run(c, await _xpert(c))
            (first, *_) = await rx.until(2)
            delivery = await _delivery(c, first.id, "failed")
            attempts = len(rx.got)
            assert attempts == delivery["attempts"] >= 2
            assert delivery["last_status"] == 500 and delivery["next_attempt_at"] is None
            await asyncio.sleep(0.5)
            assert len(rx.got) == attempts  # given up: no more attempts
            failed = (await c.get("/webhooks/deliveries", params={"status": "failed"})).json()
            assert [d["id"] for d in failed] == [first.id]


async def test_a_runs_own_webhook_is_signed_with_the_orgs_secret(hooks: ApiHarness) -> None:
    admin, org = await hooks.mint_key(role="admin")
    app_key, _ = await hooks.mint_key(org, role="app")
    async with receiving() as rx:
        async with hooks.client(admin) as c:
            xpert = await _xpert(c)
            secret = (await c.get("/webhooks/signing-secret")).json()["secret"]
            assert (await c.get("/webhooks/signing-secret")).json()["secret"] == secret  # made once
        async with hooks.client(app_key) as c:  # an app key may name a webhook: it is an API key
            run = await _run(c, xpert, webhook=rx.url)
        (got,) = await rx.until(1)
        body = Webhook(secret).verify(got.body, got.headers)
        assert body["type"] == "run.succeeded" and body["data"]["run_id"] == run["run_id"]
        async with hooks.client(admin) as c:
            rotated = (await c.post("/webhooks/signing-secret/rotate")).json()["secret"]
            assert rotated != secret
            (delivery,) = (await c.get("/webhooks/deliveries")).json()
            assert delivery["webhook_id"] is None
            await _delivery(c, delivery["id"], "succeeded")  # recorded just after the receiver answered
        async with hooks.client(app_key) as c:
            await _run(c, xpert, webhook=rx.url)
        second = (await rx.until(2))[1]
        Webhook(rotated).verify(second.body, second.headers)


async def test_a_client_secret_cannot_set_a_webhook_and_apps_cannot_subscribe(hooks: ApiHarness) -> None:
    admin, org = await hooks.mint_key(role="admin")
    app_key, _ = await hooks.mint_key(org, role="app")
    async with hooks.client(admin) as c:
        xpert = await _xpert(c)
        minted = await c.post("/v1/chatkit/sessions", json={})
        thread = (await c.post("/threads", json={})).json()["thread_id"]
    async with hooks.client(None, x_client_secret=minted.json()["client_secret"]) as c:
        thread = (await c.post("/threads", json={})).json()["thread_id"]
        refused = await c.post(
            f"/threads/{thread}/runs/wait",
            json={"assistant_id": xpert, "input": send("hi"), "webhook": "http://127.0.0.1:9/hook"},
        )
        assert refused.status_code == 403 and "client secret cannot set" in refused.json()["message"]
        assert (await c.get(f"/threads/{thread}/runs")).json() == []  # nothing was started
    async with hooks.client(app_key) as c:
        for method, path in (
            ("GET", "/webhooks"),
            ("POST", "/webhooks"),
            ("GET", "/webhooks/signing-secret"),
        ):
            resp = await c.request(
                method, path, json={"url": "http://127.0.0.1:9/"} if method == "POST" else None
            )
            assert resp.status_code == 403, (method, path, resp.text)


async def test_private_targets_are_refused_without_the_operator_setting(
    webhook_db: str, tmp_path: Path
) -> None:
    settings = {k: v for k, v in FAST.items() if k != "webhook_private_orgs"}
    async with open_harness(tmp_path / "data", webhook_db, **settings) as h:
        admin, _ = await h.mint_key(role="admin")
        async with h.client(admin) as c:
            xpert = await _xpert(c)
            for url in (
                "http://127.0.0.1:9/hook",
                "http://[::1]/hook",
                "http://10.1.2.3/",
                "http://169.254.169.254/",
            ):
                refused = await c.post("/webhooks", json={"url": url})
                assert refused.status_code == 400 and "webhook URL refused" in refused.json()["message"], url
            for url in ("ftp://example.com/", "http://user:pw@127.0.0.1/", "not a url"):
                assert (await c.post("/webhooks", json={"url": url})).status_code == 400, url
            thread = (await c.post("/threads", json={})).json()["thread_id"]
            run = await c.post(
                f"/threads/{thread}/runs/wait",
                json={"assistant_id": xpert, "input": send("hi"), "webhook": "http://127.0.0.1:9/hook"},
            )
            assert run.status_code == 400 and "webhook URL refused" in run.json()["message"]
            assert (await c.get("/webhooks")).json() == []
            assert (await c.get(f"/threads/{thread}/runs")).json() == []


async def test_bodies_are_validated_and_other_orgs_see_nothing(hooks: ApiHarness) -> None:
    admin_a, _ = await hooks.mint_key(role="admin")
    admin_b, _ = await hooks.mint_key(role="admin")
    async with hooks.client(admin_a) as c:
        for body in ({"url": "http://127.0.0.1:9/", "events": []}, {"url": "http://127.0.0.1:9/", "events": ["run.nope"]},
                     {"url": "http://127.0.0.1:9/", "surprise": 1}, {"events": ["run.failed"]}):  # fmt: skip
            assert (await c.post("/webhooks", json=body)).status_code in (400, 422), body
        assert (await c.get("/webhooks")).json() == []
        made = (await c.post("/webhooks", json={"url": "http://127.0.0.1:9/", "active": False})).json()
        changed = await c.patch(
            f"/webhooks/{made['id']}", json={"events": ["run.failed"], "description": "d"}
        )
        assert changed.status_code == 200 and changed.json()["events"] == ["run.failed"]
        assert (await c.patch(f"/webhooks/{made['id']}", json={"events": None})).status_code == 400
        rotated = (await c.post(f"/webhooks/{made['id']}/rotate-secret")).json()
        assert rotated["secret"] != made["secret"] and rotated["secret_hint"] != made["secret_hint"]
    async with hooks.client(admin_b) as c:
        assert (await c.get("/webhooks")).json() == []
        for method in ("GET", "PATCH", "DELETE"):
            resp = await c.request(method, f"/webhooks/{made['id']}", json={} if method == "PATCH" else None)
            assert resp.status_code == 404, (method, resp.text)
    async with hooks.client(admin_a) as c:
        assert (await c.delete(f"/webhooks/{made['id']}")).json() == {"id": made["id"], "deleted": True}
        assert (await c.get(f"/webhooks/{made['id']}")).status_code == 404


async def test_knowledge_documents_processed_or_failed_are_events(hooks: ApiHarness) -> None:
    admin, _ = await hooks.mint_key(role="admin")
    events = ["knowledge.document.processed", "knowledge.document.failed"]
    async with receiving() as rx, hooks.client(admin) as c:
        secret = (await c.post("/webhooks", json={"url": rx.url, "events": events})).json()["secret"]
        kb = (await c.post("/knowledges", json={"name": "hooked kb"})).json()
        docs = [{"name": "fine", "text": "All good here."}, {"name": "blank", "text": "   "}]
        made = (await c.post(f"/knowledges/{kb['id']}/bulk", json=docs)).json()
        assert (
            await c.post(f"/knowledges/{kb['id']}/process", json=[d["id"] for d in made])
        ).status_code == 201
        got = await rx.until(2, timeout=60)
        bodies = {b["data"]["name"]: b for b in (Webhook(secret).verify(g.body, g.headers) for g in got)}
        assert bodies["fine"]["type"] == "knowledge.document.processed"
        assert bodies["fine"]["data"]["status"] == "finish" and bodies["fine"]["data"]["chunk_count"] >= 1
        assert bodies["blank"]["type"] == "knowledge.document.failed" and bodies["blank"]["data"]["message"]
        assert {b["data"]["knowledgebase_id"] for b in bodies.values()} == {kb["id"]}
