"""The `xpert` command, run as a subprocess the way an operator runs it: keys and xperts."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.harness.app import ApiHarness, open_harness
from tests.harness.served import XPERT, cli, server_env
from xpert_server.auth.keys import key_hint
from xpert_server.auth.principal import Principal
from xpert_server.storage import create_storage

KEY_LINE = re.compile(r"^sk-x-[0-9a-f]{48}$")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

SUPPORT_YAML = """\
name: Support
slug: support
description: {description}
system_prompt: You answer support questions.
tools: [calculator]
tags: [help]
"""


def xpert(data_dir: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    proc = cli(*args, "--data-dir", str(data_dir))
    if ok:
        assert proc.returncode == 0, f"xpert {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}"
    return proc


def create_key(data_dir: Path, *args: str) -> str:
    proc = xpert(data_dir, "keys", "create", *args)
    key = proc.stdout.splitlines()[-1]
    assert KEY_LINE.match(key), proc.stdout
    return key


def table_rows(output: str) -> list[list[str]]:
    """The body rows of a rich table, as lists of stripped cells."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def db_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'xpert.db'}"


@asynccontextmanager
async def server_on(data_dir: Path) -> AsyncIterator[ApiHarness]:
    """The API in process, on the database the CLI wrote."""
    async with open_harness(data_dir, db_url(data_dir)) as harness:
        yield harness


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir shared by the tests that only need an existing database."""
    return tmp_path_factory.mktemp("cli-home")


# --- keys -----------------------------------------------------------------------------------------


async def test_keys_create_prints_the_key_alone_on_its_last_line(tmp_path: Path) -> None:
    proc = xpert(tmp_path, "keys", "create")
    lines = proc.stdout.splitlines()
    assert lines and KEY_LINE.match(lines[-1]), proc.stdout
    key = lines[-1]
    assert key not in proc.stderr
    bound_key = create_key(tmp_path, "--xpert", "demo")
    admin_key = create_key(tmp_path, "--role", "admin")
    async with server_on(tmp_path) as api:
        storage = api.services.storage
        (demo,) = await storage.search_assistants(Principal.system(), metadata={"slug": "demo"})
        async with api.client(key) as c:
            # The CLI created this database, so the demo xpert was seeded as on a first `serve`.
            found = await c.post("/assistants/search", json={"metadata": {"slug": "demo"}})
            assert found.status_code == 201 and [a["assistant_id"] for a in found.json()] == [demo.id]
            # `keys create` makes an app key by default: it uses xperts, it does not make them.
            refused = await c.post("/assistants", json={"name": "Other", "slug": "other"})
            assert refused.status_code == 403 and "admin" in refused.json()["message"]
        async with api.client(admin_key) as c:
            other = (await c.post("/assistants", json={"name": "Other", "slug": "other"})).json()
        async with api.client(bound_key) as c:
            # `--xpert demo` (a slug) bound the key to the demo xpert.
            assert [a["assistant_id"] for a in (await c.post("/assistants/search", json={})).json()] == [
                demo.id
            ]
            assert (await c.get(f"/assistants/{other['assistant_id']}")).status_code == 403


def test_keys_create_refuses_an_unknown_role(home: Path) -> None:
    proc = xpert(home, "keys", "create", "--role", "root", ok=False)
    assert proc.returncode == 2 and not proc.stdout.strip() and "--role" in proc.stderr


def test_keys_create_refuses_an_unknown_xpert(home: Path) -> None:
    proc = xpert(home, "keys", "create", "--xpert", "no-such-xpert", ok=False)
    assert proc.returncode != 0
    assert not proc.stdout.strip(), "no key may be printed"
    assert "no-such-xpert" in proc.stderr and "Traceback" not in proc.stderr


async def test_keys_list_and_revoke(home: Path) -> None:
    key = create_key(home, "--org", "acme-cli", "--name", "ci", "--expires-in", "3600")
    out = xpert(home, "keys", "list", "--org", "acme-cli").stdout
    # Keys are shown by hint only.
    assert key not in out and key[5:] not in out and key[-20:] not in out
    (row,) = table_rows(out)
    key_id, org, name, role, hint, _, expires, status = row
    assert (org, name, role, hint, status) == ("acme-cli", "ci", "app", key_hint(key), "active")
    assert expires.endswith("Z")

    async with server_on(home) as api:
        # `--org` created the org, and the key acts in it only.
        assert await api.services.storage.get_org("acme-cli") is not None
        async with api.client(key, organization_id="acme-cli") as c:
            assert (await c.post("/threads", json={})).status_code == 201
        async with api.client(key, organization_id="default") as c:
            assert (await c.post("/threads", json={})).status_code == 403
        async with api.client(key) as c:
            assert (await c.post("/threads/count", json={})).json() == 1
            assert key_id in xpert(home, "keys", "revoke", key_id, "--yes").stderr
            api.services.auth.forget()
            resp = await c.post("/threads/count", json={})
            assert resp.status_code == 401 and resp.json()["message"] == "Invalid token"
    (row,) = table_rows(xpert(home, "keys", "list", "--org", "acme-cli").stdout)
    assert row[0] == key_id and row[-1] == "revoked"


def test_keys_revoke_of_an_unknown_id_fails_and_says_so(home: Path) -> None:
    # Brackets too: the id is echoed as text, never read as console markup.
    proc = xpert(home, "keys", "revoke", "no-such-key-[/b]", ok=False)
    assert proc.returncode != 0
    assert "no-such-key-[/b]" in proc.stderr and "Traceback" not in proc.stderr


async def make_keys(data_dir: Path, org: str, n: int) -> list[str]:
    """`n` keys made in the CLI's database directly (their ids, in order)."""
    storage = create_storage(f"sqlite+aiosqlite:///{data_dir / 'xpert.db'}")
    await storage.open()
    try:
        await storage.ensure_org(org)
        made = []
        for i in range(n):
            key = f"sk-x-{i:048x}"[-53:]
            record = await storage.create_api_key(
                org, f"h-{org}-{i}", key_hint(key), role="app", name=f"k{i}"
            )
            made.append(record.id)
        return made
    finally:
        await storage.close()


