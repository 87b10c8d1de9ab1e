"""Conformance for the console's storage (storage/sql/console.py): sessions found by hash with their key's
state, ended at sign-out, capped by their key's expiry; the overview's run facts, per org and per xpert. The
same checks on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
import time

from tests.harness.app import new_org
from tests.storage.test_conformance_runs import run_of
from xpert_server.auth.keys import hash_credential
from xpert_server.auth.principal import Principal
from xpert_server.console_stats import run_stats
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import QueuePlacement, TokenUsage


async def _admin(storage: SQLStorage, expires_at: float | None = None) -> Principal:
    org = new_org()
    await storage.ensure_org(org)
    key = await storage.create_api_key(
        org,
        hash_credential(secrets.token_hex(16)),
        "sk-x-…",
        name="admin",
        expires_at=expires_at,
        role="admin",
    )
    return Principal(org_id=org, kind="key", key_id=key.id, role="admin")


async def test_sessions_are_found_by_hash_end_at_sign_out_and_with_their_key(storage: SQLStorage) -> None:
    p = await _admin(storage)
    digest = hash_credential("xs-" + secrets.token_hex(32))
    made = await storage.create_console_session(p, digest, 600)
    assert made.org_id == p.org_id and made.key_id == p.key_id
    assert abs(made.expires_at - made.created_at - 600) < 1e-6
    found = await storage.find_console_session(digest)
    assert found is not None and found.id == made.id and not found.key_revoked
    assert await storage.find_console_session(hash_credential("xs-unknown")) is None
    # Another org cannot end it; its own org can, once.
    assert not await storage.delete_console_session(Principal(org_id=new_org(), kind="key"), made.id)
    assert await storage.delete_console_session(p, made.id)
    assert not await storage.delete_console_session(p, made.id)
    assert await storage.find_console_session(digest) is None
    # A revoked key's sessions are marked so (the authenticator refuses them).
    again = hash_credential("xs-" + secrets.token_hex(32))
    await storage.create_console_session(p, again, 600)
    assert p.key_id is not None
    await storage.revoke_api_key(p.key_id)
    found = await storage.find_console_session(again)
    assert found is not None and found.key_revoked


async def test_a_session_never_outlives_its_key(storage: SQLStorage) -> None:
    soon = time.time() + 60
    p = await _admin(storage, expires_at=soon)
    made = await storage.create_console_session(p, hash_credential("xs-" + secrets.token_hex(32)), 3600)
    assert made.expires_at == soon


async def test_run_facts_are_the_orgs_ended_runs_and_tokens(storage: SQLStorage) -> None:
    p = await _admin(storage)
    other = await _admin(storage)
    ended = []
    for assistant, status, usage in (
        ("x-1", "success", [TokenUsage("m1", 10, 2)]),
        ("x-1", "error", []),
        ("x-2", "success", [TokenUsage("m1", 5, 1), TokenUsage("m2", 3, 3)]),
    ):
        run = run_of(p, (await storage.create_thread(p)).id, assistant_id=assistant)
        await storage.start_run(p, run, placement=QueuePlacement("local", worker_id="proc"))
        await storage.finish_run(run, status=status, thread_status="idle", usage=usage)
        ended.append(run)
    pending = run_of(p, (await storage.create_thread(p)).id, assistant_id="x-1")
    await storage.start_run(p, pending, placement=QueuePlacement("local", worker_id="proc"))  # not ended
    since = time.time() - 3600
    runs, usage = await storage.run_facts(p.org_id, since)
    assert sorted((r["xpert_id"], r["status"]) for r in runs) == [
        ("x-1", "error"),
        ("x-1", "success"),
        ("x-2", "success"),
    ]
    assert all(r["seconds"] >= 0 for r in runs)
    assert sorted((u["xpert_id"], u["model"], u["input_tokens"], u["output_tokens"]) for u in usage) == [
        ("x-1", "m1", 10, 2),
        ("x-2", "m1", 5, 1),
        ("x-2", "m2", 3, 3),
    ]
    one_runs, one_usage = await storage.run_facts(p.org_id, since, xpert_id="x-2")
    assert [r["xpert_id"] for r in one_runs] == ["x-2"] and len(one_usage) == 2
    assert await storage.run_facts(other.org_id, since) == ([], [])
    newest_runs, newest_usage = await storage.run_facts(p.org_id, since, limit=1)  # the newest of each
    assert [r["created_at"] for r in newest_runs] == [max(r["created_at"] for r in runs)]
    await storage.finish_run(pending, status="success", thread_status="idle")  # leave no live run behind
    assert [u["at"] for u in newest_usage] == [max(u["at"] for u in usage)]
    assert await storage.run_facts(p.org_id, time.time() + 60) == ([], [])
    stats = run_stats(runs, usage, since=since, until=time.time(), bucket="hour", names={"x-1": "One"})
    assert stats["totals"]["runs"] == 3 and stats["totals"]["errors"] == 1
    assert stats["totals"]["input_tokens"] == 18 and stats["totals"]["output_tokens"] == 6
    assert [(x["xpert_id"], x["name"], x["runs"], x["errors"]) for x in stats["xperts"]] == [
        ("x-1", "One", 2, 1),
        ("x-2", None, 1, 0),
    ]
    assert [(m["model"], m["runs"], sum(m["tokens_series"])) for m in stats["models"]] == [
        ("m1", 2, 18),
        ("m2", 1, 6),
    ]


def test_percentiles_are_nearest_rank() -> None:
    from xpert_server.console_stats import percentile

    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 95)) == (50.0, 95.0)
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


async def test_assistant_names_are_the_orgs_own(storage: SQLStorage) -> None:
    from tests.storage.test_conformance import assistant

    org, other = new_org(), new_org()
    made = await storage.create_assistant(Principal.system(org), assistant(org, "labelled"))
    await storage.create_assistant(Principal.system(other), assistant(other, "elsewhere"))
    assert await storage.assistant_names(org) == {made.public_id: "Labelled"}
    assert await storage.assistant_names(new_org()) == {}


async def test_org_overview_counts_each_orgs_xperts_keys_and_threads(storage: SQLStorage) -> None:
    p = await _admin(storage)
    await storage.create_thread(p)
    await storage.create_thread(p)
    revoked = await storage.create_api_key(p.org_id, hash_credential(secrets.token_hex(16)), "…", role="app")
    await storage.revoke_api_key(revoked.id)
    empty = new_org()
    await storage.ensure_org(empty)
    found = {o["id"]: o for o in await storage.org_overview()}
    assert (found[p.org_id]["keys"], found[p.org_id]["threads"], found[p.org_id]["xperts"]) == (1, 2, 0)
    assert (found[empty]["keys"], found[empty]["threads"]) == (0, 0) and found[empty]["name"] == empty
