"""Hypothesis properties of the three parsers/writers that face untrusted or arbitrary input:

- the SSE writer (`Frame.encode`): any JSON payload round-trips through standard SSE parsers (the WHATWG
  algorithm, httpx-sse, and this project's SDK), whatever the chunking; ids come out as sent (monotonic);
  never a raw line break inside a data line;
- the run input normaliser (`normalise_input`): any JSON value gives a well-typed ChatInput or BadRequest;
- the YAML loader (`parse_definition`, `load_file`): any value, text or bytes gives an XpertSpec or
  DefinitionError, never another exception.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from httpx_sse import EventSource
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xpert_sdk._sse import SSEDecoder

from xpert_server.agents.definition import DefinitionError, XpertSpec, load_file, parse_definition
from xpert_server.encoding import dumps
from xpert_server.errors import BadRequest
from xpert_server.runs.input import ChatInput, normalise_input
from xpert_server.runs.sse import KEEPALIVE, Frame

pytestmark = pytest.mark.any_mode  # plain functions

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# Characters that break naive line splitting: every one `str.splitlines` splits on, and friends.
TRICKY = '\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\x00"\\:{}[] é😀'
texts = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(codec="utf-8"), max_size=30)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4),
    max_leaves=25,
)


# ---- the SSE writer ----------------------------------------------------------------------------------


def whatwg_parse(body: bytes) -> list[dict[str, Any]]:
    """The event-stream interpretation algorithm of the HTML standard (lines end at CRLF, LF or CR only)."""
    text = body.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    events: list[dict[str, Any]] = []
    data: list[str] = []
    event_type, last_id = "", None
    for line in lines[:-1]:  # the text after the last line break is an incomplete line: discarded
        if line == "":
            if data:
                events.append({"id": last_id, "event": event_type or "message", "data": "\n".join(data)})
            data, event_type = [], ""
            continue
        if line.startswith(":"):
            continue
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            data.append(value)
        elif name == "event":
            event_type = value
        elif name == "id" and "\x00" not in value:
            last_id = value
    return events


def httpx_sse_parse(chunks: list[bytes]) -> list[dict[str, Any]]:
    response = httpx.Response(200, headers={"content-type": "text/event-stream"}, content=iter(chunks))
    # httpx-sse also yields an empty event at a comment's blank line once an id was seen; the standard
    # dispatches nothing when the data buffer is empty, and so do we here.
    return [
        {"id": e.id, "event": e.event, "data": e.data} for e in EventSource(response).iter_sse() if e.data
    ]


def sdk_parse(chunks: list[bytes]) -> list[dict[str, Any]]:
    decoder = SSEDecoder()
    events = [e for chunk in chunks for e in decoder.feed(chunk)] + decoder.flush()
    return [{"id": e.id, "event": e.event or "message", "data": e.data} for e in events]


def chunked(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(body) + 1) for c in cuts} | {0, len(body)})
    return [body[a:b] for a, b in zip(points, points[1:], strict=False) if b > a]


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[Any], list[int], list[str | None]]:
    values = draw(st.lists(json_values, min_size=1, max_size=6))
    seqs = sorted(
        draw(st.sets(st.integers(min_value=1, max_value=2**53), min_size=len(values), max_size=len(values)))
    )
    events: list[str | None] = [None] * (len(values) - 1) + [
        draw(st.sampled_from([None, "complete", "error"]))
    ]
    return values, seqs, events


@given(stream=streams(), cuts=st.lists(st.integers(min_value=0), max_size=8), keepalives=st.booleans())
@PROPERTY
def test_any_json_payload_round_trips_through_standard_sse_parsers(
    stream: tuple[list[Any], list[int], list[str | None]], cuts: list[int], keepalives: bool
) -> None:
    values, seqs, events = stream
    frames = [Frame(seq, event, dumps(value)) for value, seq, event in zip(values, seqs, events, strict=True)]
    body = b"".join((KEEPALIVE if keepalives else b"") + f.encode() for f in frames)
    for f in frames:
        encoded = f.encode()
        data_line = encoded.split(b"data: ", 1)[1]
        # One data line per frame: no raw CR or LF inside it, and nothing a line splitter splits on.
        assert data_line.endswith(b"\n\n") and b"\n" not in data_line[:-2] and b"\r" not in data_line
        assert not any(ch in data_line.decode()[:-2] for ch in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    expected = [
        {"id": str(seq), "event": event or "message", "data": value}
        for value, seq, event in zip(values, seqs, events, strict=True)
    ]
    for parsed in (whatwg_parse(body), httpx_sse_parse(chunked(body, cuts))):
        assert [{**e, "data": json.loads(e["data"])} for e in parsed] == expected
    assert sdk_parse(chunked(body, cuts)) == expected
    ids = [int(e["id"]) for e in whatwg_parse(body)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


# ---- the input normaliser ----------------------------------------------------------------------------

# Shapes close to the real ones, so the generator reaches past the first check of each branch.
near_inputs = st.fixed_dictionaries(
    {},
    optional={
        "action": st.sampled_from(["send", "resume", "retry", "follow_up", "other"]) | json_values,
        "message": st.fixed_dictionaries(
            {},
            optional={
                "input": json_values
                | st.fixed_dictionaries(
                    {},
                    optional={"input": json_values, "files": json_values | st.lists(json_values, max_size=3)},
                )
            },
        ),
        "target": json_values | st.fixed_dictionaries({}, optional={"executionId": json_values}),
        "source": json_values | st.fixed_dictionaries({}, optional={"executionId": json_values}),
        "decision": json_values
        | st.fixed_dictionaries(
            {"type": st.sampled_from(["confirm", "reject", "x"])}, optional={"payload": json_values}
        ),
        "patch": json_values,
        "mode": st.sampled_from(["queue", "steer"]) | json_values,
        "input": json_values,
        "messages": json_values,
        "retry": st.booleans() | json_values,
        "confirm": json_values,
        "command": json_values | st.fixed_dictionaries({"resume": json_values}),
        "executionId": json_values,
    },
)


@given(value=json_values | near_inputs)
@PROPERTY
def test_normalise_input_gives_a_well_typed_input_or_bad_request(value: Any) -> None:
    try:
        result = normalise_input(value)
    except BadRequest as e:
        assert e.status_code == 400 and e.message.startswith("input")
        return
    assert isinstance(result, ChatInput)
    assert result.action in ("send", "resume", "retry", "follow_up", "passthrough")
    assert isinstance(result.text, str)
    assert isinstance(result.files, list) and all(isinstance(f, dict) for f in result.files)
    # What later becomes a database lookup must be a string (a dict here was a 500).
    assert result.execution_id is None or isinstance(result.execution_id, str)
    assert result.decision in (None, "confirm", "reject")
    assert result.follow_up_mode in (None, "queue", "steer")
    assert result.patch is None or isinstance(result.patch, dict)


# ---- the YAML loader ---------------------------------------------------------------------------------

definitions = st.fixed_dictionaries(
    {"name": json_values | texts, "slug": st.sampled_from(["ok-slug", "Bad Slug", ""]) | json_values},
    optional={
        k: json_values
        for k in (
            "description",
            "model",
            "tools",
            "mcp",
            "knowledge",
            "approvals",
            "agents",
            "max_steps",
            "graph",
            "config",
            "metadata",
            "tags",
            "org",
        )
    }
    | {
        "tools": st.lists(
            st.sampled_from(["current_time", "calculator", "http_get", "nope"])
            | st.fixed_dictionaries({"name": texts | st.just("http_get")}, optional={"config": json_values}),
            max_size=3,
        )
    },
)


def check_definition(load: Any) -> None:
    try:
        spec = load()
    except DefinitionError as e:
        assert str(e)
        return
    assert isinstance(spec, XpertSpec)


@given(data=json_values | definitions)
@PROPERTY
def test_parse_definition_gives_a_spec_or_a_definition_error(data: Any) -> None:
    check_definition(lambda: parse_definition(data, "fuzz"))


yaml_texts = (
    st.binary(max_size=200)
    | texts.map(str.encode)
    | (json_values | definitions).map(lambda d: yaml.safe_dump(d, allow_unicode=True).encode())
    | st.sampled_from(
        [
            b"[" * 2000,
            b"{a: " * 2000,
            b"- " * 2000,
            b"a: &a [1]\nb: *a\n",
            b"\xff\xfe",
            b"name: x\nslug: y\n\x00",
            b"!!python/object:os.system {}",
            b"? [a]\n: b\n",
        ]
    )
)


@given(content=yaml_texts)
@settings(PROPERTY, max_examples=150)
def test_load_file_gives_a_spec_or_a_definition_error(content: bytes, tmp_path_factory: Any) -> None:
    path = Path(tmp_path_factory.mktemp("yaml")) / "x.yaml"
    path.write_bytes(content)
    check_definition(lambda: load_file(path))


def test_an_unreadable_file_is_a_definition_error(tmp_path: Path) -> None:
    check_definition(lambda: load_file(tmp_path / "missing.yaml"))
    check_definition(lambda: load_file(tmp_path))  # a folder
