"""The privilege matrix, generated like the isolation matrix (test_isolation.py) from the app's routes and,
for xpert definitions, from the definition's model classes:

* every route × {admin key, app key, app key bound to the xpert, client secret, admin key of another org}
  → the documented status: an app key gets 403 outside auth/roles.py's list, a client secret outside
  auth/scope.py's, another org's admin a 404 for org A's ids; nobody gets a 5xx;
* every field path of an xpert definition × {YAML, admin API, app API} → accepted or refused as
  agents/operator_fields.py classifies it (an app key may not create xperts at all).

A new route or a new definition field is in the matrix by itself, and fails it until it is classified.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import yaml

from tests.hardening.test_isolation import NESTED, PUBLIC, body_for, call, console_headers, params
from tests.harness.app import ApiHarness
from tests.harness.world import World, build_world, mint_secret
from xpert_server.agents.definition import load_file
from xpert_server.agents.operator_fields import all_paths
from xpert_server.auth.console import CONSOLE_DENIED, CONSOLE_ROUTES, OPERATOR_ORG, OPERATOR_SESSION_ROUTES
from xpert_server.auth.roles import APP_ROUTES, NEEDS_ADMIN, OPERATOR_KEY_ONLY_SIGNS_IN, required_role
from xpert_server.auth.scope import SECRET_ROUTES, app_routes, route_key

PREFIX = "/api/ai"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ORG_OWNED = {
    "thread_id",
    "run_id",
    "conversation_id",
    "message_id",
    "feedback_id",
    "file_id",
    "assistant_id",
    "kb_id",
    "key_id",
    "connection_name",
    "webhook_id",
    "delivery_id",
    "cron_id",
}


def routes(h: ApiHarness) -> list[tuple[str, str, str]]:
    out = []
    for method, template in app_routes(h.app):
        key = route_key(method, template, PREFIX)
        if key not in PUBLIC:
            out.append((method, template.removeprefix(PREFIX), key[1]))
    # Destructive calls last, so that the fixtures are there for every other cell; sign-out the very last,
    # so that the console session lives through its whole row.
    return sorted(
        out,
        key=lambda r: (
            r[0] == "DELETE",
            (r[0], r[2]) == ("DELETE", "/console/session"),
            "/assistants" in r[1] and r[0] == "DELETE",
        ),
    )


async def matrix_call(c: Any, method: str, template: str, key: str, w: World) -> Any:
    if key.startswith("/keys"):
        url = template.replace("{key_id}", w.ids["key_id"])
        if method == "POST":
            return await c.post(url, json={"name": "made in the matrix", "role": "app"})
        return await c.request(method, url)
    return await call(c, method, template, key, w)


def test_every_route_is_classified_and_every_listed_route_is_served(harness: ApiHarness) -> None:
    served = {route_key(m, t, PREFIX) for m, t in app_routes(harness.app)}
    assert APP_ROUTES <= served, f"listed but not served: {sorted(APP_ROUTES - served)}"
    # What a browser's secret may call, an app key may call: secrets are never wider than apps.
    assert SECRET_ROUTES <= APP_ROUTES, sorted(SECRET_ROUTES - APP_ROUTES)
    assert CONSOLE_ROUTES <= served, f"console routes not served: {sorted(CONSOLE_ROUTES - served)}"
    for method, template, key in routes(harness):
        assert set(params(template)) <= ORG_OWNED | NESTED, (
            f"{method} {template}: a path parameter the matrix cannot fill"
        )
        if not key.startswith("/keys"):
            body_for(
                method, key, World("", "", "", {"assistant_id": "a", "thread_id": "t", "document_id": "d"})
            )


ROW = re.compile(
    r"^\| `(GET|POST|PUT|PATCH|DELETE) (/\S*)` \| (admin|app|operator) \| (its xpert|no|yes) \| (yes|no) \|$",
    re.MULTILINE,
)


def documented_rows() -> dict[tuple[str, str], tuple[str, str, str]]:
    """docs/security.md's route table: (method, path) → (least role, xpert-bound key, client secret)."""
    text = DOCS.read_text(encoding="utf-8")
    return {(m, path): (role, bound, secret) for m, path, role, bound, secret in ROW.findall(text)}


