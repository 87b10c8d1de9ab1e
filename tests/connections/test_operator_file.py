"""The operator's connections file: its shape, `${VAR}` and `api_key_env` read from the environment at
start, and one clear line naming the file and field when something is wrong (the server does not start)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness.app import open_harness
from xpert_server.connections.operator import ConnectionsError, load_operator_connections
from xpert_server.startup import StartupError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "connections.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_keys_urls_headers_and_env_come_from_the_environment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
connections:
  models:
    deepseek:
      base_url: 'https://${DS_HOST}/v1'
      api_key_env: DS_KEY
      models: [deepseek-chat, deepseek-reasoner]
  mcp:
    github:
      command: npx
      args: [-y, server-github]
      env: {GITHUB_TOKEN: '${GH}'}
    remote:
      transport: http
      url: 'https://mcp.example/mcp'
      headers: {Authorization: 'Bearer ${GH}'}
      require_approval: [delete_repo]
""",
    )
    found = load_operator_connections(path, {"DS_HOST": "api.deepseek.com", "DS_KEY": "sk-ds", "GH": "ghp"})
    ds = found.models["deepseek"]
    assert (ds.base_url, ds.api_key, ds.models, ds.scope) == (
        "https://api.deepseek.com/v1",
        "sk-ds",
        ("deepseek-chat", "deepseek-reasoner"),
        "server",
    )
    assert ds.policy is None  # the operator's: trusted, no address rule
    assert found.mcp["github"].env == {"GITHUB_TOKEN": "ghp"} and found.mcp["github"].command == "npx"
    assert found.mcp["remote"].headers == {"Authorization": "Bearer ghp"}
    assert found.mcp["remote"].require_approval == ["delete_repo"]
    assert "sk-ds" not in repr(ds) and "ghp" not in repr(found.mcp["remote"])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("models: {ds: {api_key_env: NOPE}}", "models.ds.api_key_env: NOPE is not set"),
        (
            "mcp: {gh: {command: x, env: {T: '${NOPE}'}}}",
            "mcp.gh.env.T: environment variable NOPE is not set",
        ),
        ("mcp: {gh: {transport: http}}", "a http MCP server needs `url`"),
        ("models: {Bad Name: {}}", "names are lowercase"),
        ("models: {ds: {base_urll: x}}", "base_urll"),
        ("models: {x: {}}\nmcp: {x: {command: y}}", "share the name 'x'"),
        ("models: [", "invalid YAML"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file_and_field(tmp_path: Path, text: str, says: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConnectionsError) as e:
        load_operator_connections(path, {})
    assert str(path) in str(e.value) and says in str(e.value)


async def test_the_server_does_not_start_with_a_bad_file(tmp_path: Path) -> None:
    path = write(tmp_path, "models: {ds: {api_key_env: XPERT_TEST_SURELY_UNSET}}")
    with pytest.raises(StartupError, match="XPERT_TEST_SURELY_UNSET is not set"):
        async with open_harness(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", connections_file=path):
            pass
