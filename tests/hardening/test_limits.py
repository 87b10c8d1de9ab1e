"""Issue 17's limits against a real `xpert serve`: a document bomb is parsed outside the server and fails
fast; every run follower (stream, join, wait, stateless wait) counts against
XPERT_MAX_STREAMS_PER_CREDENTIAL and frees its slot when its client leaves."""

from __future__ import annotations

import io
import json
import resource
import selectors
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hardening.graphs_slow import __file__ as slow_file
from tests.harness.chat import send
from tests.harness.served import PREFIX, Served, serving
from tests.harness.xperts import SCRIPTED, write_xperts

pytestmark = pytest.mark.any_mode  # `xpert serve` subprocesses on SQLite, parsers in child processes

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def three_followers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("followers")
    xperts = write_xperts(root / "xperts", slow_file, ["sleeper"])
    write_xperts(xperts, SCRIPTED, ["echo"])
    with serving(
        root / "data",
        args=("--xperts", str(xperts)),
        XPERT_MAX_STREAMS_PER_CREDENTIAL="3",
        XPERT_SECRET_RATE_LIMIT="0",
    ) as s:
        yield s


def raw_request(s: Served, method: str, path: str, body: dict[str, Any] | None = None) -> socket.socket:
    """A follower on its own connection, left open: closing the socket is the client going away."""
    data = json.dumps(body).encode() if body is not None else b""
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    sock.sendall(
        f"{method} {PREFIX}{path} HTTP/1.1\r\nHost: x\r\nx-api-key: {s.key}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n".encode()
        + data
    )
    return sock


def open_followers(s: Served, *requests: tuple[str, str, dict[str, Any] | None]) -> list[socket.socket]:
    """Followers opened one by one, each given time to take its slot (none may be refused)."""
    socks = []
    for method, path, body in requests:
        socks.append(raw_request(s, method, path, body))
        time.sleep(0.5)
    for sock in socks:
        sock.settimeout(0.05)
        try:
            answer = sock.recv(64, socket.MSG_PEEK)
        except TimeoutError:
            answer = b""  # no answer yet: it is waiting for its run
        assert answer == b"" or answer.startswith(b"HTTP/1.1 200"), answer  # a stream's head comes at once
    return socks


def wait_for_status(c: httpx.Client, path: str, expected: int, within: float = 10.0) -> float:
    """Seconds until GET `path` answers `expected` (it answers at once either way: the run it joins is done)."""
    start = time.monotonic()
    while True:
        status = c.get(path).status_code
        if status == expected:
            return time.monotonic() - start
        assert time.monotonic() - start < within, f"{path}: still {status} after {within} s"
        time.sleep(0.05)


