"""Which protocol a run request speaks: XpertAI's (frames) or LangGraph's (stream modes, graph state).

The rule (docs/langgraph.md), decided once when a run is accepted and kept in the run's kwargs
(`protocol: "langgraph"`; absent means XpertAI), so its stream, joins and `runs/wait` answer alike:
1. an explicit `protocol` in the body ("xpertai" or "langgraph") wins;
2. `stream_mode` (the Python langgraph-sdk always sends it, default "values") or `command` → LangGraph;
3. an `input` that is graph state (an object with none of XpertAI's chat keys, e.g. `{"messages": [...]}`)
   → LangGraph; so is no input at all on a thread with a checkpoint to continue from (LangGraph's way to
   go on after `interrupt_before`);
4. everything else — XpertAI chat input (`action`, `message.input`, legacy `{input: {input}}`), a string,
   no input on a thread with nothing to continue — → XpertAI: exactly the frames (and the 400s) XpertAI's
   server sends.
XpertAI's SDK and ChatKit send chat input and never `stream_mode`, so they always get XpertAI's frames.

A join (`…/runs/{id}/stream`, `/runs/{id}/stream`, `/threads/{id}/stream`) reads in the protocol it asks
for, whichever one started the run (runs/crossjoin.py): an explicit `?protocol=` wins; a `stream_mode`
query, even an empty one (langgraph-sdk's `join_stream` always sends it), asks for LangGraph's events;
without either a run is joined in its own protocol (XpertAI's SDK joins with `cancel_on_disconnect` alone).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from xpert_server.runs.input import CHAT_KEYS

Protocol = Literal["xpertai", "langgraph"]

LANGGRAPH = "langgraph"


def protocol_of(body: Mapping[str, Any], can_continue: bool = False) -> Protocol:
    """`can_continue`: the run's thread has a checkpoint (only asked when the body has no input)."""
    chosen = body.get("protocol")
    if chosen in ("xpertai", "langgraph"):
        return chosen  # type: ignore[no-any-return]
    if body.get("stream_mode") is not None or body.get("command") is not None:
        return "langgraph"
    value = body.get("input")
    if isinstance(value, dict) and not (CHAT_KEYS & set(value)):
        return "langgraph"
    if value is None and can_continue:
        return "langgraph"
    return "xpertai"


def is_langgraph(kwargs: Mapping[str, Any]) -> bool:
    """A stored run (its kwargs) was started in LangGraph's protocol."""
    return kwargs.get("protocol") == LANGGRAPH


def join_protocol_of(protocol: str | None, stream_mode: list[str] | None) -> Protocol | None:
    """The protocol a join asks for (`stream_mode` as its query holds it: None when absent); None: each
    run's own."""
    if protocol in ("xpertai", "langgraph"):
        return protocol  # type: ignore[return-value]
    if stream_mode is not None:
        return "langgraph"
    return None
