"""The public surface: pinned exports, sync/async parity, a docstring with an example on every method."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import httpx
import pytest
import xpert_sdk
from xpert_sdk import AsyncClient, AsyncEventStream, Client, EventStream
from xpert_sdk.assistants import Assistants, AsyncAssistants
from xpert_sdk.chatkit import AsyncChatKit, AsyncChatKitSessions, ChatKit, ChatKitSessions
from xpert_sdk.connections import AsyncConnections, Connections
from xpert_sdk.contexts import AsyncContexts, Contexts
from xpert_sdk.conversations import AsyncConversations, Conversations
from xpert_sdk.crons import AsyncCrons, Crons
from xpert_sdk.knowledges import AsyncKnowledges, Knowledges
from xpert_sdk.runs import AsyncRuns, Runs
from xpert_sdk.store import AsyncStore, Store
from xpert_sdk.threads import AsyncThreads, Threads
from xpert_sdk.webhooks import AsyncWebhooks, Webhooks

EXPORTS = [
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

RESOURCE_PAIRS = [
    (Assistants, AsyncAssistants),
    (Threads, AsyncThreads),
    (Runs, AsyncRuns),
    (Conversations, AsyncConversations),
    (Store, AsyncStore),
    (Contexts, AsyncContexts),
    (Knowledges, AsyncKnowledges),
    (ChatKit, AsyncChatKit),
    (ChatKitSessions, AsyncChatKitSessions),
    (Connections, AsyncConnections),
    (Webhooks, AsyncWebhooks),
    (Crons, AsyncCrons),
]
# Methods that return an (async) iterator rather than a result: plain `def` on both sides.
STREAMING = {"stream", "join_stream"}
# Sync name -> async name, where httpx's convention differs.
RENAMED = {"close": "aclose"}


def public_methods(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def parameters(function: Any) -> list[tuple[str, Any, Any]]:
    """Name, kind and default of each parameter (annotations differ by design: sync vs async types)."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def test_all_is_pinned_and_sorted() -> None:
    assert xpert_sdk.__all__ == EXPORTS
    assert xpert_sdk.__all__ == sorted(xpert_sdk.__all__)
    for name in xpert_sdk.__all__:
        assert getattr(xpert_sdk, name) is not None


@pytest.mark.parametrize("module", ["errors", "types", "chat"])
def test_submodule_exports_are_sorted_and_exist(module: str) -> None:
    mod = importlib.import_module(f"xpert_sdk.{module}")
    assert mod.__all__ == sorted(mod.__all__)
    assert all(hasattr(mod, name) for name in mod.__all__)


@pytest.mark.parametrize(("sync_cls", "async_cls"), RESOURCE_PAIRS, ids=lambda c: c.__name__)
def test_resource_pairs_have_the_same_methods_and_signatures(sync_cls: type, async_cls: type) -> None:
    sync_methods, async_methods = public_methods(sync_cls), public_methods(async_cls)
    assert sorted(sync_methods) == sorted(async_methods)
    for name, method in sync_methods.items():
        twin = async_methods[name]
        assert parameters(method) == parameters(twin), name
        assert not inspect.iscoroutinefunction(method), name
        assert inspect.iscoroutinefunction(twin) is (name not in STREAMING), name
    assert parameters(sync_cls) == parameters(async_cls)


def test_clients_have_the_same_resources_and_arguments() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    client, aclient = Client(transport=transport), AsyncClient(transport=transport)
    resources = {name: type(value) for name, value in vars(client).items() if not name.startswith("_")}
    aresources = {name: type(value) for name, value in vars(aclient).items() if not name.startswith("_")}
    client.close()
    assert sorted(resources) == sorted(aresources)
    assert sorted(resources) == sorted(
        [
            "api_url",
            "assistants",
            "chatkit",
            "connections",
            "contexts",
            "conversations",
            "crons",
            "knowledges",
            "runs",
            "store",
            "threads",
            "webhooks",
        ]
    )
    pairs = {(resources[name], aresources[name]) for name in resources if name != "api_url"}
    assert pairs == set(RESOURCE_PAIRS) - {(ChatKitSessions, AsyncChatKitSessions)}
    assert parameters(Client) == parameters(AsyncClient)
    assert [RENAMED.get(name, name) for name in public_methods(Client)] == list(public_methods(AsyncClient))


def test_event_streams_are_twins() -> None:
    sync_api = [RENAMED.get(name, name) for name in public_methods(EventStream)]
    assert sync_api == list(public_methods(AsyncEventStream))
    properties = ["last_event_id", "run_id", "thread_id"]
    for cls in (EventStream, AsyncEventStream):
        assert [name for name, _ in inspect.getmembers(cls, lambda m: isinstance(m, property))] == properties


DOCUMENTED = [cls for pair in RESOURCE_PAIRS for cls in pair] + [Client, AsyncClient]


@pytest.mark.parametrize("cls", DOCUMENTED, ids=lambda c: c.__name__)
def test_every_public_method_has_a_docstring_with_an_example(cls: type) -> None:
    for name, method in public_methods(cls).items():
        assert method.__doc__ and "Example: ``" in method.__doc__, f"{cls.__name__}.{name}"


@pytest.mark.parametrize("name", ["chat_input", "iter_text", "aiter_text", "text_delta"])
def test_helpers_have_a_docstring_with_an_example(name: str) -> None:
    assert "Example: ``" in (getattr(xpert_sdk, name).__doc__ or "")


def test_errors_docstring_draws_the_whole_tree() -> None:
    from xpert_sdk import errors

    classes = [name for name in errors.__all__ if name[0].isupper()]
    for name in classes:
        assert name in (errors.__doc__ or ""), name
