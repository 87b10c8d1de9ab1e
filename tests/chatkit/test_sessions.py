"""`POST /v1/chatkit/sessions` as the contract says, and what a minted secret carries."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import time
from datetime import datetime
from typing import Any

import pytest

from tests.chatkit.common import SECRET_RE, ChatkitEnv
from tests.harness.chat import send
from tests.harness.clock import manual_clock
from tests.harness.uvicorn import bound_socket, serve_in_process
from xpert_server.auth.keys import hash_credential
from xpert_server.auth.secrets import parse_expires_after
from xpert_server.storage import schema as t


def iso_epoch(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


async def test_the_seeds_call_returns_a_secret(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    # The integration guide's curl: x-api-key, JSON body {"expires_after": 600}.
    async with ck.harness.client(None) as c:
        before = time.time()
        resp = await c.post(
            "/v1/chatkit/sessions",
            headers={"Content-Type": "application/json", "x-api-key": tenant.key},
            content=b'{\n"expires_after": 600\n}',
        )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert set(body) == {"client_secret", "expires_at", "expires_after"}
    assert re.match(SECRET_RE, body["client_secret"])
    assert body["expires_after"] == 600
    assert isinstance(body["expires_after"], int)
    assert body["expires_at"].endswith("Z")
    assert before + 599 <= iso_epoch(body["expires_at"]) <= time.time() + 601


async def test_the_seeds_curl_over_a_real_socket(ck: ChatkitEnv) -> None:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    tenant = await ck.tenant()
    sock = bound_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/api/ai/v1/chatkit/sessions"
    async with serve_in_process(ck.harness.app, sock=sock):
        proc = await asyncio.create_subprocess_exec(
            "curl",
            "-sS",
            "-X",
            "POST",
            url,
            "-H",
            "Content-Type: application/json",
            "-H",
            f"x-api-key: {tenant.key}",
            "-d",
            '{\n"expires_after": 600\n}',
            "-w",
            "\n%{http_code}",
            stdout=asyncio.subprocess.PIPE,
        )
        out, _ = await proc.communicate()
    body, status = out.decode().rsplit("\n", 1)
    assert status == "201", body
    assert re.match(SECRET_RE, json.loads(body)["client_secret"])


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (None, 600),
        (600, 600),
        (1, 1),
        (90.9, 90),
        ("120", 120),
        (0, 600),
        (-5, 600),
        (0.5, 600),
        ("soon", 600),
        (True, 600),
        ([10], 600),
        ({"seconds": 10}, 600),
        (3600, 3600),
        (3601, 3600),
        (10**9, 3600),
        (float("inf"), 600),
    ],
)
def test_expires_after_is_read_as_xpertai_reads_it(sent: Any, expected: int) -> None:
    assert parse_expires_after(sent) == expected


@pytest.mark.parametrize(
    "body",
    [{"expires_after": "junk"}, {"expires_after": 0}, {}, None, {"assistant": {"id": "x"}, "user": "u"}],
)
async def test_junk_and_missing_lifetimes_default_to_600(ck: ChatkitEnv, body: Any) -> None:
    tenant = await ck.tenant()
    async with tenant.client() as c:
        resp = (
            await c.post("/v1/chatkit/sessions", json=body)
            if body is not None
            else await c.post("/v1/chatkit/sessions")
        )
    assert resp.status_code == 201, resp.text
    assert resp.json()["expires_after"] == 600


async def test_a_long_lifetime_is_capped_at_an_hour(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    body = await tenant.mint(body={"expires_after": 86400})
    assert body["expires_after"] == 3600
    assert iso_epoch(body["expires_at"]) <= time.time() + 3601


async def test_secrets_are_stored_hashed(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    secret = await tenant.secret()
    rows = await ck.harness.services.storage.read(
        lambda conn: [dict(r._mapping) for r in conn.execute(t.client_secrets.select())]
    )
    assert all(secret not in str(row) for row in rows)
    assert any(row["secret_hash"] == hash_credential(secret) for row in rows)


@pytest.mark.parametrize("header", ["x-client-secret", "bearer", "x-api-key"])
async def test_a_secret_is_accepted_in_each_header(ck: ChatkitEnv, header: str) -> None:
    tenant = await ck.tenant()
    secret = await tenant.secret()
    async with tenant.as_secret(secret, header) as c:
        resp = await c.post("/assistants/search", json={"limit": 5})
    assert resp.status_code == 201, resp.text
    assert [a["assistant_id"] for a in resp.json()] == [tenant.assistant_id]


async def test_a_secret_acts_in_its_keys_org(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    secret = await tenant.secret()
    async with tenant.as_secret(secret) as c:
        assert (await c.get(f"/assistants/{tenant.assistant_id}")).status_code == 200
        other = await c.post("/assistants/search", json={}, headers={"organization-id": "someone-else"})
    assert other.status_code == 403


async def test_the_principal_named_at_minting_owns_the_threads(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    secret = await tenant.secret(user="alice")
    async with tenant.as_secret(secret) as c:
        # The browser cannot choose whom it acts for: the header is ignored under a secret.
        thread = (await c.post("/threads", json={}, headers={"x-principal-user-id": "mallory"})).json()
    assert thread["created_by"] == "alice"
    # The same user's key calls (and her next secret) see it; another user's do not.
    async with tenant.client(x_principal_user_id="alice") as c:
        assert (await c.get(f"/threads/{thread['thread_id']}")).status_code == 200
    async with tenant.as_secret(await tenant.secret(user="alice")) as c:
        assert (await c.get(f"/threads/{thread['thread_id']}")).status_code == 200
    async with tenant.as_secret(await tenant.secret(user="bob")) as c:
        assert (await c.get(f"/threads/{thread['thread_id']}")).status_code == 404


async def test_anonymous_secrets_each_get_a_principal_of_their_own(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    first, second = await tenant.secret(), await tenant.secret()
    async with tenant.as_secret(first) as c:
        thread = (await c.post("/threads", json={})).json()
        runs = await c.post(
            f"/threads/{thread['thread_id']}/runs/wait",
            json={"assistant_id": tenant.assistant_id, "input": send("hello")},
        )
        assert runs.status_code == 201, runs.text
        mine = (await c.post("/conversations/search", json={})).json()
    assert re.match(r"^cs:[0-9a-f-]{36}$", thread["created_by"])
    assert [c["threadId"] for c in mine["items"]] == [thread["thread_id"]]
    async with tenant.as_secret(second) as c:
        assert (await c.get(f"/threads/{thread['thread_id']}")).status_code == 404
        assert (await c.post("/conversations/search", json={})).json() == {"items": [], "total": 0}
        assert (await c.post("/threads/search", json={})).json() == []


async def test_a_secret_keeps_its_keys_xpert_binding(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    async with tenant.client() as c:
        other = (await c.post("/assistants", json={"name": "Other", "slug": "other"})).json()["assistant_id"]
    bound, _ = await ck.harness.mint_key(tenant.org, xpert_id=tenant.assistant_id)
    secret = await tenant.secret(key=bound)
    async with tenant.as_secret(secret) as c:
        thread = (await c.post("/threads", json={})).json()
        ok = await c.post(
            f"/threads/{thread['thread_id']}/runs/wait",
            json={"assistant_id": tenant.assistant_id, "input": send("hi")},
        )
        assert ok.status_code == 201, ok.text
        denied = await c.get(f"/assistants/{other}")
        assert denied.status_code == 403
        assert denied.json()["message"] == "API key is not allowed to access this assistant."


async def test_a_secret_never_outlives_its_key(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    short, _ = await ck.harness.mint_key(tenant.org, expires_in=30)
    body = await tenant.mint(body={"expires_after": 600}, key=short)
    assert body["expires_after"] <= 30
    assert iso_epoch(body["expires_at"]) <= time.time() + 31


async def test_expired_secrets_answer_token_expired(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    with manual_clock(ck.harness.services) as clock:
        body = await tenant.mint(body={"expires_after": 60})
        async with tenant.as_secret(body["client_secret"]) as c:
            assert (await c.post("/threads", json={})).status_code == 201
            clock.advance(59)
            assert (await c.post("/threads", json={})).status_code == 201
            clock.advance(2)
            resp = await c.post("/threads", json={})
    assert resp.status_code == 401
    assert resp.json() == {"statusCode": 401, "message": "Token expired", "error": "Unauthorized"}


async def test_unknown_secrets_are_invalid_tokens(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    async with tenant.as_secret("cs-x-" + "0" * 64, "bearer") as c:
        resp = await c.post("/threads", json={})
    assert resp.status_code == 401
    assert resp.json()["message"] == "Invalid token"


async def test_what_a_secret_does_is_audited_as_that_secret(ck: ChatkitEnv) -> None:
    tenant = await ck.tenant()
    secret = await tenant.secret(user="carol")
    record = await ck.harness.services.storage.find_client_secret(hash_credential(secret))
    assert record is not None and record.user_id == "carol"
    async with tenant.as_secret(secret) as c:
        thread = (await c.post("/threads", json={})).json()
    audit = await ck.harness.services.storage.list_audit(tenant.org)
    (row,) = [r for r in audit if r["resource_id"] == thread["thread_id"] and r["action"] == "create"]
    assert row["key_id"] == record.id and row["principal_user_id"] == "carol"
    minted = [r for r in audit if r["resource_type"] == "client_secret"]
    assert [r["resource_id"] for r in minted] == [record.id]
