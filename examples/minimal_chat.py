"""Minimal chat: find an xpert by its slug, open a thread, run it, print the answer.

    XPERTAI_API_URL=http://127.0.0.1:8000/api/ai XPERTAI_API_KEY=sk-x-… python examples/minimal_chat.py demo

The seed's TypeScript example, in Python. Arguments: the xpert's slug (default `demo`) and the message.
"""

from __future__ import annotations

import json
import sys

from xpert_sdk import Client, RunFailedError


def main(slug: str = "demo", message: str = "你好,请介绍一下你能做什么?") -> None:
    # api_url and api_key come from XPERTAI_API_URL and XPERTAI_API_KEY.
    with Client() as client:
        assistants = client.assistants.search(limit=1, metadata={"slug": slug})
        if not assistants:
            raise SystemExit(f"Assistant not found: {slug}")
        xpert = assistants[0]

        thread = client.threads.create()
        try:
            result = client.runs.wait(
                thread["thread_id"],
                xpert["xpert_id"],
                input={
                    "action": "send",
                    "message": {"input": {"input": message}},
                },
            )
        except RunFailedError as e:  # the model (or a tool server) failed: say what, and exit non-zero
            raise SystemExit(f"The run failed: {e.message}") from None
        print(json.dumps(result, ensure_ascii=False))  # {"role": "ai", "content": "…"}


if __name__ == "__main__":
    main(*sys.argv[1:3])
