"""Crons through the clients that call them, against a live server (the app served on a socket):

- LangGraph's Python SDK (`langgraph-sdk`, from PyPI), sync and async: every `crons.*` method, threads'
  `ttl`, `prune` and `supersteps`, and a fired run it can read back;
- LangGraph's JS SDK (`@langchain/langgraph-sdk` under Node, from npm at test time: tests/harness/npm.py);
- XpertAI's JS SDK (`@xpert-ai/xpert-sdk`): not on npm, so the exact requests its `CronsClient` makes
  (`createForThread`, `create`, `search`, `count`, `delete`, read from its source: packages/core/src/client.ts)
  are sent as raw HTTP, with the shapes its types read checked;
- this project's SDK (`xpert_sdk`), sync and async, and the `xpert crons` CLI built on it.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client, get_sync_client

from tests.crons.common import epoch, runs_reach
from tests.harness.clock import manual_clock
from tests.harness.npm import npm_package
from tests.harness.responses import ok
from tests.harness.scripted import ORG, QUICK, ScriptedEnv
from tests.harness.served import cli, server_env

NODE = shutil.which("node")
SCRIPT = Path(__file__).parent / "js" / "crons.cjs"
LG_INPUT = {"messages": [{"role": "user", "content": "scheduled"}]}


async def test_langgraph_python_sdk_crons_async(env: ScriptedEnv) -> None:
    key = await env.key()
    client = get_client(url=env.live.base_url, api_key=key, timeout=30)
    try:
        with manual_clock(env.harness.services) as clock:
            now = clock()
            clock.advance(now - now % 60 + 65 - now)  # 55 s before the next whole minute
            thread = await client.threads.create(ttl={"ttl": 60, "strategy": "keep_latest"})
            cron = await client.crons.create_for_thread(
                thread["thread_id"], "slow", schedule="* * * * *", input=LG_INPUT, context=QUICK,
                metadata={"sdk": "langgraph-py"}, timezone="UTC",
            )  # fmt: skip
            assert cron["thread_id"] == thread["thread_id"] and cron["metadata"] == {"sdk": "langgraph-py"}
            stateless = await client.crons.create(
                "slow", schedule="0 9 * * *", input=LG_INPUT, on_run_completed="keep"
            )
            assert stateless["on_run_completed"] == "keep" and stateless["thread_id"] is None
            found = await client.crons.search(thread_id=thread["thread_id"])
            assert [c["cron_id"] for c in found] == [cron["cron_id"]]
            assert await client.crons.count(assistant_id=cron["assistant_id"]) >= 2
            updated = await client.crons.update(stateless["cron_id"], enabled=False, end_time=None)
            assert updated["enabled"] is False and updated["end_time"] is None
            await client.crons.delete(stateless["cron_id"])
            assert await client.crons.search(metadata={"sdk": "langgraph-py"}) == found
            # The fired run: a LangGraph run (graph-state input), readable with the SDK.
            clock.advance(epoch(cron["next_run_date"]) + 1 - clock())
            async with await env.asgi() as c:
                await runs_reach(c, thread["thread_id"], 1)
            (run,) = await client.runs.list(thread["thread_id"])
            assert run["metadata"]["cron_id"] == cron["cron_id"]
            state = await client.threads.get_state(thread["thread_id"])
            assert state["values"]["messages"][0]["content"] == "scheduled"
            pruned = await client.threads.prune([thread["thread_id"]], strategy="keep_latest")
            assert pruned == {"pruned_count": 1}
            step = {
                "updates": [
                    {"values": {"messages": [{"type": "human", "content": "copied"}]}, "as_node": "slow"}
                ]
            }
            copied = await client.threads.create(graph_id="slow", supersteps=[step])
            state = await client.threads.get_state(copied["thread_id"])
            assert [m["content"] for m in state["values"]["messages"]] == ["copied"]
            await client.threads.update(copied["thread_id"], metadata={}, ttl=5)
            await client.crons.delete(cron["cron_id"])
    finally:
        await client.aclose()


async def test_langgraph_python_sdk_crons_sync(env: ScriptedEnv) -> None:
    key = await env.key()

    def calls() -> dict[str, Any]:
        client = get_sync_client(url=env.live.base_url, api_key=key, timeout=30)
        try:
            thread = client.threads.create()
            made = client.crons.create_for_thread(
                thread["thread_id"], "slow", schedule="*/5 * * * *", input=LG_INPUT
            )
            out = {
                "made": made,
                "search": client.crons.search(thread_id=thread["thread_id"], select=["cron_id", "enabled"]),
                "count": client.crons.count(thread_id=thread["thread_id"]),
                "updated": client.crons.update(made["cron_id"], schedule="0 * * * *"),
            }
            client.crons.delete(made["cron_id"])
            out["after"] = client.crons.count(thread_id=thread["thread_id"])
            return out
        finally:
            client.close()

    out = await asyncio.to_thread(calls)
    assert out["search"] == [{"cron_id": out["made"]["cron_id"], "enabled": True}]
    assert out["count"] == 1 and out["after"] == 0
    assert out["updated"]["schedule"] == "0 * * * *" and epoch(out["updated"]["next_run_date"]) % 3600 == 0


@pytest.mark.skipif(NODE is None, reason="Node is not installed: LangGraph's JS SDK cannot run")
async def test_langgraph_js_sdk_crons(env: ScriptedEnv, pytestconfig: pytest.Config) -> None:
    from tests.langgraph.test_js_sdk import SDK_VERSION

    modules = npm_package(Path(pytestconfig.rootpath), "@langchain/langgraph-sdk", SDK_VERSION)
    key = await env.key()
    proc_env = {**os.environ, "LANGGRAPH_SDK_DIR": str(modules), "API_URL": env.live.base_url, "API_KEY": key,
                "ASSISTANT": "slow", "PRINCIPAL": f"js-{secrets.token_hex(4)}"}  # fmt: skip
    assert NODE is not None
    proc = await asyncio.create_subprocess_exec(
        NODE, str(SCRIPT), env=proc_env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, stderr.decode()
    out = json.loads(stdout)
    assert out["forThread"]["thread_id"] == out["threadId"] and out["forThread"]["timezone"] == "Europe/Paris"
    assert out["forThread"]["metadata"] == {"from": "js"}
    assert out["stateless"]["on_run_completed"] == "keep" and out["stateless"]["end_time"]
    assert [c["cron_id"] for c in out["search"]] == [out["forThread"]["cron_id"]]
    assert out["count"] == 2 and out["countAfter"] == 1 and out["updated"]["enabled"] is False


async def test_xpertai_js_sdk_crons_requests(env: ScriptedEnv) -> None:
    """The bodies XpertAI's JS SDK's `CronsClient` sends (undefined fields dropped by JSON), replayed (for an
    end user of its own, so it counts only its crons)."""
    async with await env.alone() as c:
        slow = env.ids["slow"]
        tid = ok(await c.post("/threads", json={"metadata": {}}), 201)["thread_id"]
        chat = {"action": "send", "message": {"input": {"input": "digest"}}}
        made = ok(
            await c.post(
                f"/threads/{tid}/runs/crons",
                json={
                    "schedule": "0 8 * * *",
                    "input": chat,
                    "assistant_id": slow,
                    "checkpoint_during": False,
                },
            ),
            201,
        )
        for k in ("cron_id", "assistant_id", "thread_id", "user_id", "payload", "schedule", "next_run_date",
                  "end_time", "created_at", "updated_at", "metadata"):  # fmt: skip
            assert k in made, k
        assert made["thread_id"] == tid and made["payload"]["input"] == chat
        stateless = ok(
            await c.post("/runs/crons", json={"schedule": "0 8 * * *", "input": chat, "assistant_id": slow}),
            201,
        )
        found = ok(
            await c.post(
                "/runs/crons/search", json={"assistant_id": slow, "thread_id": tid, "limit": 10, "offset": 0}
            )
        )
        assert [x["cron_id"] for x in found] == [made["cron_id"]]
        assert ok(await c.post("/runs/crons/count", json={"assistant_id": slow}), 201) == 2
        assert (await c.delete(f"/runs/crons/{stateless['cron_id']}")).status_code == 200
        assert ok(await c.post("/runs/crons/count", json={}), 201) == 1


async def test_xpert_sdk_and_cli(env: ScriptedEnv) -> None:
    from xpert_sdk import AsyncClient, Client, chat_input

    key = await env.key()
    async with AsyncClient(api_url=env.live.base_url, api_key=key) as client:
        thread = await client.threads.create(ttl=30)
        made = await client.crons.create_for_thread(
            thread["thread_id"], env.ids["slow"], "0 7 * * *", chat_input("hi"), timezone="Asia/Tokyo"
        )
        assert (await client.crons.search(thread_id=thread["thread_id"]))[0]["cron_id"] == made["cron_id"]
        assert await client.crons.count(thread_id=thread["thread_id"]) == 1
        assert (await client.crons.update(made["cron_id"], enabled=False))["enabled"] is False
        assert (await client.crons.delete(made["cron_id"]))["deleted"] is True
        assert (await client.threads.prune([thread["thread_id"]]))["pruned_count"] == 1

    def sync_calls() -> None:
        with Client(api_url=env.live.base_url, api_key=key) as client:
            made = client.crons.create("slow", "0 7 * * *", chat_input("hi"), on_run_completed="keep")
            assert made["on_run_completed"] == "keep"
            assert client.crons.delete(made["cron_id"])["deleted"] is True

    await asyncio.to_thread(sync_calls)
    run_env = server_env(XPERTAI_API_URL=env.live.base_url, XPERTAI_API_KEY=key, COLUMNS="250")
    created = await asyncio.to_thread(
        cli,
        "crons",
        "create",
        "--xpert",
        "slow",
        "--schedule",
        "15 6 * * *",
        "--message",
        "hello",
        env=run_env,
    )
    assert created.returncode == 0, created.stderr
    cron_id = created.stdout.split()[0]
    listed = await asyncio.to_thread(cli, "crons", "list", env=run_env)
    assert cron_id in listed.stdout and "15 6 * * *" in listed.stdout
    assert (await asyncio.to_thread(cli, "crons", "disable", cron_id, env=run_env)).returncode == 0
    assert (await asyncio.to_thread(cli, "crons", "delete", cron_id, env=run_env)).returncode == 0
    bad = await asyncio.to_thread(
        cli, "crons", "create", "--xpert", "slow", "--schedule", "nope", env=run_env
    )
    assert bad.returncode == 1 and "schedule" in bad.stderr
    assert ORG  # the scripted xperts' org: the key above is minted in it
