"""A LangGraph run its process left running, ended by recovery (runs/recovery.py): its stream ends with
LangGraph's `error` event, `join` answers `__error__`, and its AI message keeps the text it streamed."""

from __future__ import annotations

import time

from langgraph_sdk.client import LangGraphClient

from tests.langgraph.conftest import ORG, LangGraphEnv
from tests.runs.sse import parse
from xpert_server.auth.principal import Principal
from xpert_server.encoding import dumps, new_id
from xpert_server.runs.recovery import ORPHAN_REASON, recover_orphaned_runs
from xpert_server.storage.records import MessageRecord, RunRecord

STREAMED = [  # what the run's messages-tuple stream stored before its process died
    ("metadata", {"run_id": "", "attempt": 1}),
    ("messages", [{"type": "AIMessageChunk", "content": "Hello ", "id": "m-1"}, {}]),
    ("messages", [{"type": "AIMessageChunk", "content": "there", "id": "m-1"}, {}]),
]


async def orphan(lg: LangGraphEnv, client: LangGraphClient) -> tuple[str, RunRecord, str]:
    """A LangGraph run left `running` with three stored events, as a killed process leaves it."""
    services = lg.harness.services
    tid = (await client.threads.create())["thread_id"]
    assistant = await client.assistants.get("greeter")  # the graph's default assistant
    p = Principal(org_id=ORG, kind="key", key_id="recovery-test")
    thread = await services.storage.get_thread(p, tid)
    assert thread is not None
    now, message_id = time.time(), new_id()
    run = RunRecord(
        id=new_id(),
        org_id=ORG,
        thread_id=thread.id,
        assistant_id=assistant["assistant_id"],
        status="pending",
        input={"messages": [{"role": "user", "content": "hi"}]},
        kwargs={"protocol": "langgraph", "stream_mode": "messages-tuple", "ai_message_id": message_id},
        metadata={},
        created_by=None,
        error=None,
        created_at=now,
        updated_at=now,
    )
    ai = MessageRecord(
        id=message_id, thread_id=thread.id, role="ai", content=[], status="thinking", execution_id=run.id
    )
    await services.storage.start_run(p, run, messages=[ai])  # no queue row: no live process holds it
    await services.storage.set_run_status(run.id, "running")
    events = services.runs.events
    events.open(run.id)
    for name, data in STREAMED:
        events.append(run.id, dumps({**data, "run_id": run.id} if name == "metadata" else data), name)
    await events.sync()
    return tid, run, message_id


async def test_a_recovered_langgraph_run_ends_with_its_error(
    lg: LangGraphEnv, client: LangGraphClient
) -> None:
    tid, run, message_id = await orphan(lg, client)
    services = lg.harness.services
    await recover_orphaned_runs(services.storage, services.runs.events, lambda worker: True)

    parts = [(p.event, p.data) async for p in client.runs.join_stream(tid, run.id)]
    assert [e for e, _ in parts] == ["metadata", "messages", "messages", "error"]
    assert parts[-1][1] == {"error": "RunError", "message": ORPHAN_REASON}
    joined = await client.runs.join(tid, run.id)
    assert joined["__error__"] == {"error": "RunError", "message": ORPHAN_REASON}
    assert (await client.runs.get(tid, run.id))["status"] == "error"

    p = Principal(org_id=ORG, kind="key", key_id="recovery-test")
    message = await services.storage.get_message(p, run.thread_id, message_id)
    assert message is not None and message.content == [{"type": "text", "id": "m-1", "text": "Hello there"}]
    # An XpertAI reader sees the same ending: the streamed text, then the run's error.
    answer = await client.http.client.get(
        f"/threads/{tid}/runs/{run.id}/stream", params={"protocol": "xpertai"}
    )
    frames = parse(answer.text)
    end = frames[-2].data["data"]
    assert end["status"] == "error" and end["error"] == ORPHAN_REASON and end["errorKind"] == "RunError"
