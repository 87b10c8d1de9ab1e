"""When the offline model calls a tool: fixed, documented rules (docs/agents.md), so tools, approvals and
client tools work with no model at all.

Only tools bound to the model (the xpert's tools) are ever called. On the last human message:
1. `/tool NAME {json}` calls NAME with that JSON object (`/tool NAME` alone: no arguments; `/tool NAME text`
   passes the text as the tool's only string argument);
2. a question about the time ("what time is it", "current time", "现在几点") calls `current_time`;
3. a simple arithmetic question ("what is 12*7", "calculate (3+4)/2", "计算 3+4", "12*7=?") calls
   `calculator` with the expression.
After tool results (the last messages are ToolMessages) it answers from those results.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from xpert_server.agents.lexical import mainly_cjk, truncate
from xpert_server.agents.tools import calc

_TOOL_COMMAND = re.compile(r"^\s*/tool\s+([A-Za-z0-9_-]+)\s*(.*)$", re.DOTALL)
_TIME = re.compile(
    r"\bwhat(?:'s| is)? the (?:current )?time\b|\bwhat time is it\b|\bcurrent (?:date and )?time\b|"
    r"\btime is it\b|\btime now\b|\bwhat(?:'s| is) (?:the date|today'?s date)\b|"
    r"几点|现在时间|当前时间|现在是什么时间|今天几号|今天是几月几[日号]",
    re.IGNORECASE,
)
_ASK_EN = re.compile(
    r"^\s*(?:what(?:'s| is)|calculate|compute|evaluate|how much is|solve)\s+(.+?)\s*[?？=]*\s*$",
    re.IGNORECASE,
)
_ASK_ZH = re.compile(
    r"^\s*(?:请|帮我)?(?:计算|算一下|算算|算)\s*[:：]?\s*(.+?)\s*(?:等于多少|是多少|等于几)?[?？=。]*\s*$"
)
_ASK_ZH_TAIL = re.compile(r"^\s*(.+?)\s*(?:等于多少|是多少|等于几)\s*[?？。]*\s*$")
_BARE = re.compile(r"^\s*(.+?)\s*=?\s*[?？]?\s*$")
_ARITH_CHARS = re.compile(r"^[\d\s.+\-*/×÷^()（）%,，＋－＊／·]+$")
_OPERATOR_BETWEEN = re.compile(r"[\d)）]\s*(?:[+\-*/×÷^%＋－＊／·]|\*\*)\s*[-+(（]?\s*[\d(（]")
_WORDS = [
    (re.compile(p, re.IGNORECASE), r)
    for p, r in (
        (r"\bmultiplied by\b|\btimes\b", "*"),
        (r"\bdivided by\b|\bover\b", "/"),
        (r"\bplus\b", "+"),
        (r"\bminus\b", "-"),
        (r"\bto the power of\b", "**"),
        (r"乘以|乘", "*"),
        (r"除以", "/"),
        (r"加上|加", "+"),
        (r"减去|减", "-"),
    )
]


@dataclass(frozen=True)
class ToolPlan:
    name: str
    args: dict[str, Any]


def plan(messages: Sequence[BaseMessage], tools: Sequence[dict[str, Any]]) -> ToolPlan | str | None:
    """A tool to call, a reply to give, or None (answer as usual: documents or the offline notice)."""
    if messages and isinstance(messages[-1], ToolMessage):
        return answer_from_results(messages)
    if not tools or not messages or messages[-1].type != "human":
        return None
    question = _text(messages[-1]).strip()
    names = {_name(t): t for t in tools}
    command = _TOOL_COMMAND.match(question)
    if command:
        return _command(command.group(1), command.group(2).strip(), names, question)
    if "current_time" in names and _TIME.search(question):
        return ToolPlan("current_time", {})
    if "calculator" in names:
        expression = arithmetic(question)
        if expression is not None:
            return ToolPlan("calculator", {"expression": expression})
    return None


def arithmetic(question: str) -> str | None:
    """The expression of a simple arithmetic question, or None."""
    for pattern in (_ASK_EN, _ASK_ZH, _ASK_ZH_TAIL, _BARE):
        m = pattern.match(question)
        if not m:
            continue
        candidate = m.group(1)
        for word, symbol in _WORDS:
            candidate = word.sub(f" {symbol} ", candidate)
        candidate = " ".join(candidate.split())
        if pattern is _BARE and not re.search(r"[+*/×÷^%＋＊／]|=\s*[?？]?\s*$", m.group(0)):
            continue  # a bare "555-1234" is a phone number, not a subtraction
        if _ARITH_CHARS.match(candidate) and _OPERATOR_BETWEEN.search(candidate):
            try:
                calc.evaluate(candidate)
            except calc.CalcError:
                continue
            return candidate
    return None


def _command(name: str, rest: str, tools: dict[str, dict[str, Any]], question: str) -> ToolPlan | str:
    zh = mainly_cjk(question)
    if name not in tools:
        available = ", ".join(sorted(tools)) or ("无" if zh else "none")
        if zh:
            return f"这里没有名为 {name} 的工具。可用的工具：{available}。"
        return f"There is no tool named `{name}` here. Available tools: {available}."
    if not rest:
        return ToolPlan(name, {})
    try:
        args = json.loads(rest)
    except json.JSONDecodeError:
        field = _single_string_field(tools[name])
        if field is None:
            return (
                f'`/tool {name}` 的参数必须是 JSON 对象，例如 /tool {name} {{"key": "value"}}。'
                if zh
                else f'The arguments of `/tool {name}` must be a JSON object, e.g. /tool {name} {{"key": "value"}}.'
            )
        return ToolPlan(name, {field: rest})
    if not isinstance(args, dict):
        return (
            f"`/tool {name}` 的参数必须是 JSON 对象。"
            if zh
            else f"The arguments of `/tool {name}` must be a JSON object."
        )
    return ToolPlan(name, args)


def answer_from_results(messages: Sequence[BaseMessage]) -> str:
    results: list[ToolMessage] = []
    for m in reversed(messages):
        if not isinstance(m, ToolMessage):
            break
        results.append(m)
    results.reverse()
    calls = _calls_before(messages, len(results))
    zh = mainly_cjk(_last_human(messages))
    lines = [_describe(r, calls.get(r.tool_call_id, {}), zh) for r in results]
    return "\n".join(lines)


def _describe(result: ToolMessage, args: dict[str, Any], zh: bool) -> str:
    name = result.name or "tool"
    text = truncate(_text(result).strip(), 500)
    if result.status == "error":
        return f"工具 {name} 没有成功：{text}" if zh else f"The tool `{name}` did not succeed: {text}"
    if name == "current_time":
        return f"现在是 {text}。" if zh else f"The current time is {text}."
    if name == "calculator" and isinstance(args.get("expression"), str):
        return f"{args['expression']} = {text}"
    return f"工具 {name} 的结果：{text}" if zh else f"`{name}` returned: {text}"


def _calls_before(messages: Sequence[BaseMessage], n_results: int) -> dict[str, dict[str, Any]]:
    index = len(messages) - n_results - 1
    before = messages[index] if index >= 0 else None
    if isinstance(before, AIMessage):
        return {str(c["id"]): c["args"] for c in before.tool_calls}
    return {}


def _last_human(messages: Sequence[BaseMessage]) -> str:
    for m in reversed(messages):
        if m.type == "human":
            return _text(m)
    return ""


def _text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)


def _name(schema: dict[str, Any]) -> str:
    return str((schema.get("function") or {}).get("name") or schema.get("name") or "")


def _single_string_field(schema: dict[str, Any]) -> str | None:
    params = (schema.get("function") or {}).get("parameters") or {}
    props = params.get("properties") or {}
    strings = [k for k, v in props.items() if isinstance(v, dict) and v.get("type") == "string"]
    required = [k for k in params.get("required") or [] if k in strings]
    if len(required) == 1:
        return required[0]
    return strings[0] if len(strings) == 1 else None
