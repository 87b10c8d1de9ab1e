"""Conformance for crons and thread ttls (storage/sql/crons.py): create, find, search, count, change and
delete crons within what a principal sees; the due list across orgs and the compare-and-set that gives each
tick to one claimer; thread ttls and the threads past them. The same checks on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import time

from tests.harness.app import new_org
from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import CronRecord


def cron(
    p: Principal, assistant_id: str = "bot", next_run_date: float | None = 100.0, **kw: object
) -> CronRecord:
    now = time.time()
    fields: dict[str, object] = {
        "id": new_id(),
        "org_id": p.org_id,
        "assistant_id": assistant_id,
        "thread_id": None,
        "thread_public_id": None,
        "user_id": p.user_id,
        "key_id": None,
        "xpert_binding": p.xpert_id,
        "schedule": "* * * * *",
        "timezone": None,
        "end_time": None,
        "payload": {"input": {"x": 1}},
        "metadata": {},
        "on_run_completed": "delete",
        "enabled": True,
        "next_run_date": next_run_date,
        "created_at": now,
        "updated_at": now,
        **kw,
    }
    return CronRecord(**fields)  # type: ignore[arg-type]


async def test_crons_are_seen_by_their_org_principal_and_binding(storage: SQLStorage) -> None:
    org = new_org()
    await storage.ensure_org(org)
    org_wide, alice, bob = (Principal(org_id=org), Principal(org_id=org, user_id="alice"),
                            Principal(org_id=org, user_id="bob"))  # fmt: skip
    bound = Principal(org_id=org, xpert_id="other")
    mine = await storage.create_cron(alice, cron(alice, metadata={"team": "a"}, thread_public_id="t1"))
    await storage.create_cron(bob, cron(bob, assistant_id="other", enabled=False))
    assert (await storage.get_cron(alice, mine.id)) is not None
    assert await storage.get_cron(bob, mine.id) is None
    assert await storage.get_cron(bound, mine.id) is None
    assert await storage.get_cron(Principal(org_id=new_org()), mine.id) is None
    assert await storage.count_crons(org_wide) == 2 and await storage.count_crons(alice) == 1
    assert await storage.count_crons(org_wide, assistant_id="other") == 1
    assert await storage.count_crons(org_wide, thread_id="t1") == 1
    assert await storage.count_crons(org_wide, metadata={"team": "a"}) == 1
    assert [c.id for c in await storage.search_crons(org_wide, enabled=True)] == [mine.id]
    assert len(await storage.search_crons(bound)) == 1
    page = await storage.search_crons(org_wide, limit=1, sort_by="assistant_id", sort_order="asc")
    assert [c.assistant_id for c in page] == ["bot"]
    changed = await storage.update_cron(
        alice, mine.id, {"enabled": False, "schedule": "0 * * * *", "nope": 1}
    )
    assert changed is not None and not changed.enabled and changed.schedule == "0 * * * *"
    assert await storage.update_cron(bob, mine.id, {"enabled": True}) is None
    assert not await storage.delete_cron(bob, mine.id)
    assert await storage.delete_cron(alice, mine.id) and await storage.get_cron(alice, mine.id) is None


async def test_a_due_tick_is_claimed_by_one_claimer_only(storage: SQLStorage) -> None:
    org = new_org()
    await storage.ensure_org(org)
    p = Principal(org_id=org)
    due = await storage.create_cron(p, cron(p, next_run_date=50.0))
    later = await storage.create_cron(p, cron(p, next_run_date=10**12))
    off = await storage.create_cron(p, cron(p, next_run_date=50.0, enabled=False))
    found = {c.id for c in await storage.due_crons(60.0, limit=10_000)}
    assert due.id in found and later.id not in found and off.id not in found
    claims = await asyncio.gather(*(storage.claim_tick(due.id, 50.0, 120.0) for _ in range(8)))
    assert sum(claims) == 1
    assert (await storage.get_cron(p, due.id)).next_run_date == 120.0  # type: ignore[union-attr]
    assert not await storage.claim_tick(off.id, 50.0, 120.0)  # a disabled cron is never claimed


async def test_thread_ttls_find_the_threads_idle_past_them(storage: SQLStorage) -> None:
    org = new_org()
    await storage.ensure_org(org)
    p = Principal(org_id=org)
    doomed = await storage.create_thread(p)
    pruned = await storage.create_thread(p)
    await storage.create_thread(p)  # no ttl: never listed
    await storage.set_thread_ttl(doomed.id, org, 60, "delete")
    await storage.set_thread_ttl(pruned.id, org, 60, "keep_latest")
    ttl = await storage.get_thread_ttl(pruned.id)
    assert ttl is not None and (ttl.ttl_seconds, ttl.strategy) == (60, "keep_latest")
    now = max(doomed.updated_at, pruned.updated_at)
    mine = lambda rows: {r[0]: r[2] for r in rows if r[1] == org}  # noqa: E731
    assert mine(await storage.expired_threads(now + 30)) == {}
    assert mine(await storage.expired_threads(now + 61)) == {doomed.id: "delete", pruned.id: "keep_latest"}
    await storage.mark_thread_pruned(pruned.id, pruned.updated_at)
    assert mine(await storage.expired_threads(now + 61)) == {doomed.id: "delete"}  # pruned until it changes
    assert await storage.delete_thread(p, doomed.id)
    assert await storage.get_thread_ttl(doomed.id) is None
