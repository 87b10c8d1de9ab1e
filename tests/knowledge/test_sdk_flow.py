"""The SDK against this server (in process): "upload a file, then ask about it", and a knowledge base
built, processed and searched with `client.knowledges` — the request and reply shapes must agree."""

from __future__ import annotations

import httpx
from xpert_sdk import AsyncClient

from tests.knowledge.conftest import KB_ORG, KEnv
from tests.knowledge.docs import manual_pdf


async def test_upload_then_ask_with_the_sdk(kenv: KEnv) -> None:
    key, _ = await kenv.harness.mint_key(KB_ORG)
    transport = httpx.ASGITransport(app=kenv.harness.app)
    async with AsyncClient(
        api_url=f"http://test{kenv.harness.prefix}", api_key=key, transport=transport
    ) as client:
        file = await client.contexts.upload_file(manual_pdf(), filename="manual.pdf")
        assert file["originalName"] == "manual.pdf" and file["mimeType"] == "application/pdf"
        (xpert,) = await client.assistants.search(metadata={"slug": "reader"})
        thread = await client.threads.create()
        reply = await client.runs.wait(
            thread["thread_id"],
            xpert["assistant_id"],
            input={
                "action": "send",
                "message": {"input": {"input": "What is the emergency shutoff code?", "files": [file]}},
            },
        )
        assert "7341-B" in reply["content"]
        await client.contexts.delete_file(file["id"])

        kb = await client.knowledges.create(
            "sdk-manuals", recall={"topK": 2}, parserConfig={"chunkSize": 300}
        )
        assert kb["name"] == "sdk-manuals" and kb["recall"]["topK"] == 2
        again = await client.contexts.upload_file(manual_pdf(), filename="manual.pdf", purpose="knowledge")
        docs = await client.knowledges.add_documents(kb["id"], [{"fileId": again["id"]}])
        assert docs[0]["name"] == "manual.pdf"
        await client.knowledges.process(kb["id"], [d["id"] for d in docs])
        seen: list[list[str]] = []
        final = await client.knowledges.wait_until_ready(
            kb["id"],
            [d["id"] for d in docs],
            poll_interval=0.05,
            timeout=60,
            on_progress=lambda statuses: seen.append([s["status"] for s in statuses]),
        )
        assert final[0]["status"] == "finish" and final[0]["progress"] == 100
        items = (await client.knowledges.search(kb["id"], "emergency shutoff code", top_k=1))["items"]
        assert "7341-B" in items[0]["content"]
        assert items[0]["documentId"] == docs[0]["id"]
        updated = await client.knowledges.update(kb["id"], description="Pump manuals")
        assert updated["description"] == "Pump manuals"
        await client.knowledges.delete(kb["id"])
