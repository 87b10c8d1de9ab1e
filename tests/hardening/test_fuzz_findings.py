"""What the fuzzer found, pinned as plain examples (in process, on the suite's backend), so each finding stays
fixed even when the fuzzer's few random examples miss it.

A value no backend can store (an integer beyond 64 bits, a NUL character on PostgreSQL) was a 500 from
the database; it must be a 400 naming the field, on every backend alike.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.harness.app import ApiHarness

BIG = 2**70
NUL = "a\x00b"


@pytest.fixture(scope="module")
async def tenant(api: ApiHarness) -> dict[str, Any]:
    key, _ = await api.mint_key()
    async with api.client(key) as c:
        aid = (await c.post("/assistants", json={"name": "Fuzzed", "slug": "fuzzed"})).json()["assistant_id"]
        thread = (await c.post("/threads", json={})).json()
        done = await c.post(
            f"/threads/{thread['thread_id']}/runs/wait", json={"assistant_id": aid, "input": "hi"}
        )
        assert done.status_code == 201, done.text
        (run,) = (await c.get(f"/threads/{thread['thread_id']}/runs")).json()
        kb = (await c.post("/knowledges", json={"name": "fuzzed kb"})).json()
    return {
        "key": key,
        "aid": aid,
        "tid": thread["thread_id"],
        "cid": thread["metadata"]["id"],
        "rid": run["run_id"],
        "kb": kb["id"],
    }


def bad_request(resp: httpx.Response, field: str) -> None:
    assert resp.status_code == 400, (
        f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text[:200]}"
    )
    assert field in resp.json()["message"], resp.text


OFFSET_CALLS = [
    ("POST", "/assistants/search", "json"),
    ("POST", "/assistants/{aid}/versions", "json"),
    ("GET", "/assistants/{aid}/versions", "query"),
    ("POST", "/threads/search", "json"),
    ("GET", "/threads/{tid}/runs", "query"),
    ("POST", "/conversations/search", "json"),
    ("GET", "/conversations/{cid}/messages", "query"),
    ("GET", "/knowledges", "query"),
    ("POST", "/store/items/search", "json"),
]


@pytest.mark.parametrize(
    ("method", "path", "where"), OFFSET_CALLS, ids=[f"{m} {p}" for m, p, _ in OFFSET_CALLS]
)
async def test_an_offset_beyond_64_bits_is_a_400(
    api: ApiHarness, tenant: dict[str, Any], method: str, path: str, where: str
) -> None:
    url = path.format(**tenant)
    async with api.client(tenant["key"]) as c:
        if where == "json":
            resp = await c.request(method, url, json={"offset": BIG})
        else:
            resp = await c.request(method, url, params={"offset": str(BIG)})
        bad_request(resp, "offset")
        # The largest storable offset still works (an empty page).
        if where == "json":
            ok = await c.request(method, url, json={"offset": 2**63 - 1})
        else:
            ok = await c.request(method, url, params={"offset": str(2**63 - 1)})
        assert ok.status_code in (200, 201), ok.text


async def test_a_version_beyond_64_bits_is_a_400(api: ApiHarness, tenant: dict[str, Any]) -> None:
    async with api.client(tenant["key"]) as c:
        bad_request(await c.post(f"/assistants/{tenant['aid']}/latest", json={"version": BIG}), "version")


async def test_a_last_event_id_beyond_64_bits_is_a_400(api: ApiHarness, tenant: dict[str, Any]) -> None:
    async with api.client(tenant["key"]) as c:
        resp = await c.get(
            f"/threads/{tenant['tid']}/runs/{tenant['rid']}/stream", headers={"Last-Event-ID": str(BIG)}
        )
        bad_request(resp, "Last-Event-ID")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"namespace": ["a"], "key": "k", "value": {"n": BIG}}, "value"),
        ({"namespace": ["a"], "key": "k", "value": {"s": NUL}}, "value"),
        ({"namespace": ["a"], "key": NUL, "value": {}}, "key"),
        ({"namespace": [NUL], "key": "k", "value": {}}, "namespace"),
    ],
    ids=["big int in value", "NUL in value", "NUL in key", "NUL in namespace"],
)
async def test_store_items_storage_would_refuse_are_a_400(
    api: ApiHarness, tenant: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    async with api.client(tenant["key"]) as c:
        bad_request(await c.put("/store/items", json=body), field)
        # Reading such a name finds nothing, on every backend.
        got = await c.get("/store/items", params={"namespace": "a", "key": NUL})
        assert got.status_code == 200 and got.json() is None


@pytest.mark.parametrize(
    "body",
    [
        {"name": "kb", "avatar": NUL},
        {"name": "kb", "parserConfig": {"extra": BIG}},
        {"name": "kb", "recall": {"note": NUL}},
    ],
    ids=["NUL in an extra field", "big int in parserConfig", "NUL in recall"],
)
async def test_knowledge_base_fields_storage_would_refuse_are_a_400(
    api: ApiHarness, tenant: dict[str, Any], body: dict[str, Any]
) -> None:
    async with api.client(tenant["key"]) as c:
        resp = await c.post("/knowledges", json=body)
        assert resp.status_code == 400, resp.text
        resp = await c.put(f"/knowledges/{tenant['kb']}", json=body)
        assert resp.status_code == 400, resp.text


async def test_an_upload_form_field_storage_would_refuse_is_a_400(
    api: ApiHarness, tenant: dict[str, Any]
) -> None:
    async with api.client(tenant["key"]) as c:
        resp = await c.post(
            "/contexts/file", files={"file": ("a.txt", b"hello", "text/plain")}, data={"xpertId": NUL}
        )
    bad_request(resp, "xpertId")


@pytest.mark.parametrize(
    "key", ["/\u00a8", "a') OR 1=1 --", "a b", ""], ids=["slash", "quote", "space", "empty"]
)
async def test_a_history_metadata_key_that_is_not_a_plain_name_is_a_400(
    api: ApiHarness, tenant: dict[str, Any], key: str
) -> None:
    # The SQLite checkpointer writes the key into its SQL as a JSON path and raised on anything else (a 500).
    async with api.client(tenant["key"]) as c:
        bad_request(
            await c.post(f"/threads/{tenant['tid']}/history", json={"metadata": {key: True}}), "metadata"
        )
        ok = await c.post(f"/threads/{tenant['tid']}/history", json={"metadata": {"source": "loop"}})
        assert ok.status_code == 200 and ok.json(), ok.text


async def test_a_history_metadata_value_storage_would_refuse_is_a_400(
    api: ApiHarness, tenant: dict[str, Any]
) -> None:
    async with api.client(tenant["key"]) as c:
        bad_request(
            await c.post(f"/threads/{tenant['tid']}/history", json={"metadata": {"k": NUL}}), "metadata"
        )


@pytest.mark.parametrize(
    "body",
    [
        {"values": {"messages": []}, "as_node": "no such node"},
        {"values": {"messages": []}, "checkpoint_id": "not-a-checkpoint"},
    ],
    ids=["unknown as_node", "unknown checkpoint"],
)
async def test_a_state_update_langgraph_refuses_is_a_400(
    api: ApiHarness, tenant: dict[str, Any], body: dict[str, Any]
) -> None:
    async with api.client(tenant["key"]) as c:
        resp = await c.post(f"/threads/{tenant['tid']}/state", json=body)
        assert resp.status_code in (400, 404), resp.text
        assert resp.json()["statusCode"] == resp.status_code


async def test_a_version_beyond_the_column_is_a_400(api: ApiHarness, tenant: dict[str, Any]) -> None:
    # The versions column is a 32-bit INTEGER on PostgreSQL: 2**31 was a 500 there.
    async with api.client(tenant["key"]) as c:
        bad_request(await c.post(f"/assistants/{tenant['aid']}/latest", json={"version": 2**31}), "version")


async def test_a_checkpoint_id_with_a_nul_finds_nothing(api: ApiHarness, tenant: dict[str, Any]) -> None:
    async with api.client(tenant["key"]) as c:
        resp = await c.get(f"/threads/{tenant['tid']}/state", params={"checkpoint_id": NUL})
        assert resp.status_code == 404, resp.text
        bad_request(await c.post(f"/threads/{tenant['tid']}/history", json={"before": NUL}), "before")


@pytest.mark.parametrize(
    "body",
    [{"title": NUL}, {"options": {"n": BIG}}, {"options": {NUL: 1}}],
    ids=["NUL in title", "big int in options", "NUL in an options key"],
)
async def test_a_conversation_update_storage_would_refuse_is_a_400(
    api: ApiHarness, tenant: dict[str, Any], body: dict[str, Any]
) -> None:
    async with api.client(tenant["key"]) as c:
        field = next(iter(body))
        bad_request(await c.patch(f"/conversations/{tenant['cid']}", json=body), field)


# ---- bodies no JSON parser should hand on: the class is fixed in the body parser (limits/jsonbody.py) ----

SURROGATE = '"\\ud800"'  # a lone surrogate, escaped as JSON allows it to be written


def nested(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def malformed_bodies(tenant: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(method, path, raw JSON) across resources: the check is the parser's, so every body gets it."""
    aid, tid = tenant["aid"], tenant["tid"]
    out: list[tuple[str, str, str]] = []
    for name, value in [
        ("surrogate", SURROGATE),
        ("nan", "NaN"),
        ("infinity", "-Infinity"),
        ("overflow", "1e400"),
        ("deep", nested(900)),
        ("deeper", nested(5000)),
    ]:
        metadata = '{"metadata": {"a": ' + value + "}}"
        run = '{"assistant_id": "' + aid + '", "input": {"input": {"input": ' + value + "}}}"
        out += [
            ("POST", "/threads", metadata),
            ("PATCH", f"/threads/{tid}", metadata),
            ("POST", f"/threads/{tid}/runs/wait", run),
            ("POST", "/runs/wait", run),
            ("POST", f"/threads/{tid}/runs", after_seconds(aid, value)),
            ("PUT", "/store/items", '{"namespace": ["a"], "key": "k", "value": {"v": ' + value + "}}"),
            (
                "POST",
                "/assistants",
                '{"name": "n", "slug": "s-' + name + '", "metadata": {"a": ' + value + "}}",
            ),
        ]
    return out


