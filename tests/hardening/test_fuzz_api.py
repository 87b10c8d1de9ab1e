"""Schemathesis against the served OpenAPI document (`/api/ai/openapi.json` of a real `xpert serve`).

Every operation, authenticated with an API key; then every operation a client secret may call, with a
secret. For each generated request (valid and invalid ones): no 5xx, the status code is declared, the
content type is declared, and the body matches the declared schema. Path parameters are either
generated or, half of the time, the ids of real objects (a thread with a finished run, its conversation
and AI message, an uploaded file, a knowledge base, a store item), so handlers are reached past their
404s. Examples are few per operation (FUZZ_EXAMPLES, default 20) to keep CI quick; raise it locally.

Generation is random (each run explores new inputs) unless FUZZ_DERANDOMIZE=1, which `.ci/run` sets: CI
checks the same inputs every time, so a red run there means a change broke something, not that the fuzzer
got lucky. Explore with e.g. `FUZZ_EXAMPLES=200 make test PYTEST_ARGS=tests/hardening/test_fuzz_api.py`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import API_BACKEND
from tests.harness.chat import send
from tests.harness.served import PREFIX, Served, serving
from xpert_server.app import create_app
from xpert_server.auth.scope import SECRET_ROUTES, route_key
from xpert_server.config import Settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("FUZZ_DERANDOMIZE") == "1",
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


class World:
    """Real objects of one caller (a key, or a client secret's principal) to aim generated requests at.

    Reads and runs aim at the demo xpert and one thread (with a finished run, its conversation and AI
    message), a file, a knowledge base; edits of an xpert at a copy of the demo; deletes at a fresh object
    made for each example, so nothing the other operations aim at disappears."""

    def __init__(self, served: Served, credential: str, assistant_id: str):
        self.served = served
        self.credential = credential
        self.ids: dict[str, str] = {"assistant_id": assistant_id}
        with served.client(credential) as c:
            thread = c.post("/threads", json={"metadata": {"fuzz": True}}).json()
            tid = thread["thread_id"]
            done = c.post(
                f"/threads/{tid}/runs/wait", json={"assistant_id": assistant_id, "input": send("hi")}
            )
            assert done.status_code == 201, done.text
            (run,) = c.get(f"/threads/{tid}/runs").json()
            cid = thread["metadata"]["id"]
            messages = c.get(f"/conversations/{cid}/messages").json()["items"]
            upload = c.post("/contexts/file", files={"file": ("note.txt", b"fuzz me", "text/plain")})
            assert upload.status_code == 201, upload.text
            self.ids.update(
                thread_id=tid,
                run_id=run["run_id"],
                conversation_id=cid,
                message_id=messages[-1]["id"],
                file_id=upload.json()["id"],
            )
            kb = c.post("/knowledges", json={"name": "fuzz kb"})
            if kb.status_code == 201:  # a client secret may not create one
                self.ids["kb_id"] = kb.json()["id"]
                c.put("/store/items", json={"namespace": ["fuzz"], "key": "k", "value": {"v": 1}})
            copy = c.post("/assistants", json={"graph_id": "demo", "name": "Fuzz target"})
            self.edited_assistant = copy.json()["assistant_id"] if copy.status_code == 201 else assistant_id

    def headers(self) -> dict[str, str]:
        # Every header the server reads a credential from, so a generated one cannot take its place.
        return {
            "x-api-key": self.credential,
            "authorization": f"Bearer {self.credential}",
            "x-client-secret": self.credential,
        }

    def fresh(self, name: str) -> str | None:
        """A new object of the kind `name` names, for a delete to take."""
        with self.served.client(self.credential) as c:
            if name in ("thread_id", "conversation_id"):
                thread = c.post("/threads", json={}).json()
                return str(thread["thread_id"] if name == "thread_id" else thread["metadata"]["id"])
            if name in ("file_id", "id"):
                return str(
                    c.post("/contexts/file", files={"file": ("d.txt", b"delete me", "text/plain")}).json()[
                        "id"
                    ]
                )
            made = {
                "kb_id": lambda: c.post("/knowledges", json={"name": "deleted"}),
                "assistant_id": lambda: c.post("/assistants", json={"name": "Deleted"}),
            }.get(name)
            if made is None:
                return None
            resp = made()
            return (
                str(resp.json().get("id") or resp.json().get("assistant_id"))
                if resp.status_code == 201
                else None
            )

    def aim(self, case: Any) -> None:
        """Point the case's ids at real objects: its path parameters (keeping generated ones it has no id
        for) and an `assistant_id` in its body."""
        params = case.path_parameters or {}
        for name in list(params):
            if case.method == "DELETE" and name == list(params)[-1]:
                real = self.fresh(name)
            elif name == "assistant_id" and case.method != "GET":
                real = self.edited_assistant
            else:
                real = self.ids.get("file_id" if name == "id" else name)
            if real is not None:
                params[name] = real
        items = case.body if isinstance(case.body, list) else [case.body]
        for item in items:
            if isinstance(item, dict) and "assistant_id" in item:
                item["assistant_id"] = self.ids["assistant_id"]


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    database = {"XPERT_DATABASE_URL": request.getfixturevalue("pg_url")} if API_BACKEND == "postgres" else {}
    with serving(
        tmp_path_factory.mktemp("fuzz") / "data",
        XPERT_SECRET_RATE_LIMIT="0",
        XPERT_RUN_TIMEOUT="20",
        **database,
    ) as s:
        yield s


@pytest.fixture(scope="module")
def worlds(served: Served) -> dict[str, World]:
    with served.client(served.key) as c:
        (demo,) = c.post("/assistants/search", json={"metadata": {"slug": "demo"}}).json()
        minted = c.post(
            "/v1/chatkit/sessions", json={"expires_after": 3600}, headers={"x-principal-user-id": "fuzz-user"}
        )
        assert minted.status_code == 201, minted.text
    aid = demo["assistant_id"]
    return {
        "key": World(served, served.key, aid),
        "secret": World(served, minted.json()["client_secret"], aid),
    }


@pytest.fixture(scope="module")
def api_schema(served: Served) -> Any:
    return schemathesis.openapi.from_url(f"{served.api}/openapi.json")


def _documented_operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every operation, from the app's document (the same the server serves: checked below),
    known at collection time so each operation is a test of its own."""
    doc = create_app(Settings(data_dir=Path("unused"), announce_key=False)).openapi()
    return [(m.upper(), path) for path, ops in doc["paths"].items() for m in ops]


