"""The built-in offline model: streaming shape, the no-model notice, extractive answers over documents."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.tools import tool

from tests.agents.fixtures import MANUAL, POLICY_ZH, long_manual
from xpert_server.agents.graphs import build_model_input
from xpert_server.agents.offline import DOCUMENTS_KEY, MAX_REPLY, OfflineChatModel, documents_in, split_chunks


def with_docs(question: str, *docs: tuple[str, str]) -> list[BaseMessage]:
    documents = [{"name": n, "content": c} for n, c in docs]
    return build_model_input("You are helpful.", [HumanMessage(question)], documents)


async def ask(question: str, *docs: tuple[str, str]) -> str:
    reply = await OfflineChatModel().ainvoke(with_docs(question, *docs))
    assert isinstance(reply.content, str)
    return reply.content


def test_split_chunks_roundtrip() -> None:
    text = "According to manual.pdf: the X200  pump\nis 7 years. 根据附件，保修期为七年。 "
    chunks = split_chunks(text)
    assert "".join(chunks) == text
    assert len(chunks) > 10
    assert all(len(c.strip()) <= 12 for c in chunks)


async def test_stream_shares_one_id_and_matches_invoke() -> None:
    model = OfflineChatModel()
    messages = with_docs("How do I clean the filter?", ("manual.pdf", MANUAL))
    chunks = [c async for c in model.astream(messages)]
    assert len(chunks) > 5
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert len({c.id for c in chunks}) == 1 and chunks[0].id
    full = await model.ainvoke(messages)
    assert "".join(str(c.content) for c in chunks) == full.content
    # Usage rides on the final chunk only, so adding the chunks gives the same totals as invoke.
    merged = chunks[0]
    for c in chunks[1:]:
        merged = merged + c
    assert merged.usage_metadata == full.usage_metadata
    usage = full.usage_metadata
    assert usage is not None and usage["input_tokens"] > 100 and usage["output_tokens"] > 10
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


def test_sync_stream_matches_invoke() -> None:
    model = OfflineChatModel()
    messages = [HumanMessage("hello there")]
    chunks = list(model.stream(messages))
    assert len({c.id for c in chunks}) == 1
    assert "".join(str(c.content) for c in chunks) == model.invoke(messages).content


async def test_no_documents_explains_offline_model() -> None:
    messages = [SystemMessage("Be brief."), HumanMessage("What is the capital of France?")]
    reply = await OfflineChatModel().ainvoke(messages)
    text = str(reply.content)
    assert "offline" in text
    assert "XPERT_MODEL_BASE_URL" in text and "XPERT_MODEL" in text and "model:" in text
    assert "You said: “What is the capital of France?”" in text


async def test_no_documents_chinese_question_gets_chinese_notice() -> None:
    text = str((await OfflineChatModel().ainvoke([HumanMessage("今天天气怎么样？")])).content)
    assert "离线" in text and "XPERT_MODEL_BASE_URL" in text and "今天天气怎么样" in text


async def test_long_echo_is_truncated() -> None:
    text = str((await OfflineChatModel().ainvoke([HumanMessage("word " * 500)])).content)
    assert len(text) < 600


async def test_answers_a_fact_from_the_second_half_of_a_manual() -> None:
    manual = long_manual()
    assert manual.index("7 years") > len(manual) / 2
    answer = await ask("How long is the warranty for the X200 pump?", ("manual.pdf", manual))
    assert "7 years" in answer
    assert answer.startswith("According to manual.pdf")
    assert len(answer) <= MAX_REPLY


async def test_different_questions_get_different_passages() -> None:
    doc = ("manual.pdf", long_manual())
    warranty = await ask("How long is the warranty?", doc)
    filter_ = await ask("How often should I clean the inlet filter?", doc)
    red = await ask("What does a flashing red light mean?", doc)
    torque = await ask("What torque does part P-130 need?", doc)
    assert "7 years" in warranty
    assert "every three months" in filter_ and "7 years" not in filter_
    assert "inlet is blocked" in red
    assert "40 Nm" in torque
    assert len({warranty, filter_, red, torque}) == 4


async def test_chinese_document_and_question() -> None:
    doc = ("休假制度.docx", POLICY_ZH)
    sick = await ask("病假期间工资怎么发？", doc)
    marriage = await ask("婚假有几天？", doc)
    assert sick.startswith("根据 休假制度.docx") and "百分之八十" in sick
    assert "三天" in marriage and "百分之八十" not in marriage
    assert len(sick) <= MAX_REPLY


async def test_english_question_about_a_chinese_heading() -> None:
    # Mixed text: CJK bigrams and Latin words are matched side by side.
    answer = await ask("Where is the X200 warranty? 保修", ("manual.pdf", MANUAL), ("policy.docx", POLICY_ZH))
    assert "7 years" in answer


@pytest.mark.parametrize(
    ("question", "doc", "expect"),
    [
        ("请总结附件重点。", ("manual.pdf", MANUAL), ["centrifugal pump", "7 years"]),
        ("summarize the attachment", ("manual.pdf", MANUAL), ["centrifugal pump", "Clean the inlet filter"]),
        ("请总结附件重点。", ("休假制度.docx", POLICY_ZH), ["年假", "病假", "婚假"]),
    ],
)
async def test_summary_gives_main_points(question: str, doc: tuple[str, str], expect: list[str]) -> None:
    answer = await ask(question, doc)
    assert len(answer) <= MAX_REPLY
    assert question not in answer
    assert answer.count("\n• ") >= 3
    assert len(answer) < len(doc[1]) * 0.8
    for phrase in expect:
        assert phrase in answer
    if question.startswith("请"):
        assert "的要点" in answer


async def test_unrelated_question_falls_back_to_main_points() -> None:
    answer = await ask("What is the capital of France?", ("manual.pdf", MANUAL))
    assert answer.startswith("I found no passage")
    assert "centrifugal pump" in answer and len(answer) <= MAX_REPLY


async def test_empty_document() -> None:
    assert "no readable text" in await ask("What is in it?", ("empty.pdf", "   \n\n "))


def test_documents_travel_in_the_system_message() -> None:
    messages = with_docs("q", ("a.txt", "alpha"), ("b.txt", "beta"))
    system = messages[0]
    assert isinstance(system, SystemMessage)
    expected = "You are helpful.\n\nAttached files:\n--- a.txt ---\nalpha\n--- b.txt ---\nbeta"
    assert system.content == expected
    docs = [{"name": "a.txt", "content": "alpha"}, {"name": "b.txt", "content": "beta"}]
    assert system.additional_kwargs[DOCUMENTS_KEY] == docs
    assert documents_in(messages) == system.additional_kwargs[DOCUMENTS_KEY]


async def test_bind_tools_keeps_tools_and_still_answers() -> None:
    @tool
    def current_time(zone: str) -> str:
        """The current time in a time zone."""
        return "12:00"

    spec: dict[str, Any] = {
        "type": "function",
        "function": {"name": "http_get", "description": "GET a URL", "parameters": {"type": "object"}},
    }
    model = OfflineChatModel()
    bound = model.bind_tools([current_time, spec], tool_choice="auto")
    assert isinstance(bound, OfflineChatModel)
    assert [t["function"]["name"] for t in bound.tools] == ["current_time", "http_get"]
    assert bound.tool_choice == "auto" and model.tools == []
    reply = await bound.ainvoke([HumanMessage("hi")])
    assert isinstance(reply, AIMessage) and "offline" in str(reply.content) and not reply.tool_calls
    assert model.get_num_tokens("hello world, 你好") > 0


# ---- what it can do, sentence boundaries, the facts it quotes ------------------------------------------------


def _tool(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "parameters": {"type": "object"}}}


DEMO_TOOLS = [_tool("current_time"), _tool("calculator"), _tool("send_notification")]


@pytest.mark.parametrize("question", ["What can you do?", "what can you do", "How can you help?", "help"])
async def test_what_can_you_do_lists_what_works_offline(question: str) -> None:
    model = OfflineChatModel().bind_tools(DEMO_TOOLS)
    reply = await model.ainvoke([HumanMessage(question)])
    text = str(reply.content)
    assert not reply.tool_calls
    assert "can't" not in text
    for ability in (
        "Tell the time",
        "Calculate",
        "approval",
        "/tool send_notification",
        "files and knowledge",
    ):
        assert ability in text, ability
    assert "cite" in text


@pytest.mark.parametrize("question", ["你能做什么？", "你会什么", "你有哪些功能？", "能帮我做什么"])
async def test_what_can_you_do_in_chinese_answers_in_chinese(question: str) -> None:
    text = str((await OfflineChatModel().bind_tools(DEMO_TOOLS).ainvoke([HumanMessage(question)])).content)
    for ability in ("报时", "计算", "批准", "/tool send_notification", "文件和知识库", "出处"):
        assert ability in text, ability
    assert "I'm" not in text


async def test_what_can_you_do_names_only_the_tools_bound() -> None:
    text = str((await OfflineChatModel().ainvoke([HumanMessage("What can you do?")])).content)
    assert "Tell the time" not in text and "Calculate" not in text and "/tool" not in text
    assert "files and knowledge" in text


RETURNS = """# Returns policy