def after_seconds(assistant_id: str, value: str) -> str:
    return '{"assistant_id": "' + assistant_id + '", "input": "x", "after_seconds": ' + value + "}"


async def test_malformed_json_anywhere_is_a_400_and_nothing_is_stored(api: ApiHarness) -> None:
    key, _ = await api.mint_key()
    async with api.client(key) as c:
        aid = (await c.post("/assistants", json={"name": "Parsed", "slug": "parsed"})).json()["assistant_id"]
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        for method, path, raw in malformed_bodies({"aid": aid, "tid": tid}):
            resp = await c.request(
                method, path, content=raw.encode(), headers={"content-type": "application/json"}
            )
            assert resp.status_code == 400, (
                f"{method} {path} {raw[:80]}: {resp.status_code} {resp.text[:300]}"
            )
            assert resp.json()["statusCode"] == 400
        # Nothing was stored: one thread (idle, no metadata, no run), one assistant, an empty store.
        threads = (await c.post("/threads/search", json={})).json()
        assert [(t["thread_id"], t["status"]) for t in threads] == [(tid, "idle")], threads
        assert (await c.get(f"/threads/{tid}/runs")).json() == []
        assert (await c.post("/assistants/count", json={})).json() == 1
        assert (await c.get("/store/items", params={"namespace": "a", "key": "k"})).json() is None


@pytest.mark.parametrize("value", ["1e20", "-1", "1e400", "NaN"])
async def test_after_seconds_out_of_range_is_a_400(
    api: ApiHarness, tenant: dict[str, Any], value: str
) -> None:
    async with api.client(tenant["key"]) as c:
        tid = (await c.post("/threads", json={})).json()["thread_id"]
        resp = await c.post(
            f"/threads/{tid}/runs",
            content=after_seconds(tenant["aid"], value).encode(),
            headers={"content-type": "application/json"},
        )
        assert resp.status_code == 400, resp.text
        assert (await c.get(f"/threads/{tid}/runs")).json() == []
