"""Invalid xpert YAML: every error names the file and the field path."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from xpert_server.agents.definition import DefinitionError, load_dir, load_file
from xpert_server.storage import create_storage


def write(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "name: X\nslug: x\ntools: [calculater]\n",
            "tools.0.name: unknown tool 'calculater'; the built-in tools are calculator, current_time, http_get, "
            "send_notification",
        ),
        (
            "name: X\nslug: x\ntools:\n  - {name: http_get, config: {allow_private: maybe}}\n",
            "tools.0.config: allow_private: Input should be a valid boolean",
        ),
        (
            "name: X\nslug: x\ntools:\n  - {name: http_get, config: {timeout: 0}}\n",
            "tools.0.config: timeout: Input should be greater than 0",
        ),
        (
            "name: X\nslug: x\ntools:\n  - {name: calculator, config: {precision: 3}}\n",
            "tools.0.config: precision: Extra inputs are not permitted",
        ),
        (
            "name: X\nslug: x\nmodel: {provider: openai, name: m, temprature: 0.2}\n",
            "model.temprature: Extra inputs are not permitted",
        ),
        (
            "name: X\nslug: x\nmodel: {provider: anthropic}\n",
            "model.provider: Input should be 'offline', 'openai' or 'local'",
        ),
        (
            "name: X\nslug: x\nmcp:\n  - {name: math, transport: stdio}\n",
            "mcp.0: a stdio MCP server needs `command`",
        ),
        ("name: X\nslug: x\nmcp:\n  - {name: Math Server, command: x}\n", "mcp.0.name: must be lowercase"),
        ("name: X\nslug: x\nagents: [x]\n", "agents: an xpert cannot list itself ('x')"),
        ("name: X\nslug: x\nagents: ['Not A Slug']\n", "agents: 'Not A Slug' is not an xpert slug"),
        ("name: X\nslug: x\nmax_steps: 0\n", "max_steps: Input should be greater than or equal to 1"),
        ("name: X\nslug: x\ntools: [calculator, calculator]\n", "tools: listed more than once: calculator"),
    ],
)
def test_field_errors_name_file_and_path(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(DefinitionError) as err:
        load_file(path)
    text = str(err.value)
    assert text.startswith(f"{path}: "), text
    assert message in text, text
    assert "Value error" not in text


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: X\nslug: x\ntools: [calculator\n")
    with pytest.raises(DefinitionError) as err:
        load_file(path)
    assert str(err.value) == (
        f"{path}: invalid YAML at line 4, column 1: while parsing a flow sequence; expected ',' or ']', "
        "but got '<stream end>' (line 3: 'tools: [calculator')"
    )


def test_every_error_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "name: ''\nslug: X Y\ntools: [nope]\nextra: 1\n")
    with pytest.raises(DefinitionError) as err:
        load_file(path)
    for part in (
        "name: String should have at least 1 character",
        "slug: must be lowercase",
        "tools.0.name: unknown tool 'nope'",
        "extra: Extra inputs are not permitted",
    ):
        assert part in str(err.value)


def test_one_bad_file_in_a_folder_names_itself(tmp_path: Path) -> None:
    write(tmp_path, "name: Good\nslug: good\ntools: [calculator]\n", "a.yaml")
    bad = write(
        tmp_path, "name: Bad\nslug: bad\ntools: [{name: http_get, require_approval: sometimes}]\n", "b.yaml"
    )
    with pytest.raises(
        DefinitionError, match=rf"^{bad}: tools.0.require_approval: Input should be a valid boolean"
    ):
        load_dir(tmp_path)


async def test_server_start_reports_the_bad_file(tmp_path: Path) -> None:
    """`xpert serve --xperts DIR` with a bad file: the start fails with the file's message, nothing loads."""
    from xpert_server.agents.registry import load_dir_into

    folder = tmp_path / "xperts"
    folder.mkdir()
    write(folder, "name: Good\nslug: good\n", "a.yaml")
    bad = write(
        folder, "name: Bad\nslug: bad\nmodel: {provider: openai, name: m, base_url: 5, oops: 1}\n", "b.yaml"
    )
    storage = create_storage(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    await storage.open()
    try:
        with pytest.raises(DefinitionError, match=rf"^{bad}: model.base_url: .*; model.oops: Extra inputs"):
            await load_dir_into(storage, folder)
    finally:
        await storage.close()


def alias_bomb(levels: int = 9) -> str:
    """The billion laughs in YAML: each level lists the one before it nine times, under `config`."""
    lines = [
        "name: Bomb",
        "slug: bomb",
        "config:",
        '  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ]
    for i in range(1, levels):
        lines.append(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_naming_the_file(tmp_path: Path) -> None:
    # Six levels (531,441 values) stays small enough to run here even on a loader without the bound;
    # the nine-level bomb runs under a memory limit in tests/test_cli.py.
    path = write(tmp_path, alias_bomb(6))
    started = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(DefinitionError) as e:
            load_file(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(path) in str(e.value) and "alias" in str(e.value), e.value
    assert time.monotonic() - started < 5
    assert peak < 20 * 1024 * 1024, peak


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "name: X\nslug: x\nconfig: &loop\n  self: *loop\n")
    with pytest.raises(DefinitionError, match="recursive alias"):
        load_file(path)


def test_a_few_aliases_still_load(tmp_path: Path) -> None:
    path = write(tmp_path, "name: X\nslug: x\nconfig:\n  base: &b {retries: 2}\n  a: *b\n  b: *b\n")
    assert load_file(path).config == {"base": {"retries": 2}, "a": {"retries": 2}, "b": {"retries": 2}}
