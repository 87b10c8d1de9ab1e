"""A thread's stream (`GET /threads/{id}/stream`): the frames of every run of the thread, one run after
another, as each run's own stream has them.

Event ids name the run as well as the frame, `<run_id>:<seq>`, so `Last-Event-ID` resumes inside the run it
names and then goes on with the thread's later runs (finished ones replayed from storage, live ones
followed). Without it the stream starts at the thread's oldest unfinished run, from that run's first frame,
as a run's join does. Each run's frames end with its own `complete` frame; the response ends when the
thread has no later run to follow (a client that wants the next one reconnects with its `Last-Event-ID`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from xpert_server.auth.principal import Principal
from xpert_server.errors import BadRequest
from xpert_server.runs.service import RunService
from xpert_server.runs.sse import Frame
from xpert_server.storage import SQLStorage
from xpert_server.storage.records import TERMINAL_RUN_STATUSES, RunRecord

# Runs of one thread looked at when choosing the next (a thread holds far fewer: each run is a turn).
RUNS_SCANNED = 1000


@dataclass(frozen=True, slots=True)
class ThreadFrame(Frame):
    """A run's frame on its thread's stream: its event id is `<run_id>:<seq>`."""

    run_id: str

    def encode(self) -> bytes:
        return self.encode_as(f"{self.run_id}:{self.seq}".encode())


@dataclass(frozen=True)
class Position:
    """Where a thread's stream starts: a run, and the last of its frames the client has (0: none)."""

    run: RunRecord | None
    after: int = 0


def _order(run: RunRecord) -> tuple[float, str]:
    return (run.created_at, run.id)


async def start_position(
    storage: SQLStorage, p: Principal, thread_id: str, last_event_id: str | None
) -> Position:
    """Checked before the response starts: a `Last-Event-ID` that is not one of this thread's ids is a 400."""
    if last_event_id:
        run_id, sep, seq = last_event_id.rpartition(":")
        if not sep or not seq.isdigit() or len(seq) > 18 or "\x00" in run_id:
            raise BadRequest(
                "Last-Event-ID: on a thread's stream an event id is '<run_id>:<seq>', as its frames carry."
            )
        run = await storage.get_run(p, thread_id, run_id)
        if run is None:
            raise BadRequest(f"Last-Event-ID: run '{run_id}' is not a run of this thread.")
        return Position(run, int(seq))
    runs = sorted(await storage.list_runs(p, thread_id, limit=RUNS_SCANNED), key=_order)
    unfinished = [r for r in runs if r.status not in TERMINAL_RUN_STATUSES]
    return Position(unfinished[0] if unfinished else None)


async def _next_run(
    storage: SQLStorage, p: Principal, thread_id: str, current: RunRecord
) -> RunRecord | None:
    runs = sorted(await storage.list_runs(p, thread_id, limit=RUNS_SCANNED), key=_order)
    later = [r for r in runs if _order(r) > _order(current)]
    return later[0] if later else None


# A run's frames as the reader wants them (api/joins.py `in_protocol`): (run, its stored frames, after).
Reframe = Callable[[RunRecord, AsyncIterator[Frame | None], int], AsyncIterator[Frame | None]]


def _as_stored(
    run: RunRecord, frames: AsyncIterator[Frame | None], after: int
) -> AsyncIterator[Frame | None]:
    return frames


async def follow_thread(
    storage: SQLStorage,
    runs: RunService,
    p: Principal,
    thread_id: str,
    start: Position,
    reframe: Reframe = _as_stored,
) -> AsyncIterator[Frame | None]:
    """The frames of `start.run` after `start.after`, then of each later run of the thread, in the order they
    were created (each as `reframe` renders it); None for a keep-alive. Ends when no later run is there."""
    current, after = start.run, start.after
    while current is not None:
        async for frame in reframe(current, runs.follow(current.id, after), after):
            yield None if frame is None else ThreadFrame(frame.seq, frame.event, frame.data, current.id)
        after = 0
        current = await _next_run(storage, p, thread_id, current)
