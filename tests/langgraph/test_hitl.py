"""Approvals in LangChain's HITL shape beside XpertAI's, driven by langgraph-sdk: the demo xpert's
`send_notification` interrupts with one value carrying both `reviewConfigs[].actionName` (XpertAI's clients,
ChatKit) and `review_configs[].action_name` (LangChain's `HITLRequest`, which agent-chat-ui's inbox reads),
and a LangChain resume (`command.resume = {"decisions": [...]}`, as agent-chat-ui sends it) decides it."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph_sdk.client import LangGraphClient

ASK = {"messages": [{"role": "user", "content": '/tool send_notification {"message": "hi"}'}]}
DECISIONS = ["approve", "edit", "reject"]


async def interrupted(client: LangGraphClient) -> tuple[str, dict[str, Any]]:
    """A demo thread stopped at the approval, and the interrupt's value."""
    tid = (await client.threads.create())["thread_id"]
    parts = [p async for p in client.runs.stream(tid, "demo", input=ASK, stream_mode="updates")]
    (pending,) = [
        p.data["__interrupt__"] for p in parts if p.event == "updates" and "__interrupt__" in p.data
    ]
    return tid, pending[0]["value"]


async def test_an_approval_carries_langchains_hitl_request_beside_xpertais(
    demo_client: LangGraphClient,
) -> None:
    tid, value = await interrupted(demo_client)
    assert value["action_requests"] == [
        {
            "name": "send_notification",
            "args": {"message": "hi"},
            "description": "Send notification needs your approval before it runs.",
        }
    ]
    both = {
        "action_name": "send_notification",
        "allowed_decisions": DECISIONS,
        "actionName": "send_notification",
        "allowedDecisions": DECISIONS,
    }
    # Each review config in both spellings, in both lists: LangGraph's JS SDK gives a UI `reviewConfigs`
    # under both names when both are there, and agent-chat-ui checks `action_name` in it.
    assert value["review_configs"] == [both]
    assert value["reviewConfigs"] == [both]
    assert value["actionRequests"] == value["action_requests"]
    assert value["toolCalls"][0]["name"] == "send_notification"
    # agent-chat-ui reads the interrupt from the thread's state as well.
    (task,) = (await demo_client.threads.get_state(tid))["tasks"]
    assert task["interrupts"][0]["value"] == value


@pytest.mark.parametrize(
    ("decision", "status", "result"),
    [
        ({"type": "approve"}, "success", "Notification sent: hi"),
        (
            {"type": "edit", "edited_action": {"name": "send_notification", "args": {"message": "edited"}}},
            "success",
            "Notification sent: edited",
        ),
        ({"type": "reject", "message": "not today"}, "error", "not today"),
    ],
    ids=["approve", "edit", "reject"],
)
async def test_langchains_decisions_resume_the_approval(
    demo_client: LangGraphClient, decision: dict[str, Any], status: str, result: str
) -> None:
    tid, _ = await interrupted(demo_client)
    values = await demo_client.runs.wait(tid, "demo", command={"resume": {"decisions": [decision]}})
    (tool,) = [m for m in values["messages"] if m["type"] == "tool"]
    assert tool["name"] == "send_notification" and tool["status"] == status, tool
    assert result in tool["content"], tool
    assert values["messages"][-1]["type"] == "ai" and "__interrupt__" not in values
    assert (await demo_client.threads.get(tid))["status"] == "idle"
