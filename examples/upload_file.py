"""Upload a file, then ask the xpert about it.

    XPERTAI_API_URL=… XPERTAI_API_KEY=… python examples/upload_file.py ./manual.pdf [--xpert demo] [--question …]

The seed's second TypeScript example, in Python. `upload_file` takes a path (streamed from disk), bytes
(give `filename=` so the server can tell the type) or a binary file object.
"""

from __future__ import annotations

import argparse
import json

from xpert_sdk import Client, RunFailedError, chat_input


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="the file to upload, e.g. ./manual.pdf")
    parser.add_argument("--xpert", default="demo", help="the xpert's slug")
    parser.add_argument("--question", default="请总结附件重点。")
    args = parser.parse_args()

    with Client() as client:
        assistants = client.assistants.search(limit=1, metadata={"slug": args.xpert})
        if not assistants:
            raise SystemExit(f"Assistant not found: {args.xpert}")
        xpert = assistants[0]

        file = client.contexts.upload_file(args.path)
        thread = client.threads.create()
        try:
            result = client.runs.wait(
                thread["thread_id"],
                xpert["xpert_id"],
                input=chat_input(args.question, files=[file]),
            )
        except RunFailedError as e:  # the model (or a tool server) failed: say what, and exit non-zero
            raise SystemExit(f"The run failed: {e.message}") from None
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
