"""Managing connections: an org's admins see their own and the operator's, never another org's; a
connection in use is not deleted; the operator's are read-only; bad input changes nothing."""

from __future__ import annotations

from tests.connections.conftest import PRIVATE_ORG, ConnEnv, dns, model_body, unique
from tests.harness.dns import PUBLIC
from xpert_server.auth.roles import NEEDS_ADMIN


async def test_org_b_can_neither_see_nor_use_nor_change_org_as_connections(conn: ConnEnv) -> None:
    a, _ = await conn.admin(PRIVATE_ORG)
    b, _ = await conn.admin()
    name = unique("secret-llm")
    async with a, b:
        assert (
            await a.post("/connections", json=model_body(name, conn.model_url, "sk-a-000000000000"))
        ).status_code == 201
        assert name not in {x["name"] for x in (await b.get("/connections")).json()}
        for method, body in (("GET", None), ("PATCH", {"description": "b was here"}), ("DELETE", None)):
            resp = await b.request(method, f"/connections/{name}", json=body)
            assert resp.status_code == 404 and resp.json()["message"] == f"Connection '{name}' not found."
        for definition in ({"model": {"connection": name}}, {"mcp": [name]}):
            resp = await b.post("/assistants", json={"name": "b", "slug": unique("b"), **definition})
            assert resp.status_code == 400, resp.text
            assert f"no connection '{name}' in this org or the server's" in resp.json()["message"]
        # B may take the same name for its own (public) endpoint: names are per org.
        with dns(conn) as fake:
            fake.answers = {"api.conn.test": [PUBLIC]}
            mine = await b.post("/connections", json=model_body(name, "https://api.conn.test/v1"))
        assert mine.status_code == 201, mine.text
        assert (await a.get(f"/connections/{name}")).json()["description"] is None


async def test_a_connection_in_use_is_not_deleted(conn: ConnEnv) -> None:
    c, _ = await conn.admin(PRIVATE_ORG)
    name = unique("llm")
    async with c:
        await c.post("/connections", json=model_body(name, conn.model_url))
        slugs = [unique("user"), unique("user")]
        ids = []
        for slug in slugs:
            made = await c.post(
                "/assistants", json={"name": slug, "slug": slug, "model": {"connection": name}}
            )
            ids.append(made.json()["assistant_id"])
        refused = await c.delete(f"/connections/{name}")
        assert refused.status_code == 409
        assert all(s in refused.json()["message"] for s in slugs)
        assert (await c.get(f"/connections/{name}")).status_code == 200
        await c.delete(f"/assistants/{ids[0]}")
        await c.patch(f"/assistants/{ids[1]}", json={"model": {"provider": "offline"}})
        gone = await c.delete(f"/connections/{name}")
        assert gone.status_code == 200 and gone.json()["success"] is True
        assert (await c.get(f"/connections/{name}")).status_code == 404


async def test_the_operators_connections_are_read_only_and_their_names_reserved(conn: ConnEnv) -> None:
    c, _ = await conn.admin(PRIVATE_ORG)
    async with c:
        shown = (await c.get("/connections/house")).json()
        assert shown["scope"] == "server" and shown["url"] is None and shown["hint"] is None
        for method, body in (("PATCH", {"description": "mine"}), ("DELETE", None)):
            resp = await c.request(method, "/connections/house", json=body)
            assert resp.status_code == 403 and "operator" in resp.json()["message"]
        taken = await c.post("/connections", json=model_body("house", conn.model_url))
        assert taken.status_code == 409 and "operator" in taken.json()["message"]


async def test_bad_input_is_a_clear_400_and_stores_nothing(conn: ConnEnv) -> None:
    c, _ = await conn.admin(PRIVATE_ORG)
    async with c:
        for body, says in (
            ({"name": "Bad Name", "kind": "model", "url": conn.model_url}, "name"),
            ({"name": unique("x"), "kind": "model", "url": "ftp://x/"}, "only http and https"),
            ({"name": unique("x"), "kind": "model", "url": "http://u:p@127.0.0.1/"}, "credentials"),
            ({"name": unique("x"), "kind": "model", "url": conn.model_url, "headers": {"a": "b"}}, "api_key"),
            ({"name": unique("x"), "kind": "mcp", "url": conn.mcp_url, "api_key": "k"}, "headers"),
            ({"name": unique("x"), "kind": "mcp", "url": conn.mcp_url, "headers": {"a\nb": "c"}}, "header"),
            ({"name": unique("x"), "kind": "tool", "url": conn.mcp_url}, "kind"),
        ):
            resp = await c.post("/connections", json=body)
            assert resp.status_code == 400 and says in resp.text, resp.text
            assert (await c.get(f"/connections/{body['name']}")).status_code in (404, 400)


