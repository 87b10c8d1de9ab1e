"""Python SDK for XpertAI-compatible "AI API" servers (xpert-server and XpertAI).

    from xpert_sdk import Client, chat_input

    with Client(api_url="http://127.0.0.1:8000/api/ai", api_key="sk-x-…") as client:
        [xpert] = client.assistants.search(limit=1, metadata={"slug": "support"})
        thread = client.threads.create()
        reply = client.runs.wait(thread["thread_id"], xpert["xpert_id"], input=chat_input("Hi!"))
        print(reply["content"])

`AsyncClient` has the same resources and methods, awaited. Errors are in `xpert_sdk.errors`, the JSON
shapes in `xpert_sdk.types`.
"""

from xpert_sdk._client import AsyncClient, Client
from xpert_sdk._sse import StreamEvent
from xpert_sdk._streams import AsyncEventStream, EventStream
from xpert_sdk._version import __version__
from xpert_sdk.chat import aiter_text, chat_input, iter_text, text_delta
from xpert_sdk.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RunFailedError,
    TokenExpiredError,
    XpertError,
)

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncEventStream",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "EventStream",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RunFailedError",
    "StreamEvent",
    "TokenExpiredError",
    "XpertError",
    "__version__",
    "aiter_text",
    "chat_input",
    "iter_text",
    "text_delta",
]
