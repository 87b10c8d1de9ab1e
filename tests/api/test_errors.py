"""The transport contract: the error envelope, status codes, body limits, unauthenticated routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.harness.app import ApiHarness, open_harness
from xpert_server.errors import install_error_handlers

SMALL_LIMIT = 2048


def assert_envelope(resp: httpx.Response, status: int) -> dict[str, Any]:
    """XpertAI's NestJS shape, exactly: `{statusCode, message, error}`."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"statusCode", "message", "error"}, body
    assert body["statusCode"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["error"], str) and body["error"]
    return body


def assert_json_body(resp: httpx.Response, status: int) -> Any:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.content, "a 2xx other than DELETE /threads/{id} must have a JSON body"
    return resp.json()


@pytest.fixture(scope="module")
async def small(api_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ApiHarness]:
    """A second app on the same database, accepting bodies of at most SMALL_LIMIT bytes."""
    data_dir: Path = tmp_path_factory.mktemp("small-limit")
    async with open_harness(data_dir, api_database_url, max_body_bytes=SMALL_LIMIT) as harness:
        yield harness


# --- the envelope -------------------------------------------------------------------------------


async def test_missing_credentials_get_401_envelope(api: ApiHarness) -> None:
    async with api.client() as c:
        assert_envelope(await c.get("/threads/anything"), 401)
        assert_envelope(await c.post("/assistants/search", json={}), 401)


async def test_unknown_key_gets_401_invalid_token(api: ApiHarness) -> None:
    async with api.client("sk-x-" + "0" * 48) as c:
        body = assert_envelope(await c.post("/threads", json={}), 401)
    assert body == {"statusCode": 401, "message": "Invalid token", "error": "Unauthorized"}


async def test_unknown_thread_gets_404_envelope(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        body = assert_envelope(await c.get("/threads/no-such-thread"), 404)
    assert body["error"] == "Not Found"
    assert "no-such-thread" in body["message"]


@pytest.mark.parametrize("path", ["/api/ai/no-such-route", "/no-such-route", "/api/ai/threads/x/nowhere"])
async def test_unknown_route_gets_404_envelope(api: ApiHarness, path: str) -> None:
    key, _ = await api.mint_key()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app), base_url="http://test") as c:
        body = assert_envelope(await c.get(path, headers={"x-api-key": key}), 404)
        assert path in body["message"]
        # Without a credential too: a missing route is not an auth question.
        assert_envelope(await c.get(path), 404)


