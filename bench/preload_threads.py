"""Pre-create N threads directly through the server's storage layer (no HTTP), for the "100k threads
stored" variant of `make bench`. Run it while the server is stopped, on the server's database:

    .venv/bin/python bench/preload_threads.py --database-url sqlite:////tmp/x/xpert.db --count 100000
    .venv/bin/python bench/preload_threads.py --database-url postgresql://postgres@127.0.0.1:5432/db

Threads are created in the default org (the org `XPERT_API_KEY` is registered for). `--mode bulk`
(default) writes the same rows `SQLStorage.create_thread` writes (thread + audit entry, same columns)
as multi-row inserts through `storage.write`, thousands per transaction: ~100,000 in seconds.
`--mode calls` awaits `create_thread` itself, `--concurrency` at a time (group commit batches them;
~1,200/s on 2 cores). Prints one JSON line: {"created": N, "seconds": s, "per_s": r}.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from sqlalchemy import Connection, insert

from xpert_server.auth.principal import DEFAULT_ORG, Principal
from xpert_server.encoding import new_id
from xpert_server.storage import create_storage
from xpert_server.storage import schema as t


def bulk_op(p: Principal, start: int, n: int):  # type: ignore[no-untyped-def]
    """One write operation inserting `n` threads and their audit rows, shaped like create_thread's."""

    def op(conn: Connection) -> int:
        now = time.time()
        threads, audit = [], []
        for i in range(start, start + n):
            tid = new_id()
            threads.append(
                {
                    "id": tid,
                    "public_id": tid,  # a generated id: public and internal are the same
                    "org_id": p.org_id,
                    "conversation_id": new_id(),
                    "assistant_id": None,
                    "status": "idle",
                    "title": None,
                    "metadata": {"bench": "preload", "i": i},
                    "created_by": p.user_id,
                    "updated_by": p.user_id,
                    "key_id": None,
                    "error": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            audit.append(
                {
                    "org_id": p.org_id,
                    "key_id": None,
                    "principal_user_id": p.user_id,
                    "action": "create",
                    "resource_type": "thread",
                    "resource_id": tid,
                    "at": now,
                }
            )
        conn.execute(insert(t.threads), threads)
        conn.execute(insert(t.audit_log), audit)
        return n

    return op


async def preload_bulk(url: str, count: int, batch: int) -> dict[str, float]:
    storage = create_storage(url)
    await storage.open()
    try:
        await storage.ensure_org(DEFAULT_ORG, "Default")
        p = Principal.system(DEFAULT_ORG)
        created = 0
        t0 = time.perf_counter()
        while created < count:  # bounded: ceil(count / batch) transactions
            created += await storage.write(bulk_op(p, created, min(batch, count - created)))
        dt = time.perf_counter() - t0
        return {"created": created, "seconds": round(dt, 2), "per_s": round(created / dt, 1) if dt else 0.0}
    finally:
        await storage.close()


async def preload(url: str, count: int, concurrency: int) -> dict[str, float]:
    storage = create_storage(url)
    await storage.open()
    try:
        await storage.ensure_org(DEFAULT_ORG, "Default")
        p = Principal.system(DEFAULT_ORG)
        created = 0
        t0 = time.perf_counter()
        while created < count:  # bounded: `count` creates, `concurrency` at a time
            n = min(concurrency, count - created)
            await asyncio.gather(
                *(storage.create_thread(p, metadata={"bench": "preload", "i": created + i}) for i in range(n))
            )
            created += n
        dt = time.perf_counter() - t0
        return {"created": created, "seconds": round(dt, 2), "per_s": round(created / dt, 1) if dt else 0.0}
    finally:
        await storage.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--mode", choices=["bulk", "calls"], default="bulk")
    ap.add_argument("--concurrency", type=int, default=512, help="calls mode: create_thread calls in flight")
    ap.add_argument("--batch", type=int, default=5000, help="bulk mode: threads per transaction")
    a = ap.parse_args()
    if not 0 < a.count <= 10_000_000:
        ap.error("--count must be in (0, 10,000,000]")
    if a.mode == "bulk":
        out = asyncio.run(preload_bulk(a.database_url, a.count, max(1, a.batch)))
    else:
        out = asyncio.run(preload(a.database_url, a.count, max(1, a.concurrency)))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
