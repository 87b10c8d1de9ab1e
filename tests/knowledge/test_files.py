"""Context files: the seed's upload, text extraction per format, limits and bad input, tenancy, urls."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness.app import open_harness
from tests.knowledge.common import wait_parsed
from tests.knowledge.conftest import KEnv
from tests.knowledge.docs import FACT, make_docx, manual_pdf

AGENT_FILE_FIELDS = {
    "id",
    "fileId",
    "url",
    "fileUrl",
    "originalName",
    "name",
    "size",
    "mimeType",
    "mimetype",
    "status",
    "parseStatus",
    "purpose",
    "parseMode",
    "capabilities",
    "summary",
}
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8"
    "cfc0f01f0005000201a1d0b3a90000000049454e44ae426082"
)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_seed_upload_returns_agent_file(kenv: KEnv) -> None:
    pdf = manual_pdf()
    async with await kenv.client() as c:
        # curl -X POST .../contexts/file -H "x-api-key: sk-x-…" -F "file=@./manual.pdf"
        resp = await c.post("/contexts/file", files={"file": ("manual.pdf", pdf, "application/pdf")})
        assert resp.status_code == 201, resp.text
        body = resp.json()
        assert AGENT_FILE_FIELDS <= set(body)
        assert body["id"] == body["fileId"]
        assert body["url"] == body["fileUrl"] and "/contexts/file/" in body["url"]
        assert (body["originalName"], body["name"]) == ("manual.pdf", "manual.pdf")
        assert body["size"] == len(pdf)
        assert body["mimeType"] == body["mimetype"] == "application/pdf"
        assert body["status"] == body["parseStatus"] == "parsing"
        assert (body["purpose"], body["parseMode"]) == ("chat_attachment", "auto")
        assert body["sha256"] == hashlib.sha256(pdf).hexdigest()
        done = await wait_parsed(c, body["id"])
        assert done["parseStatus"] == done["status"] == "ready"
        assert {"read", "search"} <= set(done["capabilities"])
        assert done["summary"].startswith("AquaFlow X200 Pump Manual")
        # The url is signed: it works with no credentials at all (an <img> or a link in a browser).
        async with kenv.harness.client() as anonymous:
            got = await anonymous.get(body["url"].split("/api/ai", 1)[1])
            assert got.status_code == 200
            assert got.content == pdf
            assert got.headers["content-type"] == "application/pdf"
            assert "sandbox" in got.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("name", "data", "expect"),
    [
        (
            "notes.docx",
            make_docx(["The lighthouse keeper logs every storm."], [["model", "price"], ["R5", "99"]]),
            ["lighthouse keeper", "R5 | 99"],
        ),
        (
            "page.html",
            b"<html><head><title>Pricing</title><script>alert(1)</script></head>"
            b"<body><h1>Plans</h1><p>Pro costs 20 euros.</p></body></html>",
            ["Pricing", "Pro costs 20 euros."],
        ),
        ("readme.md", b"# Setup\n\nRun `make install` first.\n", ["Run `make install` first."]),
        ("table.csv", b"city;population\nLyon;522000\n", ["Lyon | 522000"]),
        ("data.json", json.dumps({"fruit": "苹果", "count": 3}).encode(), ['"fruit": "苹果"']),
        ("gbk.txt", "保修期为七年。".encode("gb18030"), ["保修期为七年"]),
    ],
)
async def test_extraction_per_format(kenv: KEnv, name: str, data: bytes, expect: list[str]) -> None:
    async with await kenv.client() as c:
        resp = await c.post("/contexts/file", files={"file": (name, data)})
        assert resp.status_code == 201, resp.text
        done = await wait_parsed(c, resp.json()["id"])
        assert done["parseStatus"] == "ready", done
        docs = await kenv.harness.services.files.attachments(  # type: ignore[union-attr]
            await _principal(kenv, c), [{"id": done["id"]}]
        )
        for snippet in expect:
            assert snippet in docs[0]["content"]
        assert "alert(1)" not in docs[0]["content"]


async def _principal(kenv: KEnv, c: object) -> object:
    from xpert_server.auth.authenticator import Credentials

    key = c.headers["x-api-key"]  # type: ignore[attr-defined]
    return await kenv.harness.services.auth.authenticate(Credentials(token=key))


async def test_corrupt_pdf_fails_and_harms_nothing_else(kenv: KEnv) -> None:
    async with await kenv.client() as c:
        bad = await c.post(
            "/contexts/file", files={"file": ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Cat")}
        )
        good = await c.post("/contexts/file", files={"file": ("ok.txt", b"still fine")})
        zipped = await c.post("/contexts/file", files={"file": ("a.zip", b"PK\x03\x04" + b"\x00" * 64)})
        assert bad.status_code == good.status_code == zipped.status_code == 201
        failed = await wait_parsed(c, bad.json()["id"])
        assert failed["parseStatus"] == failed["status"] == "failed"
        assert failed["parseError"]
        assert failed["capabilities"] == ["preview"]
        assert (await wait_parsed(c, good.json()["id"]))["parseStatus"] == "ready"
        assert (await wait_parsed(c, zipped.json()["id"]))["parseStatus"] == "failed"


async def test_image_is_ready_for_vision(kenv: KEnv) -> None:
    async with await kenv.client() as c:
        body = (await c.post("/contexts/file", files={"file": ("dot.png", PNG)})).json()
        assert body["mimeType"] == "image/png"
        assert body["parseStatus"] == "ready"
        assert "vision" in body["capabilities"]
        (doc,) = await kenv.harness.services.files.attachments(  # type: ignore[union-attr]
            await _principal(kenv, c), [body]
        )
        assert doc["type"] == "image"
        assert doc["image_url"].startswith("data:image/png;base64,")


async def test_empty_file_is_refused_and_not_kept(kenv: KEnv) -> None:
    async with await kenv.client() as c:
        before = stored_files(kenv.files_dir)
        resp = await c.post("/contexts/file", files={"file": ("empty.txt", b"")})
        assert resp.status_code == 400
        assert "empty" in resp.json()["message"]
        assert stored_files(kenv.files_dir) == before


async def test_bad_form_input(kenv: KEnv) -> None:
    async with await kenv.client() as c:
        before = stored_files(kenv.files_dir)
        bad_mode = await c.post("/contexts/file", files={"file": ("a.txt", b"x")}, data={"parseMode": "ocr"})
        assert bad_mode.status_code == 400
        assert "parseMode" in bad_mode.json()["message"]
        no_file = await c.post("/contexts/file", data={"purpose": "knowledge"}, files={"other": ("x", b"1")})
        assert no_file.status_code == 400
        not_multipart = await c.post("/contexts/file", json={"file": "x"})
        assert not_multipart.status_code == 400
        assert stored_files(kenv.files_dir) == before
        none = await c.post(
            "/contexts/file",
            files={"file": ("raw.txt", b"abc")},
            data={"parseMode": "none", "purpose": "knowledge", "threadId": "t-1"},
        )
        assert none.status_code == 201
        assert (none.json()["parseStatus"], none.json()["purpose"], none.json()["threadId"]) == (
            "uploaded",
            "knowledge",
            "t-1",
        )


TRUNCATED_BOUNDARY = "tr0ncated"
_PART = (
    f'--{TRUNCATED_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\n'
    "Content-Type: text/plain\r\n\r\nthe first half of a file"
)


@pytest.mark.parametrize(
    "body",
    [
        _PART,  # the connection ended inside the file part
        _PART + f"\r\n--{TRUNCATED_BOUNDARY}",  # a delimiter, but not the closing one
        _PART + f"\r\n--{TRUNCATED_BOUNDARY}\r\n",  # a next part that never came
        f"--{TRUNCATED_BOUNDARY}\r\nContent-Disposition: form-da",  # inside the headers
    ],
    ids=["in-data", "no-closing-dashes", "next-part-missing", "in-headers"],
)
async def test_multipart_without_its_closing_boundary_is_400_and_not_kept(kenv: KEnv, body: str) -> None:
    async with await kenv.client() as c:
        before = stored_files(kenv.files_dir)
        resp = await c.post(
            "/contexts/file",
            content=body.encode(),
            headers={"content-type": f"multipart/form-data; boundary={TRUNCATED_BOUNDARY}"},
        )
        assert resp.status_code == 400, resp.text
        assert "multipart" in resp.json()["message"]
        assert stored_files(kenv.files_dir) == before


async def test_path_traversal_names_are_sanitised(kenv: KEnv) -> None:
    async with await kenv.client() as c:
        for raw, clean in [
            ("../../etc/passwd", "passwd"),
            ("..\\..\\boot.ini", "boot.ini"),
            ("/abs/./x.txt", "x.txt"),
            ("..", "upload"),
            ("a<b>c|d?.txt", "a_b_c_d_.txt"),
            (".hidden", "hidden"),
        ]:
            resp = await c.post("/contexts/file", files={"file": (raw, b"data")})
            assert resp.status_code == 201, (raw, resp.text)
            assert resp.json()["originalName"] == clean, raw
        root = kenv.files_dir.resolve()
        assert all(p.resolve().is_relative_to(root) for p in stored_files(root))
        assert not (kenv.data_dir.parent / "etc").exists()


async def test_another_orgs_file_is_404(kenv: KEnv) -> None:
    async with await kenv.client() as a, await kenv.client() as b:
        fid = (await a.post("/contexts/file", files={"file": ("a.txt", b"secret plans")})).json()["id"]
        assert (await b.get(f"/contexts/file/{fid}")).status_code == 404
        assert (await b.get(f"/contexts/file/{fid}/content")).status_code == 404
        assert (await b.delete(f"/contexts/file/{fid}")).status_code == 404
        thread = (await b.post("/threads", json={})).json()
        assert (await a.get(f"/contexts/file/{fid}/content")).status_code == 200
        assert thread["thread_id"]
        # A bad signature is no signature: the caller's credentials decide (here: none → 401).
        async with kenv.harness.client() as anonymous:
            forged = await anonymous.get(f"/contexts/file/{fid}/content?expires=9999999999&signature=abc")
            assert forged.status_code == 401


async def test_principal_sees_only_its_own_files(kenv: KEnv) -> None:
    key, _ = await kenv.harness.mint_key()
    async with (
        kenv.harness.client(key, x_principal_user_id="alice") as alice,
        kenv.harness.client(key, x_principal_user_id="bob") as bob,
        kenv.harness.client(key) as org,
    ):
        fid = (await alice.post("/contexts/file", files={"file": ("a.txt", b"alice's")})).json()["id"]
        assert (await alice.get(f"/contexts/file/{fid}")).status_code == 200
        assert (await bob.get(f"/contexts/file/{fid}")).status_code == 404
        assert (await bob.get(f"/contexts/file/{fid}/content")).status_code == 404
        assert (await org.get(f"/contexts/file/{fid}")).status_code == 200


async def test_delete_removes_row_and_bytes(kenv: KEnv) -> None:
    async with await kenv.client() as c:
        body = (await c.post("/contexts/file", files={"file": ("gone.txt", b"bye")})).json()
        before = len(stored_files(kenv.files_dir))
        resp = await c.delete(f"/contexts/file/{body['id']}")
        assert resp.status_code == 200
        assert resp.json()["deleted"] is True
        assert (await c.get(f"/contexts/file/{body['id']}")).status_code == 404
        assert len(stored_files(kenv.files_dir)) == before - 1
        assert (await c.delete(f"/contexts/file/{body['id']}")).status_code == 404


@pytest.fixture
async def small(tmp_path: Path) -> AsyncIterator[KEnv]:
    files = tmp_path / "uploads"
    async with open_harness(
        tmp_path, f"sqlite:///{tmp_path / 'x.db'}", max_upload_bytes=4096, files_dir=files
    ) as h:
        yield KEnv(h, tmp_path, files, "sqlite")


async def test_oversize_upload_413_and_nothing_on_disk(small: KEnv) -> None:
    async with await small.client() as c:
        # With a Content-Length: refused before the body is read.
        resp = await c.post("/contexts/file", files={"file": ("big.bin", b"x" * 10_000)})
        assert resp.status_code == 413
        assert resp.json()["statusCode"] == 413

        # Streamed without a Content-Length: cut off mid-way; the partial file is removed.
        boundary = "b0undary"

        async def body() -> AsyncIterator[bytes]:
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
                "Content-Type: text/plain\r\n\r\n"
            ).encode()
            for _ in range(20):
                yield b"y" * 1000
            yield f"\r\n--{boundary}--\r\n".encode()

        resp = await c.post(
            "/contexts/file",
            content=body(),
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        assert resp.status_code == 413
        assert stored_files(small.files_dir) == []
        ok = await c.post("/contexts/file", files={"file": ("small.txt", b"z" * 1000)})
        assert ok.status_code == 201
        assert len(stored_files(small.files_dir)) == 1


async def test_manual_fact_reaches_attachments(kenv: KEnv) -> None:
    async with await kenv.client() as c:
        body = (await c.post("/contexts/file", files={"file": ("manual.pdf", manual_pdf())})).json()
        # Straight away, while it may still be parsing: the resolver waits for the text.
        (doc,) = await kenv.harness.services.files.attachments(  # type: ignore[union-attr]
            await _principal(kenv, c), [{"id": body["id"], "name": "manual.pdf", "url": body["url"]}]
        )
        assert doc["name"] == "manual.pdf"
        assert FACT in doc["content"]
