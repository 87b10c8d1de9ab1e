"""Roles on keys: admins manage their org's keys over the API (a key is shown once); apps use xperts."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, Table, create_engine, insert, select

from tests.harness.app import ApiHarness
from xpert_server.auth.roles import NEEDS_ADMIN
from xpert_server.storage import schema as t
from xpert_server.storage.migrations import MIGRATIONS, migrate, schema_migrations


async def test_an_admin_creates_lists_and_revokes_its_orgs_keys(api: ApiHarness) -> None:
    admin, org = await api.mint_key(role="admin")
    async with api.client(admin) as c:
        made = await c.post("/keys", json={"name": "checkout app"})
        assert made.status_code == 201, made.text
        body = made.json()
        key = body["key"]
        assert body["role"] == "app" and body["status"] == "active" and key.startswith("sk-x-")
        listed = (await c.get("/keys")).json()
        # Shown once: the list has hints only, never a key.
        assert key not in str(listed) and key[5:] not in str(listed)
        assert body["id"] in {k["id"] for k in listed} and all("key" not in k for k in listed)
    async with api.client(key) as c:
        assert (await c.post("/threads", json={})).status_code == 201
        refused = await c.post("/assistants", json={"name": "No", "slug": "no"})
        assert refused.status_code == 403 and refused.json()["message"] == NEEDS_ADMIN
        assert (await c.get("/keys")).status_code == 403
    async with api.client(admin) as c:
        revoked = await c.delete(f"/keys/{body['id']}")
        assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    await asyncio.sleep(0)
    async with api.client(key) as c:
        resp = await c.post("/threads", json={})
        assert resp.status_code == 401 and resp.json()["message"] == "Invalid token"


async def test_an_admin_may_make_admins_and_an_app_may_make_nothing(api: ApiHarness) -> None:
    admin, org = await api.mint_key(role="admin")
    app_key, _ = await api.mint_key(org, role="app")
    async with api.client(admin) as c:
        second = (await c.post("/keys", json={"role": "admin"})).json()
    async with api.client(second["key"]) as c:
        assert (await c.post("/assistants", json={"name": "Yes", "slug": "yes"})).status_code == 201
    async with api.client(app_key) as c:
        for method, url, json in (
            ("POST", "/keys", {"role": "admin"}),
            ("GET", "/keys", None),
            ("DELETE", f"/keys/{second['id']}", None),
        ):
            resp = await c.request(method, url, json=json)
            assert resp.status_code == 403 and resp.json()["message"] == NEEDS_ADMIN, (method, resp.text)


async def test_keys_of_another_org_are_not_found(api: ApiHarness) -> None:
    admin_a, _ = await api.mint_key(role="admin")
    admin_b, _ = await api.mint_key(role="admin")
    async with api.client(admin_a) as c:
        made = (await c.post("/keys", json={})).json()
    async with api.client(admin_b) as c:
        assert made["id"] not in {k["id"] for k in (await c.get("/keys")).json()}
        resp = await c.delete(f"/keys/{made['id']}")
        assert resp.status_code == 404
    async with api.client(made["key"]) as c:
        assert (await c.post("/threads", json={})).status_code == 201


async def test_a_bound_admin_key_only_makes_keys_bound_to_its_xpert(api: ApiHarness) -> None:
    admin, org = await api.mint_key(role="admin")
    async with api.client(admin) as c:
        x1 = (await c.post("/assistants", json={"name": "X1", "slug": "x1"})).json()["assistant_id"]
        x2 = (await c.post("/assistants", json={"name": "X2", "slug": "x2"})).json()["assistant_id"]
    bound, _ = await api.mint_key(org, role="admin", xpert_id=x1)
    async with api.client(bound) as c:
        wider = await c.post("/keys", json={"xpert_id": x2})
        assert wider.status_code == 403
        made = (await c.post("/keys", json={"role": "admin"})).json()
        assert made["xpert_id"] == x1
        assert all(k["xpert_id"] == x1 for k in (await c.get("/keys")).json())
    async with api.client(made["key"]) as c:
        assert (await c.get(f"/assistants/{x2}")).status_code == 403
    # …and revokes only keys bound to its xpert: another xpert's key, or an unbound one, is not found.
    other, _ = await api.mint_key(org, role="app", xpert_id=x2)
    async with api.client(admin) as c:
        ids = {k["xpert_id"]: k["id"] for k in (await c.get("/keys")).json() if k["xpert_id"] != x1}
    async with api.client(bound) as c:
        for key_id in ids.values():
            assert (await c.delete(f"/keys/{key_id}")).status_code == 404
    async with api.client(other) as c:
        assert (await c.post("/threads", json={})).status_code == 201
    async with api.client(admin) as c:
        assert (await c.delete(f"/keys/{made['id']}")).status_code == 200


async def test_key_bodies_are_validated(api: ApiHarness) -> None:
    admin, _ = await api.mint_key(role="admin")
    async with api.client(admin) as c:
        for body in ({"role": "root"}, {"expires_in": -1}, {"xpert_id": "no-such-xpert"}, {"surprise": 1}):
            resp = await c.post("/keys", json=body)
            assert resp.status_code in (400, 404, 422), resp.text
        assert len((await c.get("/keys")).json()) == 1  # nothing was made


async def test_client_secrets_are_never_admin(api: ApiHarness) -> None:
    admin, _ = await api.mint_key(role="admin")
    async with api.client(admin) as c:
        secret = (await c.post("/v1/chatkit/sessions", json={})).json()["client_secret"]
    async with api.client(None, x_client_secret=secret) as c:
        assert (await c.post("/assistants", json={"name": "No", "slug": "no"})).status_code == 403
        assert (await c.get("/keys")).status_code == 403


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_keys_made_before_roles_become_admin_with_one_warning(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if backend == "postgres":
        from tests.conftest import scratch_database

        ctx = scratch_database("xpert_roles")
        url = ctx.__enter__().replace("postgresql://", "postgresql+psycopg://")
        request.addfinalizer(lambda: ctx.__exit__(None, None, None))
    else:
        url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            # The schema as the release before roles made it: steps 1-5, api_keys without `role`.
            old_keys = Table(
                "api_keys",
                MetaData(),
                *(
                    Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
                    for c in t.api_keys.columns
                    if c.name != "role"
                ),
            )
            old_keys.create(conn)
            t.metadata.create_all(
                conn,
                tables=[
                    t.orgs,
                    t.assistants,
                    t.assistant_versions,
                    t.threads,
                    t.audit_log,
                    t.runs,
                    t.run_events,
                    t.messages,
                    t.feedbacks,
                ],
            )
            for m in MIGRATIONS[1:5]:
                m.apply(conn)
            schema_migrations.create(conn, checkfirst=True)
            for m in MIGRATIONS[:5]:
                conn.execute(insert(schema_migrations).values(version=m.version, name=m.name, applied_at=0.0))
            conn.execute(
                insert(old_keys).values(
                    id="k1",
                    org_id="o",
                    name=None,
                    key_hash="h" * 64,
                    hint="sk…",
                    xpert_id=None,
                    expires_at=None,
                    revoked_at=None,
                    created_at=0.0,
                )
            )
            conn.execute(
                insert(t.assistants).values(
                    id="a1",
                    public_id="a1",
                    org_id="o",
                    slug="pwn",
                    name="Pwn",
                    description=None,
                    version=1,
                    source="api",
                    definition={"name": "Pwn", "slug": "pwn", "mcp": [{"name": "x", "command": "sh"}]},
                    config={},
                    metadata={},
                    context=None,
                    created_by=None,
                    created_at=0.0,
                    updated_at=0.0,
                )
            )
        with caplog.at_level(logging.WARNING, logger="xpert.storage"), engine.begin() as conn:
            assert migrate(conn) == [m.version for m in MIGRATIONS[5:]]  # 6 (roles) and every later step
            assert conn.execute(select(t.api_keys.c.role)).scalars().all() == ["admin"]
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert any("1 API key(s) made before roles existed are now 'admin'" in w for w in warnings), warnings
        assert any("o/a1 (mcp[0].command)" in w for w in warnings), warnings
        with caplog.at_level(logging.WARNING, logger="xpert.storage"), engine.begin() as conn:
            caplog.clear()
            assert migrate(conn) == []  # once
        assert not caplog.records
    finally:
        engine.dispose()
