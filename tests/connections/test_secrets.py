"""A connection's secret is given once and then shown nowhere: in no response of any route that touches
it, in no log line (every logger, at DEBUG), in no database column (every column of every table, read
back and searched). It is stored, though: encrypted, opening only with this server's key and only for
its own org and name."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData, create_engine, select

from tests.agents.common import run, single_call, thread
from tests.connections.conftest import PRIVATE_ORG, ConnEnv, unique
from tests.harness.chat import send
from tests.harness.served import serving
from xpert_server.config import normalise_database_url
from xpert_server.connections.vault import SecretUnreadable, Vault


def every_stored_value(database_url: str) -> list[tuple[str, str, Any]]:
    """(table, column, value) of every cell of every table of the database."""
    url = normalise_database_url(database_url).replace("sqlite+aiosqlite", "sqlite")
    engine = create_engine(url)
    out: list[tuple[str, str, Any]] = []
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as db:
            for table in meta.sorted_tables:
                for row in db.execute(select(table)):
                    out.extend((table.name, column, value) for column, value in row._mapping.items())
    finally:
        engine.dispose()
    return out


def shows(value: Any, secret: str) -> bool:
    if isinstance(value, bytes | bytearray | memoryview):
        return secret.encode() in bytes(value)
    return secret in str(value)


async def test_the_secret_is_in_no_response_no_log_line_and_no_column(
    conn: ConnEnv, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = f"sk-live-{secrets.token_hex(16)}"
    token = f"mcp-{secrets.token_hex(16)}"
    c, org = await conn.admin(PRIVATE_ORG)
    llm, weather = unique("llm"), unique("weather")
    replies: list[httpx.Response] = []

    async def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
        resp = await c.request(method, url, **kwargs)
        replies.append(resp)
        return resp

    async with c:
        model = {"name": llm, "kind": "model", "url": conn.model_url, "api_key": key, "models": ["tool-bot"]}
        assert (await call("POST", "/connections", json=model)).status_code == 201
        assert (await call("POST", "/connections", json=model)).status_code == 409  # the name is taken
        mcp = {
            "name": weather,
            "kind": "mcp",
            "url": conn.mcp_url,
            "headers": {"Authorization": f"Bearer {token}"},
        }
        assert (await call("POST", "/connections", json=mcp)).status_code == 201
        await call("GET", "/connections")
        for name in (llm, weather):
            await call("GET", f"/connections/{name}")
            await call("PATCH", f"/connections/{name}", json={"description": "checked"})
        slug = unique("x")
        made = await call(
            "POST",
            "/assistants",
            json={"name": slug, "slug": slug, "model": {"connection": llm}, "mcp": [weather]},
        )
        xpert = made.json()["assistant_id"]
        await call("GET", f"/assistants/{xpert}")
        await call("GET", f"/assistants/{xpert}/versions")
        await call("GET", f"/assistants/{xpert}/schemas")
        frames = await run(c, await thread(c), xpert, send('call forecast {"city": "Oslo"}'))
        assert single_call(frames)[2]["output"] == "Sunny in Oslo"
        replies.append(
            await c.post(
                f"/threads/{await thread(c)}/runs/wait", json={"assistant_id": xpert, "input": send("hi")}
            )
        )
        assert (await call("DELETE", f"/connections/{llm}")).status_code == 409
        await call("DELETE", f"/assistants/{xpert}")
        for name in (llm, weather):
            assert (await call("DELETE", f"/connections/{name}")).status_code == 200
    # It was used: the model server got the key and the MCP server the header.
    assert f"Bearer {key}" in conn.fake.authorizations
    assert f"Bearer {token}" in conn.mcp_headers
    stored = every_stored_value(conn.database_url)
    assert any(shows(v, llm) for _t, _c, v in stored)  # the scan does read what was written (the audit log)
    for secret in (key, token):
        assert not [r.request.url for r in replies if secret in r.text], "a response shows the secret"
        assert not any(secret in str(f.data) for f in frames)
        logged = [r for r in caplog.records if secret in r.getMessage() or secret in str(r.exc_text or "")]
        assert not logged, [r.getMessage()[:200] for r in logged]
        cells = [(t, col) for t, col, v in stored if shows(v, secret)]
        assert not cells, f"stored in clear in {cells}"
    assert len(caplog.records) > 10  # the logs were captured at all


async def test_a_stored_secret_opens_only_with_its_key_org_and_name(conn: ConnEnv) -> None:
    c, org = await conn.admin(PRIVATE_ORG)
    key, name = f"sk-{secrets.token_hex(16)}", unique("llm")
    async with c:
        body = {"name": name, "kind": "model", "url": conn.model_url, "api_key": key}
        assert (await c.post("/connections", json=body)).status_code == 201
    cells = [
        v for t, col, v in every_stored_value(conn.database_url) if t == "connections" and col == "secret"
    ]
    vault = conn.harness.services.connections.vault
    opened = []
    for sealed in cells:
        try:
            opened.append(vault.open(org, name, bytes(sealed)))
        except SecretUnreadable:
            pass
    assert opened == [{"api_key": key}]  # one row opens, with its own org and name only
    with pytest.raises(SecretUnreadable, match="XPERT_CONNECTIONS_SECRET"):
        Vault(b"another server's key").open(org, name, vault.seal(org, name, {"api_key": key}))
    with pytest.raises(SecretUnreadable):
        vault.open("another-org", name, vault.seal(org, name, {"api_key": key}))


async def test_the_served_process_logs_no_secret_at_debug(conn: ConnEnv, tmp_path: Path) -> None:
    """A real `xpert serve` at log level debug, its connection used by a run: the secret is in none of the
    process's output."""
    key = f"sk-served-{secrets.token_hex(16)}"
    with serving(tmp_path / "data", log_level="debug", XPERT_CONNECTIONS_PRIVATE_ORGS="default") as served:
        async with served.async_client(served.key) as c:
            body = {
                "name": "llm",
                "kind": "model",
                "url": conn.model_url,
                "api_key": key,
                "models": ["tool-bot"],
            }
            assert (await c.post("/connections", json=body)).status_code == 201
            xpert = (
                await c.post("/assistants", json={"name": "S", "slug": "s", "model": {"connection": "llm"}})
            ).json()["assistant_id"]
            thread_id = (await c.post("/threads", json={})).json()["thread_id"]
            done = await c.post(
                f"/threads/{thread_id}/runs/wait", json={"assistant_id": xpert, "input": send("hi")}
            )
            assert "You said: hi" in done.text, done.text
            await c.patch("/connections/llm", json={"api_key": key + "-2"})
            listed = await c.get("/connections")
        output = served.output()
    assert f"Bearer {key}" in conn.fake.authorizations and key not in listed.text
    assert "DEBUG" in output or "debug" in output.lower(), output[-2000:]
    assert key not in output, "the served process logged the secret"
