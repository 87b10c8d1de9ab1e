"""Org A's world, the data the route matrices (tests/hardening/test_isolation.py, test_privileges.py) aim at:
two xperts (X1 with the data, X2), a knowledge base with a document, a store item, a spare app key, a model
connection, a thread with a finished run on X1 (and its webhook's delivery), its conversation, AI message
and a feedback on it, its checkpoint, a (yearly) cron on the thread, an uploaded file and a webhook subscription, all carrying a marker
string. `World.ids` names each by the path parameter that takes it. The harness must let webhooks target
loopback (`webhook_private_orgs`): they name closed ports."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from tests.harness.app import ApiHarness
from tests.harness.chat import send
from xpert_server.auth.keys import hash_credential


@dataclass
class World:
    key: str  # org A's admin key
    org: str
    marker: str
    ids: dict[str, str] = field(default_factory=dict)

    def leaks(self, body: str, sent: str, exempt: set[str]) -> list[str]:
        """What of A's a response body shows, beyond what the request itself named (a 404 may echo it)."""
        secrets_ = {**self.ids, "marker": self.marker}
        return [
            name
            for name, value in secrets_.items()
            if name not in exempt and value in body and value not in sent
        ]


async def build_world(h: ApiHarness, name: str, principal: str | None = None) -> World:
    """A new org A (its marker `<name>-marker-…`); its thread, run, messages and file belong to end user
    `principal` when given (x-principal-user-id), else to the key itself."""
    key, org = await h.mint_key(role="admin")
    w = World(key=key, org=org, marker=f"{name}-marker-{secrets.token_hex(8)}")
    async with h.client(key) as c:
        x1 = (await c.post("/assistants", json={"name": "X1", "slug": "iso-x1"})).json()["assistant_id"]
        x2 = (await c.post("/assistants", json={"name": "X2", "slug": "iso-x2"})).json()["assistant_id"]
        kb = (await c.post("/knowledges", json={"name": f"kb {w.marker}"})).json()
        docs = (
            await c.post(f"/knowledges/{kb['id']}/bulk", json=[{"text": f"The marker is {w.marker}."}])
        ).json()
        stored = await c.put(
            "/store/items", json={"namespace": ["iso"], "key": "k", "value": {"m": w.marker}}
        )
        assert stored.status_code == 200, stored.text
        spare = await c.post("/keys", json={"name": "spare", "role": "app"})
        assert spare.status_code == 201, spare.text
        connection = await c.post(
            "/connections",
            json={
                "name": f"{name}-llm-{secrets.token_hex(3)}",
                "kind": "model",
                "url": f"https://models.{name}.test/v1",
                "description": f"connection {w.marker}",
                "api_key": f"sk-{w.marker}",
            },
        )
        assert connection.status_code == 201, connection.text
    headers = {"x_principal_user_id": principal} if principal else {}
    async with h.client(key, **headers) as c:
        thread = (await c.post("/threads", json={"metadata": {"marker": w.marker}})).json()
        tid = thread["thread_id"]
        done = await c.post(
            f"/threads/{tid}/runs/wait",
            json={"assistant_id": x1, "input": send(w.marker), "webhook": "http://127.0.0.1:9/a"},
        )
        assert done.status_code == 201, done.text
        (run,) = (await c.get(f"/threads/{tid}/runs")).json()
        cid = thread["metadata"]["id"]
        messages = (await c.get(f"/conversations/{cid}/messages")).json()["items"]
        ai_id = [m for m in messages if m["role"] == "ai"][0]["id"]
        feedback = await c.post(
            f"/conversations/{cid}/messages/{ai_id}/feedbacks", json={"rating": "like", "content": w.marker}
        )
        assert feedback.status_code == 201, feedback.text
        upload = await c.post("/contexts/file", files={"file": ("a.txt", w.marker.encode(), "text/plain")})
        assert upload.status_code == 201, upload.text
        state = (await c.get(f"/threads/{tid}/state")).json()
        cron = await c.post(
            f"/threads/{tid}/runs/crons",
            json={
                "assistant_id": x1,
                "schedule": "0 0 1 1 *",
                "input": send(w.marker),
                "metadata": {"m": w.marker},
            },
        )
        assert cron.status_code == 201, cron.text
    w.ids = {
        "assistant_id": x1,
        "other_assistant_id": x2,
        "thread_id": tid,
        "run_id": run["run_id"],
        "conversation_id": cid,
        "message_id": ai_id,
        "feedback_id": feedback.json()["id"],
        "file_id": upload.json()["id"],
        "kb_id": kb["id"],
        "document_id": docs[0]["id"],
        "key_id": spare.json()["id"],
        "connection_name": connection.json()["name"],
        "checkpoint_id": state["checkpoint"]["checkpoint_id"],
        "cron_id": cron.json()["cron_id"],
        "namespace": f"{name}-namespace-{secrets.token_hex(4)}",
    }
    async with h.client(key) as c:
        hook = await c.post("/webhooks", json={"url": "http://127.0.0.1:9/a", "description": w.marker})
        assert hook.status_code == 201, hook.text
        w.ids["webhook_id"] = hook.json()["id"]
        (delivery,) = (await c.get("/webhooks/deliveries")).json()  # the run's own webhook
        w.ids["delivery_id"] = delivery["id"]
    return w


async def mint_secret(h: ApiHarness, key: str, user: str) -> str:
    """A ChatKit client secret for end user `user`, minted with `key`."""
    async with h.client(key, x_principal_user_id=user) as c:
        resp = await c.post("/v1/chatkit/sessions", json={"expires_after": 3600})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["client_secret"])


async def key_record_id(h: ApiHarness, org: str, key: str) -> str:
    (record,) = [k for k in await h.services.storage.list_api_keys(org) if k.key_hash == hash_credential(key)]
    return record.id
