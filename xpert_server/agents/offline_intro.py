"""What the offline model says about itself: the answer to "what can you do?" and to questions it cannot
answer. Both list what this xpert can really do offline — only the tools bound to it — in the language
the user wrote (Chinese or English).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from xpert_server.agents.lexical import mainly_cjk, truncate

_ASKS_ABILITIES = re.compile(
    r"\bwhat (?:can|could) (?:you|u|i) (?:do|ask)\b|\bwhat (?:are|do) you (?:able to do|do|offer)\b|"
    r"\bwhat are your (?:abilities|capabilities|features|skills)\b|\bhow can you help\b|"
    r"\bwhat do you know how to do\b|^\s*(?:help|/help|capabilities|features)\s*[?!.]*\s*$|"
    r"你(?:能|会|可以)(?:做|干)?(?:些)?什么|你有(?:什么|哪些)(?:功能|能力|本领)|(?:能|可以)帮(?:我|你)?(?:做|干)?(?:些)?什么|"
    r"你(?:都)?会(?:些)?(?:啥|什么)|^\s*帮助\s*[?？]?\s*$",
    re.IGNORECASE,
)
# Tools the rules of offline_rules.py call from plain questions; any other is reached with `/tool`.
_BY_QUESTION = ("current_time", "calculator")


def asks_abilities(question: str) -> bool:
    return bool(_ASKS_ABILITIES.search(question))


def _other_tool(tools: Sequence[str]) -> str | None:
    # The example for `/tool`: send_notification (the demo's approval tool) when there, else the first.
    others = [t for t in tools if t not in _BY_QUESTION]
    if "send_notification" in others:
        return "send_notification"
    return others[0] if others else None


def abilities(question: str, tools: Sequence[str]) -> str:
    """The offline model's answer to "what can you do?": only what works here, in the user's language."""
    other = _other_tool(tools)
    if mainly_cjk(question):
        lines = ["我是内置的离线模型：没有连接大模型，但这些事我可以做："]
        if "current_time" in tools:
            lines.append("- **报时**：问“现在几点？”")
        if "calculator" in tools:
            lines.append("- **计算**：例如“计算 (3+4)*12”")
        if other:
            example = '{"message": "你好"}' if other == "send_notification" else "{}"
            lines.append(f"- **调用工具，需要时先请你批准**：`/tool {other} {example}`")
        lines.append("- **根据文件和知识库回答**：附上文件（回形针按钮）再提问，我会摘出相关段落并注明出处")
        lines.append("要回答开放性问题，请连接真实模型：为服务器设置 XPERT_MODEL_BASE_URL 和 XPERT_MODEL。")
        return "\n".join(lines)
    lines = ["I'm the built-in offline model: no language model is connected, but here is what I can do:"]
    if "current_time" in tools:
        lines.append("- **Tell the time**: ask “What time is it?”")
    if "calculator" in tools:
        lines.append("- **Calculate**: “What is (3+4)*12?”")
    if other:
        example = '{"message": "hi"}' if other == "send_notification" else "{}"
        lines.append(f"- **Use tools, asking for your approval where needed**: `/tool {other} {example}`")
    lines.append(
        "- **Answer from files and knowledge**: attach a file (the paperclip) and ask about it; "
        "I quote the passage that answers and cite its source"
    )
    lines.append(
        "For open questions connect a real model: set XPERT_MODEL_BASE_URL and XPERT_MODEL for the server."
    )
    return "\n".join(lines)


def offline_notice(question: str) -> str:
    """The answer to a question the offline model cannot answer: what it is, what it can do instead."""
    said = truncate(" ".join(question.split()), 120) if question else ""
    if mainly_cjk(question):
        return (
            "我是内置的离线模型，不连接任何大模型，所以无法回答开放性问题。"
            + (f"你说的是：“{said}”。" if said else "")
            + "不过我可以根据附件和知识库回答并注明出处，也能使用这个 xpert 的工具——问我“你能做什么？”了解详情。"
            "要使用真实模型，请为服务器设置 XPERT_MODEL_BASE_URL 和 XPERT_MODEL"
            "（需要时再设置 XPERT_MODEL_API_KEY），或在该 xpert 的 YAML 中配置 `model:`。"
        )
    return (
        "I'm the built-in offline model: no language model is connected, so I can't answer open questions. "
        + (f"You said: “{said}”. " if said else "")
        + "I can answer from attached files and knowledge, citing them, and use this xpert's tools: ask "
        "“what can you do?”. To use a real model, set "
        "XPERT_MODEL_BASE_URL and XPERT_MODEL (and XPERT_MODEL_API_KEY if the endpoint needs one) for the "
        "server, or give this xpert a `model:` in its YAML."
    )
