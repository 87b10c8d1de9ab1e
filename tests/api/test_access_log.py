"""HEAD wherever GET is; one access-log line per request (never a secret); one log line per run, in the
process that executed it (this one, or in scaled mode the in-process worker)."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from tests.harness.app import ApiHarness
from tests.harness.chat import send


def raw(api: ApiHarness, key: str | None = None) -> httpx.AsyncClient:
    """A client at the server's root (the harness's own client is under the API prefix)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api.app),
        base_url="http://test",
        headers={"x-api-key": key} if key else {},
    )


async def test_head_answers_wherever_get_does_without_a_body(api: ApiHarness) -> None:
    key, _ = await api.mint_key()
    async with raw(api, key) as c:
        for path in ("/", "/api/ai/ok", "/api/ai/docs", "/chatkit/chatkit.js"):
            get, head = await c.get(path), await c.head(path)
            assert get.status_code == 200 and get.content, path
            assert head.status_code == 200 and head.content == b"", path
            assert head.headers["content-type"] == get.headers["content-type"], path
        # Where GET is not allowed, neither is HEAD.
        get, head = await c.get("/api/ai/contexts/file"), await c.head("/api/ai/contexts/file")
        assert get.status_code == head.status_code == 405 and head.content == b""
        # Authenticated GETs too: the same credential checks, the same status.
        assert (await c.head("/api/ai/threads/no-such-thread")).status_code == 404
    async with raw(api) as c:
        assert (await c.head("/api/ai/assistants/any")).status_code == 401


async def test_each_request_logs_one_line_with_its_credential_id_and_never_a_secret(
    api: ApiHarness, caplog: pytest.LogCaptureFixture
) -> None:
    key, org = await api.mint_key()
    (record,) = await api.services.storage.list_api_keys(org)
    caplog.set_level(logging.INFO, logger="xpert.access")
    async with raw(api, key) as c:
        created = await c.post("/api/ai/threads", json={})
        tid = created.json()["thread_id"]
        assert (await c.get(f"/api/ai/threads/{tid}", params={"token": key})).status_code == 200
    async with raw(api) as c:
        assert (await c.get("/api/ai/ok")).status_code == 200
        assert (await c.get("/api/ai/threads", headers={"x-api-key": "sk-x-" + "0" * 48})).status_code in (
            401,
            405,
        )
    lines = [r.getMessage() for r in caplog.records if r.name == "xpert.access"]
    assert len(lines) == 4, lines
    line = re.compile(r"^(GET|POST|HEAD) (\S+) (\d{3}) \d+\.\dms (\S+)$")
    parsed = [line.match(text) for text in lines]
    assert all(parsed), lines
    assert [(m[1], m[2], m[3], m[4]) for m in parsed if m] == [
        ("POST", "/api/ai/threads", "201", f"key:{record.id}"),
        ("GET", f"/api/ai/threads/{tid}", "200", f"key:{record.id}"),
        ("GET", "/api/ai/ok", "200", "-"),
        ("GET", "/api/ai/threads", lines[3].split()[2], "-"),
    ]
    everything = "\n".join(lines)
    assert key not in everything and key[5:20] not in everything and "token" not in everything


async def test_each_run_logs_one_line_when_it_ends(api: ApiHarness, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="xpert.runs")
    async with await api.tenant() as c:
        xpert = (await c.post("/assistants", json={"name": "Logged", "slug": "logged"})).json()
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        resp = await c.post(
            f"/threads/{tid}/runs/wait", json={"assistant_id": xpert["assistant_id"], "input": send("hello")}
        )
        assert resp.status_code == 201, resp.text
        (run,) = (await c.get(f"/threads/{tid}/runs")).json()
    lines = [
        r.getMessage() for r in caplog.records if r.name == "xpert.runs" and run["run_id"] in r.getMessage()
    ]
    assert len(lines) == 1, lines
    assert re.fullmatch(rf"run {run['run_id']} success in \d+ ms \(xpert logged, thread {tid}\)", lines[0]), (
        lines
    )
