"""The `xpert` options that set a `Settings` field: flag and help come from the field (config.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from xpert_server.config import cli_help, setting_fields


def setting_option(name: str, **kwargs: Any) -> Any:
    """The typer option for setting `name`; a field without a `flag` has no option."""
    flag = setting_fields()[name].metadata["flag"]
    if flag is None:
        raise ValueError(f"setting {name!r} declares no flag")
    return typer.Option(flag, help=cli_help(name), **kwargs)


DataDir = Annotated[Path | None, setting_option("data_dir")]
DatabaseUrl = Annotated[str | None, setting_option("database_url")]
RedisUrl = Annotated[str | None, setting_option("redis_url")]
XpertsDir = Annotated[Path | None, setting_option("xperts_dir")]
ConnectionsFile = Annotated[Path | None, setting_option("connections_file")]
LogLevel = Annotated[str | None, setting_option("log_level")]
RunTimeout = Annotated[float | None, setting_option("run_timeout")]