def test_docs_list_every_route_with_who_may_call_it(harness: ApiHarness) -> None:
    """Every served route is a row with all four credentials: admin (every row), app (the least role), a key
    bound to an xpert (checked against the server by the matrix below), a client secret."""
    text = DOCS.read_text(encoding="utf-8")
    table_rows = [line for line in text.splitlines() if re.match(r"\| `(GET|POST|PUT|PATCH|DELETE) /", line)]
    rows = documented_rows()
    assert len(rows) == len(table_rows), "a row of the route table is not `| route | role | bound | secret |`"
    expected = {
        (m, t.removeprefix(PREFIX)): (
            required_role(m, t, PREFIX),
            "yes" if route_key(m, t, PREFIX) in SECRET_ROUTES else "no",
        )
        for m, t in app_routes(harness.app)
        if route_key(m, t, PREFIX) not in PUBLIC
    }
    documented = {route: (role, secret) for route, (role, _, secret) in rows.items()}
    wrong = {r: (documented.get(r), want) for r, want in expected.items() if documented.get(r) != want}
    assert not wrong, f"docs/security.md lacks (or misstates) role or secret column (got, want): {wrong}"
    assert set(rows) - set(expected) == set(), (
        f"docs/security.md lists routes that are not served: {sorted(set(rows) - set(expected))}"
    )


# Routes for the server's operator only (docs/security.md says why), not any org's admin.
OPERATOR_ROUTES = {("GET", "/metrics")}
# The console's System page: an operator key's session only (auth/console.py).
SYSTEM_ROUTES = OPERATOR_SESSION_ROUTES - CONSOLE_ROUTES


async def test_the_privilege_matrix(harness: ApiHarness) -> None:
    h = harness
    w = await build_world(h, "priv")
    admin_b, _ = await h.mint_key(role="admin")
    app_key, _ = await h.mint_key(w.org, role="app")
    bound_app, _ = await h.mint_key(w.org, role="app", xpert_id=w.ids["assistant_id"])
    bound_admin, _ = await h.mint_key(w.org, role="admin", xpert_id=w.ids["assistant_id"])
    operator, _ = await h.mint_key("default", role="admin")
    operator_key, _ = await h.mint_key(OPERATOR_ORG, role="operator")  # the CLI's (--operator)
    rows = documented_rows()
    secret = await mint_secret(h, w.key, "alice")
    console = await console_headers(h, w.key)
    system_console = await console_headers(h, operator_key)
    callers = [
        ("operator key", {"x-api-key": operator_key}),
        ("operator's console session", system_console),
        ("operator", {"x-api-key": operator}),
        ("app key", {"x-api-key": app_key}),
        ("bound app key", {"x-api-key": bound_app}),
        ("client secret", {"x-client-secret": secret}),
        ("bound admin key", {"x-api-key": bound_admin}),
        ("other org's admin", {"x-api-key": admin_b}),
        ("console session", console),
        ("admin key", {"x-api-key": w.key}),
    ]
    failures: list[str] = []
    checked = 0
    for name, headers in callers:
        for method, template, key in routes(h):
            async with h.client(None, **{k.replace("-", "_"): v for k, v in headers.items()}) as c:
                resp = await matrix_call(c, method, template, key, w)
            where = f"{method} {template} by {name}"
            status = resp.status_code
            message = resp.json().get("message") if status >= 400 else None
            checked += 1
            if name == "operator key":
                # It signs in to the console and calls nothing else.
                if (method, key) == ("POST", "/console/sessions"):
                    if status != 201:
                        failures.append(f"{where}: the operator key could not sign in: {status}")
                elif (status, message) != (403, OPERATOR_KEY_ONLY_SIGNS_IN):
                    failures.append(f"{where}: expected 403 (sign-in only), got {status} {resp.text[:150]}")
                continue
            if name == "operator's console session":
                # The System page and its own session; no org's route.
                if (method, key) in OPERATOR_SESSION_ROUTES:
                    if status >= 400:
                        failures.append(f"{where}: the operator's session got {status} {resp.text[:150]}")
                elif (status, message) != (403, CONSOLE_DENIED):
                    failures.append(f"{where}: expected 403 (not its route), got {status} {resp.text[:150]}")
                continue
            if (method, key) in SYSTEM_ROUTES:
                # The System page: no org's credential, admin or not, reaches it.
                if status != 403:
                    failures.append(f"{where}: the System page answered {status} {resp.text[:150]}")
                continue
            if (method, key) in OPERATOR_ROUTES:
                # The deployment's numbers: the operator's (the default org's admins), nobody else's.
                if (status == 200) != (name == "operator") or status not in (200, 403):
                    failures.append(f"{where}: the operator's route answered {status} {resp.text[:150]}")
                continue
            if name == "operator":
                continue  # another org's admin, as `other org's admin` below
            if status >= 500:
                failures.append(f"{where}: {status} {resp.text[:150]}")
            elif name in ("app key", "bound app key"):
                if (method, key) in APP_ROUTES and status == 403 and message == NEEDS_ADMIN:
                    failures.append(f"{where}: an app route answered {status} {message}")
                if (method, key) not in APP_ROUTES and (status, message) != (403, NEEDS_ADMIN):
                    failures.append(f"{where}: expected 403 (needs admin), got {status} {resp.text[:150]}")
            elif name == "bound admin key":
                # Bound to the world's own xpert: refused exactly where the docs say `no`.
                bound_column = rows.get((method, template), ("", "", ""))[1]
                if (bound_column == "no") != (status == 403):
                    failures.append(f"{where}: docs say {bound_column!r}, got {status} {resp.text[:150]}")
            elif name == "client secret":
                if ((method, key) in SECRET_ROUTES) == (status == 403):
                    failures.append(f"{where}: got {status} {resp.text[:150]}")
            elif name == "console session":
                # The console's routes as an admin of its org; every other route refused, with its message.
                if (method, key) in CONSOLE_ROUTES and status in (401, 403):
                    failures.append(f"{where}: a console route answered {status} {resp.text[:150]}")
                if (method, key) not in CONSOLE_ROUTES and (status, message) != (403, CONSOLE_DENIED):
                    failures.append(
                        f"{where}: expected 403 (not a console route), got {status} {resp.text[:150]}"
                    )
            elif name == "other org's admin":
                named = set(params(template)) & ORG_OWNED
                if named and status != 404:
                    failures.append(f"{where}: org A's ids must be 404, got {status} {resp.text[:150]}")
                if w.marker in resp.text:
                    failures.append(f"{where}: shows org A's marker")
            elif status == 403:
                failures.append(f"{where}: an admin key got 403 {resp.text[:150]}")
    assert not failures, f"{len(failures)} of {checked} cells:\n" + "\n".join(failures)
    assert checked >= 7 * 60


