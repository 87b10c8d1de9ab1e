"""Make the databases of `test_prev_release.py` with the PREVIOUS release's code (before per-org ids).

Run from a checkout of that release (56fe414), e.g.:

    git worktree add /tmp/prev 56fe414
    PYTHONPATH=/tmp/prev:/tmp/prev/sdk .venv/bin/python tests/storage/prev_release/make_fixture.py sqlite
    PYTHONPATH=/tmp/prev:/tmp/prev/sdk .venv/bin/python tests/storage/prev_release/make_fixture.py postgres

`sqlite` writes `sqlite/` (the data dir: database, checkpoints, uploaded files); `postgres` writes
`postgres/dump.sql` (pg_dump of a scratch database: tables, checkpoints) and `postgres/files/`. Each gets a
`manifest.json` of the ids it made and what a client saw. Only the public API is used, so the data is
what a deployment of that release holds: two xperts (one with a chosen id), a thread with a chosen id and
two finished runs (frames, messages, checkpoints, feedback), a thread with a generated id, an uploaded
file, a knowledge base with a processed document, a store item. The SQLite knowledge side index is left
out: it is derived data that start-up rebuilds from the chunk rows.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ORG = "fixture-org"
KEY = "sk-x-fixture-prev-release-key-0000000000000000000000"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def send(text: str) -> dict[str, Any]:
    return {"action": "send", "message": {"input": {"input": text}}}


def ok(resp: httpx.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (
        f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
    )
    return resp.json()


async def populate(c: httpx.AsyncClient) -> dict[str, Any]:
    bot = {
        "assistant_id": "fixture-bot",
        "name": "Fixture bot",
        "slug": "fixture-bot",
        "model": {"provider": "offline"},
    }
    ok(await c.post("/assistants", json=bot), 201)
    other = ok(
        await c.post(
            "/assistants", json={"name": "Other", "slug": "fixture-other", "model": {"provider": "offline"}}
        ),
        201,
    )
    ok(await c.patch("/assistants/fixture-bot", json={"description": "second version"}))
    thread = ok(
        await c.post("/threads", json={"thread_id": "fixture-thread", "metadata": {"owner": "fixture"}}), 201
    )
    ok(
        await c.post(
            "/threads/fixture-thread/runs/wait", json={"assistant_id": "fixture-bot", "input": send("apples")}
        ),
        201,
    )
    streamed = await c.post(
        "/threads/fixture-thread/runs/stream", json={"assistant_id": "fixture-bot", "input": send("bananas")}
    )
    assert streamed.status_code == 200 and "event: complete" in streamed.text
    runs = ok(await c.get("/threads/fixture-thread/runs"))
    generated = ok(await c.post("/threads", json={}), 201)
    ok(
        await c.post(
            f"/threads/{generated['thread_id']}/runs/wait",
            json={"assistant_id": other["assistant_id"], "input": send("cherries")},
        ),
        201,
    )
    messages = ok(await c.get(f"/conversations/{thread['metadata']['id']}/messages"))
    ai = next(m for m in messages["items"] if m["role"] == "ai")
    ok(
        await c.post(
            f"/conversations/{thread['metadata']['id']}/messages/{ai['id']}/feedbacks",
            json={"rating": "like"},
        ),
        201,
    )
    uploaded = ok(
        await c.post("/contexts/file", files={"file": ("facts.txt", b"The fixture fact is 42.\n")}), 201
    )
    kb = ok(await c.post("/knowledges", json={"name": "fixture-kb"}), 201)
    (doc,) = ok(
        await c.post(f"/knowledges/{kb['id']}/bulk", json=[{"name": "doc", "text": "Durian is a fruit."}]),
        201,
    )
    ok(await c.post(f"/knowledges/{kb['id']}/process", json=[doc["id"]]), 201)
    for _ in range(600):
        (status,) = ok(await c.get(f"/knowledges/{kb['id']}/status", params={"ids": doc["id"]}))
        if status["status"] in ("finish", "error"):
            break
        await asyncio.sleep(0.05)
    assert status["status"] == "finish", status
    ok(await c.put("/store/items", json={"namespace": ["fixture"], "key": "k", "value": {"v": 1}}))
    state = ok(await c.get("/threads/fixture-thread/state"))
    return {
        "org": ORG,
        "key": KEY,
        "assistant_chosen": "fixture-bot",
        "assistant_generated": other["assistant_id"],
        "thread_chosen": "fixture-thread",
        "thread_generated": generated["thread_id"],
        "conversation": thread["metadata"]["id"],
        "runs": [r["run_id"] for r in runs],
        "ai_message": ai["id"],
        "file": uploaded["id"],
        "kb": kb["id"],
        "document": doc["id"],
        "checkpoint": state["checkpoint"]["checkpoint_id"],
        "messages": len(messages["items"]),
    }


async def make(data_dir: Path, database_url: str) -> dict[str, Any]:
    from xpert_server.app import create_app
    from xpert_server.auth.keys import hash_credential, key_hint
    from xpert_server.config import Settings

    settings = Settings(data_dir=data_dir, database_url=database_url, announce_key=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        storage = app.state.services.storage
        await storage.ensure_org(ORG)
        await storage.create_api_key(ORG, hash_credential(KEY), key_hint(KEY))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport,
            base_url=f"http://fixture{settings.api_prefix}",
            headers={"x-api-key": KEY},
            timeout=60,
        ) as c:
            manifest = await populate(c)
        await asyncio.sleep(0.5)  # let the event log's last group commit land
    return manifest


def main(backend: str) -> None:
    if backend == "sqlite":
        out = HERE / "sqlite"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        manifest = asyncio.run(make(out, f"sqlite:///{out / 'xpert.db'}"))
        for wal in out.glob("*-wal"):
            assert wal.stat().st_size == 0, f"{wal} not checkpointed"
        # The knowledge side index is derived data, rebuilt from the chunk rows at start: not shipped.
        for leftover in [*out.glob("*-wal"), *out.glob("*-shm"), *out.glob("*.knowledge.sqlite")]:
            leftover.unlink()
        for db in out.glob("*.db"):
            with sqlite3.connect(db) as conn:
                conn.execute("VACUUM")
    else:
        import psycopg

        out = HERE / "postgres"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        name = f"xpert_fixture_{secrets.token_hex(4)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
        try:
            data = HERE / "postgres-data"
            manifest = asyncio.run(make(data, url))
            shutil.move(str(data / "files"), out / "files")
            shutil.rmtree(data)
            # INSERTs and no psql meta-commands (`\restrict`): the test loads it with psycopg, no psql needed.
            dump = subprocess.run(
                ["pg_dump", "--no-owner", "--no-privileges", "--inserts", url],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            plain = "".join(line for line in dump.splitlines(keepends=True) if not line.startswith("\\"))
            (out / "dump.sql").write_text(plain, encoding="utf-8")
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    manifest["made_at"] = time.strftime("%Y-%m-%d")
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sqlite")
