"""The public-address rule on org connections: at creation and change (the URL's every DNS answer), and
on every request a run makes (each redirect hop, each fresh DNS answer), unless the operator allows the
org private addresses. Names resolve through an injected resolver; nothing here reaches a public host."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.agents.common import thread
from tests.connections.conftest import PRIVATE_ORG, ConnEnv, dns, model_body, unique
from tests.harness.chat import send
from tests.harness.dns import PUBLIC, FakeDNS
from xpert_server.net.guarded import AddressPolicy, GuardedTransport, RefusedAddress


@pytest.fixture
async def public_admin(conn: ConnEnv) -> AsyncIterator[httpx.AsyncClient]:
    c, _ = await conn.admin()  # an org the operator did not allow private addresses
    async with c:
        yield c


async def test_a_loopback_url_is_refused_and_nothing_is_stored(
    conn: ConnEnv, public_admin: httpx.AsyncClient
) -> None:
    c = public_admin
    for body in (
        model_body(unique("llm"), conn.model_url, "sk-loopback-0000000000"),
        {"name": unique("mcp"), "kind": "mcp", "url": conn.mcp_url},
        model_body(unique("llm"), "http://[::1]:9/v1"),
        model_body(unique("llm"), "http://169.254.169.254/latest"),
    ):
        resp = await c.post("/connections", json=body)
        assert resp.status_code == 400, resp.text
        message = resp.json()["message"]
        assert message.startswith("url: refused") and "address" in message
        assert "operator may allow private ones for this org" in message
        assert (await c.get(f"/connections/{body['name']}")).status_code == 404
    assert (
        "127.0.0.1 is a loopback address"
        in (await c.post("/connections", json=model_body(unique("llm"), conn.model_url))).json()["message"]
    )


async def test_the_same_url_is_accepted_for_an_org_the_operator_allows(conn: ConnEnv) -> None:
    c, _ = await conn.admin(PRIVATE_ORG)
    async with c:
        resp = await c.post("/connections", json=model_body(unique("llm"), conn.model_url))
    assert resp.status_code == 201, resp.text


async def test_every_dns_answer_must_be_public(conn: ConnEnv, public_admin: httpx.AsyncClient) -> None:
    with dns(conn) as fake:
        fake.answers = {"internal.conn.test": ["10.0.0.5"], "mixed.conn.test": [PUBLIC, "192.168.1.9"]}
        for host, shown in (
            ("internal.conn.test", "10.0.0.5 is a private"),
            ("mixed.conn.test", "192.168.1.9"),
        ):
            resp = await public_admin.post(
                "/connections", json=model_body(unique("llm"), f"https://{host}/v1")
            )
            assert resp.status_code == 400 and shown in resp.json()["message"], resp.text
        assert fake.asked == ["internal.conn.test", "mixed.conn.test"]


async def test_changing_the_url_is_held_to_the_rule(conn: ConnEnv, public_admin: httpx.AsyncClient) -> None:
    with dns(conn) as fake:
        fake.answers = {"api.conn.test": [PUBLIC]}
        name = unique("llm")
        assert (
            await public_admin.post("/connections", json=model_body(name, "https://api.conn.test/v1"))
        ).status_code == 201
        resp = await public_admin.patch(
            f"/connections/{name}", json={"url": conn.model_url, "api_key": "sk-new-0000000000000000"}
        )
        assert resp.status_code == 400 and "loopback" in resp.json()["message"]
        assert (await public_admin.get(f"/connections/{name}")).json()["url"] == "https://api.conn.test/v1"


async def test_a_name_rebound_to_loopback_after_creation_is_refused_at_run_time(
    conn: ConnEnv, public_admin: httpx.AsyncClient
) -> None:
    c = public_admin
    port = httpx.URL(conn.model_url).port
    with dns(conn) as fake:
        fake.answers = {"rebind.conn.test": [PUBLIC]}
        name = unique("llm")
        made = await c.post("/connections", json=model_body(name, f"http://rebind.conn.test:{port}/v1"))
        assert made.status_code == 201, made.text
        slug = unique("x")
        xpert = (
            await c.post("/assistants", json={"name": slug, "slug": slug, "model": {"connection": name}})
        ).json()
        fake.answers["rebind.conn.test"] = ["127.0.0.1"]  # now it points at the scripted model server
        before, asked = len(conn.fake.requests), len(fake.asked)
        resp = await c.post(
            f"/threads/{await thread(c)}/runs/wait",
            json={"assistant_id": xpert["assistant_id"], "input": send("hi")},
        )
    assert resp.status_code == 201, resp.text
    assert "refused http://rebind.conn.test" in resp.text and "127.0.0.1 is a loopback address" in resp.text
    assert len(conn.fake.requests) == before, "the request reached the loopback server"
    assert "rebind.conn.test" in fake.asked[asked:], "the run did not resolve the name again"


class PretendInternet(httpx.AsyncBaseTransport):
    """The network below the guard: the pretend public address PUBLIC is a loopback test server; any other
    address is connected to as it is (only loopback ones are used here)."""

    def __init__(self, port: int):
        self.port = port
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == PUBLIC:
            request.url = request.url.copy_with(host="127.0.0.1", port=self.port)
        assert request.url.host == "127.0.0.1", request.url
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_every_redirect_hop_is_checked(conn: ConnEnv) -> None:
    """A public endpoint answering with a redirect to loopback (or to a name that resolves privately) is
    followed by no client: the guard checks the hop before connecting."""
    port = httpx.URL(conn.model_url).port
    assert port is not None
    fake = FakeDNS()
    fake.answers = {"public.conn.test": [PUBLIC], "lan.conn.test": ["10.1.2.3"], "localhost": ["127.0.0.1"]}
    transport = GuardedTransport(AddressPolicy(False, fake), inner=PretendInternet(port))
    async with httpx.AsyncClient(transport=transport, follow_redirects=True) as client:
        ok = await client.get(f"http://public.conn.test:{port}/hello")
        assert ok.status_code == 200 and f"Host: public.conn.test:{port}" in ok.text
        hits = conn.fake.hits.get("/hello", 0)
        for target in (
            f"http://127.0.0.1:{port}/hello",
            f"http://lan.conn.test:{port}/hello",
            "/redirect?to=http://localhost/",
        ):
            with pytest.raises(RefusedAddress, match="address"):
                await client.get(f"http://public.conn.test:{port}/redirect", params={"to": target})
        assert conn.fake.hits.get("/hello", 0) == hits


async def test_an_mcp_connection_is_held_to_the_rule_at_run_time(
    conn: ConnEnv, public_admin: httpx.AsyncClient
) -> None:
    c = public_admin
    port = httpx.URL(conn.mcp_url).port
    with dns(conn) as fake:
        fake.answers = {"tools.conn.test": [PUBLIC]}
        name = unique("tools")
        made = await c.post(
            "/connections", json={"name": name, "kind": "mcp", "url": f"http://tools.conn.test:{port}/mcp"}
        )
        assert made.status_code == 201, made.text
        slug = unique("x")
        body = {"name": slug, "slug": slug, "model": {"provider": "offline"}, "mcp": [name]}
        xpert = (await c.post("/assistants", json=body)).json()["assistant_id"]
        fake.answers["tools.conn.test"] = ["127.0.0.1"]  # now it points at the test's MCP server
        seen = len(conn.mcp_headers)
        resp = await c.post(
            f"/threads/{await thread(c)}/runs/wait", json={"assistant_id": xpert, "input": send("hi")}
        )
    assert f"MCP server '{name}'" in resp.text and "127.0.0.1 is a loopback address" in resp.text, resp.text
    assert len(conn.mcp_headers) == seen, "the request reached the loopback MCP server"
