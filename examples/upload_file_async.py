"""Upload a file, then ask the xpert about it, with `AsyncClient`.

    XPERTAI_API_URL=… XPERTAI_API_KEY=… python examples/upload_file_async.py ./manual.pdf [--xpert demo]

This variant uploads bytes read into memory, as the seed's `new Blob([fileBuffer])` does: `filename=`
tells the server the file's name and type.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from xpert_sdk import AsyncClient, RunFailedError, chat_input


async def main(content: bytes, filename: str, slug: str, question: str) -> None:
    async with AsyncClient() as client:
        assistants = await client.assistants.search(limit=1, metadata={"slug": slug})
        if not assistants:
            raise SystemExit(f"Assistant not found: {slug}")
        xpert_id = assistants[0]["xpert_id"]

        file = await client.contexts.upload_file(content, filename=filename)
        thread = await client.threads.create()
        try:
            result = await client.runs.wait(
                thread["thread_id"], xpert_id, input=chat_input(question, files=[file])
            )
        except RunFailedError as e:  # the model (or a tool server) failed: say what, and exit non-zero
            raise SystemExit(f"The run failed: {e.message}") from None
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="the file to upload, e.g. ./manual.pdf")
    parser.add_argument("--xpert", default="demo", help="the xpert's slug")
    parser.add_argument("--question", default="请总结附件重点。")
    args = parser.parse_args()
    # Read before the event loop starts: a blocking read inside a coroutine would stall it.
    asyncio.run(main(args.path.read_bytes(), args.path.name, args.xpert, args.question))
