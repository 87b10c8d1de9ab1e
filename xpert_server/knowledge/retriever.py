"""Retrieval inside runs: an xpert that lists knowledge bases (`knowledge:` in its YAML) asks the
retriever before answering. The retriever shows the step in the run's stream itself, as XpertAI does:
a component message `{category: "Tool", type: "knowledges", status: "running", message: <query>}`,
then the same id with `{category: "Computer", status: "success", data: [<documents>]}` (the client
merges by id; XpertAI moves finished retrievals to its "Computer" panel).

The agent calls it as `await retriever(question, spec.knowledge, config)`; `bind(service)` makes that
callable (given to `GraphProvider` by compose.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableConfig

from xpert_server.auth.principal import DEFAULT_ORG
from xpert_server.encoding import new_id, ts
from xpert_server.knowledge.search import Hit
from xpert_server.telemetry import CONTENT_CHARS, Tracing

if TYPE_CHECKING:
    from xpert_server.knowledge.service import KnowledgeService

log = logging.getLogger("xpert.knowledge")

Retriever = Callable[[str, list[str], RunnableConfig], Awaitable[list[dict[str, Any]]]]
MAX_RESULTS = 8


def _emit(call_id: str, data: dict[str, Any]) -> None:
    from xpert_server.agents.stream import emit_component

    try:
        emit_component(call_id, data)
    except RuntimeError:  # called outside a graph run (tests, scripts): nothing to stream to
        pass


async def retrieve(
    service: KnowledgeService, question: str, knowledge: list[str], config: RunnableConfig
) -> list[dict[str, Any]]:
    """Search the named bases (names or ids, in the run's org) → `[{name, content, document_id,
    chunk_id, score, knowledgebase}]`, best first, at most the largest `recall.topK` of the bases."""
    configurable = (config or {}).get("configurable") or {}
    org = str(configurable.get("xpert_org_id") or DEFAULT_ORG)
    call_id = f"knowledges-{new_id()}"
    started = time.time()
    _emit(
        call_id,
        {
            "category": "Tool",
            "type": "knowledges",
            "toolset": "knowledges",
            "tool": "knowledge_retrieval",
            "title": "Knowledge retrieval",
            "status": "running",
            "message": question,
            "input": {"query": question, "knowledgebases": list(knowledge)},
            "created_date": ts(started),
        },
    )
    try:
        hits: list[Hit] = []
        limit = 0
        names: dict[str, str] = {}
        missing: list[str] = []
        vector = None
        for ref in knowledge:
            kb = await service.storage.get_kb(org, ref)
            if kb is None:
                missing.append(ref)
                continue
            names[kb.id] = kb.name
            recall = kb.recall or {}
            top_k = int(recall.get("topK") or 5)
            limit = max(limit, top_k)
            if vector is None and kb.embedder == service.embedder.name:
                vector = await service.searcher.query_vector(question)
            hits.extend(
                await service.searcher.search(
                    kb, question, top_k, "hybrid", float(recall.get("score") or 0.0), vector=vector
                )
            )
        if missing:
            log.warning("run in org %s names unknown knowledge bases: %s", org, ", ".join(missing))
        hits.sort(key=lambda h: -h.score)
        hits = hits[: min(limit or 5, MAX_RESULTS)]
    except Exception as e:
        log.exception("knowledge retrieval failed")
        _emit(call_id, {"status": "fail", "error": f"{type(e).__name__}: {e}", "end_date": ts(time.time())})
        return []
    results = [
        {
            "name": h.document_name,
            "content": h.content,
            "document_id": h.document_id,
            "chunk_id": str(h.chunk_id),
            "score": round(h.score, 6),
            "knowledgebase": names.get(h.kb_id),
        }
        for h in hits
    ]
    documents = [
        {
            "pageContent": h.content,
            "metadata": {
                "document_id": h.document_id,
                "document_name": h.document_name,
                "chunk_id": str(h.chunk_id),
                "score": round(h.score, 6),
                "knowledgebase_id": h.kb_id,
                "knowledgebase": names.get(h.kb_id),
            },
        }
        for h in hits
    ]
    sources = sorted({h.document_name for h in hits})
    _emit(
        call_id,
        {
            "category": "Computer",
            "type": "knowledges",
            "status": "success",
            "end_date": ts(time.time()),
            "data": documents,
            "output": f"{len(hits)} passage(s) from {', '.join(sources) or 'no document'}"
            + (f"; unknown knowledge bases: {', '.join(missing)}" if missing else ""),
        },
    )
    return results


def bind(service: KnowledgeService, tracing: Tracing | None = None) -> Retriever:
    """`retrieve` with the service filled in: `await retriever(question, knowledge, config)`; a span
    `retrieval` around each (its bases and result count; never the question unless the operator opted in)."""
    spans = tracing or Tracing()

    async def traced(question: str, knowledge: list[str], config: RunnableConfig) -> list[dict[str, Any]]:
        content = question[:CONTENT_CHARS] if spans.record_content else None
        with spans.span("retrieval", xpert__knowledgebases=",".join(knowledge), xpert__input=content) as span:
            results = await retrieve(service, question, knowledge, config)
            span.set_attribute("xpert.results", len(results))
            return results

    return traced