# --- fields ------------------------------------------------------------------------------------------

MCP = {"name": "m", "command": "true"}
# A value for each field path that differs from its default (and, for the API column, what it proves).
SAMPLES: dict[str, Any] = {
    "name": "Sample",
    "slug": None,  # filled per case: slugs are unique in an org
    "description": "described",
    "org": "another-org",
    "title": "A title",
    "type": "chat",
    "tags": ["t"],
    "avatar": "https://example.com/a.png",
    "model.provider": "offline",
    "model.connection": "sample-llm",
    "model.name": "offline-label",
    "model.base_url": "http://127.0.0.1:9/v1",
    "model.api_key_env": "XPERT_API_KEY",
    "model.temperature": 0.5,
    "model.max_tokens": 16,
    "model.vision": True,
    "model.options": {"timeout": 1},
    "system_prompt": "Be brief.",
    "tools[].name": "current_time",
    "tools[].require_approval": True,
    "tools[].description": "What time it is",
    "tools[http_get].config.allow_private": True,
    "tools[http_get].config.timeout": 5,
    "tools[http_get].config.max_bytes": 1000,
    "mcp[].name": "m",
    "mcp[].connection": "sample-mcp",
    "mcp[].transport": "http",
    "mcp[].command": "sh",
    "mcp[].args": ["-c", "id"],
    "mcp[].env": {"A": "b"},
    "mcp[].url": "http://127.0.0.1:9/mcp",
    "mcp[].headers": {"x": "y"},
    "mcp[].require_approval": True,
    "mcp[].cache": False,
    "knowledge": ["some-kb"],
    "approvals": ["current_time"],
    "agents": ["another-xpert"],
    "max_steps": 3,
    "graph": "tests.graphs_scripted:graph",
    "config": {"configurable": {"x": 1}},
    "metadata": {"k": "v"},
}