def revoke_answering(data_dir: Path, key_id: str, answer: str) -> subprocess.CompletedProcess[str]:
    """`xpert keys revoke KEY_ID` on a terminal (a pseudo-terminal here), answering its question."""
    main, terminal = pty.openpty()
    try:
        proc = subprocess.Popen(
            [str(XPERT), "keys", "revoke", key_id, "--data-dir", str(data_dir)],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=server_env(COLUMNS="250"),
        )
        os.write(main, answer.encode() + b"\n")
        out, err = proc.communicate(timeout=60)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    finally:
        os.close(main)
        os.close(terminal)


def key_status(data_dir: Path, org: str) -> dict[str, str]:
    return {row[0]: row[-1] for row in table_rows(xpert(data_dir, "keys", "list", "--org", org).stdout)}


async def test_keys_revoke_asks_first_and_takes_whole_ids(tmp_path: Path) -> None:
    xpert(tmp_path, "keys", "list")  # creates the database
    ids = await make_keys(tmp_path, "acme-revoke", 20)
    # Twenty ids over sixteen hex digits: two of them start alike.
    first = [i[0] for i in ids]
    shared = next(c for c in first if first.count(c) > 1)
    ambiguous = xpert(tmp_path, "keys", "revoke", shared, "--yes", ok=False)
    assert ambiguous.returncode == 1 and f"{shared!r} is the start of" in ambiguous.stderr
    assert "give the whole id" in ambiguous.stderr
    assert set(key_status(tmp_path, "acme-revoke").values()) == {"active"}

    target, other = ids[0], ids[1]
    # Not on a terminal and no --yes: nothing is revoked, and it says how to.
    piped = xpert(tmp_path, "keys", "revoke", target, ok=False)
    assert piped.returncode == 1 and "--yes" in piped.stderr and target in piped.stderr
    # On a terminal: asked, with what the key is; "n" keeps it, "y" revokes it.
    kept = revoke_answering(tmp_path, target, "n")
    assert kept.returncode == 1 and f"Revoke {target} (" in kept.stderr and "Not revoked" in kept.stderr
    assert key_status(tmp_path, "acme-revoke")[target] == "active"
    done = revoke_answering(tmp_path, target, "y")
    assert done.returncode == 0 and f"Revoked {target}" in done.stderr, done.stderr
    # A prefix only one id has names that key, and the whole id is what it says it revoked.
    unique = next(i[:8] for i in ids if sum(j.startswith(i[:8]) for j in ids) == 1 and i == other)
    assert f"Revoked {other}" in xpert(tmp_path, "keys", "revoke", unique, "--yes").stderr
    status = key_status(tmp_path, "acme-revoke")
    assert (status[target], status[other]) == ("revoked", "revoked")
    assert list(status.values()).count("active") == 18


def test_tables_show_whole_ids_on_an_80_column_terminal(tmp_path: Path) -> None:
    create_key(tmp_path, "--name", "a key with a rather long name to squeeze the table")
    for args in (("keys", "list"), ("xperts", "list")):
        proc = cli(*args, "--data-dir", str(tmp_path), env=server_env(COLUMNS="80"))
        assert proc.returncode == 0, proc.stderr
        rows = table_rows(proc.stdout)
        assert rows, proc.stdout
        ids = [row[0] if args[0] == "keys" else row[1] for row in rows]
        assert all(UUID.fullmatch(i) for i in ids), proc.stdout


