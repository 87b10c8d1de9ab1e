"""The security review, one test per item: credentials never logged, SSRF guard, CORS closed by default,
upload names sanitised, security headers on the widget and demo pages, constant-time comparisons, and
limits on body size, header size and open streams per credential.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import secrets
import socket
import time
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.graphs_scripted import TICKER_CHUNKS, TICKER_DELAY
from tests.harness.app import ApiHarness, open_harness
from tests.harness.chat import send
from tests.harness.served import cli, server_env, serving
from tests.harness.xperts import SCRIPTED, write_xperts
from xpert_server.agents.registry import demo_path, load_file_into
from xpert_server.agents.tools import http as http_tool
from xpert_server.auth.principal import Principal
from xpert_server.errors import TooManyRequests
from xpert_server.knowledge import signing
from xpert_server.limits.streams import StreamSlots

CREDENTIAL = re.compile(r"(?:sk|cs)-x-[0-9A-Za-z-]{16,}")


# ---- credentials never logged ------------------------------------------------------------------------


@pytest.mark.any_mode
def test_no_key_or_secret_is_ever_logged(tmp_path: Path) -> None:
    """A server at log level debug (access log on) sees keys created, used, refused, revoked and expired,
    secrets minted, used and refused, runs and uploads: its whole output holds no credential."""
    data = tmp_path / "data"
    with serving(data, XPERT_LOG_LEVEL="debug") as s:
        seen: list[str] = [s.key]
        created = cli("keys", "create", "--name", "logged?", "--data-dir", str(data), env=server_env())
        assert created.returncode == 0, created.stderr
        new_key = created.stdout.strip().splitlines()[-1]
        seen.append(new_key)
        wrong_key, wrong_secret = "sk-x-" + secrets.token_hex(24), "cs-x-" + secrets.token_hex(32)
        seen += [wrong_key, wrong_secret]
        with s.client(s.key, x_principal_user_id="log-user") as c:
            (demo,) = c.post("/assistants/search", json={"metadata": {"slug": "demo"}}).json()
            session = c.post("/v1/chatkit/sessions", json={"expires_after": 1}).json()
            minted = session["client_secret"]
            expires_at = datetime.fromisoformat(session["expires_at"].replace("Z", "+00:00")).timestamp()
            seen.append(minted)
            for header in (
                {"x-api-key": wrong_key},
                {"authorization": f"Bearer {wrong_key}"},
                {"x-client-secret": wrong_secret},
                {"authorization": f"Bearer {wrong_secret}x"},
                {"authorization": f"Basic {wrong_key}"},
                {"x-api-key": (wrong_key + "\u00e9").encode()},
            ):
                c.post("/threads", json={}, headers=header)
            thread = c.post("/threads", json={}).json()
            c.post(
                f"/threads/{thread['thread_id']}/runs/wait",
                json={"assistant_id": demo["assistant_id"], "input": send(f"my key is {wrong_key}")},
            )
        with s.client(None, x_client_secret=minted) as c:
            tid = c.post("/threads", json={}).json()["thread_id"]
            with c.stream(
                "POST",
                f"/threads/{tid}/runs/stream",
                json={"assistant_id": demo["assistant_id"], "input": send("hi")},
            ) as r:
                r.read()
            c.post("/contexts/file", files={"file": ("a.txt", b"hello", "text/plain")})
            c.post("/v1/chatkit/sessions", json={})  # a secret may not mint: refused
            # A server in another process keeps the wall clock: wait out what is left of the second.
            time.sleep(max(0.0, expires_at + 0.1 - time.time()))
            assert c.post("/threads", json={}).json()["message"] == "Token expired"
        with s.client(new_key) as c:
            assert c.post("/threads/count", json={}).status_code == 201
        listed = cli("keys", "list", "--data-dir", str(data), env=server_env())
        assert listed.returncode == 0, listed.stderr
        output = s.output()
    assert "GET /api/ai/ok" in output or "POST /api/ai/threads" in output, "the access log was not on"
    for value in seen:
        assert value not in output, f"a credential ({value[:9]}…) is in the server's log"
        assert value[5:21] not in output
    assert not CREDENTIAL.findall(output), CREDENTIAL.findall(output)[:3]


# ---- SSRF --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.1/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0177.0.0.1/",
        "http://localhost:8000/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://10.0.0.1/",
        "http://192.168.0.1/",
        "http://172.31.255.255/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",
        "http://[64:ff9b::7f00:1]/",
        "http://[::127.0.0.1]/",
        "http://224.0.0.1/",
    ],
)
@pytest.mark.any_mode
async def test_the_http_tool_refuses_loopback_and_private_addresses(url: str) -> None:
    with pytest.raises(http_tool.FetchRefused):
        await http_tool.checked_address(url, allow_private=False)


@pytest.mark.any_mode
async def test_the_http_tool_reaches_private_addresses_only_when_configured() -> None:
    _, _, ip = await http_tool.checked_address("http://127.0.0.1:9/", allow_private=True)
    assert str(ip) == "127.0.0.1"
    assert http_tool.HttpGetConfig().allow_private is False
    for url in ("file:///etc/passwd", "gopher://127.0.0.1/", "http://user:pw@example.com/"):
        with pytest.raises(http_tool.FetchRefused):
            await http_tool.checked_address(url, allow_private=True)


# ---- CORS, headers, uploads (in process) -------------------------------------------------------------


async def test_cors_is_closed_unless_configured(api: ApiHarness) -> None:
    origin = "https://evil.example"
    key, _ = await api.mint_key()
    async with api.client(key, origin=origin) as c:
        preflight = await c.options(
            "/threads",
            headers={"access-control-request-method": "POST", "access-control-request-headers": "x-api-key"},
        )
        calls = [
            preflight,
            await c.post("/threads/search", json={}),
            await c.get("/threads/nope"),
            await c.post("/threads", json={}, headers={"x-api-key": "sk-x-wrong"}),
        ]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app), base_url="http://test") as raw:
        calls.append(await raw.get("/chatkit/chatkit.js", headers={"origin": origin}))
    for resp in calls:
        assert not any(h.startswith("access-control-") for h in resp.headers), (
            resp.request.url,
            resp.headers,
        )


async def test_the_widget_and_demo_pages_send_security_headers(api: ApiHarness) -> None:
    await load_file_into(api.services.storage, demo_path())  # the demo xpert (a shared database may lack it)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app), base_url="http://test") as c:
        pages = {
            path: await c.get(path)
            for path in (
                "/",
                "/chatkit/chatkit.js",
                "/chatkit/chatkit.css",
                "/demo/demo.js",
                "/demo/demo.css",
            )
        }
        session = await c.post("http://localhost/demo/session")
    for path, resp in pages.items():
        assert resp.status_code == 200, path
        csp = resp.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, (path, csp)
        assert resp.headers["x-content-type-options"] == "nosniff", path
        assert resp.headers["referrer-policy"] == "no-referrer", path
    page_csp = pages["/"].headers["content-security-policy"]
    assert "script-src 'self'" in page_csp and "unsafe-inline" not in page_csp.split("style-src")[0]
    assert "base-uri 'none'" in page_csp and "form-action 'none'" in page_csp
    assert pages["/"].headers["content-type"].startswith("text/html")
    assert session.status_code == 200 and session.headers["cache-control"] == "no-store"
    assert session.headers["x-content-type-options"] == "nosniff"
    cookie = session.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/demo" in cookie


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (b"../../etc/passwd", "passwd"),
        (b"..\\..\\windows\\win.ini", "win.ini"),
        (b"a\x00b\x1b\x7f.txt", "a_b_.txt"),
        (b"<script>alert(1)<\\script>.html", "script_.html"),
        (b".hidden", "hidden"),
        (b"x" * 300 + b".txt", None),
        ("…/ünïcødé name.pdf".encode(), "ünïcødé name.pdf"),
        (b"CON:stream.txt", "CON_stream.txt"),
        (b"   ", "upload"),
    ],
)
async def test_upload_names_are_sanitised(api: ApiHarness, raw: bytes, shown: str | None) -> None:
    key, org = await api.mint_key()
    boundary = secrets.token_hex(8)
    # Handwritten multipart: the file name's bytes reach the server as they are (httpx would escape some).
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
        + raw
        + f'"\r\nContent-Type: text/html\r\n\r\n<html><script>x</script></html>\r\n--{boundary}--\r\n'.encode()
    )
    async with api.client(key) as c:
        up = await c.post(
            "/contexts/file",
            content=body,
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        assert up.status_code == 201, up.text
        name = up.json()["originalName"]
        content = await c.get(f"/contexts/file/{up.json()['id']}/content")
    assert not any(ch in name for ch in "/\\\r\n\x00<>") and not name.startswith(".") and len(name) <= 200
    if shown is not None:
        assert name == shown, name
    disposition = content.headers["content-disposition"]
    assert (
        "\r" not in disposition
        and "\n" not in disposition
        and disposition.startswith("inline; filename*=UTF-8''")
    )
    assert content.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in content.headers["content-security-policy"]
    # On disk the file is named by its id under its org, never by the name it was sent with.
    (stored,) = [p for p in (Path(api.services.files.settings.files_dir) / org).rglob("*") if p.is_file()]
    assert stored.name == up.json()["id"]


# ---- constant-time comparisons ----------------------------------------------------------------------


async def test_credentials_and_signatures_are_compared_in_constant_time(
    api: ApiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    key, _ = await api.mint_key()
    api.services.auth.forget()
    async with api.client(key) as c:
        assert (await c.post("/threads/count", json={})).status_code == 201
    assert compared, "the key's hash was not compared with hmac.compare_digest"
    compared.clear()
    assert signing.verify(
        b"k", "f", str(int(time.time()) + 60), signing.sign(b"k", "f", int(time.time()) + 60)
    )
    assert compared, "file url signatures are not compared with hmac.compare_digest"


async def test_a_non_ascii_signature_is_no_signature(api: ApiHarness) -> None:
    """hmac.compare_digest raises on non-ASCII str: a signed-url check on one was a 500 (no credential)."""
    key, _ = await api.mint_key()
    async with api.client(key) as c:
        file_id = (await c.post("/contexts/file", files={"file": ("a.txt", b"x", "text/plain")})).json()["id"]
    async with api.client(None) as c:
        resp = await c.get(
            f"/contexts/file/{file_id}/content", params={"expires": "9999999999", "signature": "é"}
        )
    assert resp.status_code == 401, resp.text


# ---- limits: body, header, streams -------------------------------------------------------------------


def raw_request(port: int, head: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(head)
            return sock.recv(4096)
        except ConnectionError:
            return b""


@pytest.mark.any_mode
def test_body_and_header_sizes_are_limited(tmp_path: Path) -> None:
    with serving(tmp_path / "data", XPERT_MAX_BODY_BYTES="2048", XPERT_MAX_HEADER_BYTES="8192") as s:
        ok = raw_request(s.port, b"GET /api/ai/ok HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 6000 + b"\r\n\r\n")
        assert ok.startswith(b"HTTP/1.1 200"), ok[:80]
        for head in (
            b"GET /api/ai/ok HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 9000 + b"\r\n\r\n",
            b"GET /api/ai/ok?" + b"q" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
            b"GET /api/ai/ok HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: v\r\n" % i for i in range(2000))
            + b"\r\n",
        ):
            refused = raw_request(s.port, head)
            assert refused.startswith(b"HTTP/1.1 431"), refused[:80]
            assert b'"statusCode":431' in refused
        # A head arriving slowly, byte by byte, is limited too; the server is fine afterwards.
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as sock:
            sock.sendall(b"GET /api/ai/ok HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            try:
                for _ in range(20):
                    sock.sendall(b"b" * 500)
                    time.sleep(0.01)
            except ConnectionError:
                pass
            assert sock.recv(4096).startswith(b"HTTP/1.1 431")
        with s.client(s.key) as c:
            assert c.post("/threads", json={"metadata": {"pad": "x" * 4096}}).status_code == 413
            assert c.post("/threads", json={"metadata": {"pad": "x" * 100}}).status_code == 201
            # Keep-alive requests after a large (allowed) one are not counted together.
            for _ in range(5):
                assert c.get("/ok", headers={"x-pad": "p" * 6000}).status_code == 200


@pytest.fixture(scope="module")
async def streams_app(
    api_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[ApiHarness, str]]:
    """The app and the org of its ticker xpert."""
    xperts = tmp_path_factory.mktemp("stream-xperts")
    org = f"streams-{secrets.token_hex(3)}"
    write_xperts(xperts, SCRIPTED, ["ticker"], org)
    async with open_harness(
        tmp_path_factory.mktemp("streams"),
        api_database_url,
        xperts_dir=xperts,
        max_streams_per_credential=2,
        secret_rate_limit=0,
    ) as h:
        yield h, org


async def test_open_streams_per_credential_are_limited(streams_app: tuple[ApiHarness, str]) -> None:
    h, org = streams_app
    key, _ = await h.mint_key(org)
    other, _ = await h.mint_key(org)
    async with h.client(key) as c:
        (ticker,) = (await c.post("/assistants/search", json={"metadata": {"slug": "ticker"}})).json()
        threads = [(await c.post("/threads", json={})).json()["thread_id"] for _ in range(4)]
        body = {"assistant_id": ticker["assistant_id"], "input": send("go")}

        async def stream(client: httpx.AsyncClient, tid: str) -> httpx.Response:
            return await client.post(f"/threads/{tid}/runs/stream", json=body)

        async with h.client(other) as o:
            first, second, third, others = await asyncio.gather(
                stream(c, threads[0]),
                stream(c, threads[1]),
                delayed(stream(c, threads[2])),
                delayed(stream(o, threads[3])),
            )
        assert first.status_code == second.status_code == 200
        assert third.status_code == 429, third.text
        assert third.headers["retry-after"] == "1" and "streams" in third.json()["message"]
        assert others.status_code == 200, "another credential has streams of its own"
        # The refused stream started nothing; the slots came back once the streams ended.
        assert (await c.get(f"/threads/{threads[2]}/runs")).json() == []
        assert h.app.state.stream_slots.open == {}
        again = await stream(c, threads[2])
        assert again.status_code == 200 and again.text.count("data: ") >= TICKER_CHUNKS


async def delayed(coro: Any) -> Any:
    await asyncio.sleep(TICKER_DELAY * 5)  # the first two streams are open by then
    return await coro


@pytest.mark.any_mode
def test_stream_slots_are_per_credential_and_released_once() -> None:
    slots = StreamSlots(2)
    alice = Principal(org_id="o", kind="key", key_id="k1")
    secret = Principal(org_id="o", kind="secret", secret_id="s1", user_id="u")
    r1, r2 = slots.acquire(alice), slots.acquire(alice)
    with pytest.raises(TooManyRequests):
        slots.acquire(alice)
    r3 = slots.acquire(secret)
    r1()
    r1()  # a second release gives nothing back twice
    r4 = slots.acquire(alice)
    with pytest.raises(TooManyRequests):
        slots.acquire(alice)
    for release in (r2, r3, r4):
        release()
    assert slots.open == {}
    unlimited = StreamSlots(0)
    for _ in range(1000):
        unlimited.acquire(alice)
    assert unlimited.open == {}


# ---- ids ---------------------------------------------------------------------------------------------


@pytest.mark.any_mode
def test_ids_come_from_the_os_csprng(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ids were drawn from a Mersenne Twister (predictable from ~160 of them): someone who predicts the next
    ids can take them first with a client-chosen thread or assistant id and make other tenants' creates fail."""
    from xpert_server import encoding

    drawn: list[int] = []

    def fake_urandom(n: int) -> bytes:
        drawn.append(n)
        return bytes(range(256)) * (n // 256)

    with encoding._pool_lock:
        encoding._pool.clear()
    monkeypatch.setattr(encoding.os, "urandom", fake_urandom)
    before = time.time_ns() // 1_000_000
    try:
        first, second = encoding.new_id(), encoding.new_id()
    finally:
        with encoding._pool_lock:
            encoding._pool.clear()  # never hand out these bytes again
    after = time.time_ns() // 1_000_000
    assert drawn == [4096]
    for made, pool_bytes in ((first, bytes(range(246, 256))), (second, bytes(range(236, 246)))):
        u = uuid.UUID(made)
        assert u.version == 7 and u.variant == uuid.RFC_4122 and str(u) == made
        assert before <= u.int >> 80 <= after  # time-ordered: the clock in ms, then the random bits
        rand = int.from_bytes(pool_bytes, "big")
        assert u.int >> 64 & 0xFFF == rand >> 68 and u.int & ((1 << 62) - 1) == rand & ((1 << 62) - 1)
    monkeypatch.undo()
    assert len({encoding.new_id() for _ in range(5000)}) == 5000
    earlier = encoding.new_id()
    time.sleep(0.002)
    assert encoding.new_id() > earlier  # a later millisecond sorts after: inserts land beside each other


# ---- metrics -----------------------------------------------------------------------------------------


async def test_made_up_methods_do_not_grow_the_metrics(api: ApiHarness) -> None:
    series = api.app.state.request_metrics.latency
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app), base_url="http://test") as c:
        for i in range(50):
            await c.request(f"X{i}", "/api/ai/no-such-route")
    methods = {method for method, _, _ in series}
    assert not any(m.startswith("X") for m in methods), methods
    assert "OTHER" in methods
