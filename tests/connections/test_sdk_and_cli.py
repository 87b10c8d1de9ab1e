"""The SDK's `client.connections` against the real app, and `xpert connections` run as an operator runs
it (a subprocess on the server's data dir)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from xpert_sdk import AsyncClient, ConflictError, NotFoundError

from tests.connections.conftest import PRIVATE_ORG, ConnEnv, unique
from tests.test_cli import XPERT, cli_env
from xpert_server.auth.principal import Principal
from xpert_server.connections.vault import Vault
from xpert_server.storage import create_storage


async def test_the_sdk_adds_lists_changes_and_deletes_connections(conn: ConnEnv) -> None:
    key, _ = await conn.harness.mint_key(PRIVATE_ORG, role="admin")
    name = unique("sdk-llm")
    async with AsyncClient(
        api_url="http://test/api/ai", api_key=key, transport=httpx.ASGITransport(app=conn.harness.app)
    ) as client:
        made = await client.connections.create(
            name, "model", conn.model_url, api_key="sk-sdk-secret-00001234", models=["tool-bot"]
        )
        assert made["hint"] == "…1234" and made["scope"] == "org" and "api_key" not in made
        assert name in [c["name"] for c in await client.connections.list()]
        changed = await client.connections.update(name, description="from the SDK")
        assert (await client.connections.get(name))["description"] == changed["description"] == "from the SDK"
        xpert = await client.assistants.create("uses it", definition={"model": {"connection": name}})
        with pytest.raises(ConflictError, match="is used by xpert"):
            await client.connections.delete(name)
        await client.assistants.delete(xpert["assistant_id"])
        assert (await client.connections.delete(name))["success"] is True
        with pytest.raises(NotFoundError):
            await client.connections.get(name)


def run_cli(data_dir: Path, *args: str, ok: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(XPERT), "connections", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        env={**cli_env(), "XPERT_CONNECTIONS_PRIVATE_ORGS": "lab", **env},
        timeout=60,
        check=False,
    )
    assert (proc.returncode == 0) is ok, f"{args}: {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


async def test_the_cli_adds_lists_and_deletes_an_orgs_connection(tmp_path: Path) -> None:
    secret = "sk-cli-secret-000000005678"
    added = run_cli(
        tmp_path,
        "add",
        "lab-llm",
        "--org",
        "lab",
        "--url",
        "http://127.0.0.1:9/v1",
        "--model",
        "m1",
        "--key-env",
        "LAB_KEY",
        LAB_KEY=secret,
    )
    assert "Added model connection lab-llm to org lab (…5678)" in added.stderr
    listed = run_cli(tmp_path, "list", "--org", "lab").stdout
    assert "lab-llm" in listed and "…5678" in listed and secret not in listed + added.stdout + added.stderr
    # Another org is held to the public-address rule, and a missing key variable is named.
    refused = run_cli(tmp_path, "add", "x", "--org", "other", "--url", "http://127.0.0.1:9/v1", ok=False)
    assert "127.0.0.1 is a loopback address" in refused.stderr
    missing = run_cli(
        tmp_path, "add", "y", "--org", "lab", "--url", "http://127.0.0.1:9/v1", "--key-env", "NOPE", ok=False
    )
    assert "--key-env NOPE: the variable is not set" in missing.stderr
    # The stored key opens with the data dir's key, for its org and name.
    storage = create_storage(f"sqlite:///{tmp_path / 'xpert.db'}")
    await storage.open()
    try:
        record = await storage.get_connection(Principal.system("lab"), "lab-llm")
    finally:
        await storage.close()
    assert record is not None and record.secret is not None and secret.encode() not in record.secret
    vault = Vault(bytes.fromhex((tmp_path / "connections.key").read_text().strip()))
    assert vault.open("lab", "lab-llm", record.secret) == {"api_key": secret}
    run_cli(tmp_path, "delete", "lab-llm", "--org", "lab")
    assert "lab-llm" not in run_cli(tmp_path, "list", "--org", "lab").stdout