OPERATIONS = _documented_operations()
SECRET_OPERATIONS = [(m, p) for m, p in OPERATIONS if route_key(m, p, PREFIX) in SECRET_ROUTES]


def _fuzz(api_schema: Any, method: str, path: str, served: Served, world: World) -> None:
    operation = api_schema[path][method.lower()]
    failures: list[str] = []
    for mode, share in ((GenerationMode.POSITIVE, 2), (GenerationMode.NEGATIVE, 1)):

        @given(case=operation.as_strategy(generation_mode=mode), aim=st.booleans())
        @settings(FUZZ_SETTINGS, max_examples=max(2, EXAMPLES * share // 3))
        def one(case: Any, aim: bool) -> None:
            if aim:
                world.aim(case)
            with requests.Session() as session:
                response = case.call(
                    base_url=served.base, session=session, headers=world.headers(), timeout=60
                )
            case.validate_response(response, checks=CHECKS)

        try:
            one()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # nothing to make invalid (no parameters, no body)
        except Exception as e:  # noqa: BLE001 - collected per mode, reported together
            failures.append(f"{mode.value}: {e}")
    assert not failures, f"{method} {path}:\n" + "\n".join(failures)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_with_a_key(
    method: str, path: str, api_schema: Any, served: Served, worlds: dict[str, World]
) -> None:
    _fuzz(api_schema, method, path, served, worlds["key"])


@pytest.mark.parametrize(
    ("method", "path"), SECRET_OPERATIONS, ids=[f"{m} {p}" for m, p in SECRET_OPERATIONS]
)
def test_the_operations_of_a_client_secret(
    method: str, path: str, api_schema: Any, served: Served, worlds: dict[str, World]
) -> None:
    _fuzz(api_schema, method, path, served, worlds["secret"])


def test_every_served_operation_is_fuzzed(served: Served) -> None:
    doc = requests.get(f"{served.api}/openapi.json", timeout=10).json()
    assert sorted((m.upper(), p) for p, ops in doc["paths"].items() for m in ops) == sorted(OPERATIONS)


def test_the_served_document_declares_what_the_server_answers(served: Served) -> None:
    doc = requests.get(f"{served.api}/openapi.json", timeout=10).json()
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            codes = set(op["responses"])
            where = f"{method.upper()} {path}"
            assert "422" not in codes, (
                f"{where}: declares 422, which the server never answers (it answers 400)"
            )
            if re.search(r"\{[^}]+\}", path) or method != "get":
                assert {"400", "404"} <= codes, where
            if path not in (f"{PREFIX}/ok", f"{PREFIX}/info"):
                assert "401" in codes, where
