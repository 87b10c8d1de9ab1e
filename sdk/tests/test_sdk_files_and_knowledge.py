"""Uploads go out as multipart part `file`; `wait_until_ready` polls document status until settled."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest
from sdk_testkit import ClientFactory, Replies, call, json_response

UPLOADED = json_response({"id": "f-1", "originalName": "manual.pdf"}, 201)


def part_headers(request: httpx.Request) -> bytes:
    return request.content.split(b"\r\n\r\n")[0]


async def test_upload_bytes(make_client: ClientFactory) -> None:
    server = Replies(UPLOADED)
    result = await call(make_client(server).contexts.upload_file, b"%PDF-1.7 hello", filename="manual.pdf")
    assert result == {"id": "f-1", "originalName": "manual.pdf"}
    [request] = server.requests
    assert (request.method, request.url.path) == ("POST", "/api/ai/contexts/file")
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="file"; filename="manual.pdf"' in request.content
    assert b"Content-Type: application/pdf" in request.content
    assert b"%PDF-1.7 hello" in request.content
    assert b'name="purpose"' not in request.content


async def test_nameless_bytes_are_called_upload(make_client: ClientFactory) -> None:
    server = Replies(UPLOADED)
    await call(make_client(server).contexts.upload_file, b"hello")
    assert b'name="file"; filename="upload"' in server.requests[0].content


async def test_upload_from_a_path_with_purpose(make_client: ClientFactory, tmp_path: Path) -> None:
    document = tmp_path / "notes.txt"
    document.write_bytes(b"line one\nline two\n" * 1000)
    server = Replies(UPLOADED)
    await call(make_client(server).contexts.upload_file, str(document), purpose="knowledge")
    content = server.requests[0].content
    assert b'name="file"; filename="notes.txt"' in content
    assert b"line one\nline two\n" * 1000 in content
    assert b'name="purpose"\r\n\r\nknowledge' in content


async def test_upload_from_a_pathlike_and_a_file_object(make_client: ClientFactory, tmp_path: Path) -> None:
    document = tmp_path / "data.csv"
    document.write_bytes(b"a,b\n1,2\n")
    server = Replies(UPLOADED)
    client = make_client(server)
    await call(client.contexts.upload_file, document)
    with document.open("rb") as handle:
        await call(client.contexts.upload_file, handle)
    await call(client.contexts.upload_file, io.BytesIO(b"raw"), filename="raw.bin")
    names = [part_headers(request) for request in server.requests]
    assert b'filename="data.csv"' in names[0] and b'filename="data.csv"' in names[1]
    assert b'filename="raw.bin"' in names[2]
    assert all(b'name="file"' in name for name in names)


def statuses(*states: str) -> httpx.Response:
    return json_response(
        [{"id": f"d-{i}", "status": state, "progress": 50} for i, state in enumerate(states)]
    )


async def test_wait_until_ready_polls_until_every_document_settles(
    make_client: ClientFactory, sleeps: list[float]
) -> None:
    server = Replies(
        statuses("running", "waiting"), statuses("finish", "embedding"), statuses("finish", "error")
    )
    progress: list[list[str]] = []
    client = make_client(server)

    final = await call(
        client.knowledges.wait_until_ready,
        "kb-1",
        ["d-0", "d-1"],
        on_progress=lambda docs: progress.append([doc["status"] for doc in docs]),
        poll_interval=0.25,
    )

    assert [doc["status"] for doc in final] == ["finish", "error"]
    assert progress == [["running", "waiting"], ["finish", "embedding"], ["finish", "error"]]
    assert sleeps == [0.25, 0.25]
    assert all(dict(r.url.params) == {"ids": "d-0,d-1"} for r in server.requests)


async def test_wait_until_ready_times_out(make_client: ClientFactory) -> None:
    server = Replies(statuses("running"))
    with pytest.raises(TimeoutError, match="d-0"):
        await call(make_client(server).knowledges.wait_until_ready, "kb-1", ["d-0"], timeout=0)
