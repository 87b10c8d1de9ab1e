"""The served OpenAPI declares a response schema on every 2xx of every operation: a client generator (or
schemathesis, tests/hardening/test_fuzz_api.py) knows every shape the server answers.

A schema counts when it names a model (`$ref`), a list or union of such, a scalar (`count` answers an
integer), a stream (SSE, a file's bytes, Prometheus text) — never an untyped `object`. The only 2xx without a
body are the 202s listed in NO_CONTENT, each declared with an empty `content`.
"""

from __future__ import annotations

from typing import Any

from tests.harness.app import ApiHarness

NO_CONTENT = {
    ("delete", "/threads/{thread_id}", "202"),
    ("delete", "/conversations/{conversation_id}", "202"),
    ("delete", "/conversations/{conversation_id}/messages/{message_id}", "202"),
    ("delete", "/conversations/{conversation_id}/messages/{message_id}/feedbacks/{feedback_id}", "202"),
}
STREAMS = {"text/event-stream", "text/plain", "*/*"}
SCALARS = {"integer", "string", "boolean", "number", "null"}


def _typed(schema: dict[str, Any]) -> bool:
    if "$ref" in schema:
        return True
    if "anyOf" in schema or "oneOf" in schema:
        return all(_typed(s) for s in schema.get("anyOf", schema.get("oneOf", [])))
    kind = schema.get("type")
    if kind == "array":
        return _typed(schema.get("items", {}))
    return kind in SCALARS


def _untyped(document: dict[str, Any], prefix: str) -> list[str]:
    bad = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if not code.startswith("2"):
                    continue
                where = f"{method.upper()} {path} {code}"
                key = (method, path.removeprefix(prefix), code)
                content = response.get("content")
                if key in NO_CONTENT:
                    if content:
                        bad.append(f"{where}: listed as no-content but declares {sorted(content)}")
                    continue
                if not content:
                    bad.append(f"{where}: no content declared (add it to NO_CONTENT if the body is empty)")
                for media, body in (content or {}).items():
                    schema = body.get("schema")
                    if schema is None:
                        bad.append(f"{where} {media}: no schema")
                    elif media not in STREAMS and not _typed(schema):
                        bad.append(f"{where} {media}: untyped schema {schema}")
    return bad


async def test_every_2xx_of_the_served_openapi_declares_a_schema(api: ApiHarness) -> None:
    async with api.client() as c:
        r = await c.get("/openapi.json")
    assert r.status_code == 200
    document = r.json()
    assert len(document["paths"]) > 40  # the whole API, not an empty document
    assert _untyped(document, api.prefix) == []


async def test_the_no_content_routes_still_exist(api: ApiHarness) -> None:
    """A renamed route must not leave a stale exemption behind."""
    async with api.client() as c:
        document = (await c.get("/openapi.json")).json()
    declared = {
        (m, p.removeprefix(api.prefix), code)
        for p, ops in document["paths"].items()
        for m, op in ops.items()
        for code in op["responses"]
    }
    assert NO_CONTENT <= declared


def test_an_untyped_object_is_not_a_schema() -> None:
    assert not _typed({"type": "object", "additionalProperties": True})
    assert not _typed({"type": "array", "items": {"type": "object"}})
    assert _typed({"anyOf": [{"$ref": "#/components/schemas/StoreItem"}, {"type": "null"}]})
