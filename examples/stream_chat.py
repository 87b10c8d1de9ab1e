"""Stream the reply to the terminal as it is written.

    XPERTAI_API_URL=… XPERTAI_API_KEY=… python examples/stream_chat.py demo "Tell me a story"

`runs.stream` yields one `StreamEvent` per SSE frame; `iter_text` keeps only the reply's text. A dropped
connection resumes by itself, so nothing is printed twice or lost.
"""

from __future__ import annotations

import sys

from xpert_sdk import Client, RunFailedError, chat_input, iter_text


def main(slug: str = "demo", message: str = "Tell me a story") -> None:
    with Client() as client:
        assistants = client.assistants.search(limit=1, metadata={"slug": slug})
        if not assistants:
            raise SystemExit(f"Assistant not found: {slug}")
        thread = client.threads.create()

        events = client.runs.stream(thread["thread_id"], assistants[0]["xpert_id"], input=chat_input(message))
        try:
            for delta in iter_text(events):
                print(delta, end="", flush=True)
        except RunFailedError as e:  # raised at the run's end, after the text it did stream
            print()
            raise SystemExit(f"The run failed: {e.message}") from None
        print()


if __name__ == "__main__":
    main(*sys.argv[1:3])
