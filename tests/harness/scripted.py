"""An app with the scripted xperts of tests/graphs_scripted.py (slow, asker, twice, memo), served in process
and over real HTTP, and the helpers of the tests that use it (multitask, idempotency, history, store...)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.harness.app import ApiHarness, open_harness
from tests.harness.uvicorn import InProcessServer, serve_in_process
from tests.harness.xperts import SCRIPTED as GRAPHS
from tests.harness.xperts import write_xperts as xpert_files
from tests.runs.common import assistant_id, ok

ORG = "scripted-tests"  # slow, asker, twice, memo
ORG_B = "scripted-other"  # a second memo, for the Store's tenant isolation inside runs
SLUGS = ("slow", "asker", "twice", "memo")

# A run that lasts long enough to act on while it is in flight (cut short by the tests).
LONG = {"chunks": 400, "delay": 0.03}
QUICK = {"chunks": 2, "delay": 0.0}


def write_xperts(folder: Path, org: str = ORG, org_b: str | None = ORG_B) -> Path:
    xpert_files(folder, GRAPHS, SLUGS, org)
    if org_b is not None:
        (folder / "memo-b.yaml").write_text(
            f"name: Memo B\nslug: memo\norg: {org_b}\ngraph: {GRAPHS}:memo\n", encoding="utf-8"
        )
    return folder


@dataclass
class ScriptedEnv:
    harness: ApiHarness
    live: InProcessServer
    database_url: str
    data_dir: Path
    ids: dict[str, str] = field(default_factory=dict)  # slug → assistant id in ORG; "memo-b" in ORG_B

    async def key(self, org: str = ORG) -> str:
        key, _ = await self.harness.mint_key(org)
        return key

    async def asgi(self, org: str = ORG, principal: str | None = None) -> httpx.AsyncClient:
        """An in-process client; with `principal` (x-principal-user-id) it sees only that user's threads."""
        headers = {"x_principal_user_id": principal} if principal else {}
        return self.harness.client(await self.key(org), **headers)

    async def alone(self, org: str = ORG) -> httpx.AsyncClient:
        """An in-process client acting for a user of its own (its thread searches see only its threads)."""
        return await self.asgi(org, f"user-{secrets.token_hex(6)}")

    async def http(self, org: str = ORG) -> httpx.AsyncClient:
        return self.live.client(await self.key(org))


@asynccontextmanager
async def open_env(
    data_dir: Path, database_url: str, xperts_dir: Path, **settings: Any
) -> AsyncIterator[ScriptedEnv]:
    async with open_harness(data_dir, database_url, xperts_dir=xperts_dir, **settings) as harness:
        async with serve_in_process(harness.app, harness.prefix) as live:
            env = ScriptedEnv(harness, live, database_url, data_dir)
            async with harness.client(await env.key()) as c:
                for slug in SLUGS:
                    env.ids[slug] = await assistant_id(c, slug)
            async with harness.client(await env.key(ORG_B)) as c:
                env.ids["memo-b"] = await assistant_id(c, "memo")
            yield env


async def state_messages(c: httpx.AsyncClient, thread_id: str) -> list[tuple[str, str]]:
    """The thread's state values' messages as (type, content)."""
    state = ok(await c.get(f"/threads/{thread_id}/state"))
    return [(m["type"], m["content"]) for m in state["values"].get("messages", [])]


async def thread_status(c: httpx.AsyncClient, thread_id: str) -> str:
    return str(ok(await c.get(f"/threads/{thread_id}"))["status"])


def conversation(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Conversation messages as (role, text)."""
    out = []
    for m in items:
        content = m["content"]
        if isinstance(content, list):
            content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        out.append((m["role"], str(content)))
    return out
