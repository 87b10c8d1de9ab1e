"""Issue 17's limits against a real `xpert serve`: every run follower (stream, join, wait, stateless wait)
counts against XPERT_MAX_STREAMS_PER_CREDENTIAL and frees its slot when its client leaves."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.graphs_for_tests import __file__ as graphs_file
from tests.hardening.graphs_slow import __file__ as slow_file
from tests.hardening.served import PREFIX, Served, serving


def send(text: str) -> dict[str, Any]:
    return {"action": "send", "message": {"input": {"input": text}}}


@pytest.fixture(scope="module")
def three_followers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("followers")
    xperts = root / "xperts"
    xperts.mkdir()
    (xperts / "sleeper.yaml").write_text(f"name: Sleeper\nslug: sleeper\ngraph: {slow_file}:sleeper\n")
    (xperts / "echo.yaml").write_text(f"name: Echo\nslug: echo\ngraph: {graphs_file}:echo\n")
    with serving(root / "data", args=("--xperts", str(xperts)), XPERT_MAX_STREAMS_PER_CREDENTIAL="3",
                 XPERT_SECRET_RATE_LIMIT="0") as s:
        yield s


def raw_request(s: Served, method: str, path: str, body: dict[str, Any] | None = None) -> socket.socket:
    """A follower on its own connection, left open: closing the socket is the client going away."""
    data = json.dumps(body).encode() if body is not None else b""
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    sock.sendall(f"{method} {PREFIX}{path} HTTP/1.1\r\nHost: x\r\nx-api-key: {s.key}\r\n"
                 f"content-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n".encode() + data)
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
        done = c.post(f"/threads/{threads[0]}/runs/wait", json={"assistant_id": echo["assistant_id"],
                                                                "input": send("done")})
        assert done.status_code == 201 and done.json()["content"] == "done"
        (finished,) = c.get(f"/threads/{threads[0]}/runs").json()
        probe = f"/threads/{threads[0]}/runs/{finished['run_id']}/join"  # answers at once: its run is over
        live = c.post(f"/threads/{threads[1]}/runs", json={"assistant_id": sleeper["assistant_id"],
                                                           "input": send("zz")}).json()
        sleep_body = {"assistant_id": sleeper["assistant_id"], "input": send("zz")}

        # Joins (of the reply and of the stream) hold slots: the 4th join and the 4th wait are refused.
        run_path = f"/threads/{threads[1]}/runs/{live['run_id']}"
        joins = open_followers(s, ("GET", f"{run_path}/join", None), ("GET", f"{run_path}/join", None),
                               ("GET", f"{run_path}/stream", None))
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
        waits = open_followers(s, ("POST", f"/threads/{threads[3]}/runs/wait", sleep_body),
                               ("POST", f"/threads/{threads[4]}/runs/wait", sleep_body),
                               ("POST", "/runs/wait", sleep_body))
        wait_for_status(c, probe, 429)
        assert c.post(f"/threads/{threads[5]}/runs/wait", json=sleep_body).status_code == 429
        assert c.get(f"/threads/{live['thread_id']}/runs/{live['run_id']}/stream").status_code == 429
        for sock in waits:
            sock.close()
        freed = wait_for_status(c, probe, 200)
        assert freed < 2.0, f"slots came back {freed:.2f} s after the waits disconnected"
        assert c.post(f"/threads/{threads[5]}/runs/wait", json={"assistant_id": echo["assistant_id"],
                                                                "input": send("again")}).json()["content"] == "again"
    assert "Traceback" not in s.output()