async def test_app_keys_may_not_manage_connections(conn: ConnEnv) -> None:
    key, _ = await conn.harness.mint_key(PRIVATE_ORG, role="app")
    async with conn.harness.client(key) as c:
        for method, url in (
            ("GET", "/connections"),
            ("POST", "/connections"),
            ("DELETE", "/connections/house"),
        ):
            resp = await c.request(method, url, json=model_body(unique("x"), conn.model_url))
            assert resp.status_code == 403 and resp.json()["message"] == NEEDS_ADMIN


async def test_a_new_url_needs_the_secret_again(conn: ConnEnv) -> None:
    """Otherwise an admin could point a stored key at a server of its own and read it off the wire."""
    c, _ = await conn.admin(PRIVATE_ORG)
    name, other = unique("llm"), conn.model_url.replace("/v1", "/v2")
    async with c:
        await c.post("/connections", json=model_body(name, conn.model_url, "sk-kept-000000000000"))
        resp = await c.patch(f"/connections/{name}", json={"url": other})
        assert resp.status_code == 400 and "a new URL needs `api_key` again" in resp.json()["message"]
        assert (await c.get(f"/connections/{name}")).json()["url"] == conn.model_url
        moved = await c.patch(f"/connections/{name}", json={"url": other, "api_key": "sk-given-again-000000"})
        assert moved.status_code == 200 and moved.json()["url"] == other and moved.json()["hint"] == "…0000"
        for wrong in ({"headers": {"a": "b"}}, {"transport": "sse"}):
            resp = await c.patch(f"/connections/{name}", json=wrong)
            assert resp.status_code == 400 and "not a field of a model connection" in resp.json()["message"]


async def test_a_key_bound_to_one_xpert_reads_but_does_not_change_connections(conn: ConnEnv) -> None:
    c, org = await conn.admin(PRIVATE_ORG)
    name = unique("llm")
    async with c:
        await c.post("/connections", json=model_body(name, conn.model_url))
        slug = unique("x")
        xpert = (await c.post("/assistants", json={"name": slug, "slug": slug})).json()["assistant_id"]
    bound, _ = await conn.harness.mint_key(org, role="admin", xpert_id=xpert)
    async with conn.harness.client(bound) as b:
        assert (await b.get(f"/connections/{name}")).status_code == 200
        for method, url, body in (
            ("POST", "/connections", model_body(unique("llm"), conn.model_url)),
            ("PATCH", f"/connections/{name}", {"description": "bound"}),
            ("DELETE", f"/connections/{name}", None),
        ):
            resp = await b.request(method, url, json=body)
            assert (
                resp.status_code == 403 and "not allowed to access this assistant" in resp.json()["message"]
            )


async def test_an_earlier_version_naming_a_deleted_connection_is_not_restored(conn: ConnEnv) -> None:
    c, _ = await conn.admin(PRIVATE_ORG)
    name, slug = unique("llm"), unique("x")
    async with c:
        await c.post("/connections", json=model_body(name, conn.model_url))
        made = await c.post("/assistants", json={"name": slug, "slug": slug, "model": {"connection": name}})
        xpert = made.json()["assistant_id"]
        await c.patch(f"/assistants/{xpert}", json={"model": {"provider": "offline"}})
        assert (await c.delete(f"/connections/{name}")).status_code == 200  # no longer in use
        resp = await c.post(f"/assistants/{xpert}/latest", json={"version": 1})
        assert resp.status_code == 400 and f"no connection '{name}'" in resp.json()["message"]
        assert (await c.get(f"/assistants/{xpert}")).json()["version"] == 2
