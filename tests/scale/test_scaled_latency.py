"""Scaled mode's latency work keeps its semantics: a writer batch without savepoints still isolates a
failing operation, frames stored as one statement read back the same, and a follower whose Redis is
healthy still finds frames that reached the database but not Redis, within its stated bound."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from tests.harness.app import new_org
from tests.scale.conftest import drop_prefix
from tests.storage.test_conformance_runs import run_of
from xpert_server.auth.principal import Principal
from xpert_server.runs.broker import Keys, connect_redis
from xpert_server.runs.redis_events import BLOCK_MS, DB_CHECK_MAX, RedisEventLog
from xpert_server.storage import SQLStorage, create_storage
from xpert_server.storage import schema as t


@pytest.fixture(params=["sqlite", "postgres"])
async def any_storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SQLStorage]:
    url = (
        f"sqlite:///{tmp_path / 'x.db'}" if request.param == "sqlite" else request.getfixturevalue("scale_db")
    )
    s = create_storage(url)
    await s.open()
    yield s
    await s.close()


@pytest.fixture
async def pg_storage(scale_db: str) -> AsyncIterator[SQLStorage]:
    s = create_storage(scale_db)
    await s.open()
    yield s
    await s.close()


def _frame(run_id: str, seq: int, tag: str = "") -> dict[str, object]:
    return {
        "run_id": run_id,
        "seq": seq,
        "event": tag or None,
        "data": f"f{seq}".encode(),
        "created_at": time.time(),
    }


async def test_a_failing_operation_in_a_batch_rolls_back_alone(any_storage: SQLStorage) -> None:
    run_id = f"r-{secrets.token_hex(4)}"
    E = t.run_events

    def slow(conn: Connection) -> str:
        time.sleep(0.3)  # the writer is busy: what follows queues up and runs as one batch
        conn.execute(insert(E).values(**_frame(run_id, 1)))
        return "slow"

    def ok(seq: int):
        return lambda conn: conn.execute(insert(E).values(**_frame(run_id, seq))) and seq

    def wrote_then_raised(conn: Connection) -> None:
        conn.execute(insert(E).values(**_frame(run_id, 50)))
        raise ValueError("refused after a write")

    def duplicate(conn: Connection) -> None:
        conn.execute(insert(E).values(**_frame(run_id, 2)))  # seq 2 is taken by ok(2), earlier in the batch

    first = asyncio.create_task(any_storage.write(slow))
    await asyncio.sleep(0.05)
    ops = [ok(2), wrote_then_raised, ok(3), duplicate, ok(4), wrote_then_raised, ok(5)]
    results = await asyncio.gather(*(any_storage.write(op) for op in ops), return_exceptions=True)
    assert await first == "slow"
    assert results[0] == 2 and results[2] == 3 and results[4] == 4 and results[6] == 5
    assert isinstance(results[1], ValueError) and isinstance(results[5], ValueError)
    assert isinstance(results[3], IntegrityError)
    seqs = await any_storage.read(
        lambda conn: list(
            conn.execute(select(E.c.seq).where(E.c.run_id == run_id).order_by(E.c.seq)).scalars()
        )
    )
    assert seqs == [1, 2, 3, 4, 5]


async def test_frames_round_trip_through_the_batched_insert(any_storage: SQLStorage) -> None:
    run_id = f"r-{secrets.token_hex(4)}"
    rows = [(run_id, i, None if i % 2 else "message", bytes([i % 256]) * i) for i in range(1, 301)]
    await any_storage.append_events(rows[:150])
    await any_storage.append_events(rows[150:])
    assert await any_storage.read_events(run_id) == [(s, e, d) for _, s, e, d in rows]
    assert await any_storage.last_event_seq(run_id) == 300
    with pytest.raises(IntegrityError):
        await any_storage.append_events([(run_id, 300, None, b"again")])
    assert await any_storage.poll_events(run_id, 300) == ([], None)  # no such run row: None


async def test_follow_finds_frames_only_the_database_has(pg_storage: SQLStorage, redis_url: str) -> None:
    p = Principal(org_id=new_org(), kind="key", key_id="k")
    thread = await pg_storage.create_thread(p)
    run = run_of(p, thread.id, status="running")
    await pg_storage.start_run(p, run)
    prefix = f"xpert-latency-{secrets.token_hex(4)}"
    redis = connect_redis(redis_url)
    events = RedisEventLog(pg_storage, redis, Keys(prefix))
    await events.start()
    try:
        events.open(run.id)
        events.append(run.id, b"one")
        await events.sync()
        got: list[tuple[int, float]] = []
        first = asyncio.Event()

        async def reader() -> None:
            async for f in events.follow(run.id, 0, keepalive=60):
                if f is not None:
                    got.append((f.seq, time.monotonic()))
                    first.set()

        task = asyncio.create_task(reader())
        await asyncio.wait_for(first.wait(), 5)
        await asyncio.sleep(3 * BLOCK_MS / 1000)  # quiet long enough for the database looks to back off
        # Frames that reached the database but not Redis (their XADD failed): the run's end among them.
        sent = time.monotonic()
        await pg_storage.finish_run(run, status="success", thread_status="idle")
        await pg_storage.append_events([(run.id, 2, None, b"two"), (run.id, 3, "complete", b"done")])
        await asyncio.wait_for(task, DB_CHECK_MAX + BLOCK_MS / 1000 + 3)
        assert [s for s, _ in got] == [1, 2, 3]
        assert got[-1][1] - sent <= DB_CHECK_MAX + BLOCK_MS / 1000 + 1
    finally:
        await events.stop()
        await drop_prefix(redis_url, prefix)
        await redis.aclose()
