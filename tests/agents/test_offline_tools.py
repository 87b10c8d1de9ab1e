"""The offline model's tool rules (unit), and the demo xpert using them through the API with no key."""

from __future__ import annotations

import re
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool

from tests.agents.common import event, run, run_id, single_call, text, thread
from tests.agents.conftest import AgentsEnv
from tests.harness.chat import resume, send
from xpert_server.agents.offline import OfflineChatModel
from xpert_server.agents.offline_rules import ToolPlan, arithmetic, plan
from xpert_server.agents.tools.builtin import BUILTINS

TOOLS: list[BaseTool] = [BUILTINS[n].make({}) for n in ("current_time", "calculator", "send_notification")]


def schemas() -> list[dict[str, Any]]:
    return OfflineChatModel().bind_tools(TOOLS).tools  # type: ignore[attr-defined,no-any-return]


def ask(question: str) -> ToolPlan | str | None:
    return plan([HumanMessage(question)], schemas())


@pytest.mark.parametrize(
    "question, args",
    [
        ('/tool send_notification {"message": "hi"}', {"message": "hi"}),
        ("/tool send_notification hello there", {"message": "hello there"}),
        ("  /tool current_time", {}),
    ],
)
def test_tool_command(question: str, args: dict[str, Any]) -> None:
    planned = ask(question)
    assert isinstance(planned, ToolPlan) and planned.args == args


def test_tool_command_errors() -> None:
    assert ask("/tool nope {}") == (
        "There is no tool named `nope` here. Available tools: calculator, current_time, send_notification."
    )
    assert "must be a JSON object" in str(ask("/tool send_notification [1, 2]"))
    assert "must be a JSON object" in str(ask("/tool current_time not json"))  # no single string field


@pytest.mark.parametrize(
    "question",
    [
        "What time is it?",
        "what's the time",
        "Tell me the current time please",
        "现在几点？",
        "现在几点了",
    ],
)
def test_time_questions(question: str) -> None:
    assert ask(question) == ToolPlan("current_time", {})


@pytest.mark.parametrize(
    "question, expression",
    [
        ("what is 12*7", "12*7"),
        ("What's 3 plus 4?", "3 + 4"),
        ("calculate (3+4)/2", "(3+4)/2"),
        ("计算 3+4", "3+4"),
        ("12乘以7等于多少？", "12 * 7"),
        ("2^10=?", "2^10"),
        ("12*7", "12*7"),
    ],
)
def test_arithmetic_questions(question: str, expression: str) -> None:
    assert ask(question) == ToolPlan("calculator", {"expression": expression})


@pytest.mark.parametrize(
    "question",
    [
        "what is love",
        "call me at 555-1234",
        "2024-01-05",
        "hello",
        "what is the capital of France?",
    ],
)
def test_not_arithmetic(question: str) -> None:
    assert arithmetic(question) is None
    assert ask(question) is None


def test_rules_need_the_tool_to_be_bound() -> None:
    assert plan([HumanMessage("what time is it")], []) is None
    only_calc = [s for s in schemas() if s["function"]["name"] == "calculator"]
    assert plan([HumanMessage("what time is it")], only_calc) is None
    assert plan([HumanMessage("/tool current_time")], only_calc) == (
        "There is no tool named `current_time` here. Available tools: calculator."
    )


def after(
    call: dict[str, Any], result: str, question: str = "q", status: str = "success"
) -> list[BaseMessage]:
    return [
        HumanMessage(question),
        AIMessage("", tool_calls=[{**call, "id": "c1"}]),
        ToolMessage(result, tool_call_id="c1", name=call["name"], status=status),
    ]


def test_answers_after_tool_results() -> None:
    assert plan(after({"name": "calculator", "args": {"expression": "12*7"}}, "84"), []) == "12*7 = 84"
    assert plan(after({"name": "current_time", "args": {}}, "2030-01-01T00:00:00+00:00"), []) == (
        "The current time is 2030-01-01T00:00:00+00:00."
    )
    assert plan(after({"name": "current_time", "args": {}}, "T", "现在几点"), []) == "现在是 T。"
    assert plan(after({"name": "send_notification", "args": {}}, "refused", status="error"), []) == (
        "The tool `send_notification` did not succeed: refused"
    )


async def test_offline_model_streams_a_tool_call() -> None:
    bound = OfflineChatModel().bind_tools(TOOLS)
    chunks = [c async for c in bound.astream([HumanMessage("what is 6*7")])]
    merged = chunks[0]
    for c in chunks[1:]:
        merged = merged + c
    assert merged.tool_calls[0]["name"] == "calculator"
    assert merged.tool_calls[0]["args"] == {"expression": "6*7"}
    assert merged.usage_metadata and merged.usage_metadata["output_tokens"] > 0
    reply = await bound.ainvoke([HumanMessage("what is 6*7")])
    assert isinstance(reply, AIMessage) and reply.tool_calls[0]["name"] == "calculator"


# ---- through the API, on the demo xpert (what the ChatKit browser tests drive) --------------------------------
async def test_demo_approval_with_tool_command(agents: AgentsEnv) -> None:
    async with await agents.client("default") as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["demo"], send('/tool send_notification {"message":"hi"}'))
        value = event(frames, "on_interrupt")["tasks"][0]["interrupts"][0]["value"]
        assert value["toolCalls"][0]["name"] == "send_notification"
        assert value["toolCalls"][0]["args"] == {"message": "hi"}
        assert event(frames, "on_conversation_end")["status"] == "interrupted"
        frames = await run(c, tid, agents.ids["demo"], resume(run_id(frames)))
    _id, start, end = single_call(frames)
    assert start["title"] == "Send notification" and end["output"] == "Notification sent: hi"
    assert text(frames) == "`send_notification` returned: Notification sent: hi"


async def test_demo_calculator_and_time(agents: AgentsEnv) -> None:
    async with await agents.client("default") as c:
        tid = await thread(c)
        frames = await run(c, tid, agents.ids["demo"], send("what is 12*7"))
        _id, start, end = single_call(frames)
        assert start["tool"] == "calculator" and end["output"] == "84"
        assert text(frames) == "12*7 = 84"
        usage = event(frames, "on_agent_end")
        assert usage["inputTokens"] > 0 and usage["outputTokens"] > 0
        frames = await run(c, tid, agents.ids["demo"], send("现在几点"))
        _id, start, end = single_call(frames)
        assert start["tool"] == "current_time"
        assert re.fullmatch(r"现在是 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 \(\w+, UTC\)。", text(frames))
        # No tool rule applies: the usual offline notice.
        frames = await run(c, tid, agents.ids["demo"], send("hello"))
        assert "offline model" in text(frames)
