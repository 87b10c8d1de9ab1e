"""The tasks a checkpoint runs next, read from the checkpoint and its pending writes alone (no graph: a
thread's state is served without loading its xpert), named and identified as LangGraph's `get_state`
names them, so `next`, `tasks` and each interrupt's task agree with what a LangGraph client expects.

- PUSH tasks first: one per `Send` waiting in the `__pregel_tasks` channel (a fan-out), in order, path
  `["__pregel_push", index, false]`;
- then PULL tasks: each node whose trigger channel (`branch:to:<node>`, or `__start__` for the input)
  holds a value not yet consumed, by name, path `["__pregel_pull", node]`.

Task ids are LangGraph's (a hash of the checkpoint id, namespace, step, node and path), so a pending write
(an interrupt, an error, a finished task's output) finds its task. A node triggered by anything else (a
join of several edges, a deferred node) is not listed: that needs the graph.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass, field
from typing import Any

from langgraph.checkpoint.base import CheckpointTuple
from langgraph.pregel._algo import _uuid5_str, _xxhash_str

from xpert_server.runs.state import to_jsonable

PUSH = "__pregel_push"
PULL = "__pregel_pull"
TASKS = "__pregel_tasks"
# Writes that say what happened to a task rather than what it produced.
CONTROL = frozenset({"__interrupt__", "__resume__", "__error__", "__error_source_node__"})
NULL_TASK_ID = "00000000-0000-0000-0000-000000000000"


@dataclass
class NextTask:
    id: str
    name: str
    path: list[Any]
    interrupts: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    output: list[tuple[str, Any]] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "path": self.path,
            "error": self.error,
            "interrupts": self.interrupts,
            "checkpoint": None,
            "state": None,
            "result": to_jsonable(self.result()) if self.output else None,
        }

    def result(self) -> dict[str, Any]:
        """A finished task's writes to the state's keys; repeated writes to one key as LangGraph maps
        them (`{"$writes": [...]}`)."""
        result: dict[str, Any] = {}
        for channel, value in self.output:
            if channel.startswith(("__", "branch:")):
                continue
            if channel not in result:
                result[channel] = value
                continue
            prior = result[channel]
            result[channel] = {"$writes": [*prior["$writes"], value] if _is_writes(prior) else [prior, value]}
        return result


def _is_writes(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"$writes"}


def next_tasks(tup: CheckpointTuple) -> list[NextTask]:
    checkpoint: Any = tup.checkpoint
    channels: dict[str, Any] = checkpoint.get("channel_values") or {}
    ns = str(tup.config["configurable"].get("checkpoint_ns") or "")
    step = str(int((tup.metadata or {}).get("step", -1)) + 1)
    id_of = _xxhash_str if checkpoint.get("v", 1) > 1 else _uuid5_str
    seed = binascii.unhexlify(str(checkpoint["id"]).replace("-", ""))

    def task_ns(node: str) -> str:
        return f"{ns}|{node}" if ns else node

    tasks: list[NextTask] = []
    sends = channels.get(TASKS)
    for index, send in enumerate(sends if isinstance(sends, list) else []):
        node = getattr(send, "node", None)
        if isinstance(node, str):
            task_id = id_of(seed, task_ns(node), step, node, PUSH, str(index))
            tasks.append(NextTask(task_id, node, [PUSH, index, False]))
    for channel in sorted(channels):
        if channel == "__start__" or channel.startswith("branch:to:"):
            node = channel.removeprefix("branch:to:")
            task_id = id_of(seed, task_ns(node), step, node, PULL, channel)
            tasks.append(NextTask(task_id, node, [PULL, node]))
    _apply_writes(tasks, tup.pending_writes or [])
    return tasks


def _apply_writes(tasks: list[NextTask], writes: list[tuple[str, str, Any]]) -> None:
    by_id = {t.id: t for t in tasks}
    for task_id, channel, value in writes:
        task = by_id.get(task_id)
        if task is None or task_id == NULL_TASK_ID:
            continue
        if channel == "__interrupt__":
            items = value if isinstance(value, list | tuple) else [value]
            # The latest interrupt of a task replaces its earlier ones (LangGraph keeps one slot).
            task.interrupts = [
                {"value": to_jsonable(getattr(i, "value", i)), "id": getattr(i, "id", None)} for i in items
            ]
        elif channel == "__error__":
            task.error = value if isinstance(value, str) else f"{type(value).__name__}({value})"
        elif channel not in CONTROL:
            task.output.append((channel, value))
