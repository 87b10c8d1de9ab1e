"""XpertAI's own clients, replayed: every request in `transcripts/*.json` — recorded between XpertAI's JS SDK
(and ChatKit frame) and `xpert serve` — is sent again, byte for byte (method, path, query, headers, body),
with httpx to the in-process app, in the recorded order; each answer must have the recorded status and the
shape the client read (the keys it got and their JSON types; for streams, the sequence of frame kinds, the
form of their ids and each kind's data keys).

Ids are not constants: an id a request names (a thread, a run, a checkpoint...) was first seen in an earlier
answer, so the test finds where (which exchange, which path in its JSON or stream) and sends the id the
replay's own answer had there. A transcript is a record of requests, not the clients' code; how each was
recorded is in its `how` field.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.harness.app import ApiHarness, open_harness
from tests.runs.sse import parse

TRANSCRIPTS = sorted((Path(__file__).parent / "transcripts").glob("*.json"))
GRAPHS = Path(__file__).resolve().parents[1] / "graphs_for_tests.py"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
API_KEY = "<api key>"  # header values standing for the replay's own credentials
CLIENT_SECRET = "<client secret>"
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Origin:
    """Where a recorded id first appeared: exchange `index`'s answer, at `path`, the `nth` id in that string."""

    index: int
    path: Path_
    nth: int


