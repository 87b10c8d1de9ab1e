"""A JSON body is JSON whatever its content type (as on LangGraph's server): agent-chat-ui's Next.js
passthrough forwards bodies as `text/plain`, some clients send none. The check is the body parser's
(`limits/jsonbody.py`), so the sweep is generated from the app's routes: every route that takes a JSON
body answers a `text/plain` body exactly as it answers the same bytes sent as `application/json`.
Multipart uploads keep their own parser; a body that is not JSON is a 400 and changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from tests.harness.app import ApiHarness

PLACEHOLDER = str(uuid.uuid4())  # every path id: the answers are compared, not the resources


def json_body_routes(api: ApiHarness) -> list[tuple[str, str]]:
    """(method, path under the prefix) of every API route whose handler takes a JSON body."""
    out: list[tuple[str, str]] = []
    for route in api.app.routes:
        if isinstance(route, APIRoute) and route.body_field is not None and route.path.startswith(api.prefix):
            for method in sorted(route.methods):
                out.append((method, route.path[len(api.prefix) :]))
    return out


def answer(resp: httpx.Response) -> tuple[int, Any]:
    """What must match between the two content types: the status, and an error's message (a 2xx carries
    fresh ids each time)."""
    if resp.status_code < 300:
        return resp.status_code, None
    return resp.status_code, resp.json().get("message")


async def test_every_json_route_reads_a_text_plain_body_as_json(api: ApiHarness) -> None:
    routes = json_body_routes(api)
    assert len(routes) >= 40, routes  # the sweep sees the API, not a handful of routes
    key, _ = await api.mint_key()
    async with api.client(key) as c:
        for method, template in routes:
            path = template.replace("{", "").replace("}", "")
            for param in {p.split("}")[0] for p in template.split("{")[1:]}:
                path = path.replace(param, PLACEHOLDER)
            as_json = await c.request(
                method, path, content=b"{}", headers={"content-type": "application/json"}
            )
            as_text = await c.request(method, path, content=b"{}", headers={"content-type": "text/plain"})
            assert answer(as_text) == answer(as_json), (method, template, as_text.text[:300])


@pytest.mark.parametrize(
    "content_type",
    ["text/plain;charset=UTF-8", "application/octet-stream", None],
    ids=["text", "octets", "none"],
)
async def test_a_json_body_with_any_content_type_creates_and_runs(
    api: ApiHarness, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    key, _ = await api.mint_key()
    async with api.client(key) as c:

        async def send(method: str, path: str, body: bytes) -> httpx.Response:
            resp = await c.request(method, path, content=body, headers=headers)
            assert resp.status_code < 300, (method, path, resp.status_code, resp.text[:300])
            return resp

        aid = (await send("POST", "/assistants", b'{"name": "Plain", "slug": "plain"}')).json()[
            "assistant_id"
        ]
        thread = (await send("POST", "/threads", b'{"metadata": {"via": "text"}}')).json()
        tid = thread["thread_id"]
        assert thread["metadata"]["via"] == "text"
        await send("PATCH", f"/threads/{tid}", b'{"metadata": {"again": 1}}')
        assert (await c.get(f"/threads/{tid}")).json()["metadata"]["again"] == 1
        await send("PUT", "/store/items", b'{"namespace": ["t"], "key": "k", "value": {"v": 1}}')
        item = (await c.get("/store/items", params={"namespace": "t", "key": "k"})).json()
        assert item["value"] == {"v": 1}
        found = (await send("POST", "/threads/search", b'{"metadata": {"via": "text"}}')).json()
        assert [t["thread_id"] for t in found] == [tid]
        run = (
            b'{"assistant_id": "%s", "input": {"messages": [{"role": "user", "content": "hi"}]}}'
            % aid.encode()
        )
        values = (await send("POST", f"/threads/{tid}/runs/wait", run)).json()
        assert values["messages"][-1]["type"] == "ai", values


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b"hello"),
        ("text/plain", b'{"metadata": {"a": "\\ud800"}}'),  # strict JSON holds for every content type
        ("application/x-www-form-urlencoded", b"metadata=1"),
        ("application/octet-stream", b"\x00\xff"),
    ],
    ids=["words", "surrogate", "form", "bytes"],
)
async def test_a_body_that_is_not_json_is_a_400_and_creates_nothing(
    api: ApiHarness, content_type: str, body: bytes
) -> None:
    key, _ = await api.mint_key()
    async with api.client(key) as c:
        resp = await c.post("/threads", content=body, headers={"content-type": content_type})
        assert resp.status_code == 400, resp.text
        assert resp.json()["message"].startswith("Invalid JSON body"), resp.text
        assert (await c.post("/threads/search", json={})).json() == []


async def test_a_multipart_upload_still_uploads(api: ApiHarness) -> None:
    key, _ = await api.mint_key()
    async with api.client(key) as c:
        resp = await c.post("/contexts/file", files={"file": ("a.txt", b"hello", "text/plain")})
        assert resp.status_code == 201, resp.text
        assert resp.json()["name"] == "a.txt"
