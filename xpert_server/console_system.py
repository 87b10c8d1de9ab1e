"""What the operator's System page shows (GET /console/system): the server's mode, database and Redis,
queue depth and live processes (as /info counts them), version, every org, and the effective settings with
every secret masked. Only an operator's console session reaches it (auth/console.py)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from xpert_server.config import Settings, env_name

MASK = "••••••"
# Settings whose value is a credential (or holds one): never shown, only whether they are set.
SECRET_WORDS = ("secret", "api_key", "password", "token")


def mask_url(url: str) -> str:
    """`scheme://user:••••••@host/db`: a URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:{MASK}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def shown(name: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str) and any(word in name for word in SECRET_WORDS):
        return MASK if value else value  # (`secret_rate_limit` is a number: shown)
    if isinstance(value, str) and "://" in value:
        return mask_url(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [shown(name, v) for v in value]
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def effective_settings(settings: Settings) -> list[dict[str, Any]]:
    """Every setting as this process runs with it: name, environment variable, value (secrets masked)."""
    return [
        {"name": f.name, "env": env_name(f.name), "value": shown(f.name, getattr(settings, f.name))}
        for f in fields(settings)
        if f.metadata.get("env", True)
    ]
