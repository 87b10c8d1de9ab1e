"""Migration 7 (per-org ids) on databases made by the previous release (56fe414), SQLite and PostgreSQL.

The fixtures in `prev_release/` were written by that release's own code (`make_fixture.py` says how).
After this release opens them, every object is reachable by its old id in its own org, finished runs
replay, thread state loads and goes on, and another org may now take those ids without touching them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import scratch_database
from tests.harness.app import ApiHarness, open_harness
from tests.harness.chat import send
from xpert_server.storage.migrations import MIGRATIONS

FIXTURES = Path(__file__).resolve().parent / "prev_release"


def ok(resp: httpx.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (
        f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
    )
    return resp.json()


def _load_dump(url: str, dump: Path) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(dump.read_text(encoding="utf-8").encode())


@pytest.fixture(params=["sqlite", "postgres"])
def prev_database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, Path, dict[str, Any]]]:
    """(database URL, data dir, manifest): a fresh copy of the previous release's database."""
    source = FIXTURES / request.param
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        shutil.copytree(source, data_dir)
        yield f"sqlite:///{data_dir / 'xpert.db'}", data_dir, manifest
        return
    with scratch_database("xpert_prev") as url:
        _load_dump(url, source / "dump.sql")
        shutil.copytree(source / "files", data_dir / "files")
        yield url, data_dir, manifest


@pytest.fixture
async def migrated(
    prev_database: tuple[str, Path, dict[str, Any]],
) -> AsyncIterator[tuple[ApiHarness, dict[str, Any]]]:
    url, data_dir, manifest = prev_database
    assert _versions(url) == {1, 2, 3, 4, 5}
    async with open_harness(data_dir, url) as harness:
        assert _versions(url) == {m.version for m in MIGRATIONS}  # every later step, applied on start
        yield harness, manifest


def _versions(url: str) -> set[int]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return {int(v) for v in conn.execute(text("SELECT version FROM schema_migrations")).scalars()}
    finally:
        engine.dispose()


async def test_every_object_is_reachable_by_its_old_id(migrated: tuple[ApiHarness, dict[str, Any]]) -> None:
    harness, m = migrated
    tid, runs = m["thread_chosen"], m["runs"]
    async with harness.client(m["key"]) as c:
        thread = ok(await c.get(f"/threads/{tid}"))
        assert thread["thread_id"] == tid and thread["metadata"]["owner"] == "fixture"
        assert (
            thread["metadata"]["id"] == m["conversation"]
            and thread["metadata"]["assistant_id"] == "fixture-bot"
        )
        assert "apples" in str(thread["values"]) and "bananas" in str(thread["values"])
        assert ok(await c.get(f"/threads/{m['thread_generated']}"))["thread_id"] == m["thread_generated"]
        assert [t["thread_id"] for t in ok(await c.post("/threads/search", json={"ids": [tid]}))] == [tid]

        state = ok(await c.get(f"/threads/{tid}/state"))
        assert state["checkpoint"] == {
            "thread_id": tid,
            "checkpoint_ns": "",
            "checkpoint_id": m["checkpoint"],
        }
        assert len(ok(await c.post(f"/threads/{tid}/history", json={"limit": 100}))) >= 2

        listed = ok(await c.get(f"/threads/{tid}/runs"))
        assert [r["run_id"] for r in listed] == runs
        assert {(r["thread_id"], r["assistant_id"], r["status"]) for r in listed} == {
            (tid, "fixture-bot", "success")
        }
        for run_id in runs:  # finished runs replay their stored frames
            replay = await c.get(f"/threads/{tid}/runs/{run_id}/stream")
            assert (
                replay.status_code == 200
                and "event: complete" in replay.text
                and "on_message_end" in replay.text
            )
            assert ok(await c.get(f"/threads/{tid}/runs/{run_id}/join"))["role"] == "ai"

        assistant = ok(await c.get("/assistants/fixture-bot"))
        assert assistant["version"] == 2 and assistant["description"] == "second version"
        assert len(ok(await c.get("/assistants/fixture-bot/versions"))) == 2
        assert (
            ok(await c.get(f"/assistants/{m['assistant_generated']}"))["assistant_id"]
            == m["assistant_generated"]
        )

        messages = ok(await c.get(f"/conversations/{m['conversation']}/messages"))
        assert messages["total"] == m["messages"]
        feedback = ok(await c.get(f"/conversations/{m['conversation']}/messages/{m['ai_message']}/feedbacks"))
        assert len(feedback if isinstance(feedback, list) else feedback["items"]) == 1
        found = ok(await c.post("/conversations/search", json={"where": {"threadId": tid}}))
        assert [i["id"] for i in found["items"]] == [m["conversation"]]

        assert ok(await c.get(f"/contexts/file/{m['file']}"))["originalName"] == "facts.txt"
        content = await c.get(f"/contexts/file/{m['file']}/content")
        assert content.status_code == 200 and content.content == b"The fixture fact is 42.\n"
        (doc,) = ok(await c.get(f"/knowledges/{m['kb']}/documents"))
        assert doc["id"] == m["document"] and doc["status"] == "finish"
        hits = ok(
            await c.post(f"/knowledges/{m['kb']}/search", json={"query": "durian", "mode": "lexical"}), 201
        )
        assert hits["items"] and hits["items"][0]["document_id"] == m["document"]
        item = ok(await c.get("/store/items", params={"namespace": "fixture", "key": "k"}))
        assert item["value"] == {"v": 1}

        # The thread's state goes on from its old checkpoints.
        ok(
            await c.post(
                f"/threads/{tid}/runs/wait", json={"assistant_id": "fixture-bot", "input": send("cherries")}
            ),
            201,
        )
        values = str(ok(await c.get(f"/threads/{tid}/state"))["values"])
        assert all(word in values for word in ("apples", "bananas", "cherries"))


async def test_after_migration_another_org_may_take_the_old_ids(
    migrated: tuple[ApiHarness, dict[str, Any]],
) -> None:
    harness, m = migrated
    async with await harness.tenant() as other:
        ok(await other.post("/threads", json={"thread_id": m["thread_chosen"]}), 201)
        ok(await other.post("/threads", json={"thread_id": m["thread_generated"]}), 201)
        ok(await other.post("/assistants", json={"assistant_id": "fixture-bot", "name": "Other's"}), 201)
        assert ok(await other.get(f"/threads/{m['thread_chosen']}/state"))["values"] == {}
    async with harness.client(m["key"]) as c:
        assert "apples" in str(ok(await c.get(f"/threads/{m['thread_chosen']}"))["values"])
        assert ok(await c.get("/assistants/fixture-bot"))["name"] == "Fixture bot"
        assert (await c.post("/threads", json={"thread_id": m["thread_chosen"]})).status_code == 409


async def test_after_migration_the_old_key_is_an_admin(migrated: tuple[ApiHarness, dict[str, Any]]) -> None:
    harness, m = migrated
    async with harness.client(m["key"]) as c:
        (mine,) = [k for k in ok(await c.get("/keys")) if k["hint"].endswith(m["key"][-4:])]
        assert mine["role"] == "admin"
        made = ok(await c.post("/keys", json={"name": "app of the old org"}), 201)
    async with harness.client(made["key"]) as c:
        assert (await c.post("/assistants", json={"name": "No", "slug": "no"})).status_code == 403
