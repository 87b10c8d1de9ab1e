"""Chaos: the server SIGKILLed in the middle of writes on SQLite, and a full disk under an upload.

SIGKILL: a real `xpert serve` on SQLite takes a write load (thread creates, runs waited on and streamed,
uploads) from several clients; it is killed with SIGKILL mid-load, twice, and restarted. The database must
open clean (`PRAGMA integrity_check` = ok) and everything a client got a 2xx for must be there: each
thread, each run and its messages, each streamed frame (same id, same data), each uploaded file's bytes.

Full disk: uploads that hit ENOSPC answer a clean 507 (the error envelope), leave no partial file behind
and no file row, and the server goes on; once with ENOSPC injected under the file store (deterministic,
in process), once with a real 1 MiB tmpfs as the files folder of a real server (when this machine lets
the tests mount one: root, as in CI).
"""

from __future__ import annotations

import errno
import io
import json
import random
import secrets
import sqlite3
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import API_BACKEND
from tests.harness.app import ApiHarness, open_harness
from tests.harness.chat import send
from tests.harness.served import Served, start
from xpert_server.knowledge import filestore

pytestmark = pytest.mark.skipif(API_BACKEND != "sqlite", reason="SIGKILL and full-disk chaos run on SQLite")


# ---- SIGKILL under a write load --------------------------------------------------------------------------


@dataclass
class Acked:
    """Everything the server acknowledged (a 2xx reached the client)."""

    threads: set[str] = field(default_factory=set)
    waited: dict[str, str] = field(
        default_factory=dict
    )  # thread id -> the text sent (the run's reply came back)
    runs: dict[str, str] = field(default_factory=dict)  # run id -> thread id
    frames: dict[str, dict[int, Any]] = field(default_factory=dict)  # run id -> {frame id: data}
    files: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def parse_frames(text: str) -> list[tuple[int, Any]]:
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fid = data = None
        for line in block.split("\n"):
            if line.startswith("id: "):
                fid = int(line[4:])
            elif line.startswith("data: "):
                data = json.loads(line[6:])
        if fid is not None:
            out.append((fid, data))
    return out


def client_loop(served: Served, assistant_id: str, acked: Acked, stop: threading.Event, seed: int) -> None:
    rnd = random.Random(seed)
    with httpx.Client(base_url=served.api, headers={"x-api-key": served.key}, timeout=30) as c:
        while not stop.is_set():
            try:
                one_write(c, rnd, assistant_id, acked)
            except (httpx.HTTPError, ValueError):
                if stop.is_set():
                    return
                time.sleep(0.05)  # the server is down (killed): nothing acknowledged


def one_write(c: httpx.Client, rnd: random.Random, assistant_id: str, acked: Acked) -> None:
    kind = rnd.choice(["thread", "wait", "stream", "upload", "background"])
    if kind == "upload":
        content = secrets.token_bytes(rnd.randint(1, 64 * 1024))
        r = c.post("/contexts/file", files={"file": ("blob.bin", content, "application/octet-stream")})
        if r.status_code == 201:
            with acked.lock:
                acked.files[r.json()["id"]] = content
        return
    r = c.post("/threads", json={"metadata": {"chaos": True}})
    if r.status_code != 201:
        return
    tid = r.json()["thread_id"]
    with acked.lock:
        acked.threads.add(tid)
    text = f"chaos {secrets.token_hex(4)}"
    body = {"assistant_id": assistant_id, "input": send(text)}
    if kind == "wait":
        r = c.post(f"/threads/{tid}/runs/wait", json=body)
        if r.status_code == 201:
            with acked.lock:
                acked.waited[tid] = text
    elif kind == "background":
        r = c.post(f"/threads/{tid}/runs", json=body)
        if r.status_code == 201:
            with acked.lock:
                acked.runs[r.json()["run_id"]] = tid
    elif kind == "stream":
        with c.stream("POST", f"/threads/{tid}/runs/stream", json=body) as resp:
            if resp.status_code != 200:
                return
            buffer = ""
            run_id: str | None = None
            early: dict[int, Any] = {}  # frames before the one naming the run
            for chunk in resp.iter_text():
                buffer += chunk
                *complete, buffer = buffer.split("\n\n")
                for fid, data in parse_frames("\n\n".join(complete) + "\n\n"):
                    if run_id is None and isinstance(data, dict) and data.get("event") == "on_message_start":
                        run_id = data["data"]["executionId"]
                        with acked.lock:
                            acked.runs[run_id] = tid
                            acked.frames[run_id] = early
                    with acked.lock:
                        (acked.frames[run_id] if run_id is not None else early)[fid] = data


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def replay(c: httpx.Client, tid: str, run_id: str) -> dict[int, Any]:
    """Every stored frame of a run (the run ended at recovery, so the replay ends)."""
    r = c.get(f"/threads/{tid}/runs/{run_id}/stream", headers={"Last-Event-ID": "0"}, timeout=20)
    assert r.status_code == 200, r.text
    return dict(parse_frames(r.text))


