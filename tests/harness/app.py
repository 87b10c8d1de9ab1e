"""Test helpers: an in-process app (real storage, httpx.ASGITransport) and key minting."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from tests.harness.clock import SteeredClock
from xpert_server.app import create_app
from xpert_server.auth.keys import generate_key, hash_credential, key_hint
from xpert_server.auth.principal import Role
from xpert_server.config import Settings
from xpert_server.services import Services
from xpert_server.telemetry import Tracing

# XPERT_TEST_REDIS=1: every harness runs scaled (runs queued in the database and executed by an in-process
# worker, frames through Redis streams, limits in Redis). Each harness is a deployment of its own: its own
# key prefix, which also names its run queue, so harnesses sharing the session's database never execute
# each other's runs.
TEST_REDIS_URL = os.environ.get("XPERT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SCALED = os.environ.get("XPERT_TEST_REDIS") == "1"
REDIS_PREFIX = f"xpert-test-{secrets.token_hex(4)}"
SESSION_SECRETS_KEY = f"test-session-{secrets.token_hex(16)}"


def scaled_settings() -> dict[str, Any]:
    if not SCALED:
        return {}
    return {
        "redis_url": TEST_REDIS_URL,
        "redis_prefix": f"{REDIS_PREFIX}-{secrets.token_hex(3)}",
        "with_worker": True,
        "stream_ttl": 600.0,
        "drain_seconds": 1.0,
    }


def new_org() -> str:
    return f"org-{secrets.token_hex(4)}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class ApiHarness:
    app: FastAPI
    services: Services
    prefix: str

    async def mint_key(
        self,
        org: str | None = None,
        *,
        xpert_id: str | None = None,
        expires_in: float | None = None,
        role: Role = "admin",
    ) -> tuple[str, str]:
        """A new key (plain text) in `org` (fresh by default; an admin unless `role`); returns (key, org)."""
        org = org or new_org()
        storage = self.services.storage
        await storage.ensure_org(org)
        key = generate_key()
        await storage.create_api_key(
            org,
            hash_credential(key),
            key_hint(key),
            xpert_id=xpert_id,
            role=role,
            expires_at=(storage.clock() + expires_in) if expires_in is not None else None,
        )
        return key, org

    def client(self, key: str | None = None, **headers: str) -> httpx.AsyncClient:
        h = {k.replace("_", "-"): v for k, v in headers.items()}
        if key is not None:
            h["x-api-key"] = key
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url=f"http://test{self.prefix}", headers=h
        )

    async def tenant(self, **headers: str) -> httpx.AsyncClient:
        key, _ = await self.mint_key()
        return self.client(key, **headers)


@asynccontextmanager
async def open_harness(
    data_dir: Path, database_url: str, *, tracing: Tracing | None = None, **settings: Any
) -> AsyncIterator[ApiHarness]:
    """`tracing`: an OpenTelemetry provider of the test's (telemetry.py), e.g. with an in-memory exporter."""
    # Harnesses of one session sharing a database are one deployment: one secrets key (as XPERT_CONNECTIONS_
    # SECRET must be on every server sharing a database), so what one seals another opens.
    defaults = {"connections_secret": SESSION_SECRETS_KEY, **scaled_settings()}
    s = Settings(data_dir=data_dir, database_url=database_url, announce_key=False, **{**defaults, **settings})
    app = create_app(s, clock=SteeredClock(), tracing=tracing)
    async with app.router.lifespan_context(app):
        yield ApiHarness(app=app, services=app.state.services, prefix=s.api_prefix)
