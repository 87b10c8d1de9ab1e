"""Minimal chat with `AsyncClient`: the same steps as minimal_chat.py, awaited.

XPERTAI_API_URL=… XPERTAI_API_KEY=… python examples/minimal_chat_async.py demo "Hello"
"""

from __future__ import annotations

import asyncio
import json
import sys

from xpert_sdk import AsyncClient, RunFailedError, chat_input


async def main(slug: str = "demo", message: str = "你好,请介绍一下你能做什么?") -> None:
    async with AsyncClient() as client:
        assistants = await client.assistants.search(limit=1, metadata={"slug": slug})
        if not assistants:
            raise SystemExit(f"Assistant not found: {slug}")
        xpert = assistants[0]

        thread = await client.threads.create()
        # chat_input(text) builds {"action": "send", "message": {"input": {"input": text}}}.
        try:
            result = await client.runs.wait(thread["thread_id"], xpert["xpert_id"], input=chat_input(message))
        except RunFailedError as e:  # the model (or a tool server) failed: say what, and exit non-zero
            raise SystemExit(f"The run failed: {e.message}") from None
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:3]))
