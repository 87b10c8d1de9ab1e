"""One conformance suite for every storage backend: each operation on SQLite and on PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.harness.app import new_org
from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.storage import SQLStorage, create_storage
from xpert_server.storage.records import AlreadyExists, AssistantRecord, AssistantStamp


def assistant(org: str, slug: str, **kw: object) -> AssistantRecord:
    now = time.time()
    fields: dict[str, object] = dict(
        id=new_id(),
        org_id=org,
        slug=slug,
        name=slug.title(),
        description=None,
        version=1,
        source="api",
        definition={"name": slug, "slug": slug},
        config={},
        metadata={"slug": slug, "type": "agent"},
        context=None,
        created_at=now,
        updated_at=now,
    )
    fields.update(kw)
    return AssistantRecord(**fields)  # type: ignore[arg-type]


async def test_migrations_are_recorded_and_reopening_applies_nothing(storage: SQLStorage) -> None:
    again = create_storage(storage.url)
    await again.open()
    assert again.created is False
    await again.close()


async def test_ensure_org_is_idempotent(storage: SQLStorage) -> None:
    org = new_org()
    first = await storage.ensure_org(org, "Acme")
    second = await storage.ensure_org(org, "Other name")
    assert first.id == second.id == org
    assert (await storage.get_org(org)) is not None
    assert await storage.get_org(new_org()) is None


async def test_api_keys_create_find_list_revoke(storage: SQLStorage) -> None:
    org = new_org()
    await storage.ensure_org(org)
    digest = new_id().replace("-", "") * 2
    key = await storage.create_api_key(org, digest[:64], "sk-x-ab…cd", name="ci", expires_at=None, role="app")
    found = await storage.find_api_key(digest[:64])
    assert found is not None and found.id == key.id and found.revoked_at is None and found.role == "app"
    with pytest.raises(AlreadyExists):
        await storage.create_api_key(org, digest[:64], "dup", role="admin")
    assert [k.id for k in await storage.list_api_keys(org)] == [key.id]
    revoked = await storage.revoke_api_key(key.id[:12])
    assert revoked is not None and revoked.revoked_at is not None
    again = await storage.find_api_key(digest[:64])
    assert again is not None and again.revoked_at is not None
    assert await storage.revoke_api_key("no-such-key") is None
    # An API caller revokes by exact id, in its own org only.
    other = await storage.create_api_key(
        org, (new_id().replace("-", "") * 2)[:64], "sk-x-ab…ef", role="admin"
    )
    assert await storage.revoke_api_key(other.id, by=Principal(org_id=new_org(), kind="key")) is None
    assert await storage.revoke_api_key(other.id[:12], by=Principal(org_id=org, kind="key")) is None
    by_admin = await storage.revoke_api_key(other.id, by=Principal(org_id=org, kind="key"))
    assert by_admin is not None and by_admin.revoked_at is not None
    assert await storage.count_api_keys() >= 1


async def test_assistant_create_get_is_org_scoped(storage: SQLStorage) -> None:
    org, other = new_org(), new_org()
    rec = await storage.create_assistant(Principal.system(org), assistant(org, "alpha"))
    assert (await storage.get_assistant(Principal.system(org), rec.id)) is not None
    assert await storage.get_assistant(Principal.system(other), rec.id) is None
    with pytest.raises(AlreadyExists):
        await storage.create_assistant(Principal.system(org), assistant(org, "alpha"))
    # The same slug in another org is another xpert.
    await storage.create_assistant(Principal.system(other), assistant(other, "alpha"))


async def test_assistant_update_bumps_version_and_keeps_history(storage: SQLStorage) -> None:
    org = new_org()
    p = Principal.system(org)
    rec = await storage.create_assistant(p, assistant(org, "beta"))
    updated = await storage.update_assistant(p, rec.id, {"name": "Beta 2", "description": "new"})
    assert updated is not None and updated.version == 2 and updated.name == "Beta 2"
    versions = await storage.list_assistant_versions(p, rec.id)
    assert versions is not None and [v.version for v in versions] == [2, 1]
    assert versions[1].name == "Beta"
    assert await storage.update_assistant(Principal.system(new_org()), rec.id, {"name": "x"}) is None
    assert await storage.list_assistant_versions(Principal.system(new_org()), rec.id) is None


async def test_upsert_by_slug_keeps_the_id(storage: SQLStorage) -> None:
    org = new_org()
    p = Principal.system(org)
    first, changed = await storage.upsert_assistant_by_slug(p, assistant(org, "gamma"))
    assert changed
    same, changed = await storage.upsert_assistant_by_slug(p, assistant(org, "gamma"))
    assert not changed and same.id == first.id and same.version == 1
    edited, changed = await storage.upsert_assistant_by_slug(p, assistant(org, "gamma", description="v2"))
    assert changed and edited.id == first.id and edited.version == 2 and edited.description == "v2"


async def test_assistant_search_filters_pages_sorts_and_counts(storage: SQLStorage) -> None:
    org = new_org()
    p = Principal.system(org)
    for i, slug in enumerate(["s-a", "s-b", "s-c"]):
        meta = {"slug": slug, "type": "knowledge" if i == 2 else "agent", "tags": ["x", slug]}
        await storage.create_assistant(p, assistant(org, slug, metadata=meta, created_at=1000.0 + i))
    assert [a.slug for a in await storage.search_assistants(p, metadata={"slug": "s-b"})] == ["s-b"]
    assert [a.slug for a in await storage.search_assistants(p, metadata={"type": "knowledge"})] == ["s-c"]
    assert [a.slug for a in await storage.search_assistants(p, metadata={"tags": ["x", "s-a"]})] == ["s-a"]
    assert [a.slug for a in await storage.search_assistants(p, sort_by="created_at", sort_order="asc")] == [
        "s-a",
        "s-b",
        "s-c",
    ]
    page = await storage.search_assistants(p, sort_by="name", sort_order="desc", limit=1, offset=1)
    assert [a.slug for a in page] == ["s-b"]
    assert await storage.count_assistants(p) == 3
    assert await storage.count_assistants(p, metadata={"type": "agent"}) == 2
    bound = Principal(org_id=org, kind="key", xpert_id=page[0].id)
    assert [a.id for a in await storage.search_assistants(bound)] == [page[0].id]
    assert await storage.count_assistants(Principal.system(new_org())) == 0


async def test_assistant_delete_removes_versions(storage: SQLStorage) -> None:
    org = new_org()
    p = Principal.system(org)
    rec = await storage.create_assistant(p, assistant(org, "delta"))
    assert not await storage.delete_assistant(Principal.system(new_org()), rec.id)
    assert await storage.delete_assistant(p, rec.id)
    assert await storage.get_assistant(p, rec.id) is None
    assert await storage.list_assistant_versions(p, rec.id) is None


async def test_thread_create_with_id_and_if_exists(storage: SQLStorage) -> None:
    org = new_org()
    p = Principal(org_id=org, kind="key", key_id="k1")
    tid = new_id()
    t1 = await storage.create_thread(p, thread_id=tid, metadata={"title": "Hello", "k": "v"})
    assert t1.public_id == tid and t1.title == "Hello" and t1.metadata == {"k": "v"} and t1.status == "idle"
    assert t1.id != tid  # a chosen id is the org's; the internal one is ours
    with pytest.raises(AlreadyExists):
        await storage.create_thread(p, thread_id=tid)
    same = await storage.create_thread(p, thread_id=tid, if_exists="do_nothing")
    assert same.id == t1.id and same.public_id == tid and same.conversation_id == t1.conversation_id
    assert (await storage.get_thread_by_conversation(p, t1.conversation_id)) is not None
    generated = await storage.create_thread(p)
    assert generated.public_id == generated.id


async def test_thread_ids_are_per_org(storage: SQLStorage) -> None:
    a, b = Principal.system(new_org()), Principal.system(new_org())
    tid = new_id()
    ta = await storage.create_thread(a, thread_id=tid, metadata={"owner": "a"})
    # Another org's id is no obstacle: B gets a thread of its own under the same public id.
    tb = await storage.create_thread(b, thread_id=tid, if_exists="do_nothing", metadata={"owner": "b"})
    assert tb.public_id == tid and tb.id != ta.id and tb.metadata == {"owner": "b"}
    with pytest.raises(AlreadyExists):
        await storage.create_thread(b, thread_id=tid)
    for p, mine in ((a, ta), (b, tb)):
        got = await storage.get_thread(p, tid)
        assert got is not None and got.id == mine.id and got.public_id == tid
        assert [t.id for t in await storage.search_threads(p, ids=[tid])] == [mine.id]
        assert (await storage.get_thread_by_internal_id(p, mine.id)) is not None
    # Internal ids never answer a public lookup, nor another org's internal lookup.
    assert await storage.get_thread(b, tb.id) is None
    assert await storage.get_thread_by_internal_id(b, ta.id) is None
    assert await storage.delete_thread(b, tb.id)
    assert (await storage.get_thread(a, tid)) is not None


async def test_assistant_ids_are_per_org(storage: SQLStorage) -> None:
    a, b = Principal.system(new_org()), Principal.system(new_org())
    ra = await storage.create_assistant(a, assistant(a.org_id, "same", public_id="bot"))
    rb = await storage.create_assistant(b, assistant(b.org_id, "same", public_id="bot"))
    assert ra.public_id == rb.public_id == "bot" and ra.id != rb.id
    with pytest.raises(AlreadyExists):
        await storage.create_assistant(b, assistant(b.org_id, "other", public_id="bot"))
    assert (await storage.update_assistant(b, "bot", {"description": "B's"})) is not None
    got = await storage.get_assistant(a, "bot")
    assert got is not None and got.id == ra.id and got.description is None and got.version == 1
    versions = await storage.list_assistant_versions(b, "bot")
    assert versions is not None and [v.version for v in versions] == [2, 1]
    assert {v.assistant_id for v in versions} == {"bot"}
    assert await storage.delete_assistant(b, "bot")
    assert await storage.get_assistant(a, "bot") is not None
    assert [v.version for v in await storage.list_assistant_versions(a, "bot") or []] == [1]


async def test_thread_visibility_by_org_and_principal(storage: SQLStorage) -> None:
    org = new_org()
    alice = Principal(org_id=org, kind="key", user_id="alice")
    bob = Principal(org_id=org, kind="key", user_id="bob")
    whole_org = Principal(org_id=org, kind="key")
    ta = await storage.create_thread(alice)
    tb = await storage.create_thread(bob)
    assert await storage.get_thread(alice, ta.id) is not None
    assert await storage.get_thread(alice, tb.id) is None
    assert await storage.get_thread(Principal.system(new_org()), ta.id) is None
    assert {t.id for t in await storage.search_threads(whole_org)} == {ta.id, tb.id}
    assert [t.id for t in await storage.search_threads(bob)] == [tb.id]
    assert await storage.count_threads(alice) == 1
    assert await storage.update_thread(bob, ta.id, metadata={"x": 1}) is None
    assert not await storage.delete_thread(bob, ta.id)


async def test_thread_update_merges_metadata_and_title(storage: SQLStorage) -> None:
    p = Principal.system(new_org())
    t = await storage.create_thread(p, metadata={"a": 1})
    u = await storage.update_thread(p, t.id, metadata={"b": 2, "title": "Renamed"})
    assert u is not None and u.metadata == {"a": 1, "b": 2} and u.title == "Renamed"
    got = await storage.get_thread(p, t.id)
    assert got is not None and got.metadata == {"a": 1, "b": 2} and got.title == "Renamed"


async def test_thread_search_filters_sorts_pages(storage: SQLStorage) -> None:
    p = Principal.system(new_org())
    made = [await storage.create_thread(p, metadata={"n": i, "even": i % 2 == 0}) for i in range(5)]
    asc = await storage.search_threads(p, sort_by="created_at", sort_order="asc")
    assert [t.id for t in asc] == [t.id for t in made]
    assert [t.metadata["n"] for t in await storage.search_threads(p, metadata={"n": 3})] == [3]
    assert {t.metadata["n"] for t in await storage.search_threads(p, metadata={"even": True})} == {0, 2, 4}
    assert len(await storage.search_threads(p, ids=[made[0].id, made[1].id])) == 2
    page = await storage.search_threads(p, sort_by="created_at", sort_order="asc", limit=2, offset=2)
    assert [t.id for t in page] == [made[2].id, made[3].id]
    assert await storage.count_threads(p, status="idle") == 5
    assert await storage.count_threads(p, status="busy") == 0
    assert await storage.count_threads(p, metadata={"even": False}) == 2


async def test_mutations_are_audited(storage: SQLStorage) -> None:
    org = new_org()
    p = Principal(org_id=org, kind="key", key_id="key-1", user_id="u-1")
    t = await storage.create_thread(p)
    await storage.update_thread(p, t.id, metadata={"x": 1})
    await storage.delete_thread(p, t.id)
    rows = await storage.list_audit(org)
    assert [(r["action"], r["resource_type"], r["resource_id"]) for r in rows] == [
        ("delete", "thread", t.id),
        ("update", "thread", t.id),
        ("create", "thread", t.id),
    ]
    assert all(r["key_id"] == "key-1" and r["principal_user_id"] == "u-1" and r["at"] > 0 for r in rows)


def test_unknown_database_url_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Unsupported database URL"):
        create_storage("mysql://x")


async def test_assistant_stamps_are_the_search_rows_in_its_order(storage: SQLStorage) -> None:
    org = new_org()
    p = Principal.system(org)
    for i, slug in enumerate(["t-c", "t-a", "t-d", "t-b"]):
        await storage.create_assistant(
            p, assistant(org, slug, created_at=2000.0 + i % 2, metadata={"slug": slug, "n": i % 2})
        )
    await storage.create_assistant(Principal.system(new_org()), assistant("other", "t-a"))
    one = (await storage.search_assistants(p, metadata={"slug": "t-d"}))[0]
    await storage.update_assistant(p, one.public_id, {"name": "D2"})
    queries: list[dict[str, Any]] = [
        {},
        {"sort_order": "asc"},
        {"sort_by": "name", "sort_order": "asc", "limit": 2, "offset": 1},
        {"sort_by": "version"},
        {"limit": 1, "offset": 3},
        {"offset": 5000},  # beyond what SQLite reads without the thread hop
        {"metadata": {"n": 1}},
        {"graph_id": one.public_id},
    ]
    for q in queries:
        records = await storage.search_assistants(p, **q)
        stamps = await storage.search_assistant_stamps(p, **q)
        assert stamps == [AssistantStamp(r.id, r.version, r.updated_at) for r in records], q
    assert (await storage.search_assistant_stamps(p, metadata={"slug": "t-d"}))[0].version == 2
    bound = Principal(org_id=org, kind="key", xpert_id=one.public_id)
    assert [s.id for s in await storage.search_assistant_stamps(bound)] == [one.id]
    everyone = [s.id for s in await storage.search_assistant_stamps(p)]
    fetched = await storage.get_assistants_by_internal_ids(p, everyone)
    assert sorted(r.id for r in fetched) == sorted(everyone)
    assert await storage.get_assistants_by_internal_ids(Principal.system(new_org()), everyone) == []