def definition_with(path: str, value: Any, slug: str) -> dict[str, Any]:
    d: dict[str, Any] = {"name": "Field case", "slug": slug}
    if path in ("name", "slug"):
        d[path] = value if path == "name" else slug
    elif path.startswith("model."):
        d["model"] = {"provider": "offline"} if path == "model.name" else {}
        d["model"][path.split(".", 1)[1]] = value
    elif path.startswith("tools[]."):
        d["tools"] = [{"name": "current_time", path.split(".", 1)[1]: value}]
    elif path.startswith("tools[http_get].config."):
        d["tools"] = [{"name": "http_get", "config": {path.rsplit(".", 1)[1]: value}}]
    elif path.startswith("mcp[]."):
        field = path.split(".", 1)[1]
        if field in ("name", "connection"):  # what the API may set: a connection entry, perhaps renamed
            d["mcp"] = [{"connection": "sample-mcp", field: value}]
            return d
        server = (
            {**MCP, "transport": "http", "url": "http://127.0.0.1:9/mcp"}
            if field in ("url", "headers")
            else dict(MCP)
        )
        if field == "transport":
            server["url"] = "http://127.0.0.1:9/mcp"
        server[field] = value
        d["mcp"] = [server]
    else:
        d[path] = value
    return d


def test_every_definition_field_has_a_sample() -> None:
    assert set(all_paths()) == set(SAMPLES), (
        "classify new fields in agents/operator_fields.py, sample them here"
    )


async def test_every_field_by_yaml_admin_api_and_app_api(harness: ApiHarness, tmp_path: Path) -> None:
    h = harness
    admin, org = await h.mint_key(role="admin")
    app_key, _ = await h.mint_key(org, role="app")
    failures: list[str] = []
    classes = all_paths()
    # Each sample, then the values the rule fields refuse: a model from the server's disk, a model name the
    # operator did not declare (this server declares none).
    cases: list[tuple[str, Any, bool]] = [(p, v, classes[p] == "operator") for p, v in SAMPLES.items()]
    cases += [("model.provider", "local", True), ("model.name", "gpt-4o", True)]
    for path, value, refused in cases:
        slug = f"f-{secrets.token_hex(4)}"
        definition = definition_with(path, value, slug)
        if path == "model.name" and value == "gpt-4o":
            definition["model"]["provider"] = "openai"
        # YAML: the operator may set everything.
        file = tmp_path / f"{slug}.yaml"
        file.write_text(yaml.safe_dump(definition), encoding="utf-8")
        spec = load_file(file)
        assert spec.slug == slug
        # The API: an app key may not create xperts; an admin may set what is API-settable only.
        async with h.client(app_key) as c:
            resp = await c.post("/assistants", json=definition)
            if (resp.status_code, resp.json()["message"]) != (403, NEEDS_ADMIN):
                failures.append(f"{path} by an app key: {resp.status_code} {resp.text[:120]}")
        async with h.client(admin) as c:
            resp = await c.post("/assistants", json=definition)
            found = (await c.post("/assistants/search", json={"metadata": {"slug": slug}})).json()
        if refused:
            shown = path.replace("[]", "[0]").replace("[http_get]", "[0]")
            named = resp.json()["message"].split(": only")[0].split(", ")
            if resp.status_code != 403 or shown not in named:
                failures.append(
                    f"{path} by an admin: expected 403 naming it, got {resp.status_code} {resp.text[:150]}"
                )
            if found:
                failures.append(f"{path} by an admin: refused, yet stored")
        elif resp.status_code != 201 or len(found) != 1:
            failures.append(f"{path} by an admin: expected 201, got {resp.status_code} {resp.text[:150]}")
    assert not failures, "\n".join(failures)


def test_docs_list_every_definition_field_as_classified() -> None:
    text = DOCS.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_\[\]\.]+)` \| ([^|]+) \|$", text, re.MULTILINE))
    words = {
        "api": "operator, admin API",
        "operator": "operator only",
        "rule": "admin API within bounds (below)",
    }
    assert {p: rows.get(p, "").strip() for p in all_paths()} == {p: words[a] for p, a in all_paths().items()}
