"""Who may call, and what each caller may see: keys, orgs, principals, xpert bindings, the audit log."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, MetaData, inspect, select

from tests.harness.app import ApiHarness
from tests.harness.clock import manual_clock
from tests.harness.responses import error_of
from xpert_server.auth.authenticator import CACHE_TTL
from xpert_server.auth.keys import hash_credential

NOT_ALLOWED = "API key is not allowed to access this assistant."


async def key_id_of(api: ApiHarness, org: str) -> str:
    (record,) = await api.services.storage.list_api_keys(org)
    return record.id


async def new_thread(c: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    resp = await c.post("/threads", json=body)
    assert resp.status_code == 201, resp.text
    thread: dict[str, Any] = resp.json()
    return thread


async def thread_count(c: httpx.AsyncClient) -> int:
    resp = await c.post("/threads/count", json={})
    assert resp.status_code == 201, resp.text
    count: int = resp.json()
    return count


# --- credentials ----------------------------------------------------------------------------------


async def test_key_is_accepted_as_x_api_key_or_bearer(api: ApiHarness) -> None:
    key, _ = await api.mint_key()
    async with api.client(key) as c:
        thread = await new_thread(c)
    for header in (f"Bearer {key}", f"bearer {key}"):
        async with api.client(authorization=header) as c:
            assert (await c.get(f"/threads/{thread['thread_id']}")).status_code == 200


async def test_unknown_bearer_token_gets_401_invalid_token(api: ApiHarness) -> None:
    async with api.client(authorization="Bearer sk-x-not-a-key") as c:
        assert error_of(await c.post("/threads/search", json={}), 401) == "Invalid token"


async def test_empty_credentials_get_401(api: ApiHarness) -> None:
    async with api.client(authorization="Bearer ") as c:
        error_of(await c.post("/threads/search", json={}), 401)
    async with api.client(x_api_key="") as c:
        error_of(await c.post("/threads/search", json={}), 401)


async def test_organization_id_of_another_org_gets_403(api: ApiHarness) -> None:
    key, org = await api.mint_key()
    _, other = await api.mint_key()
    async with api.client(key, organization_id=other) as c:
        error_of(await c.post("/threads", json={}), 403)
    async with api.client(key, organization_id=org) as c:
        assert (await c.post("/threads", json={})).status_code == 201
    async with api.client(key) as c:
        assert await thread_count(c) == 1


async def test_revoked_key_gets_401(api: ApiHarness) -> None:
    key, org = await api.mint_key()
    async with api.client(key) as c:
        assert (await c.post("/threads/count", json={})).status_code == 201
        await api.services.storage.revoke_api_key(await key_id_of(api, org))
        api.services.auth.forget()
        assert error_of(await c.post("/threads/count", json={}), 401) == "Invalid token"


async def test_revocation_takes_effect_within_a_second_without_a_restart(api: ApiHarness) -> None:
    key, org = await api.mint_key()
    async with api.client(key) as c:
        # Used once, so the authenticator holds it in its cache.
        assert (await c.post("/threads/count", json={})).status_code == 201
        await api.services.storage.revoke_api_key(await key_id_of(api, org))
        revoked_at = time.monotonic()
        # The authenticator caches a key for CACHE_TTL (1 s): allow that, plus scheduling slack.
        while (await c.post("/threads/count", json={})).status_code != 401:
            assert time.monotonic() - revoked_at < CACHE_TTL + 0.5, "revoked key still accepted"
            await asyncio.sleep(0.05)


async def test_expired_key_gets_401(api: ApiHarness) -> None:
    with manual_clock(api.services) as clock:
        key, _ = await api.mint_key(expires_in=60)
        clock.advance(61)
        async with api.client(key) as c:
            assert error_of(await c.post("/threads/count", json={}), 401) == "ApiKey expired"


async def test_key_expiring_while_cached_gets_401_at_once(api: ApiHarness) -> None:
    with manual_clock(api.services) as clock:
        key, _ = await api.mint_key(expires_in=60)
        async with api.client(key) as c:
            assert (await c.post("/threads/count", json={})).status_code == 201
            clock.advance(59)
            assert (await c.post("/threads/count", json={})).status_code == 201
            clock.advance(2)  # past the expiry, well inside the authenticator's cache period
            assert error_of(await c.post("/threads/count", json={}), 401) == "ApiKey expired"


def _rows_mentioning(conn: Connection, needles: list[str]) -> list[tuple[str, str]]:
    """(table, column) of every value in every table that contains one of `needles`."""
    meta = MetaData()
    meta.reflect(conn)
    hits: list[tuple[str, str]] = []
    for table in meta.sorted_tables:
        for row in conn.execute(select(table)):
            for column, value in row._mapping.items():
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                if any(n in text for n in needles):
                    hits.append((table.name, str(column)))
    assert "api_keys" in inspect(conn).get_table_names()
    return hits


async def test_database_holds_no_key_in_plain_text(api: ApiHarness, api_database_url: str) -> None:
    key, _ = await api.mint_key()
    async with api.client(key, x_principal_user_id="alice") as c:
        thread = await new_thread(c, metadata={"note": "hello"})
        assert (
            await c.patch(f"/threads/{thread['thread_id']}", json={"metadata": {"x": 1}})
        ).status_code == 200
        assert (await c.post("/assistants", json={"name": "Keyless", "slug": "keyless"})).status_code == 201
    secret_part = key.removeprefix("sk-x-")
    storage = api.services.storage
    hits = await storage.read(lambda conn: _rows_mentioning(conn, [key, secret_part[:24], secret_part[-24:]]))
    assert hits == []
    # The scan did reach the key's row: its hash is there.
    assert await storage.read(lambda conn: _rows_mentioning(conn, [hash_credential(key)])) == [
        ("api_keys", "key_hash")
    ]
    if api_database_url.startswith("sqlite"):
        db_file = Path(api_database_url.removeprefix("sqlite:///"))
        for path in db_file.parent.glob(db_file.name + "*"):
            raw = path.read_bytes()
            assert key.encode() not in raw and secret_part[:24].encode() not in raw, path


# --- tenancy: orgs --------------------------------------------------------------------------------


async def test_key_of_other_org_gets_404_on_thread(api: ApiHarness) -> None:
    async with await api.tenant() as a, await api.tenant() as b:
        tid = (await new_thread(a, metadata={"owner": "a"}))["thread_id"]
        assert "not found" in error_of(await b.get(f"/threads/{tid}"), 404).lower()
        error_of(await b.patch(f"/threads/{tid}", json={"metadata": {"owner": "b"}}), 404)
        error_of(await b.delete(f"/threads/{tid}"), 404)
        error_of(await b.get(f"/threads/{tid}/nothing-here"), 404)
        # Org A's thread is untouched.
        mine = (await a.get(f"/threads/{tid}")).json()
        assert mine["metadata"]["owner"] == "a"


async def test_key_of_other_org_sees_none_of_its_threads_in_search_or_count(api: ApiHarness) -> None:
    async with await api.tenant() as a, await api.tenant() as b:
        tid = (await new_thread(a, metadata={"shared_tag": "t1"}))["thread_id"]
        assert (await b.post("/threads/search", json={})).json() == []
        assert (await b.post("/threads/search", json={"ids": [tid]})).json() == []
        assert (await b.post("/threads/search", json={"metadata": {"shared_tag": "t1"}})).json() == []
        assert await thread_count(b) == 0
        assert (await b.post("/threads/count", json={"metadata": {"shared_tag": "t1"}})).json() == 0
        assert [t["thread_id"] for t in (await a.post("/threads/search", json={})).json()] == [tid]


async def test_key_of_other_org_gets_404_on_assistant(api: ApiHarness) -> None:
    async with await api.tenant() as a, await api.tenant() as b:
        created = (await a.post("/assistants", json={"name": "Private", "slug": "private-one"})).json()
        aid = created["assistant_id"]
        error_of(await b.get(f"/assistants/{aid}"), 404)
        error_of(await b.patch(f"/assistants/{aid}", json={"description": "mine now"}), 404)
        error_of(await b.delete(f"/assistants/{aid}"), 404)
        error_of(await b.post("/threads", json={"assistant_id": aid}), 404)
        assert (await b.post("/assistants/search", json={"metadata": {"slug": "private-one"}})).json() == []
        assert (await a.get(f"/assistants/{aid}")).json()["version"] == 1


# --- tenancy: principals --------------------------------------------------------------------------


async def test_principal_is_recorded_on_threads(api: ApiHarness) -> None:
    key, _ = await api.mint_key()
    async with api.client(key, x_principal_user_id="user-1") as c:
        thread = await new_thread(c)
        assert thread["created_by"] == "user-1" and thread["updated_by"] == "user-1"
        assert (await c.get(f"/threads/{thread['thread_id']}")).json()["created_by"] == "user-1"


async def test_principal_sees_only_its_own_threads(api: ApiHarness) -> None:
    key, _ = await api.mint_key()
    async with (
        api.client(key, x_principal_user_id="alice") as alice,
        api.client(key, x_principal_user_id="bob") as bob,
        api.client(key) as service,
    ):
        alices = (await new_thread(alice))["thread_id"]
        bobs = (await new_thread(bob))["thread_id"]
        unowned = (await new_thread(service))["thread_id"]

        error_of(await bob.get(f"/threads/{alices}"), 404)
        error_of(await bob.patch(f"/threads/{alices}", json={"metadata": {"x": 1}}), 404)
        error_of(await bob.delete(f"/threads/{alices}"), 404)
        assert [t["thread_id"] for t in (await bob.post("/threads/search", json={})).json()] == [bobs]
        assert (await bob.post("/threads/search", json={"ids": [alices, unowned]})).json() == []
        assert await thread_count(bob) == 1
        error_of(await alice.get(f"/threads/{unowned}"), 404)

        # A call naming no principal acts for the whole org.
        seen = {t["thread_id"] for t in (await service.post("/threads/search", json={})).json()}
        assert seen == {alices, bobs, unowned}
        assert (await service.get(f"/threads/{alices}")).status_code == 200
        assert (await alice.get(f"/threads/{alices}")).json()["metadata"] == (
            await service.get(f"/threads/{alices}")
        ).json()["metadata"]


# --- a key bound to one xpert ---------------------------------------------------------------------


@pytest.fixture
async def bound(api: ApiHarness) -> dict[str, Any]:
    """An org with two xperts, and a key bound to the first."""
    key, org = await api.mint_key()
    async with api.client(key) as c:
        mine = (await c.post("/assistants", json={"name": "Mine", "slug": "mine"})).json()["assistant_id"]
        other = (await c.post("/assistants", json={"name": "Other", "slug": "other"})).json()["assistant_id"]
    bound_key, _ = await api.mint_key(org, xpert_id=mine)
    return {"key": bound_key, "mine": mine, "other": other}


async def test_key_bound_to_one_xpert_gets_403_on_another(api: ApiHarness, bound: dict[str, Any]) -> None:
    async with api.client(bound["key"]) as c:
        assert error_of(await c.get(f"/assistants/{bound['other']}"), 403) == NOT_ALLOWED
        assert (await c.get(f"/assistants/{bound['mine']}")).status_code == 200


async def test_key_bound_to_one_xpert_searches_only_that_xpert(
    api: ApiHarness, bound: dict[str, Any]
) -> None:
    async with api.client(bound["key"]) as c:
        found = (await c.post("/assistants/search", json={"limit": 100})).json()
        assert [a["assistant_id"] for a in found] == [bound["mine"]]
        assert (await c.post("/assistants/search", json={"metadata": {"slug": "other"}})).json() == []
        assert (await c.post("/assistants/count", json={})).json() == 1


async def test_key_bound_to_one_xpert_cannot_start_a_thread_on_another(
    api: ApiHarness, bound: dict[str, Any]
) -> None:
    async with api.client(bound["key"]) as c:
        assert error_of(await c.post("/threads", json={"assistant_id": bound["other"]}), 403) == NOT_ALLOWED
        assert await thread_count(c) == 0
        thread = await new_thread(c, assistant_id=bound["mine"])
        assert thread["metadata"]["assistant_id"] == bound["mine"]


async def test_key_bound_to_one_xpert_cannot_edit_xperts(api: ApiHarness, bound: dict[str, Any]) -> None:
    async with api.client(bound["key"]) as c:
        error_of(await c.post("/assistants", json={"name": "New", "slug": "new-one"}), 403)
        error_of(await c.patch(f"/assistants/{bound['other']}", json={"description": "x"}), 403)
        error_of(await c.delete(f"/assistants/{bound['other']}"), 403)
        assert (await c.get(f"/assistants/{bound['mine']}")).json()["version"] == 1


# --- bad bodies change nothing --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [{"thread_id": 5}, {"metadata": "not an object"}, {"metadata": {"ok": 1}, "if_exists": "sometimes"}],
)
async def test_bad_create_body_changes_nothing(api: ApiHarness, body: dict[str, Any]) -> None:
    key, org = await api.mint_key()
    audit_before = len(await api.services.storage.list_audit(org))
    async with api.client(key) as c:
        error_of(await c.post("/threads", json=body), 400)
        assert await thread_count(c) == 0
    assert len(await api.services.storage.list_audit(org)) == audit_before


async def test_bad_patch_body_changes_nothing(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        before = await new_thread(c, metadata={"keep": "me", "title": "T"})
        tid = before["thread_id"]
        message = error_of(await c.patch(f"/threads/{tid}", json={"metadata": ["not", "an", "object"]}), 400)
        assert "metadata" in message
        after = (await c.get(f"/threads/{tid}")).json()
        assert after["metadata"] == before["metadata"]
        assert after["updated_at"] == before["updated_at"]


# --- the audit log --------------------------------------------------------------------------------


async def test_mutating_calls_are_audited_with_key_principal_and_resource(api: ApiHarness) -> None:
    key, org = await api.mint_key()
    key_id = await key_id_of(api, org)
    started = time.time()
    async with api.client(key, x_principal_user_id="auditor") as c:
        tid = (await new_thread(c))["thread_id"]
        assert (await c.patch(f"/threads/{tid}", json={"metadata": {"a": 1}})).status_code == 200
        assert (await c.delete(f"/threads/{tid}")).status_code == 202
        aid = (await c.post("/assistants", json={"name": "Audited", "slug": "audited"})).json()[
            "assistant_id"
        ]
        assert (await c.patch(f"/assistants/{aid}", json={"description": "v2"})).status_code == 200
        assert (await c.delete(f"/assistants/{aid}")).status_code == 200
        # Reads are not audited.
        assert (await c.post("/threads/search", json={})).status_code == 200
    entries = [e for e in await api.services.storage.list_audit(org) if e["key_id"] == key_id]
    assert [(e["action"], e["resource_type"], e["resource_id"]) for e in reversed(entries)] == [
        ("create", "thread", tid),
        ("update", "thread", tid),
        ("delete", "thread", tid),
        ("create", "assistant", aid),
        ("update", "assistant", aid),
        ("delete", "assistant", aid),
    ]
    for e in entries:
        assert e["principal_user_id"] == "auditor"
        assert e["org_id"] == org
        assert started - 1 <= e["at"] <= time.time() + 1
