"""Stream the reply to the terminal with `AsyncClient` and `aiter_text`.

XPERTAI_API_URL=… XPERTAI_API_KEY=… python examples/stream_chat_async.py demo "Tell me a story"
"""

from __future__ import annotations

import asyncio
import sys

from xpert_sdk import AsyncClient, RunFailedError, aiter_text, chat_input


async def main(slug: str = "demo", message: str = "Tell me a story") -> None:
    async with AsyncClient() as client:
        assistants = await client.assistants.search(limit=1, metadata={"slug": slug})
        if not assistants:
            raise SystemExit(f"Assistant not found: {slug}")
        thread = await client.threads.create()

        # `async with` releases the connection even if the loop stops early.
        try:
            async with client.runs.stream(
                thread["thread_id"], assistants[0]["xpert_id"], input=chat_input(message)
            ) as events:
                async for delta in aiter_text(events):
                    print(delta, end="", flush=True)
        except RunFailedError as e:  # raised at the run's end, after the text it did stream
            print()
            raise SystemExit(f"The run failed: {e.message}") from None
        print()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:3]))
