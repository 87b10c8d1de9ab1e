"""`xpert knowledge ingest PATH... --kb NAME`, run as a subprocess; the server then searches what it ingested."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.harness.app import open_harness
from tests.harness.served import cli
from tests.knowledge.docs import manual_pdf


@pytest.mark.any_mode
def test_ingest_then_the_server_searches_it(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "manual.pdf").write_bytes(manual_pdf())
    (docs / "sub" / "退货.md").write_text("# 退货政策\n\n签收后三十天内可以无理由退货。", encoding="utf-8")
    (docs / ".hidden").write_text("skipped", encoding="utf-8")
    (docs / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    data = tmp_path / "data"
    run = cli("knowledge", "ingest", str(docs), "--kb", "manuals", "--data-dir", str(data), timeout=120)
    # One document fails (the broken PDF): reported, and the exit code says so.
    assert run.returncode == 1, run.stderr
    assert "Embedding (3/3 documents)" in run.stderr
    assert "2 of 3 documents ready" in run.stderr
    assert "manual.pdf" in run.stdout and "finish" in run.stdout and "error" in run.stdout
    found = cli("knowledge", "search", "退货期限", "--kb", "manuals", "--data-dir", str(data), timeout=120)
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[0].split("\t")[1] == "退货.md"


async def test_server_sees_cli_ingested_documents(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("The X9 drone flies for 42 minutes on one battery.", encoding="utf-8")
    data = tmp_path / "data"
    ingested = await asyncio.to_thread(
        cli,
        "knowledge",
        "ingest",
        str(tmp_path / "note.txt"),
        "--kb",
        "drones",
        "--data-dir",
        str(data),
        timeout=120,
    )
    assert ingested.returncode == 0, ingested.stderr
    async with open_harness(data, f"sqlite:///{data / 'xpert.db'}") as h:
        key, _ = await h.mint_key("default")
        async with h.client(key) as c:
            items = (await c.post("/knowledges/drones/search", json={"query": "drone battery time"})).json()[
                "items"
            ]
            assert items[0]["document_name"] == "note.txt"