async def test_wrong_method_gets_405_envelope(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        assert_envelope(await c.put("/threads/search", json={}), 405)


# --- validation ---------------------------------------------------------------------------------


async def test_validation_error_names_every_bad_field(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        resp = await c.post(
            "/threads/search", json={"limit": 0, "offset": -1, "status": "sleeping", "sort_by": "colour"}
        )
        message = assert_envelope(resp, 400)["message"]
        for field in ("limit", "offset", "status", "sort_by"):
            assert field in message, message
        message = assert_envelope(
            await c.post("/assistants/search", json={"limit": "many", "offset": "x"}), 400
        )["message"]
        assert "limit" in message and "offset" in message, message


async def test_nested_bad_field_is_named_by_its_path(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        message = assert_envelope(await c.post("/threads/search", json={"ids": ["a", 5]}), 400)["message"]
    assert "ids.1" in message, message


@pytest.mark.parametrize("content", [b"{not json", b"[1, 2]", b'"text"'])
async def test_body_that_is_not_a_json_object_gets_400(api: ApiHarness, content: bytes) -> None:
    async with await api.tenant() as c:
        resp = await c.post("/threads", content=content, headers={"content-type": "application/json"})
        assert_envelope(resp, 400)


@pytest.mark.parametrize(
    ("path", "body", "fields"),
    [
        ("/threads", {"metadata": {"a": "x\u0000y", "ok": "fine"}}, ["metadata.a"]),
        ("/threads", {"metadata": {"k\u0000": 1}, "assistant_id": "a\u0000"}, ["metadata.k", "assistant_id"]),
        ("/threads", {"metadata": {"n": 2**70, "m": [1, -(2**64)]}}, ["metadata.n", "metadata.m.1"]),
        ("/threads/search", {"metadata": {"x": "\u0000"}, "ids": ["ok", "n\u0000"]}, ["metadata.x", "ids.1"]),
        ("/threads/count", {"metadata": {"n": 2**64}}, ["metadata.n"]),
        (
            "/assistants/search",
            {"metadata": {"slug": "\u0000"}, "graph_id": "\u0000"},
            ["metadata.slug", "graph_id"],
        ),
        (
            "/assistants",
            {"name": "x\u0000", "slug": "nul", "system_prompt": "a\u0000"},
            ["name", "system_prompt"],
        ),
    ],
)
async def test_values_no_database_can_store_get_400_on_every_backend(
    api: ApiHarness, path: str, body: dict[str, Any], fields: list[str]
) -> None:
    """NUL characters (PostgreSQL refuses them) and integers beyond 64 bits: 400 naming each, not a 500."""
    async with await api.tenant() as c:
        message = assert_envelope(await c.post(path, json=body), 400)["message"]
        for field in fields:
            assert field in message, message
        assert (await c.post("/threads/count", json={})).json() == 0
        assert (await c.post("/assistants/count", json={})).json() == 0


async def test_ids_no_database_can_store_get_404(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        assert_envelope(await c.get("/threads/a%00b"), 404)
        assert_envelope(await c.patch("/threads/a%00b", json={"metadata": {}}), 404)
        assert_envelope(await c.delete("/threads/a%00b"), 404)
        assert_envelope(await c.get("/assistants/a%00b"), 404)
        assert_envelope(await c.get("/assistants/a%00b/versions"), 404)


async def test_unexpected_error_still_answers_with_the_envelope() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        body = assert_envelope(await c.get("/boom"), 500)
    assert "a bug" not in body["message"], "internals stay in the log"


async def test_a_value_the_database_refuses_is_a_400() -> None:
    # The net under the request models' own checks: a DataError from either driver layer answers 400.
    import psycopg
    from sqlalchemy.exc import DataError

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/sqlalchemy")
    async def refused_by_sqlalchemy() -> None:
        raise DataError("INSERT ...", {}, ValueError("integer out of range"))

    @app.get("/psycopg")
    async def refused_by_psycopg() -> None:
        raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        for path in ("/sqlalchemy", "/psycopg"):
            body = assert_envelope(await c.get(path), 400)
            assert "cannot be stored" in body["message"] and "INSERT" not in body["message"]


# --- status codes and bodies --------------------------------------------------------------------


async def test_status_codes_follow_xpertai_clients(api: ApiHarness) -> None:
    async with await api.tenant() as c:
        created = assert_json_body(await c.post("/assistants", json={"name": "Codes", "slug": "codes"}), 201)
        aid = created["assistant_id"]
        assert isinstance(assert_json_body(await c.post("/assistants/search", json={}), 201), list)
        assert assert_json_body(await c.post("/assistants/count", json={}), 201) == 1
        assert_json_body(await c.get(f"/assistants/{aid}"), 200)
        assert_json_body(await c.patch(f"/assistants/{aid}", json={"description": "d"}), 200)
        assert isinstance(assert_json_body(await c.get(f"/assistants/{aid}/versions"), 200), list)
        assert isinstance(assert_json_body(await c.post(f"/assistants/{aid}/versions", json={}), 201), list)

        thread = assert_json_body(await c.post("/threads", json={}), 201)
        tid = thread["thread_id"]
        assert isinstance(assert_json_body(await c.post("/threads/search", json={}), 200), list)
        assert assert_json_body(await c.post("/threads/count", json={}), 201) == 1
        assert_json_body(await c.get(f"/threads/{tid}"), 200)
        assert_json_body(await c.patch(f"/threads/{tid}", json={"metadata": {"a": 1}}), 200)

        deleted = await c.delete(f"/threads/{tid}")
        assert deleted.status_code == 202
        assert deleted.content == b""
        removed = assert_json_body(await c.delete(f"/assistants/{aid}"), 200)
        assert isinstance(removed, dict) and removed


async def test_health_and_docs_need_no_credential(api: ApiHarness) -> None:
    async with api.client() as c:
        ok = await c.get("/ok")
        assert ok.status_code == 200 and ok.json() == {"ok": True}
        docs = await c.get("/docs")
        assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
        spec = await c.get("/openapi.json")
        assert spec.status_code == 200
        paths = spec.json()["paths"]
        assert "/api/ai/threads" in paths and "/api/ai/assistants/search" in paths


# --- body limits ----------------------------------------------------------------------------------


async def test_body_over_limit_with_content_length_gets_413(small: ApiHarness) -> None:
    async with await small.tenant() as c:
        payload = b'{"metadata": {"pad": "' + b"x" * (SMALL_LIMIT + 10) + b'"}}'
        resp = await c.post("/threads", content=payload, headers={"content-type": "application/json"})
        body = assert_envelope(resp, 413)
        assert str(SMALL_LIMIT) in body["message"]
        assert (await c.post("/threads/count", json={})).json() == 0


async def test_chunked_body_over_limit_gets_413(small: ApiHarness) -> None:
    chunk = b"x" * 512

    async def body() -> AsyncIterator[bytes]:
        yield b'{"metadata": {"pad": "'
        for _ in range(SMALL_LIMIT // len(chunk) + 2):
            yield chunk
        yield b'"}}'

    async with await small.tenant() as c:
        resp = await c.post("/threads", content=body(), headers={"content-type": "application/json"})
        assert "content-length" not in resp.request.headers
        assert_envelope(resp, 413)
        assert (await c.post("/threads/count", json={})).json() == 0


async def test_chunked_body_under_limit_is_accepted(small: ApiHarness) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b'{"metadata": '
        yield b'{"small": true}}'

    async with await small.tenant() as c:
        resp = await c.post("/threads", content=body(), headers={"content-type": "application/json"})
        assert_json_body(resp, 201)
        assert resp.json()["metadata"]["small"] is True
