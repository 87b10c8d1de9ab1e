"""Which protocol a run request speaks: XpertAI's (frames) or LangGraph's (stream modes, graph state).

The rule (docs/langgraph.md), decided once when a run is accepted and kept in the run's kwargs
(`protocol: "langgraph"`; absent means XpertAI), so its stream, joins and `runs/wait` answer alike:
1. an explicit `protocol` in the body ("xpertai" or "langgraph") wins;
2. `stream_mode` (the Python langgraph-sdk always sends it, default "values") or `command` → LangGraph;
3. an `input` that is graph state (an object with none of XpertAI's chat keys, e.g. `{"messages": [...]}`),
   or no input at all (LangGraph's "continue from the checkpoint"; XpertAI's server refuses it) → LangGraph;
4. everything else — XpertAI chat input (`action`, `message.input`, legacy `{input: {input}}`) or a
   string — → XpertAI: exactly the frames XpertAI's server sends.
XpertAI's SDK and ChatKit send chat input and never `stream_mode`, so they always get XpertAI's frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from xpert_server.runs.input import CHAT_KEYS

Protocol = Literal["xpertai", "langgraph"]

LANGGRAPH = "langgraph"


def protocol_of(body: Mapping[str, Any]) -> Protocol:
    chosen = body.get("protocol")
    if chosen in ("xpertai", "langgraph"):
        return chosen  # type: ignore[no-any-return]
    if body.get("stream_mode") is not None or body.get("command") is not None:
        return "langgraph"
    value = body.get("input")
    if value is None or isinstance(value, dict) and not (CHAT_KEYS & set(value)):
        return "langgraph"
    return "xpertai"


def is_langgraph(kwargs: Mapping[str, Any]) -> bool:
    """A stored run (its kwargs) was started in LangGraph's protocol."""
    return kwargs.get("protocol") == LANGGRAPH
