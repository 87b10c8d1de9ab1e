"""Shared pieces of the ChatKit tests: an app with tenants that mint client secrets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import suite_database
from tests.harness.app import ApiHarness, open_harness

SECRET_RE = r"^cs-x-[0-9a-f]{64}$"


@dataclass
class Tenant:
    """A fresh org with one API key and one offline xpert (`chat`)."""

    env: ChatkitEnv
    key: str
    org: str
    assistant_id: str

    def client(self, **headers: str) -> httpx.AsyncClient:
        return self.env.harness.client(self.key, **headers)

    async def mint(self, user: str | None = None, body: Any = None, key: str | None = None) -> dict[str, Any]:
        """POST /v1/chatkit/sessions with the key (for `user` when given); returns the 201 body."""
        headers = {"x_principal_user_id": user} if user else {}
        async with self.env.harness.client(key or self.key, **headers) as c:
            resp = await c.post("/v1/chatkit/sessions", json={} if body is None else body)
        assert resp.status_code == 201, resp.text
        result: dict[str, Any] = resp.json()
        return result

    async def secret(self, user: str | None = None, key: str | None = None) -> str:
        return str((await self.mint(user, key=key))["client_secret"])

    def as_secret(self, secret: str, header: str = "x-client-secret") -> httpx.AsyncClient:
        """A client presenting `secret` the way a browser would (no API key anywhere)."""
        if header == "bearer":
            return self.env.harness.client(None, authorization=f"Bearer {secret}")
        return self.env.harness.client(None, **{header.replace("-", "_"): secret})


@dataclass
class ChatkitEnv:
    harness: ApiHarness

    async def tenant(self, *, xpert_bound: bool = False) -> Tenant:
        key, org = await self.harness.mint_key()
        async with self.harness.client(key) as c:
            resp = await c.post("/assistants", json={"name": "Chat", "slug": "chat"})
            assert resp.status_code == 201, resp.text
            assistant_id = str(resp.json()["assistant_id"])
        if xpert_bound:
            key, _ = await self.harness.mint_key(org, xpert_id=assistant_id)
        return Tenant(self, key, org, assistant_id)


@asynccontextmanager
async def open_chatkit_env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, **settings: Any
) -> AsyncIterator[ChatkitEnv]:
    url = suite_database(request, tmp_path_factory.mktemp("chatkit-db"))
    async with open_harness(tmp_path_factory.mktemp("chatkit-data"), url, **settings) as harness:
        yield ChatkitEnv(harness)