@pytest.fixture
def chaos_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_sigkill_during_writes_loses_nothing_acknowledged(chaos_dir: Path) -> None:
    key = f"sk-x-chaos-{secrets.token_hex(16)}"
    acked = Acked()
    served = start(chaos_dir, key=key)
    try:
        with served.client(key) as c:
            (demo,) = c.post("/assistants/search", json={"metadata": {"slug": "demo"}}).json()
        for round_ in range(2):
            stop = threading.Event()
            workers = [
                threading.Thread(
                    target=client_loop, args=(served, demo["assistant_id"], acked, stop, i), daemon=True
                )
                for i in range(6)
            ]
            for w in workers:
                w.start()
            time.sleep(2.0 + random.random())  # mid-load
            served.kill()
            stop.set()
            for w in workers:
                w.join(timeout=30)
            assert integrity(chaos_dir / "xpert.db") == "ok", (
                f"round {round_}: database corrupt after SIGKILL"
            )
            served = start(chaos_dir, key=key, port=served.port)
        with acked.lock:
            counts = {k: len(getattr(acked, k)) for k in ("threads", "waited", "runs", "frames", "files")}
        assert counts["threads"] >= 10 and counts["files"] >= 3 and counts["waited"] >= 2, counts

        missing: list[str] = []
        with served.client(key) as c:
            for tid in acked.threads:
                if c.get(f"/threads/{tid}").status_code != 200:
                    missing.append(f"thread {tid}")
            for tid, text in acked.waited.items():
                cid = c.get(f"/threads/{tid}").json()["metadata"]["id"]
                messages = c.get(f"/conversations/{cid}/messages").json()["items"]
                roles = [m["role"] for m in messages]
                if "human" not in roles and "user" not in roles or "ai" not in roles:
                    missing.append(f"messages of waited run on {tid}: {roles}")
                elif not any(text in json.dumps(m["content"]) for m in messages):
                    missing.append(f"the sent text on {tid}")
            for run_id, tid in acked.runs.items():
                if c.get(f"/threads/{tid}/runs/{run_id}").status_code != 200:
                    missing.append(f"run {run_id}")
            for run_id, frames in acked.frames.items():
                stored = replay(c, acked.runs[run_id], run_id)
                for fid, data in frames.items():
                    if stored.get(fid) != data:
                        missing.append(f"frame {fid} of run {run_id}: {stored.get(fid)!r} != {data!r}")
            for file_id, content in acked.files.items():
                r = c.get(f"/contexts/file/{file_id}/content")
                if r.status_code != 200 or r.content != content:
                    missing.append(f"file {file_id}: {r.status_code}")
            assert c.get("/ok").status_code == 200
        assert not missing, f"{len(missing)} acknowledged writes lost ({counts}):\n" + "\n".join(missing[:30])
        assert not list((chaos_dir / "files").rglob(".*.part")), "partial uploads left after restart"
    finally:
        served.stop()


# ---- a full disk under an upload ---------------------------------------------------------------------------


