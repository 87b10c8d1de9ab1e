"""Conformance for org connections: created once per (org, name), listed, found, changed and deleted only
within their org; the secret column holds what it was given (the service seals it), as bytes. The same
checks on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from tests.harness.app import new_org
from tests.storage.test_conformance import assistant
from xpert_server.auth.principal import Principal
from xpert_server.encoding import new_id
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import AlreadyExists, ConnectionRecord


def connection(org: str, name: str) -> ConnectionRecord:
    now = time.time()
    return ConnectionRecord(
        id=new_id(),
        org_id=org,
        name=name,
        kind="model",
        transport=None,
        url="https://models.example/v1",
        models=["m1", "m2"],
        description=None,
        secret=b"\x01sealed\x00bytes",
        hint="…abcd",
        created_at=now,
        updated_at=now,
    )


async def test_connections_are_created_listed_changed_and_deleted_within_their_org(
    storage: SQLStorage,
) -> None:
    a, b = Principal.system(new_org()), Principal.system(new_org())
    await storage.create_connection(a, connection(a.org_id, "llm"))
    with pytest.raises(AlreadyExists):
        await storage.create_connection(a, connection(a.org_id, "llm"))
    await storage.create_connection(b, connection(b.org_id, "llm"))  # names are per org
    (listed,) = await storage.list_connections(a)
    assert listed.name == "llm" and listed.models == ["m1", "m2"] and listed.secret == b"\x01sealed\x00bytes"
    found = await storage.get_connection(a, "llm")
    assert found is not None and found.org_id == a.org_id
    assert await storage.get_connection(a, "other") is None
    changed = await storage.update_connection(
        a, "llm", {"url": "https://elsewhere.example/v1", "hint": "…wxyz"}
    )
    assert changed is not None and changed.url == "https://elsewhere.example/v1" and changed.hint == "…wxyz"
    assert changed.updated_at >= listed.updated_at
    b_row = await storage.get_connection(b, "llm")
    assert b_row is not None and b_row.url == "https://models.example/v1"
    assert await storage.update_connection(a, "missing", {"url": "x"}) is None
    assert await storage.delete_connection(a, "llm") is True
    assert await storage.delete_connection(a, "llm") is False
    assert await storage.list_connections(a) == [] and len(await storage.list_connections(b)) == 1


async def test_assistant_definitions_lists_the_orgs_xperts_only(storage: SQLStorage) -> None:
    a, b = Principal.system(new_org()), Principal.system(new_org())
    definition = {"name": "u", "slug": "u", "model": {"connection": "llm"}}
    await storage.create_assistant(a, assistant(a.org_id, "u", definition=definition))
    await storage.create_assistant(b, assistant(b.org_id, "v"))
    rows = await storage.assistant_definitions(a)
    assert [(slug, d) for _id, slug, d in rows] == [("u", definition)]