def test_help_shows_no_bool_beside_flags() -> None:
    for args in (("serve", "--help"), ("keys", "revoke", "--help"), ("chat", "--help"), ("--help",)):
        proc = cli(*args, env=server_env(COLUMNS="120"))
        assert proc.returncode == 0, proc.stderr
        assert "--help" in proc.stdout and "<bool>" not in proc.stdout, proc.stdout
    assert "--no-demo" in cli("serve", "--help").stdout


# --- xperts ---------------------------------------------------------------------------------------


def load_lines(proc: subprocess.CompletedProcess[str]) -> dict[str, list[str]]:
    """`xpert xperts load` prints `slug<TAB>id<TAB>loaded|unchanged<TAB>file` per xpert."""
    rows = [line.split("\t") for line in proc.stdout.splitlines() if line.strip()]
    return {r[0]: r[1:] for r in rows}


async def test_xperts_load_upserts_by_org_and_slug(tmp_path: Path) -> None:
    data, support, ops = tmp_path / "data", tmp_path / "support.yaml", tmp_path / "ops.yaml"
    support.write_text(SUPPORT_YAML.format(description="First."))
    ops.write_text("name: Ops\nslug: ops\norg: ops-team\n")
    first = load_lines(xpert(data, "xperts", "load", str(support), str(ops)))
    assert first["support"][1:] == ["loaded", str(support)] and first["ops"][1:] == ["loaded", str(ops)]
    support_id = first["support"][0]
    again = load_lines(xpert(data, "xperts", "load", str(support)))
    assert again["support"][:2] == [support_id, "unchanged"]
    support.write_text(SUPPORT_YAML.format(description="Second."))
    edited = load_lines(xpert(data, "xperts", "load", str(support)))
    assert edited["support"][:2] == [support_id, "loaded"]

    listed = {r[0]: r for r in table_rows(xpert(data, "xperts", "list").stdout)}
    assert listed["support"][1:] == [support_id, "Support", "2"]
    assert set(listed) == {"support", "demo"}, "`ops` names its own org"
    storage = create_storage(db_url(data))
    await storage.open()
    try:
        record = await storage.get_assistant(Principal.system(), support_id)
        assert record is not None and record.version == 2 and record.description == "Second."
        versions = await storage.list_assistant_versions(Principal.system(), support_id)
        assert versions is not None and [v.version for v in versions] == [2, 1]
        in_ops = await storage.search_assistants(Principal.system("ops-team"))
        assert [a.slug for a in in_ops] == ["ops"] and in_ops[0].id == first["ops"][0]
    finally:
        await storage.close()


async def test_invalid_xpert_file_fails_naming_the_file_and_fields(tmp_path: Path) -> None:
    data, folder = tmp_path / "data", tmp_path / "xperts"
    folder.mkdir()
    (folder / "a-good.yaml").write_text("name: Good\nslug: good\n")
    bad = folder / "b-bad.yaml"
    bad.write_text("name: Bad\nslug: Bad Slug!\nmax_steps: 0\n")
    proc = xpert(data, "xperts", "load", str(folder), ok=False)
    assert proc.returncode != 0
    assert str(bad) in proc.stderr, proc.stderr  # whole, on one line
    assert "slug" in proc.stderr and "max_steps" in proc.stderr
    assert "Traceback" not in proc.stderr
    # One bad file loads nothing, not even its good neighbour.
    if (data / "xpert.db").exists():
        storage = create_storage(db_url(data))
        await storage.open()
        try:
            assert await storage.search_assistants(Principal.system(), metadata={"slug": "good"}) == []
        finally:
            await storage.close()


def test_yaml_syntax_error_fails_naming_the_file(tmp_path: Path) -> None:
    # A path reading `…odd[/b]/broken.yaml`: shown as text, never read as console markup.
    folder = tmp_path / "odd[" / "b]"
    folder.mkdir(parents=True)
    broken = folder / "broken.yaml"
    broken.write_text("name: x\nslug: ok\ntags: [a, b\n")
    proc = xpert(tmp_path / "data", "xperts", "load", str(broken), ok=False)
    assert proc.returncode != 0
    assert str(broken) in proc.stderr and "invalid YAML" in proc.stderr, proc.stderr
    assert "[/b]" in proc.stderr and "Traceback" not in proc.stderr


def test_a_yaml_alias_bomb_fails_fast_naming_the_file(tmp_path: Path) -> None:
    """`xpert xperts load` (and `--xperts`, the same loader) on a billion-laughs file: an error, not an OOM.
    The child gets 1.5 GiB of address space, so a regression fails here instead of exhausting the machine."""
    from tests.agents.test_definition_errors import alias_bomb

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb())

    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))

    proc = cli("xperts", "load", str(bomb), "--data-dir", str(tmp_path / "data"), preexec_fn=limit_memory)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert str(bomb) in proc.stderr and "alias" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
