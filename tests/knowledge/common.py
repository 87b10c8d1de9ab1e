"""Helpers of the knowledge tests: waiting for parses and ingestion, and the retrieval evaluation."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx

from tests.knowledge.corpus import DOCS, QUESTIONS


async def wait_parsed(c: httpx.AsyncClient, file_id: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        resp = await c.get(f"/contexts/file/{file_id}")
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        if body["parseStatus"] != "parsing":
            return body
        assert time.monotonic() < deadline, f"file {file_id} still parsing"
        await asyncio.sleep(0.05)


async def wait_processed(
    c: httpx.AsyncClient,
    kb_id: str,
    ids: list[str],
    timeout: float = 120.0,
    seen: list[list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        resp = await c.get(f"/knowledges/{kb_id}/status", params={"ids": ",".join(ids)})
        assert resp.status_code == 200, resp.text
        statuses: list[dict[str, Any]] = resp.json()
        if seen is not None:
            seen.append(statuses)
        if len(statuses) == len(ids) and all(s["status"] in ("finish", "error") for s in statuses):
            return statuses
        assert time.monotonic() < deadline, f"documents not processed: {statuses}"
        await asyncio.sleep(0.05)


async def ingest_corpus(c: httpx.AsyncClient, name: str) -> str:
    kb = (await c.post("/knowledges", json={"name": name, "recall": {"topK": 3}})).json()
    docs = [{"name": n, "text": t} for n, t in DOCS.items()]
    created = (await c.post(f"/knowledges/{kb['id']}/bulk", json=docs)).json()
    ids = [d["id"] for d in created]
    assert (await c.post(f"/knowledges/{kb['id']}/process", json=ids)).status_code == 201
    statuses = await wait_processed(c, kb["id"], ids)
    assert all(s["status"] == "finish" for s in statuses), statuses
    return str(kb["id"])


@dataclass
class Scores:
    mode: str
    mrr: float
    hit3: float
    hit3_cross: float
    misses: list[str]


async def evaluate(c: httpx.AsyncClient, kb_id: str, mode: str) -> Scores:
    rr: list[float] = []
    hits: list[bool] = []
    cross_hits: list[bool] = []
    misses: list[str] = []
    for q in QUESTIONS:
        resp = await c.post(f"/knowledges/{kb_id}/search", json={"query": q.text, "topK": 10, "mode": mode})
        assert resp.status_code == 201, resp.text
        names = [i["document_name"] for i in resp.json()["items"]]
        rank = names.index(q.doc) + 1 if q.doc in names else None
        rr.append(1.0 / rank if rank else 0.0)
        hit = rank is not None and rank <= 3
        hits.append(hit)
        if q.cross:
            cross_hits.append(hit)
        if not hit:
            misses.append(f"{q.text} → {names[:3]}")
    n = len(QUESTIONS)
    return Scores(mode, sum(rr) / n, sum(hits) / n, sum(cross_hits) / max(len(cross_hits), 1), misses)
