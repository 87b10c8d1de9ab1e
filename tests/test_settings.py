"""One `Settings`: every field documented once, and the README table and the CLI flags' help are that
documentation; values come from `XPERT_*` variables (cast by the field's type) and flags override them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from xpert_server.cli import app
from xpert_server.config import Settings, cli_help, env_name, setting_fields, settings_table

README = Path(__file__).resolve().parents[1] / "README.md"
TABLE = re.compile(r"<!-- settings:[^\n]*-->\n(.*?)<!-- /settings -->", re.S)
SERVER_COMMANDS = {"xpert serve", "xpert worker"}
NOT_SETTINGS = {"--workers", "--help"}  # options of the server commands that set no field of Settings


def commands(group: Any, path: str = "xpert") -> list[tuple[str, Any]]:
    """Every leaf command under `group` (typer bundles its own click: its classes are matched by shape)."""
    found: list[tuple[str, Any]] = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += commands(command, f"{path} {name}")
        else:
            found.append((f"{path} {name}", command))
    return found


def setting_options() -> list[tuple[str, Any]]:
    """(command, option) for every option of every `xpert` command."""
    options = [
        (name, param)
        for name, command in commands(typer.main.get_command(app))
        for param in command.params
        if param.param_type_name == "option"
    ]
    assert len(options) > 20
    return options


def flag_owner() -> dict[str, str]:
    """Each declared flag (first spelling, e.g. `--demo` of `--demo/--no-demo`) → its field."""
    return {
        f.metadata["flag"].split("/")[0]: name for name, f in setting_fields().items() if f.metadata["flag"]
    }


def test_every_setting_has_a_description() -> None:
    undocumented = [
        name for name, f in setting_fields().items() if not str(f.metadata.get("doc", "")).strip()
    ]
    assert not undocumented


def test_the_readme_table_is_the_settings_descriptions() -> None:
    found = TABLE.search(README.read_text(encoding="utf-8"))
    assert found, "README.md lost its <!-- settings --> markers"
    assert found.group(1) == settings_table(), (
        "README's settings table is stale: python -m xpert_server.config"
    )


def test_every_public_setting_is_in_the_readme() -> None:
    table = settings_table()
    public = [name for name, f in setting_fields().items() if f.metadata["public"]]
    assert all(f"`{env_name(name)}`" in table for name in public)


def test_a_flag_that_sets_a_setting_has_its_description_as_help() -> None:
    owners = flag_owner()
    wrong = []
    for command, option in setting_options():
        name = owners.get(option.opts[0])
        if name is None:
            if command in SERVER_COMMANDS:
                assert option.opts[0] in NOT_SETTINGS, (
                    f"{command} {option.opts[0]}: declare it on a Settings field"
                )
        elif option.help != cli_help(name):
            wrong.append(f"{command} {option.opts[0]}: {option.help!r}")
    assert not wrong


def test_every_declared_flag_exists() -> None:
    used = {option.opts[0] for _, option in setting_options()}
    assert set(flag_owner()) <= used


def test_values_are_read_from_the_environment_by_type() -> None:
    s = Settings.from_env(
        {
            "XPERT_PORT": "9000",
            "XPERT_RUN_TIMEOUT": "1.5",
            "XPERT_DEMO": "yes",
            "XPERT_CORS_ORIGINS": "https://a.example, https://b.example",
            "XPERT_FILES_DIR": "/srv/f",
            "XPERT_FILE_URL_SECRET": "s3cret",
            "XPERT_KNOWLEDGE_VECTORS": "numpy",
            "XPERT_MODEL": "",
        }
    )
    assert (s.port, s.run_timeout, s.demo) == (9000, 1.5, True)
    assert s.cors_origins == ("https://a.example", "https://b.example")
    assert (s.files_dir, s.file_url_secret, s.knowledge_vectors, s.model) == (
        Path("/srv/f"),
        "s3cret",
        "numpy",
        None,
    )


def test_flags_override_the_environment() -> None:
    s = Settings.from_env({"XPERT_PORT": "9000", "XPERT_HOST": "0.0.0.0"}, port=8123, host=None)
    assert (s.port, s.host) == (8123, "0.0.0.0")


def test_test_hooks_are_never_read_from_the_environment() -> None:
    assert Settings.from_env({"XPERT_DEMO_OVERRIDES": "1"}).demo_overrides is False