def test_join_and_wait_followers_count_and_free_their_slot_on_disconnect(three_followers: Served) -> None:
    s = three_followers
    with s.client(s.key) as c:
        (sleeper,) = c.post("/assistants/search", json={"metadata": {"slug": "sleeper"}}).json()
        (echo,) = c.post("/assistants/search", json={"metadata": {"slug": "echo"}}).json()
        threads = [c.post("/threads", json={}).json()["thread_id"] for _ in range(6)]
        done = c.post(
            f"/threads/{threads[0]}/runs/wait",
            json={"assistant_id": echo["assistant_id"], "input": send("done")},
        )
        assert done.status_code == 201 and done.json()["content"] == "done"
        (finished,) = c.get(f"/threads/{threads[0]}/runs").json()
        probe = f"/threads/{threads[0]}/runs/{finished['run_id']}/join"  # answers at once: its run is over
        live = c.post(
            f"/threads/{threads[1]}/runs", json={"assistant_id": sleeper["assistant_id"], "input": send("zz")}
        ).json()
        sleep_body = {"assistant_id": sleeper["assistant_id"], "input": send("zz")}

        # Joins (of the reply and of the stream) hold slots: the 4th join and the 4th wait are refused.
        run_path = f"/threads/{threads[1]}/runs/{live['run_id']}"
        joins = open_followers(
            s,
            ("GET", f"{run_path}/join", None),
            ("GET", f"{run_path}/join", None),
            ("GET", f"{run_path}/stream", None),
        )
        wait_for_status(c, probe, 429)
        refused = c.post(f"/threads/{threads[2]}/runs/wait", json=sleep_body)
        assert refused.status_code == 429 and "streams" in refused.json()["message"]
        assert c.get(f"/threads/{threads[2]}/runs").json() == [], "a refused wait starts nothing"
        assert c.post("/runs/wait", json=sleep_body).status_code == 429
        for sock in joins:
            sock.close()
        freed = wait_for_status(c, probe, 200)
        assert freed < 2.0, f"slots came back {freed:.2f} s after the joins disconnected"

        # Waits (threaded and stateless) hold slots too, and give them back when their clients leave.
        waits = open_followers(
            s,
            ("POST", f"/threads/{threads[3]}/runs/wait", sleep_body),
            ("POST", f"/threads/{threads[4]}/runs/wait", sleep_body),
            ("POST", "/runs/wait", sleep_body),
        )
        wait_for_status(c, probe, 429)
        assert c.post(f"/threads/{threads[5]}/runs/wait", json=sleep_body).status_code == 429
        assert c.get(f"/threads/{live['thread_id']}/runs/{live['run_id']}/stream").status_code == 429
        for sock in waits:
            sock.close()
        freed = wait_for_status(c, probe, 200)
        assert freed < 2.0, f"slots came back {freed:.2f} s after the waits disconnected"
        assert (
            c.post(
                f"/threads/{threads[5]}/runs/wait",
                json={"assistant_id": echo["assistant_id"], "input": send("again")},
            ).json()["content"]
            == "again"
        )
    assert "Traceback" not in s.output()


