"""A thread's state out of its checkpoints: read it (now or at a checkpoint), update it, patch a checkpoint's
metadata, list its history, copy it to another thread. Threads are named here by their internal ids (the checkpointer's keys); the
handlers shape the answers (api/wire/threads.py) under the public ids."""

from __future__ import annotations

from typing import Any

from langgraph.checkpoint.base import CheckpointTuple
from langgraph.errors import InvalidUpdateError
from langgraph.pregel import Pregel
from langgraph.types import StateUpdate

from xpert_server.errors import BadRequest, NotFound
from xpert_server.runs.checkpoint import Checkpointer


def _config(thread_id: str, checkpoint_id: str | None = None) -> Any:
    configurable: dict[str, Any] = {"thread_id": thread_id, "checkpoint_ns": ""}
    if checkpoint_id is not None:
        configurable["checkpoint_id"] = checkpoint_id
    return {"configurable": configurable}


async def read_state(
    checkpointer: Checkpointer, thread_id: str, checkpoint_id: str | None, checkpoint_ns: str = ""
) -> CheckpointTuple | None:
    """The latest checkpoint (None for a thread never run), or the one named: NotFound when it is not there.
    `checkpoint_ns` names a subgraph's checkpoints ("" is the graph's own)."""
    tup: CheckpointTuple | None = await checkpointer.latest(thread_id, checkpoint_id, checkpoint_ns)
    if tup is None and checkpoint_id:
        raise NotFound(f"Checkpoint '{checkpoint_id}' not found.")
    return tup


async def patch_metadata(
    checkpointer: Checkpointer,
    thread_id: str,
    metadata: dict[str, Any],
    checkpoint_id: str | None,
    checkpoint_ns: str = "",
) -> dict[str, Any]:
    """Merge `metadata` into the metadata of a checkpoint (the latest, or the one named), as LangGraph's
    `PATCH /threads/{id}/state` did: the same checkpoint (its id, values and parent) with the keys added or
    replaced. The checkpoint's `configurable` keys. BadRequest for a thread that has no state yet."""
    tup = await read_state(checkpointer, thread_id, checkpoint_id, checkpoint_ns)
    if tup is None:
        raise BadRequest("This thread has no state yet: run it once before patching its state's metadata.")
    # The savers take the parent from the config they are given: the parent's, so the history is unchanged.
    parent = tup.parent_config["configurable"].get("checkpoint_id") if tup.parent_config else None
    target = _config(thread_id, parent)
    target["configurable"]["checkpoint_ns"] = checkpoint_ns
    merged = {**(tup.metadata or {}), **metadata}
    # No new channel versions: the values are already stored, only the checkpoint's row is written again.
    saved = await checkpointer.saver.aput(target, tup.checkpoint, merged, {})  # type: ignore[arg-type]
    return dict(saved.get("configurable", {}))


async def update_state(
    checkpointer: Checkpointer,
    graph: Pregel[Any, Any, Any, Any],
    thread_id: str,
    values: Any,
    as_node: str | None,
    checkpoint_id: str | None,
) -> dict[str, Any]:
    """Write `values` as `as_node` would have (from `checkpoint_id`, else the latest); the new checkpoint's
    `configurable` keys. BadRequest when LangGraph refuses the update."""
    if checkpoint_id:
        # LangGraph would start an empty state from a checkpoint it cannot find; say it is not there.
        await read_state(checkpointer, thread_id, checkpoint_id)
    try:
        new_config = await graph.aupdate_state(
            _config(thread_id, checkpoint_id or None), values, as_node=as_node
        )
    except InvalidUpdateError as e:  # an unknown or ambiguous as_node, a checkpoint that is not there
        raise BadRequest(f"State update refused: {e}") from e
    except (ValueError, KeyError, TypeError) as e:
        raise BadRequest(f"values: {e}") from e
    return dict(new_config.get("configurable", {}))


async def apply_supersteps(
    graph: Pregel[Any, Any, Any, Any], thread_id: str, supersteps: list[list[tuple[Any, str | None]]]
) -> None:
    """LangGraph's `supersteps` on `POST /threads`: each superstep's updates (values, as_node) applied as
    one step, in order (what `threads.create(supersteps=…)` sends to copy a thread between deployments)."""
    steps = [[StateUpdate(values, as_node) for values, as_node in step] for step in supersteps]
    try:
        await graph.abulk_update_state(_config(thread_id), steps)
    except InvalidUpdateError as e:
        raise BadRequest(f"supersteps: update refused: {e}") from e
    except (ValueError, KeyError, TypeError) as e:
        raise BadRequest(f"supersteps: {e}") from e


async def history(
    checkpointer: Checkpointer,
    thread_id: str,
    *,
    limit: int,
    before_id: str | None,
    metadata: dict[str, Any] | None,
) -> list[CheckpointTuple]:
    """Checkpoints newest first, those before `before_id` only, whose metadata holds `metadata`."""
    before = _config(thread_id, before_id) if before_id else None
    return [
        tup
        async for tup in checkpointer.saver.alist(
            _config(thread_id), filter=metadata or None, before=before, limit=limit
        )
    ]


async def copy_checkpoints(checkpointer: Checkpointer, source_id: str, target_id: str) -> None:
    """Every checkpoint of one thread (with its pending writes) onto another, parents first."""
    saver = checkpointer.saver
    tuples = [t async for t in saver.alist(_config(source_id))]
    for tup in reversed(tuples):  # oldest first, so each parent exists before its children
        parent = tup.parent_config["configurable"]["checkpoint_id"] if tup.parent_config else None
        target: Any = {"configurable": {"thread_id": target_id, "checkpoint_ns": "", "checkpoint_id": parent}}
        new_config = await saver.aput(
            target, tup.checkpoint, tup.metadata, tup.checkpoint["channel_versions"]
        )
        if tup.pending_writes:
            await saver.aput_writes(new_config, [(c, v) for _, c, v in tup.pending_writes], task_id="copy")
