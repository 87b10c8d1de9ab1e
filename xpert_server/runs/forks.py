"""Where to start a run from, in a thread's checkpoint history (rollback, retry, fork).

Each checkpoint's metadata carries the `run_id` that wrote it (LangGraph copies `configurable` keys
into checkpoint metadata), so "the state before run R" is the parent of R's first checkpoint.
"""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

# A checkpoint id that exists nowhere: forking from it starts from an empty state, for undoing a
# thread's first run. LangGraph loads nothing for it and the new checkpoints become the latest.
EMPTY_STATE = "00000000-0000-0000-0000-000000000000"


async def checkpoint_before(saver: BaseCheckpointSaver[Any], thread_id: str, run_id: str) -> str | None:
    """The checkpoint id the thread was at before `run_id` first wrote; None if the run wrote none."""
    config: Any = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    first = None
    async for tup in saver.alist(config):  # newest first
        if (tup.metadata or {}).get("run_id") == run_id:
            first = tup
    if first is None:
        return None
    parent = first.parent_config
    return parent["configurable"]["checkpoint_id"] if parent else EMPTY_STATE