class FullDisk(io.RawIOBase):
    """A raw file that takes `room` bytes, then fails every write with ENOSPC (as a full disk does)."""

    def __init__(self, path: Path, room: int):
        self.f = open(path, "wb", buffering=0)
        self.room = room

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.f.fileno()

    def write(self, b: Any) -> int:
        data = bytes(b)
        if len(data) > self.room:
            if self.room:
                n = self.f.write(data[: self.room])
                self.room -= n
                return n
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(data)
        return int(self.f.write(data))

    def close(self) -> None:
        if not self.closed:
            self.f.close()
        super().close()


@pytest.fixture
async def full_disk(
    api_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[ApiHarness]:
    """An app whose file store has 256 KiB of room."""
    async with open_harness(tmp_path / "data", api_database_url) as h:

        def tiny_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if mode == "wb":
                return io.BufferedWriter(FullDisk(Path(path), 256 * 1024))
            return open(path, mode, *args, **kwargs)

        monkeypatch.setattr(filestore, "open", tiny_open, raising=False)
        yield h


def leftovers(h: ApiHarness) -> list[Path]:
    root = Path(h.services.files.settings.files_dir)
    return [p for p in root.rglob("*") if p.is_file()]


def chunks(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def multipart(content: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(8)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


async def upload_in_chunks(h: ApiHarness, key: str, content: bytes, size: int) -> httpx.Response:
    body, ctype = multipart(content)

    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks(body, size):
            yield chunk

    async with h.client(key) as c:
        return await c.post("/contexts/file", content=stream(), headers={"content-type": ctype})


async def test_a_full_disk_under_an_upload_is_a_clean_507(full_disk: ApiHarness) -> None:
    h = full_disk
    key, org = await h.mint_key()
    resp = await upload_in_chunks(h, key, secrets.token_bytes(1024 * 1024), 64 * 1024)
    assert resp.status_code == 507, resp.text
    assert resp.json() == {
        "statusCode": 507,
        "error": "Insufficient Storage",
        "message": "Insufficient storage: the server has no space left to store this.",
    }
    assert leftovers(h) == [], "a partial file was left behind"
    # Nothing was recorded, and the server goes on: a file that fits is stored.
    async with h.client(key) as c:
        small = await c.post("/contexts/file", files={"file": ("ok.txt", b"fits", "text/plain")})
        assert small.status_code == 201, small.text
        assert (await c.get(f"/contexts/file/{small.json()['id']}/content")).content == b"fits"
    assert len(leftovers(h)) == 1


async def test_a_full_disk_under_an_upload_in_small_chunks_leaves_no_partial_file(
    full_disk: ApiHarness,
) -> None:
    h = full_disk
    key, _ = await h.mint_key()
    resp = await upload_in_chunks(h, key, secrets.token_bytes(512 * 1024), 1000)
    assert resp.status_code == 507, resp.text
    assert leftovers(h) == [], f"partial files left: {leftovers(h)}"


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "files"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(
            f"cannot mount a tmpfs here ({done.stderr.strip()}): the injected-ENOSPC test covers this"
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_real_full_disk_under_an_upload(tmp_path: Path, tmpfs: Path) -> None:
    served = start(tmp_path / "data", XPERT_FILES_DIR=str(tmpfs))
    try:
        with served.client(served.key) as c:
            big = secrets.token_bytes(3 * 1024 * 1024)
            body, ctype = multipart(big)
            resp = c.post("/contexts/file", content=chunks(body, 256 * 1024), headers={"content-type": ctype})
            assert resp.status_code in (507, 413), resp.text
            assert resp.json()["statusCode"] == resp.status_code
            assert [p for p in tmpfs.rglob("*") if p.is_file()] == [], (
                "a partial file was left on the full disk"
            )
            small = c.post("/contexts/file", files={"file": ("ok.txt", b"fits", "text/plain")})
            assert small.status_code == 201, small.text
            assert c.get(f"/contexts/file/{small.json()['id']}/content").content == b"fits"
        assert "Traceback" not in served.output()
    finally:
        served.stop()