Most items can be returned within **30 days** of delivery.
Opened electronics can be returned within 15 days.
Members get **45 days** for everything.

## Refunds

Refunds take 5 business days."""

RETURNS_LIST = (
    "# Returns\n\n- Unopened items: **30 days**\n- Opened electronics: 15 days\n- Members: **45 days**\n"
)
RETURNS_TABLE = (
    "Returns\n\n| Item | Window |\n|---|---|\n| Unopened | **30 days** |\n"
    "| Opened electronics | 15 days |\n| Members | **45 days** |\n"
)


@pytest.mark.parametrize("doc", [RETURNS, RETURNS_LIST, RETURNS_TABLE], ids=["prose", "list", "table"])
async def test_the_answer_quotes_the_fact_asked_for_not_its_bold_neighbours(doc: str) -> None:
    # The passage holds three facts; quoting it whole put "**45 days**" (the members' fact, bold in the
    # source) beside the question about opened electronics.
    answer = await ask("How long do I have to return opened electronics?", ("returns.md", doc))
    assert answer.startswith("According to returns.md")
    assert "15 days" in answer
    assert "45 days" not in answer and "30 days" not in answer and "**" not in answer


async def test_list_items_stay_apart_when_several_match() -> None:
    answer = await ask("What are the return windows for items and electronics?", ("r.md", RETURNS_LIST))
    assert "Unopened items: **30 days**\nOpened electronics: 15 days" in answer


LONG_EN = " ".join(
    f"Clause {i} says the tenant must keep the pump room {('dry', 'clean', 'locked')[i % 3]} at all times"
    f" and report any fault within {i + 2} days."
    for i in range(40)
)
LONG_ZH = "".join(
    f"第{i}条规定，泵房必须保持{('干燥', '清洁', '上锁')[i % 3]}，任何故障须在{i + 2}天内报告！"
    for i in range(40)
)


@pytest.mark.parametrize(
    ("question", "doc", "ends"),
    [
        ("When must the tenant report a fault in the pump room?", LONG_EN, "."),
        ("泵房故障须在几天内报告？", LONG_ZH, "！"),
    ],
)
async def test_quoted_passages_end_at_a_sentence_boundary(question: str, doc: str, ends: str) -> None:
    answer = await ask(question, ("rules.txt", doc))
    assert len(answer) <= MAX_REPLY
    assert answer.endswith(ends) and not answer.endswith("…"), answer[-40:]


async def test_summary_points_are_whole_sentences() -> None:
    answer = await ask("summarize the file", ("rules.txt", LONG_EN))
    points = [p for p in answer.split("\n• ")[1:]]
    assert points and all(p.endswith(".") for p in points), points


async def test_an_answer_from_two_documents_cites_both() -> None:
    a = ("a.md", "The blue pump needs oil every month.")
    b = ("b.md", "The blue pump needs a new seal every year.")
    answer = await ask("What does the blue pump need?", a, b)
    assert answer.startswith("According to a.md and b.md:"), answer
    assert "oil" in answer and "seal" in answer


async def test_a_chunk_opening_mid_sentence_is_quoted_from_its_first_whole_sentence() -> None:
    chunk = "returned within 15 days of delivery. Opened electronics can be returned within 15 days too."
    answer = await ask("Can opened electronics be returned?", ("returns.md", chunk))
    assert answer == "According to returns.md: Opened electronics can be returned within 15 days too."


RETURNS_ZH = (
    "退货\n\n未拆封商品可在收货后三十天内退货。已拆封的电子产品须在十五天内退货！会员享有四十五天的退货期。"
)


@pytest.mark.parametrize(
    ("question", "fact", "others"),
    [
        ("已拆封的电子产品多久内可以退货？", "十五天", ["三十天", "四十五天"]),
        ("会员的退货期是多少？", "四十五天", ["三十天", "十五天内"]),
    ],
)
async def test_a_chinese_answer_quotes_the_sentence_asked_about(
    question: str, fact: str, others: list[str]
) -> None:
    # "退货" is in every sentence: a sentence that only repeats it adds nothing to the answer.
    answer = await ask(question, ("退货.md", RETURNS_ZH))
    assert answer.startswith("根据 退货.md") and fact in answer
    assert not any(o in answer for o in others), answer
    assert answer[-1] in "。！？", answer
