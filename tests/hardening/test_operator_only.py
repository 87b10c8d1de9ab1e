"""The attacks of the Roles issue, each as an attacker with a key of a second org would try them: no API call
may make the server run a command, read an environment variable or file of its choosing, or connect to an
address the operator did not configure. Each answers 403 naming the field, and nothing is stored."""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.app import ApiHarness
from tests.harness.chat import send
from xpert_server.agents.definition import parse_definition
from xpert_server.agents.registry import upsert_spec
from xpert_server.auth.principal import Principal


class Listener:
    """A loopback TCP server that only counts connections: proof that nothing reached it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


async def attacker(api: ApiHarness) -> tuple[str, str, str]:
    """(an app key, an admin key) of a second org, and that org."""
    admin, org = await api.mint_key(role="admin")
    app_key, _ = await api.mint_key(org, role="app")
    return app_key, admin, org


async def assert_refused(api: ApiHarness, body: dict[str, Any], *fields: str) -> str:
    """Refused for an app key and for an admin key, as a new xpert, a change and a nested definition.
    Returns the admin key."""
    app_key, admin, _ = await attacker(api)
    async with api.client(app_key) as c:
        resp = await c.post("/assistants", json=body)
        assert resp.status_code == 403 and "admin" in resp.json()["message"], resp.text
    async with api.client(admin) as c:
        resp = await c.post("/assistants", json=body)
        assert resp.status_code == 403, resp.text
        named = resp.json()["message"].split(": only")[0].split(", ")
        assert set(fields) <= set(named), resp.text
        found = await c.post("/assistants/search", json={"metadata": {"slug": body["slug"]}})
        assert found.json() == [], "a refused xpert must not be stored"
        # The same fields added to an xpert that exists: refused, and the xpert is unchanged.
        made = (await c.post("/assistants", json={"name": "Plain", "slug": body["slug"] + "-plain"})).json()
        patch = {k: v for k, v in body.items() if k not in ("name", "slug")}
        resp = await c.patch(f"/assistants/{made['assistant_id']}", json=patch)
        assert resp.status_code == 403, resp.text
        assert (await c.get(f"/assistants/{made['assistant_id']}")).json()["version"] == made["version"]
        # …and nested under `definition`, as LangGraph-style clients send it.
        resp = await c.post(
            "/assistants", json={"name": "Nested", "slug": body["slug"] + "-n", "definition": patch}
        )
        assert resp.status_code == 403, resp.text
    return admin


async def test_an_mcp_command_is_refused_and_never_runs(api: ApiHarness, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    body = {
        "name": "Pwn",
        "slug": "pwn-stdio",
        "mcp": [{"name": "x", "transport": "stdio", "command": "sh", "args": ["-c", f"id > {marker}"]}],
    }
    admin = await assert_refused(api, body, "mcp[0].command", "mcp[0].args")
    # Had anything been stored, a run would have started the command: run every xpert the org has.
    async with api.client(admin) as c:
        for xpert in (await c.post("/assistants/search", json={"limit": 100})).json():
            thread = (await c.post("/threads", json={})).json()
            await c.post(
                f"/threads/{thread['thread_id']}/runs/wait",
                json={"assistant_id": xpert["assistant_id"], "input": send("hi")},
            )
    assert not marker.exists()


async def test_an_mcp_server_env_is_refused(api: ApiHarness) -> None:
    body = {
        "name": "Pwn",
        "slug": "pwn-env",
        "mcp": [{"name": "x", "command": sys.executable, "env": {"LD_PRELOAD": "/tmp/x.so"}}],
    }
    await assert_refused(api, body, "mcp[0].command", "mcp[0].env")


async def test_an_mcp_url_or_headers_on_the_private_network_are_refused(
    api: ApiHarness, listener: Listener
) -> None:
    url = f"http://127.0.0.1:{listener.port}/mcp"
    await assert_refused(
        api,
        {
            "name": "Pwn",
            "slug": "pwn-mcp-url",
            "mcp": [
                {
                    "name": "x",
                    "transport": "streamable_http",
                    "url": url,
                    "headers": {"authorization": "Bearer x"},
                }
            ],
        },
        "mcp[0].transport",
        "mcp[0].url",
        "mcp[0].headers",
    )
    assert listener.connections == 0


async def test_a_model_cannot_send_the_servers_key_elsewhere(api: ApiHarness, listener: Listener) -> None:
    body = {
        "name": "Pwn",
        "slug": "pwn-model",
        "model": {
            "provider": "openai",
            "name": "gpt-4o",
            "base_url": f"http://127.0.0.1:{listener.port}/v1",
            "api_key_env": "XPERT_API_KEY",
        },
    }
    await assert_refused(api, body, "model.base_url", "model.api_key_env", "model.name")
    assert listener.connections == 0


async def test_raw_model_options_are_refused(api: ApiHarness) -> None:
    await assert_refused(
        api,
        {
            "name": "Pwn",
            "slug": "pwn-options",
            "model": {"options": {"default_headers": {"x": "y"}, "http_client": None}},
        },
        "model.options",
    )


async def test_a_local_model_path_is_refused_without_saying_whether_it_exists(api: ApiHarness) -> None:
    _, admin, _ = await attacker(api)
    answers = []
    async with api.client(admin) as c:
        for path in ("/etc/passwd.gguf", "/no/such/file.gguf", str(Path(sys.executable))):
            body = {"name": "Pwn", "slug": "pwn-local", "model": {"provider": "local", "name": path}}
            resp = await c.post("/assistants", json=body)
            assert resp.status_code == 403, resp.text
            answers.append(resp.json()["message"])
    assert "model.provider" in answers[0]
    assert len(set(answers)) == 1, "the answer must not depend on the path"


async def test_http_get_cannot_be_opened_to_private_addresses(api: ApiHarness) -> None:
    await assert_refused(
        api,
        {
            "name": "Pwn",
            "slug": "pwn-http",
            "tools": [{"name": "http_get", "config": {"allow_private": True}}],
        },
        "tools[0].config.allow_private",
    )


async def test_a_graph_module_is_the_operators(api: ApiHarness) -> None:
    await assert_refused(api, {"name": "Pwn", "slug": "pwn-graph", "graph": "os:system"}, "graph")


async def test_what_an_admin_may_set_still_works(api: ApiHarness) -> None:
    _, admin, _ = await attacker(api)
    body = {
        "name": "Fine",
        "slug": "fine",
        "system_prompt": "Be brief.",
        "max_steps": 3,
        "model": {"provider": "offline", "temperature": 0.2, "max_tokens": 64, "vision": True},
        "tools": [
            "current_time",
            {"name": "http_get", "require_approval": True, "config": {"timeout": 5, "max_bytes": 1000}},
        ],
    }
    async with api.client(admin) as c:
        resp = await c.post("/assistants", json=body)
        assert resp.status_code == 201, resp.text
        thread = (await c.post("/threads", json={})).json()
        done = await c.post(
            f"/threads/{thread['thread_id']}/runs/wait",
            json={"assistant_id": resp.json()["assistant_id"], "input": send("what time is it?")},
        )
        assert done.status_code == 201, done.text


async def test_operator_values_are_kept_but_not_changed_over_the_api(api: ApiHarness, tmp_path: Path) -> None:
    _, admin, org = await attacker(api)
    spec = parse_definition(
        {
            "name": "Ops",
            "slug": "ops",
            "org": org,
            "tools": [{"name": "http_get", "config": {"allow_private": True}}],
            "mcp": [{"name": "intranet", "transport": "http", "url": "http://127.0.0.1:9/mcp"}],
        }
    )
    record, _ = await upsert_spec(api.services.storage, spec, source="yaml")
    async with api.client(admin) as c:
        # An admin edits what the API may set; the operator's MCP server and tool config stay.
        resp = await c.patch(
            f"/assistants/{record.id}", json={"description": "edited", "system_prompt": "Hi"}
        )
        assert resp.status_code == 200, resp.text
        # A copy (LangGraph's `graph_id`) carries them along unchanged.
        copy = await c.post("/assistants", json={"graph_id": "ops", "name": "Ops copy", "slug": "ops-copy"})
        assert copy.status_code == 201, copy.text
        # Changing them is refused.
        for change in (
            {"mcp": [{"name": "intranet", "transport": "http", "url": "http://10.0.0.1/mcp"}]},
            {
                "tools": [{"name": "http_get", "config": {"allow_private": True, "timeout": 5}}],
                "mcp": [{"name": "other", "command": "sh"}],
            },
        ):
            resp = await c.patch(f"/assistants/{record.id}", json=change)
            assert resp.status_code == 403, resp.text
    stored = await api.services.storage.get_assistant(Principal.system(org), record.id)
    assert stored is not None and stored.definition["mcp"][0]["url"] == "http://127.0.0.1:9/mcp"
    assert stored.description == "edited"
    (copied,) = await api.services.storage.search_assistants(
        Principal.system(org), metadata={"slug": "ops-copy"}
    )
    assert copied.definition["mcp"] == stored.definition["mcp"]
    assert copied.definition["tools"][0]["config"] == {"allow_private": True}
