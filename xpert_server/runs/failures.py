"""What a failed run says: a kind (the exception's class) and a message that names what failed.

"Connection error." alone sends an operator hunting; the URL the run could not reach (the model's base
URL, an MCP server's) is in the exception chain, on the httpx request the client library made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from xpert_server.net.guarded import RefusedAddress


@dataclass(frozen=True)
class Failure:
    kind: str  # for `__error__.error`: the exception's class name, as LangGraph reports it
    message: str


def describe(e: BaseException) -> Failure:
    root = _leaf(e)
    text = f"{type(root).__name__}: {root}" if str(root) else type(root).__name__
    refused = next((x for x in _chain(e) if isinstance(x, RefusedAddress)), None)
    if refused is not None and str(refused) not in text:
        text = f"{text}: {refused}"  # why the connection was refused (the public-address rule), not just that
    url = failed_url(e)
    if url is not None and url not in text:
        text = f"{text} (calling {url})"
    return Failure(type(root).__name__, text)


def failed_url(e: BaseException) -> str | None:
    """The URL of the HTTP request behind an exception (or its causes, or an exception group's members)."""
    for exc in _chain(e):
        url = _request_url(exc)
        if url is not None:
            return url
    return None


def _chain(e: BaseException) -> Iterator[BaseException]:
    """The exception, its causes and contexts, and exception groups' members, breadth first, each once."""
    seen: set[int] = set()
    pending: list[BaseException] = [e]
    while pending:
        exc = pending.pop(0)
        if id(exc) in seen:
            continue
        seen.add(id(exc))
        yield exc
        if isinstance(exc, BaseExceptionGroup):
            pending.extend(exc.exceptions)
        pending.extend(x for x in (exc.__cause__, exc.__context__) if x is not None)


def _request_url(exc: BaseException) -> str | None:
    try:
        request = getattr(exc, "request", None)  # httpx.RequestError raises when it has none
    except RuntimeError:
        return None
    # Duck-typed: the openai client ships its own copy of httpx, whose Request is not httpx.Request.
    url = getattr(request, "url", None)
    if url is None or not isinstance(getattr(request, "method", None), str):
        return None
    parts = urlsplit(str(url))
    if not parts.scheme or not parts.hostname:
        return None
    # Never a credential: not one in the query string, nor one in the URL's user info.
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _leaf(e: BaseException) -> BaseException:
    # anyio wraps a task group's failure in an ExceptionGroup: its first member says what happened.
    while isinstance(e, BaseExceptionGroup) and e.exceptions:
        e = e.exceptions[0]
    return e
