"""LangGraph's JS SDK (@langchain/langgraph-sdk under Node) against this server: default mode, several
modes, interrupt → command.resume, join with Last-Event-ID, `__error__`, an XpertAI run joined as LangGraph
events, enqueue and cancel. The SDK comes from npm at test time
(tests/harness/npm.py; never committed); without Node the test skips with one line."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.harness.npm import npm_package
from tests.langgraph.conftest import LangGraphEnv

SCRIPT = Path(__file__).parent / "js" / "scenarios.cjs"
V2_SCRIPT = Path(__file__).parent / "js" / "v2.cjs"
HITL_SCRIPT = Path(__file__).parent / "js" / "hitl.cjs"
SDK_VERSION = "1.15.0"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node is not installed: LangGraph's JS SDK cannot run")


@pytest.fixture(scope="module")
def modules(pytestconfig: pytest.Config) -> Path:
    return npm_package(Path(pytestconfig.rootpath), "@langchain/langgraph-sdk", SDK_VERSION)


async def run_node(
    lg: LangGraphEnv, modules: Path, script: Path = SCRIPT, org: str = "langgraph-tests"
) -> dict[str, Any]:
    key, _ = await lg.harness.mint_key(org)
    env = {**os.environ, "LANGGRAPH_SDK_DIR": str(modules), "API_URL": lg.live.base_url, "API_KEY": key}
    assert NODE is not None
    proc = await asyncio.create_subprocess_exec(
        NODE, str(script), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()
    result: dict[str, Any] = json.loads(out)
    return result


def events(parts: list[dict[str, Any]]) -> list[str]:
    return [p["event"] for p in parts]


async def test_js_sdk(lg: LangGraphEnv, modules: Path) -> None:
    out = await run_node(lg, modules)
    default = out["defaultMode"]
    assert events(default)[0] == "metadata" and set(events(default)[1:]) == {"values"}
    assert default[-1]["data"]["messages"][-1]["content"] == "Hello nobody you said hi"

    assert events(out["modes"])[0] == "metadata"
    assert set(events(out["modes"])) == {"metadata", "updates", "messages", "custom"}
    assert {"progress": "greeting", "user": "Node"} in [
        p["data"] for p in out["modes"] if p["event"] == "custom"
    ]
    assert out["created"][0]["run_id"] == out["modes"][0]["data"]["run_id"]

    assert out["interrupted"]["__interrupt__"][0]["value"] == {"question": "Which colour?"}
    final = out["resumed"][-1]["data"]["messages"]
    assert [m["content"] for m in final] == ["hi", "You chose green"]

    joined, tail = out["joined"], out["tail"]
    assert set(events(joined)) == {"metadata", "values", "updates"}
    assert all(p["id"] for p in joined)
    assert tail == joined[2:]

    assert out["waitError"] == "ValueError: ValueError: no luck today"

    assert out["xpertaiReply"]["role"] == "ai"  # XpertAI's chat input: XpertAI's reply
    cross = out["crossJoined"]
    assert events(cross)[0] == "metadata" and set(events(cross)) == {"metadata", "messages", "values"}
    assert "".join(p["data"][0]["content"] for p in cross if p["event"] == "messages") == (
        "Hello nobody you said hi"
    )
    assert [m["content"] for m in cross[-1]["data"]["messages"]] == ["hi", "Hello nobody you said hi"]

    cancelled = out["cancelled"]
    assert cancelled["status"] == "interrupted" and cancelled["canceledExecutionIds"] == [cancelled["run_id"]]
    assert sorted(out["enqueued"]) == [[False, "success"], [True, "interrupted"]]


async def test_js_sdk_v2_thread_stream(lg: LangGraphEnv, modules: Path) -> None:
    """`client.threads.stream` (the thread-centric protocol): js/v2.cjs says what each scenario does."""
    out = await run_node(lg, modules, V2_SCRIPT)
    [message] = out["chat"]["messages"]
    assert message["text"] == "Hello nobody you said hi" and "".join(message["deltas"]) == message["text"]
    assert len(message["deltas"]) > 3 and message["node"] == "greet"
    # `output` holds LangChain messages (the SDK revives the state's messages), as JSON: constructor form.
    final = out["chat"]["output"]["messages"]
    assert [m["kwargs"]["content"] for m in final] == ["hi", "Hello nobody you said hi"]

    interrupt = out["interrupt"]
    assert interrupt["interrupts"][0]["payload"] == {"question": "Which colour?"}
    assert interrupt["lifecycle"] == ["running", "interrupted", "running", "completed"]
    assert [m["content"] for m in interrupt["values"]["messages"]] == ["hi", "You chose green"]

    cancel = out["cancel"]
    assert cancel["lifecycle"] == ["running", "interrupted"] and cancel["interrupted"] is True
    assert cancel["status"] == "interrupted"
    assert 3 <= len(cancel["customs"]) < 400 and cancel["customs"] == list(range(len(cancel["customs"])))

    reconnect = out["reconnect"]
    assert reconnect["cut"] and reconnect["reconnects"]  # the stream was dropped and reopened
    assert reconnect["ticks"] == list(range(30))  # nothing lost, nothing twice
    assert reconnect["uniqueIds"] and reconnect["seqs"] == sorted(reconnect["seqs"])


def agent_chat_ui_inbox_accepts(value: Any) -> bool:
    """agent-chat-ui's `isAgentInboxInterruptSchema` (src/lib/agent-inbox-interrupt.ts), in Python: what
    decides between its approve/edit/reject inbox and a generic interrupt view."""
    actions, configs = value.get("action_requests"), value.get("review_configs")
    return (
        isinstance(actions, list)
        and bool(actions)
        and isinstance(configs, list)
        and bool(configs)
        and all(isinstance(a.get("name"), str) and isinstance(a.get("args"), dict) for a in actions)
        and all(
            isinstance(c.get("action_name"), str) and isinstance(c.get("allowed_decisions"), list)
            for c in configs
        )
    )


async def test_js_sdk_hands_agent_chat_ui_an_approval_it_can_answer(lg: LangGraphEnv, modules: Path) -> None:
    out = await run_node(lg, modules, HITL_SCRIPT, org="default")
    shown = out["shown"]
    assert agent_chat_ui_inbox_accepts(shown), shown
    assert shown["review_configs"][0]["action_name"] == "send_notification"
    messages = out["resumed"]["messages"]
    assert [m["content"] for m in messages if m["type"] == "tool"] == ["Notification sent: from js"]
    assert "__interrupt__" not in out["resumed"]