def load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def leaves(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every string in a JSON value, with its path."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, (*path, i))
    elif isinstance(value, str):
        yield path, value


def answer_of(response: dict[str, Any]) -> Any:
    """A recorded answer as one JSON value: its body, or its frames."""
    return response.get("json") if "frames" not in response else {"frames": response["frames"]}


def request_text(request: dict[str, Any]) -> str:
    return json.dumps([request["path"], request["query"], request["headers"], request.get("json")])


def origins(exchanges: list[dict[str, Any]]) -> dict[str, Origin]:
    """Each id a request names → where it was first seen in an earlier answer (ids first sent by the client
    itself have none, and are sent as recorded)."""
    found: dict[str, Origin] = {}
    seen: dict[str, Origin] = {}
    for index, exchange in enumerate(exchanges):
        for value in UUID.findall(request_text(exchange["request"])):
            if value in seen and value not in found:
                found[value] = seen[value]
        for path, text in leaves(answer_of(exchange["response"])):
            for nth, value in enumerate(UUID.findall(text)):
                seen.setdefault(value, Origin(index, path, nth))
    return found


def at(value: Any, path: Path_) -> Any:
    for key in path:
        value = value[key]
    return value


def answer_now(resp: httpx.Response, streamed: bool) -> Any:
    """A live answer in the recorded form (frames as `{id, event, data}`), to read ids and shapes from."""
    if streamed:
        return {"frames": [{"id": f.id, "event": f.event, "data": _json(f.raw)} for f in parse(resp.text)]}
    return resp.json() if resp.content else None


def _json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


# ---- shapes ------------------------------------------------------------------------------------------------
def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape_errors(recorded: Any, actual: Any, where: str = "$") -> list[str]:
    """What of the recorded answer's shape the live one lacks: a key, or a JSON type. Deeper parts the
    transcript pruned are `{"$type": …}`; recorded lists are compared by their first item; a recorded null
    says nothing about the type."""
    if isinstance(recorded, dict) and set(recorded) == {"$type"}:
        ok = json_type(actual) == recorded["$type"]
        return [] if ok else [f"{where}: {json_type(actual)}, recorded {recorded['$type']}"]
    if recorded is None:
        return []
    if json_type(recorded) != json_type(actual):
        return [f"{where}: {json_type(actual)} {str(actual)[:80]!r}, recorded {json_type(recorded)}"]
    if isinstance(recorded, dict):
        errors = [f"{where}: no key {k!r}" for k in recorded if k not in actual]
        for key in recorded:
            if key in actual:
                errors += shape_errors(recorded[key], actual[key], f"{where}.{key}")
        return errors
    if isinstance(recorded, list) and recorded:
        if not actual:
            return [f"{where}: empty, recorded {len(recorded)} item(s)"]
        return shape_errors(recorded[0], actual[0], f"{where}[0]")
    return []


def kind(frame: dict[str, Any]) -> str:
    data = frame["data"]
    if frame["event"]:
        return str(frame["event"])
    if isinstance(data, dict) and data.get("type") == "event":
        return str(data.get("event"))
    inner = data.get("data") if isinstance(data, dict) else None
    return f"message:{inner.get('type') if isinstance(inner, dict) else 'str'}"


def id_form(frame_id: str | None) -> str:
    return "none" if frame_id is None else re.sub(r"\d+", "N", UUID.sub("<run>", frame_id))


def collapsed(frames: list[dict[str, Any]]) -> list[str]:
    """Frame kinds, runs of the same content delta counted once (a model may split its text differently)."""
    out: list[str] = []
    for f in frames:
        k = kind(f)
        if not (out and out[-1] == k and k.startswith("message:")):
            out.append(k)
    return out


def stream_errors(recorded: list[dict[str, Any]], actual: list[dict[str, Any]]) -> list[str]:
    errors = []
    if collapsed(recorded) != collapsed(actual):
        errors.append(f"frames {collapsed(actual)}, recorded {collapsed(recorded)}")
    if {id_form(f["id"]) for f in recorded} != {id_form(f["id"]) for f in actual}:
        errors.append(f"frame ids {sorted({id_form(f['id']) for f in actual})}")
    firsts = {kind(f): f for f in reversed(actual)}
    for f in recorded:
        if kind(f) in firsts:
            errors += shape_errors(f["data"], firsts[kind(f)]["data"], f"<{kind(f)}>")
    return errors


# ---- the replay ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
async def harness(
    api_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[ApiHarness]:
    """The app with the xperts the transcripts name (the demo is every server's; the others are test graphs)."""
    xperts = tmp_path_factory.mktemp("parity-xperts")
    for slug, graph in {"parity-nested": "nested", "parity-ticker": "ticker"}.items():
        (xperts / f"{slug}.yaml").write_text(
            f"name: {slug}\nslug: {slug}\ngraph: {GRAPHS}:{graph}\n", "utf-8"
        )
    data = tmp_path_factory.mktemp("parity-data")
    async with open_harness(data, api_database_url, xperts_dir=xperts, secret_rate_limit=0) as h:
        yield h


def build_request(
    request: dict[str, Any], ids: dict[str, str], credentials: dict[str, str], prefix: str
) -> dict[str, Any]:
    def sub(text: str) -> str:
        return UUID.sub(lambda m: ids.get(m.group(0), m.group(0)), text)

    def credential(value: str) -> str:
        for placeholder, real in credentials.items():
            value = value.replace(placeholder, real)
        return value

    headers = {k: credential(sub(v)) for k, v in request["headers"].items()}
    if "json" in request:
        # As a browser's JSON.stringify writes it: compact, UTF-8.
        content = sub(json.dumps(request["json"], separators=(",", ":"), ensure_ascii=False)).encode()
    elif "body_b64" in request:
        content = base64.b64decode(request["body_b64"])
    else:
        content = request.get("body_text", "").encode()
    path = sub(request["path"]).removeprefix(prefix)
    query = sub(request["query"])
    return {
        "method": request["method"],
        "url": path + (f"?{query}" if query else ""),
        "headers": headers,
        "content": content or None,
    }


def test_the_transcripts_are_there_and_cover_the_new_routes() -> None:
    """The JS SDK's transcript is committed, and names each route XpertAI's clients lacked before."""
    names = {p.name for p in TRANSCRIPTS}
    assert {
        "xpert-sdk-js.json",
        "chatkit-frame-conversations.json",
        "xpert-sdk-js-conversations.json",
    } <= names
    steps = {
        e["step"] for e in load(Path(__file__).parent / "transcripts" / "xpert-sdk-js.json")["exchanges"]
    }
    for method in (
        "threads.getState(checkpointId)",
        "threads.getState(checkpoint)",
        "threads.patchState",
        "threads.joinStream",
        "runs.joinStream(null)",
        "runs.delete",
        "assistants.getSubgraphs",
        "conversations.create",
    ):
        assert method in steps, method


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=lambda p: p.stem)
async def test_replay(harness: ApiHarness, transcript: Path) -> None:
    doc = load(transcript)
    exchanges: list[dict[str, Any]] = doc["exchanges"]
    where_from = origins(exchanges)
    key, _ = await harness.mint_key("default", role=doc.get("api_key_role", "admin"))
    credentials = {API_KEY: key}
    if CLIENT_SECRET in json.dumps([e["request"]["headers"] for e in exchanges]):
        # A browser's frame: a client secret minted from the key for a new end user, as a page's back end does.
        user = f"parity-{transcript.stem}-{secrets.token_hex(4)}"
        async with harness.client(key, x_principal_user_id=user) as c:
            minted = await c.post("/v1/chatkit/sessions", json={"expires_after": 3600})
        assert minted.status_code == 201, minted.text
        credentials[CLIENT_SECRET] = minted.json()["client_secret"]
    # Xperts a client was configured with (not read from an answer): the recorded id → the replay's, by slug.
    ids: dict[str, str] = {}
    async with harness.client(key) as c:
        for recorded_id, slug in doc.get("assistants", {}).items():
            found = await c.post("/assistants/search", json={"limit": 1, "metadata": {"slug": slug}})
            ids[recorded_id] = found.json()[0]["assistant_id"]
    failures: list[str] = []
    async with harness.client(None) as c:
        for index, exchange in enumerate(exchanges):
            recorded = exchange["response"]
            req = build_request(exchange["request"], ids, credentials, harness.prefix)
            resp = await c.request(**req)
            label = f"#{index} {exchange['step']}: {req['method']} {req['url']}"
            if resp.status_code != recorded["status"]:
                failures.append(
                    f"{label}: {resp.status_code}, recorded {recorded['status']}: {resp.text[:200]}"
                )
                continue
            streamed = recorded["content_type"] == "text/event-stream"
            if recorded["content_type"] and not resp.headers.get("content-type", "").startswith(
                recorded["content_type"]
            ):
                failures.append(f"{label}: content-type {resp.headers.get('content-type')}")
                continue
            answer = answer_now(resp, streamed)
            if streamed:  # a stream recorded without its frames says only that it was one
                errors = stream_errors(recorded["frames"], answer["frames"]) if "frames" in recorded else []
            else:
                errors = shape_errors(recorded.get("json"), answer)
            failures += [f"{label}: {e}" for e in errors]
            for value, origin in where_from.items():
                if origin.index == index:
                    try:
                        ids[value] = UUID.findall(str(at(answer, origin.path)))[origin.nth]
                    except (KeyError, IndexError, TypeError):
                        failures.append(f"{label}: no id at {origin.path} (later requests need it)")
    assert not failures, f"{len(failures)} of {len(exchanges)} exchanges differ:\n" + "\n".join(failures)
    carried = set(ids) - set(doc.get("assistants", {}))
    assert len(carried) >= min(3, len(where_from))  # the replay carried ids from answers into later requests
