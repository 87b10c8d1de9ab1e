"""Knowledge benchmark: ingestion throughput (chunks/s) and search latency (p50/p99) at 10,000 chunks.

    .venv/bin/python bench/knowledge_bench.py                                  # SQLite in a temp dir
    .venv/bin/python bench/knowledge_bench.py --database-url postgresql://postgres@127.0.0.1:5432/bench

Synthetic mixed Chinese/English documents (Zipf-distributed words and characters), one chunk per paragraph (chunkSize 500), ingested through
the same service the API uses (background worker: embed with the offline encoder, write chunks and
index); then `--queries` hybrid, dense and lexical searches, one at a time. A PostgreSQL database is
used as given: point it at a scratch database (its knowledge tables get a new base each run).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from xpert_server.auth.principal import Principal
from xpert_server.config import Settings
from xpert_server.knowledge.wiring import start_knowledge
from xpert_server.storage import create_storage

# Word and character frequencies follow Zipf's law, as in real text: a few very common tokens, a long
# tail of rare ones (which is what makes lexical search selective).
_SYLLABLES = [c + v for c in "bcdfghklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]
_rng = random.Random(1)
EN = sorted({"".join(_rng.choice(_SYLLABLES) for _ in range(_rng.randint(1, 3))) for _ in range(6000)})
ZH = [chr(0x4E00 + i * 7) for i in range(3000)]
EN_W = [1.0 / (r + 1) for r in range(len(EN))]
ZH_W = [1.0 / (r + 1) for r in range(len(ZH))]


def paragraph(rng: random.Random, i: int) -> str:
    if i % 2:
        return f"Section {i}: " + " ".join(rng.choices(EN, EN_W, k=60)).capitalize() + "."
    return f"第{i}节：" + "".join(rng.choices(ZH, ZH_W, k=150)) + "。"


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--chunks", type=int, default=10_000)
    ap.add_argument("--per-doc", type=int, default=20)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kbench-"))
    settings = Settings(data_dir=tmp, database_url=args.database_url, extra={"files_dir": str(tmp / "files")})
    storage = create_storage(settings.resolved_database_url)
    await storage.open()
    files, knowledge = await start_knowledge(storage, settings)
    p = Principal.system("bench")
    await storage.ensure_org("bench")
    rng = random.Random(7)
    try:
        kb = await knowledge.create(
            p,
            f"bench-{int(time.time())}",
            None,
            "organization",
            {"topK": 5},
            {"chunkSize": 500, "chunkOverlap": 0},
            {},
        )
        n_docs = args.chunks // args.per_doc
        docs = [
            {
                "name": f"doc-{d}.md",
                "text": "\n\n".join(paragraph(rng, d * args.per_doc + i) for i in range(args.per_doc)),
            }
            for d in range(n_docs)
        ]
        await knowledge.embedder.embed(["warm up"])  # model load is not ingestion
        records = await knowledge.add_documents(p, kb, docs)
        ids = [r.id for r in records]
        started = time.perf_counter()
        await knowledge.process(kb, ids)
        while True:
            states = await storage.list_documents("bench", kb.id, ids)
            if all(s.status in ("finish", "error") for s in states):
                break
            await asyncio.sleep(0.25)
        elapsed = time.perf_counter() - started
        chunks = sum(s.chunk_count for s in states)
        errors = sum(s.status == "error" for s in states)
        kb = await storage.get_kb("bench", kb.id)
        assert kb is not None
        print(
            f"backend: {storage.dialect.name} ({knowledge.index.description}), embedder {knowledge.embedder.name}"
        )
        print(
            f"ingested {chunks} chunks in {n_docs} documents ({errors} errors) in {elapsed:.1f} s: "
            f"{chunks / elapsed:.0f} chunks/s"
        )
        # Question-sized queries: a few words (or a dozen characters) taken from a random paragraph.
        queries = []
        for i in range(args.queries):
            para = paragraph(rng, rng.randrange(args.chunks))
            start = rng.randrange(0, max(1, len(para) - 40))
            queries.append(para[start : start + (40 if i % 2 else 14)])
        await knowledge.search(kb, queries[0])  # first search loads caches
        for mode in ("hybrid", "dense", "lexical"):
            lat = []
            for q in queries:
                t = time.perf_counter()
                await knowledge.search(kb, q, 5, mode)  # type: ignore[arg-type]
                lat.append((time.perf_counter() - t) * 1000)
            lat.sort()
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            print(
                f"search {mode:7s}: p50 {statistics.median(lat):.1f} ms  p99 {p99:.1f} ms  ({len(lat)} queries)"
            )
    finally:
        await knowledge.close()
        await files.close()
        await storage.close()


if __name__ == "__main__":
    asyncio.run(main())
