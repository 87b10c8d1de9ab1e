"""The built-in offline chat model: no key, no network, instant, deterministic.

It is the default when no real model is configured. With attached documents it answers extractively
(the passage that best matches the last question, or the main points for a summary request); without
them it says what it can do here (`offline_intro`) and how to configure a real model. Replies stream word by word so the whole
streaming path (SSE, `stream_mode="messages"`) is exercised without a model server. With tools bound it
calls them by the fixed rules of `offline_rules` (`/tool NAME {json}`, time and arithmetic questions).
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolCall
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.utils import LC_ID_PREFIX
from pydantic import Field

from xpert_server.agents import offline_intro, offline_rules
from xpert_server.agents.lexical import (
    BM25,
    CJK_RANGES,
    Passage,
    cut_at_sentence,
    estimate_tokens,
    join_text,
    mainly_cjk,
    plain_item,
    sentences,
    split_passages,
    tokenize,
    truncate,
)
from xpert_server.agents.offline_rules import ToolPlan

DOCUMENTS_KEY = "xpert_documents"
MAX_REPLY = 600
# Retrieval is pure Python: past this much text it runs in a thread so it never stalls the event loop.
_THREAD_ABOVE_CHARS = 50_000
# And past this it stops reading: an offline toy answer is not worth seconds of CPU.
_MAX_INDEX_CHARS = 2_000_000

# Words that ask for a summary, and filler that names the file rather than a topic. Both are removed
# before matching, so "请总结附件重点" leaves nothing to match and gets the main points.
_SUMMARY_RE = re.compile(
    r"summar\w*|overview|main points?|key points?|gist|tl;?dr|outline|recap|highlights?|"
    r"总结|概括|概述|摘要|要点|重点|大意|主要内容|归纳|梳理",
    re.IGNORECASE,
)
_FILLER_RE = re.compile(
    r"\b(?:attach\w*|documents?|files?|pdfs?|docs?|uploaded|text|content)\b|"
    r"请|帮我|一下|附件|文件|文档|内容|这份|这个|上传的?",
    re.IGNORECASE,
)
_CHUNK_RE = re.compile(f"\\s*(?:[{CJK_RANGES}]{{1,2}}|[^\\s{CJK_RANGES}]+)|\\s+")


def split_chunks(text: str) -> list[str]:
    """Word-ish stream chunks (leading whitespace kept, CJK two characters at a time); they join to `text`."""
    return _CHUNK_RE.findall(text)


def message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def documents_in(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    """The `{name, content}` documents carried by system messages (`additional_kwargs["xpert_documents"]`)."""
    docs: list[dict[str, str]] = []
    for m in messages:
        if m.type != "system":
            continue
        raw = m.additional_kwargs.get(DOCUMENTS_KEY)
        if not isinstance(raw, list):
            continue
        for d in raw:
            if isinstance(d, dict) and isinstance(d.get("content"), str):
                docs.append({"name": str(d.get("name") or "file"), "content": d["content"]})
    return docs


def _last_question(messages: Sequence[BaseMessage]) -> str:
    for m in reversed(messages):
        if m.type == "human":
            return message_text(m).strip()
    return ""


def _label(p: Passage, zh: bool) -> str:
    if zh:
        return f"{p.doc}（{p.heading}）" if p.heading else p.doc
    return f"{p.doc} ({p.heading})" if p.heading else p.doc


def _focus(p: Passage, terms: set[str], index: BM25) -> str:
    """The sentences of `p` that answer the question: the best match, then each sentence that adds a
    question term the chosen ones lack (heaviest first), in document order.

    A passage is a window of several sentences, often several facts ("30 days … opened electronics 15
    days … members **45 days**"): quoting it whole puts the neighbours' facts, and their bold, beside the
    answer; a sentence that only repeats a term already covered ("退货" in every line of a returns
    policy) adds nothing. A gap between kept sentences is marked with "…"; list items and table rows keep
    their lines.
    """
    sents = sentences(p.text)
    found = [set(tokenize(s)) & terms for s in sents]
    weights = [sum(index.idf(t) for t in f) for f in found]
    keep: list[int] = []
    covered: set[str] = set()
    for i in sorted(range(len(sents)), key=lambda i: (-weights[i], i)):
        if weights[i] <= 0:
            break
        if not keep or found[i] - covered:
            keep.append(i)
            covered |= found[i]
    keep.sort()
    if not keep:  # the match was in the heading only: the whole passage is about it
        keep = list(range(len(sents)))
    # A knowledge chunk may open with the tail of its predecessor's last sentence ("days. Members get…"):
    # that fragment is quoted only when nothing else answers.
    if len(keep) > 1 and keep[0] == 0 and sents[0][:1].islower():
        keep = keep[1:]
    out, last = "", -2
    for i in keep:
        piece = plain_item(sents[i])
        if not out:
            out = piece
        elif i != last + 1:
            out = join_text(out, "… " + piece)
        elif piece != sents[i]:  # a list item or table row: its own line
            out = f"{out}\n{piece}"
        else:
            out = join_text(out, piece)
        last = i
    return out or p.text


def _answer(passages: list[Passage], scores: list[float], index: BM25, terms: set[str], zh: bool) -> str:
    ranked = sorted(range(len(passages)), key=lambda i: (-scores[i], i))
    best = passages[ranked[0]]
    text = _focus(best, terms, index)
    cited = [_label(best, zh)]
    # A short answer gets the runner-up's matching sentences when that passage is nearly as relevant.
    if len(ranked) > 1 and len(text) < 200:
        nxt = passages[ranked[1]]
        ok = scores[ranked[1]] >= 0.75 * scores[ranked[0]] and not nxt.overlaps(best)
        more = _focus(nxt, terms, index) if ok else ""
        if more and more not in text and len(text) + len(more) < MAX_REPLY - 120:
            text = join_text(text, more)
            if nxt.doc != best.doc:
                cited.append(_label(nxt, zh))
    names = "、".join(cited) if zh else " and ".join(cited)
    head = f"根据 {names}：" if zh else f"According to {names}: "
    return head + cut_at_sentence(text, MAX_REPLY - len(head))


def _summary(passages: list[Passage], index: BM25, zh: bool, intro: str = "") -> str:
    """Main points: first sentences of central passages spread over the text, in document order."""
    # Each document's opening passage usually says what the document is: always a point.
    openers: dict[str, int] = {}
    for p in passages:
        openers.setdefault(p.doc, p.order)
    picked = index.main_points(5, first=sorted(openers.values()))
    names = truncate(", ".join(openers), 120)
    out = intro + (f"{names} 的要点：" if zh else f"Main points of {names}:")
    for i in sorted(picked):
        point = cut_at_sentence(plain_item(passages[i].first_sentence), 180)
        if point in out:  # overlapping windows can open with the same sentence
            continue
        if len(out) + len(point) + 3 > MAX_REPLY:
            break
        out += "\n• " + point
    return truncate(out, MAX_REPLY)


def answer_from_documents(question: str, docs: Sequence[dict[str, str]]) -> str:
    zh = mainly_cjk(question)
    passages: list[Passage] = []
    budget = _MAX_INDEX_CHARS
    for d in docs:
        passages.extend(split_passages(d["name"], d["content"][:budget], start=len(passages)))
        budget -= min(budget, len(d["content"]))
    if not passages:
        names = ", ".join(d["name"] for d in docs)
        return (
            f"附件 {names} 中没有可读的文本。"
            if zh
            else f"The attached file(s) {names} contain no readable text."
        )
    index = BM25(passages)
    wants_summary = bool(_SUMMARY_RE.search(question))
    topic = _FILLER_RE.sub(" ", _SUMMARY_RE.sub(" ", question)) if wants_summary else question
    terms = tokenize(topic)
    scores = index.scores(terms)
    if max(scores) > 0:
        return _answer(passages, scores, index, set(terms), zh)
    if wants_summary:
        return _summary(passages, index, zh)
    intro = "附件中没有直接回答这个问题的段落。" if zh else "I found no passage that answers this directly. "
    return _summary(passages, index, zh, intro)


def compose_reply(messages: Sequence[BaseMessage], tools: Sequence[str] = ()) -> str:
    question = _last_question(messages)
    if offline_intro.asks_abilities(question):
        return offline_intro.abilities(question, tools)
    docs = documents_in(messages)
    if docs:
        return answer_from_documents(question, docs)
    return offline_intro.offline_notice(question)


class OfflineChatModel(BaseChatModel):
    """Deterministic extractive model. `bind_tools` keeps the tools' OpenAI schemas on a copy (`tools`)."""

    model_name: str = "xpert-offline"
    tools: list[dict[str, Any]] = Field(default_factory=list)
    tool_choice: str | dict[str, Any] | None = None

    @property
    def _llm_type(self) -> str:
        return "xpert-offline"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def get_num_tokens(self, text: str) -> int:
        # The base class would load a GPT-2 tokenizer from `transformers`; the estimate is what we report.
        return estimate_tokens(text)

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        # A model copy rather than `.bind(tools=…)`: the (later) tool-calling rules read `self.tools`.
        schemas = [convert_to_openai_tool(t) for t in tools]
        bound = self.model_copy(update={"tools": schemas, "tool_choice": tool_choice})
        return bound.bind(**kwargs) if kwargs else bound

    # ---- reply ---------------------------------------------------------------------------------------------
    def _plan(self, messages: Sequence[BaseMessage]) -> ToolPlan | str | None:
        # After tool results the rules answer even when no tools are bound (the last, tool-less step).
        return offline_rules.plan(messages, self.tools)

    def _usage(self, messages: Sequence[BaseMessage], reply: str) -> UsageMetadata:
        inp = sum(estimate_tokens(message_text(m)) for m in messages)
        inp += sum(estimate_tokens(d["content"]) for d in documents_in(messages))
        out = estimate_tokens(reply)
        return UsageMetadata(input_tokens=inp, output_tokens=out, total_tokens=inp + out)

    def _tool_names(self) -> list[str]:
        return [str((t.get("function") or {}).get("name") or "") for t in self.tools]

    def _reply(self, messages: Sequence[BaseMessage]) -> str | ToolPlan:
        planned = self._plan(messages)
        return compose_reply(messages, self._tool_names()) if planned is None else planned

    async def _areply(self, messages: Sequence[BaseMessage]) -> str | ToolPlan:
        planned = self._plan(messages)
        if planned is not None:
            return planned
        if sum(len(d["content"]) for d in documents_in(messages)) > _THREAD_ABOVE_CHARS:
            return await asyncio.to_thread(compose_reply, messages, self._tool_names())
        return compose_reply(messages, self._tool_names())

    @staticmethod
    def _message_id(run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun | None) -> str:
        # The id LangChain itself would give this run's message, so every path agrees on it.
        return f"{LC_ID_PREFIX}-{run_manager.run_id if run_manager else uuid.uuid4()}"

    def _chunks(
        self, messages: Sequence[BaseMessage], reply: str | ToolPlan, msg_id: str
    ) -> Iterator[ChatGenerationChunk]:
        if isinstance(reply, ToolPlan):
            call = _tool_call(reply)
            args = json.dumps(call["args"], ensure_ascii=False)
            yield ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    id=msg_id,
                    tool_call_chunks=[{"name": call["name"], "args": args, "id": call["id"], "index": 0}],
                    usage_metadata=self._usage(messages, args),
                    response_metadata={"model_name": self.model_name, "finish_reason": "tool_calls"},
                    chunk_position="last",
                )
            )
            return
        pieces = split_chunks(reply) or [""]
        for i, piece in enumerate(pieces):
            if i < len(pieces) - 1:
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece, id=msg_id))
            else:
                # Usage and metadata on the last chunk only: adding chunks sums usage, concatenates strings.
                yield ChatGenerationChunk(
                    message=AIMessageChunk(
                        content=piece,
                        id=msg_id,
                        usage_metadata=self._usage(messages, reply),
                        response_metadata={"model_name": self.model_name, "finish_reason": "stop"},
                        chunk_position="last",
                    )
                )

    def _result(self, messages: Sequence[BaseMessage], reply: str | ToolPlan, msg_id: str) -> ChatResult:
        if isinstance(reply, ToolPlan):
            call = _tool_call(reply)
            message = AIMessage(
                content="",
                id=msg_id,
                tool_calls=[call],
                usage_metadata=self._usage(messages, json.dumps(call["args"], ensure_ascii=False)),
                response_metadata={"model_name": self.model_name, "finish_reason": "tool_calls"},
            )
            return ChatResult(generations=[ChatGeneration(message=message)])
        message = AIMessage(
            content=reply,
            id=msg_id,
            usage_metadata=self._usage(messages, reply),
            response_metadata={"model_name": self.model_name, "finish_reason": "stop"},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._result(messages, self._reply(messages), self._message_id(run_manager))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._result(messages, await self._areply(messages), self._message_id(run_manager))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        msg_id = self._message_id(run_manager)
        for chunk in self._chunks(messages, self._reply(messages), msg_id):
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        msg_id = self._message_id(run_manager)
        for chunk in self._chunks(messages, await self._areply(messages), msg_id):
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk
            # Yield the loop between tokens, as a network model would: other runs keep streaming.
            await asyncio.sleep(0)


def _tool_call(plan: ToolPlan) -> ToolCall:
    return ToolCall(name=plan.name, args=plan.args, id=f"call_{uuid.uuid4().hex[:24]}", type="tool_call")
