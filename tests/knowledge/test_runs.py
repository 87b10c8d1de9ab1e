"""Files and knowledge inside runs, offline: the seed's upload-then-ask flow, and an xpert that lists a
knowledge base retrieving from it (the `knowledges` component, and an answer citing the document)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.harness.chat import send
from tests.knowledge.common import wait_processed
from tests.knowledge.conftest import KB_ORG, MANUALS_KB, KEnv
from tests.knowledge.docs import manual_pdf
from tests.runs.sse import parse

SEED_SUMMARY = "请总结附件重点。"


async def assistant(c: httpx.AsyncClient, slug: str) -> str:
    (found,) = (await c.post("/assistants/search", json={"metadata": {"slug": slug}})).json()
    return str(found["assistant_id"])


async def wait_reply(
    c: httpx.AsyncClient, xpert: str, text: str, files: list[dict[str, Any]] | None = None
) -> str:
    thread = (await c.post("/threads", json={})).json()
    resp = await c.post(
        f"/threads/{thread['thread_id']}/runs/wait",
        json={"assistant_id": xpert, "input": send(text, files)},
        timeout=60,
    )
    assert resp.status_code == 201, resp.text
    reply: str = resp.json()["content"]
    return reply


async def test_run_answers_from_the_uploaded_manual(kenv: KEnv) -> None:
    async with await kenv.client(KB_ORG) as c:
        xpert = await assistant(c, "reader")
        upload = (await c.post("/contexts/file", files={"file": ("manual.pdf", manual_pdf())})).json()
        # The seed passes {id, name, url}; the SDK passes the whole upload reply. Both work, at once
        # (still parsing: the run waits for the text).
        seed_file = {"id": upload["id"], "name": "manual.pdf", "url": upload["url"]}
        reply = await wait_reply(c, xpert, "What is the emergency shutoff code for the pump?", [seed_file])
        assert "7341-B" in reply, reply
        assert len(reply) < 600
        assert "manual.pdf" in reply

        summary = await wait_reply(c, xpert, SEED_SUMMARY, [upload])
        assert 0 < len(summary) < 600, summary
        assert SEED_SUMMARY not in summary
        assert "AquaFlow" in summary or "X200" in summary, summary


async def test_run_with_a_file_of_another_org_is_404(kenv: KEnv) -> None:
    async with await kenv.client() as stranger, await kenv.client(KB_ORG) as c:
        theirs = (await stranger.post("/contexts/file", files={"file": ("x.txt", b"theirs")})).json()
        xpert = await assistant(c, "reader")
        thread = (await c.post("/threads", json={})).json()
        resp = await c.post(
            f"/threads/{thread['thread_id']}/runs/wait",
            json={"assistant_id": xpert, "input": send("read it", [{"id": theirs["id"]}])},
        )
        assert resp.status_code == 404


async def test_xpert_with_knowledge_retrieves_and_cites(kenv: KEnv) -> None:
    async with await kenv.client(KB_ORG) as c:
        kb = await c.post("/knowledges", json={"name": MANUALS_KB, "recall": {"topK": 3}})
        assert kb.status_code in (201, 409), kb.text
        kb_id = (await c.get(f"/knowledges/{MANUALS_KB}")).json()["id"]
        docs = (
            await c.post(
                f"/knowledges/{kb_id}/bulk",
                json=[
                    {
                        "name": "warranty.md",
                        "text": "The SunCell 400 solar panel keeps 90 percent of its output after 25 years.",
                    },
                    {"name": "parking.md", "text": "Visitors park on level 1 of garage B."},
                ],
            )
        ).json()
        await c.post(f"/knowledges/{kb_id}/process", json=[d["id"] for d in docs])
        await wait_processed(c, kb_id, [d["id"] for d in docs])
        xpert = await assistant(c, "librarian")
        thread = (await c.post("/threads", json={})).json()
        resp = await c.post(
            f"/threads/{thread['thread_id']}/runs/stream",
            json={"assistant_id": xpert, "input": send("太阳能板25年后还有多少输出？")},
            timeout=60,
        )
        assert resp.status_code == 200
        frames = parse(resp.text)
        components = [
            f.data["data"]
            for f in frames
            if f.event is None
            and f.data.get("type") == "message"
            and isinstance(f.data.get("data"), dict)
            and f.data["data"].get("type") == "component"
        ]
        started = [
            x
            for x in components
            if x["data"].get("type") == "knowledges" and x["data"]["status"] == "running"
        ]
        assert started and started[0]["data"]["category"] == "Tool"
        assert started[0]["data"]["message"] == "太阳能板25年后还有多少输出？"
        done = [x for x in components if x["id"] == started[0]["id"] and x["data"]["status"] == "success"]
        assert done and done[0]["data"]["data"][0]["metadata"]["document_name"] == "warranty.md"
        text = "".join(
            f.data["data"]["text"]
            for f in frames
            if f.event is None
            and f.data.get("type") == "message"
            and isinstance(f.data.get("data"), dict)
            and f.data["data"].get("type") == "text"
        )
        assert "warranty.md" in text, text
        assert "90" in text