# ---- a document bomb ---------------------------------------------------------------------------------------
def docx_bomb(inflated: int) -> bytes:
    """A real DOCX whose word/document.xml inflates to `inflated` bytes of paragraphs (~1.3 MB for 300 MiB)."""
    import docx

    base = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("hello")
    document.save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info))
        with dst.open("word/document.xml", "w") as xml:
            xml.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
                b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            )
            para = b"<w:p><w:r><w:t>" + b"lorem ipsum dolor sit amet " * 8 + b"</w:t></w:r></w:p>"
            chunk = para * (4 * MIB // len(para))
            for _ in range(-(-inflated // len(chunk))):
                xml.write(chunk)
            xml.write(b"</w:body></w:document>")
    return out.getvalue()


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


class Watch(threading.Thread):
    """Samples the server's RSS and /ok latency every 50 ms until stopped."""

    def __init__(self, s: Served):
        super().__init__(daemon=True)
        self.s, self.stop, self.max_rss, self.latencies = s, threading.Event(), 0, [0.0]

    def run(self) -> None:
        with httpx.Client(base_url=self.s.api, timeout=10) as c:
            while not self.stop.is_set():
                start = time.monotonic()
                assert c.get("/ok").status_code == 200
                self.latencies.append(time.monotonic() - start)
                self.max_rss = max(self.max_rss, rss_bytes(self.s.proc.pid))
                self.stop.wait(0.05)


BOMB_CASES = {
    # The defaults: the central directory gives it away before anything is inflated.
    "caps": ({}, "more than the limit of 64 MiB (XPERT_PARSE_MAX_XML_BYTES)"),
    # Caps raised out of the way: the parse process hits its own memory limit, the server feels nothing.
    "memory": (
        {
            "XPERT_PARSE_MAX_XML_BYTES": str(1024 * MIB),
            "XPERT_PARSE_MAX_EXPANDED_BYTES": str(1024 * MIB),
            "XPERT_PARSE_MAX_MEMORY_BYTES": str(384 * MIB),
            "XPERT_PARSE_TIMEOUT": "9",
        },
        "XPERT_PARSE_MAX_MEMORY_BYTES",
    ),
}


@pytest.mark.parametrize("case", BOMB_CASES)
def test_a_docx_bomb_fails_fast_outside_the_server(tmp_path: Path, case: str) -> None:
    settings, reason = BOMB_CASES[case]
    bomb = docx_bomb(300 * MIB)
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:
        assert z.getinfo("word/document.xml").file_size >= 300 * MIB
    assert len(bomb) < 2 * MIB
    with serving(tmp_path / "data", **settings) as s, s.client(s.key) as c:
        small = c.post("/contexts/file", files={"file": ("small.docx", docx_bomb(4 * MIB))}).json()
        assert wait_parsed(c, small["id"])["status"] == "ready"  # warm: what a parse loads is loaded
        before = rss_bytes(s.proc.pid)
        watch = Watch(s)
        watch.start()
        start = time.monotonic()
        uploaded = c.post("/contexts/file", files={"file": ("bomb.docx", bomb)})
        assert uploaded.status_code == 201, uploaded.text
        parsed = wait_parsed(c, uploaded.json()["id"])
        took = time.monotonic() - start
        time.sleep(0.5)  # a last few samples after it ended
        watch.stop.set()
        watch.join(10)
        grew = (watch.max_rss - before) / MIB
        print(
            f"bomb ({case}): {parsed['status']} in {took:.2f} s, server RSS {before / MIB:.1f} MiB, "
            f"at most {watch.max_rss / MIB:.1f} MiB (+{grew:.1f}), "
            f"/ok max {max(watch.latencies) * 1000:.0f} ms over {len(watch.latencies)} requests"
        )
        assert parsed["status"] == "failed"
        assert reason in parsed["parseError"], parsed["parseError"]
        assert took < 10
        assert grew <= 64, f"the server grew by {grew:.1f} MiB"
        assert len(watch.latencies) > 5 and max(watch.latencies) < 1.0, watch.latencies


def wait_parsed(c: httpx.Client, file_id: str, within: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        body: dict[str, Any] = c.get(f"/contexts/file/{file_id}").json()
        if body["status"] != "parsing" or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


# ---- slow clients ------------------------------------------------------------------------------------------
HEAD_TIMEOUT, BODY_TIMEOUT, BODY_IDLE = 2.0, 4.0, 3.0
SLACK = 2.0  # accepting thousands of connections at once, on a shared machine


@dataclass
class Slow:
    sock: socket.socket
    kind: str  # head | body
    opened: float
    closed: float | None = None
    answer: bytes = b""


class Normal(threading.Thread):
    """A normal client meanwhile: a fresh connection every 0.2 s, each answered in < 1 s. Raw sockets, so
    the time measured is the server's, not this process's (httpx builds an SSL context per call)."""

    def __init__(self, s: Served):
        super().__init__(daemon=True)
        self.s, self.stop, self.results = s, threading.Event(), list[tuple[bytes, float]]()

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.monotonic()
            answer = b""
            try:
                with socket.create_connection(("127.0.0.1", self.s.port), timeout=5) as sock:
                    sock.sendall(b"GET /api/ai/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    while chunk := sock.recv(4096):
                        answer += chunk
            except OSError:
                pass
            self.results.append((answer[:12], time.monotonic() - start))
            self.stop.wait(0.2)


def open_slow(s: Served, kind: str) -> Slow:
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    slow = Slow(sock, kind, time.monotonic())
    try:
        if kind == "head":
            sock.sendall(b"GET /api/ai/ok HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        else:
            sock.sendall(
                f"POST /api/ai/threads HTTP/1.1\r\nHost: x\r\nx-api-key: {s.key}\r\n"
                "content-type: application/json\r\ncontent-length: 100000\r\n\r\n{".encode()
            )
    except OSError:
        slow.closed = time.monotonic()  # refused or evicted already
    sock.setblocking(False)
    return slow


def read_closed(slow: Slow) -> None:
    try:
        data = slow.sock.recv(4096)
    except BlockingIOError:
        return
    except OSError:
        data = b""
    slow.answer += data
    if not data:
        slow.closed = time.monotonic()


def test_stalled_heads_and_trickling_bodies_are_cut_off_under_a_small_fd_limit(tmp_path: Path) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))  # 2,500 sockets from here
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= 3000, "this test needs 3,000 open files"
    limits = {
        "XPERT_HEAD_TIMEOUT": str(HEAD_TIMEOUT),
        "XPERT_BODY_TIMEOUT": str(BODY_TIMEOUT),
        "XPERT_BODY_IDLE_TIMEOUT": str(BODY_IDLE),
    }
    with serving(tmp_path / "data", open_files=1024, **limits) as s:
        normal = Normal(s)
        normal.start()
        slow: list[Slow] = []
        try:
            for i in range(2500):  # 2,000 stalled heads and 500 trickling bodies, interleaved
                slow.append(open_slow(s, "body" if i % 5 == 0 else "head"))
            ready = selectors.DefaultSelector()  # epoll: this process stays out of the server's way
            for x in slow:
                if x.closed is None:
                    ready.register(x.sock, selectors.EVENT_READ, x)
            deadline = time.monotonic() + BODY_TIMEOUT + 3 * SLACK
            next_trickle = time.monotonic()
            while time.monotonic() < deadline and ready.get_map():
                for key, _ in ready.select(timeout=0.1):
                    read_closed(key.data)
                    if key.data.closed is not None:
                        ready.unregister(key.fileobj)
                if time.monotonic() >= next_trickle:
                    next_trickle += 1.0
                    for x in slow:
                        if x.kind == "body" and x.closed is None:
                            try:
                                x.sock.send(b" ")  # one byte a second: never idle, never done
                            except BlockingIOError:
                                pass
                            except OSError:
                                pass  # closed: the selector reports it
        finally:
            normal.stop.set()
            normal.join(10)
            for x in slow:
                x.sock.close()
        open_left = [x for x in slow if x.closed is None]
        assert not open_left, f"{len(open_left)} slow connections still open"
        worst = {
            kind: max(x.closed - x.opened for x in slow if x.kind == kind)  # type: ignore[operator]
            for kind in ("head", "body")
        }
        timed_out = sum(x.answer.startswith(b"HTTP/1.1 408") for x in slow)
        statuses = [status for status, _ in normal.results]  # the first bytes of each answer
        slowest = max(latency for _, latency in normal.results)
        print(
            f"slow clients: heads closed within {worst['head']:.2f} s, bodies within {worst['body']:.2f} s "
            f"({timed_out} with a 408); normal requests {len(statuses)}, slowest {slowest * 1000:.0f} ms"
        )
        assert worst["head"] <= HEAD_TIMEOUT + SLACK and worst["body"] <= BODY_TIMEOUT + SLACK, worst
        assert len(statuses) >= 10 and set(statuses) == {b"HTTP/1.1 200"}, statuses
        assert slowest < 1.0, [f"{latency:.3f}" for _, latency in normal.results]
        assert "Open connections reached the limit of 896 (XPERT_MAX_CONNECTIONS)" in s.output()
        assert "Traceback" not in s.output() and "Too many open files" not in s.output(), s.output()[-3000:]


# ---- the documentation -------------------------------------------------------------------------------------
def test_docs_security_lists_every_limit_setting() -> None:
    from dataclasses import fields

    from xpert_server.config import Settings

    doc = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    limit_words = ("max_", "timeout", "rate_limit", "parse_", "retention", "stream_ttl")
    names = [f.name for f in fields(Settings) if any(w in f.name for w in limit_words)]
    assert len(names) >= 15
    missing = [n for n in names if f"`XPERT_{n.upper()}`" not in doc]
    assert not missing, f"docs/security.md does not list {missing}"
