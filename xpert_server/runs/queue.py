"""The seam between accepting a run and executing it: where an accepted run goes, and how it is stopped.

RunService (runs/service.py) accepts runs the same way in every mode and hands them to a `RunQueue`:
- `InProcessQueue` (runs/inprocess.py, embedded): the run executes in this process as an asyncio task
  the moment it is accepted; runs queued behind a busy thread wait in memory.
- `DurableQueue` (runs/durable.py, scaled): the run's `run_queue` row (stored with the run) is the work;
  workers in any process claim it (runs/worker.py), Redis only signals (wake, cancel).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from xpert_server.runs.executor import RunJob
from xpert_server.storage.records import QueuePlacement, RunRecord

AfterRun = Callable[[RunRecord], Awaitable[None]]


class RunQueue(Protocol):
    @property
    def placement(self) -> QueuePlacement:
        """The `run_queue` row each accepted run is stored with (in the transaction that accepts it)."""
        ...

    async def submit(self, job: RunJob, *, queued: bool) -> None:
        """Start an accepted run, or (`queued`: its thread is busy, multitask_strategy `enqueue`) start it
        when the thread frees. The run and its queue row are stored already."""
        ...

    async def cancel(self, run: RunRecord) -> bool:
        """Stop a run that has not ended: True when this request is what stops it (a second click: False)."""
        ...

    async def halt(self, run: RunRecord) -> None:
        """Stop a run and wait (a while) for it to end: `interrupt` and `rollback` go on after it."""
        ...

    def after(self, run_id: str, callback: AfterRun) -> None:
        """Call `callback(run)` once the run has ended (a stateless run's thread is deleted then)."""
        ...

    def running(self) -> int:
        """How many runs this queue executes in this process now (the process's `workers` row shows it)."""
        ...

    async def shutdown(self) -> None: ...
