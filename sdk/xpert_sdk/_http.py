"""The request core shared by `Client` and `AsyncClient`.

Resources describe each request as a `Call` (plain data, built by one function per endpoint), and
`SyncHTTP` / `AsyncHTTP` send it: same headers, same retry policy, same error mapping, so the sync and
async clients cannot drift apart.

Retries: connection errors, 429 (honouring `Retry-After`) and 5xx, never other 4xx. A `Call` that is not
idempotent (a run create, an upload…) is retried only when the server certainly did not act on it: a
connection that was never established, or a 429/503 refusal.
"""

from __future__ import annotations

import asyncio
import email.utils
import inspect
import os
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import quote

import httpx

from xpert_sdk._version import __version__
from xpert_sdk.errors import APIConnectionError, APIStatusError, APITimeoutError, make_status_error

DEFAULT_API_URL = "http://127.0.0.1:8000/api/ai"
# Generous read timeout: `runs/wait` holds the connection for a whole agent run.
DEFAULT_TIMEOUT = httpx.Timeout(300.0, connect=5.0, pool=5.0)
DEFAULT_MAX_RETRIES = 2
INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0

OnRequest = Callable[[httpx.Request], None]
AsyncOnRequest = Callable[[httpx.Request], Awaitable[None] | None]
FileContent = bytes | IO[bytes]

# Errors after which the server cannot have seen the request.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Errors worth retrying for an idempotent request.
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


def _sleep(seconds: float) -> None:
    """Backoff sleep; module-level so tests can replace it."""
    time.sleep(seconds)


async def _async_sleep(seconds: float) -> None:
    """Async backoff sleep; module-level so tests can replace it."""
    await asyncio.sleep(seconds)


@dataclass(frozen=True)
class Call:
    """One HTTP request, described as data."""

    method: str
    path: str
    params: Mapping[str, str | int] | None = None
    json: Any = None
    headers: Mapping[str, str] | None = None
    files: Mapping[str, tuple[str, FileContent]] | None = None
    data: Mapping[str, str] | None = None
    idempotent: bool = True


def path(template: str, *ids: str) -> str:
    """`template` with each `{}` replaced by a percent-escaped, non-empty id."""
    for value in ids:
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected a non-empty id string, got {value!r}")
    return template.format(*(quote(value, safe="") for value in ids))


def compact(**fields: Any) -> dict[str, Any]:
    """The fields that are not None (the JS SDK drops `undefined` the same way)."""
    return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class Settings:
    api_url: str
    headers: dict[str, str]
    timeout: float | httpx.Timeout | None
    max_retries: int


def resolve_settings(
    api_url: str | None,
    api_key: str | None,
    default_headers: Mapping[str, str] | None,
    timeout: float | httpx.Timeout | None,
    max_retries: int,
) -> Settings:
    """Client settings, falling back to `XPERTAI_API_URL` / `XPERTAI_API_KEY`."""
    url = api_url or os.environ.get("XPERTAI_API_URL") or DEFAULT_API_URL
    key = api_key if api_key is not None else os.environ.get("XPERTAI_API_KEY") or None
    headers = {"accept": "application/json", "user-agent": f"xpert-sdk-python/{__version__}"}
    if key:
        headers["x-api-key"] = key
    headers.update(default_headers or {})
    if max_retries < 0:
        raise ValueError("max_retries must be >= 0")
    return Settings(url.rstrip("/") + "/", headers, timeout, max_retries)


def backoff(attempt: int) -> float:
    """Exponential backoff with jitter: ~0.5 s, 1 s, 2 s… capped at 8 s."""
    delay = min(INITIAL_BACKOFF * 2.0**attempt, MAX_BACKOFF)
    return float(delay * (1.0 - 0.25 * random.random()))


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from `Retry-After` (delta or HTTP date), when present and sensible."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(seconds, 0.0) if seconds <= MAX_RETRY_AFTER else None


def retry_delay(
    call: Call,
    attempt: int,
    max_retries: int,
    *,
    response: httpx.Response | None = None,
    error: Exception | None = None,
) -> float | None:
    """How long to wait before retrying, or None when the failure is final."""
    if attempt >= max_retries:
        return None
    if error is not None:
        retriable = _TRANSIENT if call.idempotent else _NOT_SENT
        return backoff(attempt) if isinstance(error, retriable) else None
    assert response is not None
    status = response.status_code
    refused = status in (429, 503)  # the server turned the request away without acting on it
    if not (refused or (status >= 500 and call.idempotent)):
        return None
    waited = retry_after(response)
    return backoff(attempt) if waited is None else waited


def decode(response: httpx.Response) -> Any:
    """The JSON body of a success response; None for 202/204 or an empty body."""
    if response.status_code in (202, 204) or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def status_error(response: httpx.Response) -> APIStatusError:
    """The error for a non-2xx response whose body has been read."""
    body: Any = None
    if response.content:
        try:
            body = response.json()
        except ValueError:
            body = response.text
    message: Any = body.get("message") if isinstance(body, dict) else body
    if isinstance(message, list):
        message = "; ".join(str(part) for part in message)
    if not isinstance(message, str) or not message:
        message = response.reason_phrase or f"HTTP {response.status_code}"
    return make_status_error(response.status_code, message, body, response=response)


def connection_error(error: httpx.RequestError) -> APIConnectionError:
    try:
        request: httpx.Request | None = error.request
    except RuntimeError:  # httpx raises when the error carries no request
        request = None
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(str(error) or "Request timed out.", request=request)
    return APIConnectionError(str(error) or "Connection error.", request=request)


class SyncHTTP:
    """Sends `Call`s with an `httpx.Client`."""

    def __init__(
        self,
        settings: Settings,
        on_request: OnRequest | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.max_retries = settings.max_retries
        self._on_request = on_request
        self._client = httpx.Client(
            base_url=settings.api_url, headers=settings.headers, timeout=settings.timeout, transport=transport
        )

    def _build(self, call: Call) -> httpx.Request:
        request = self._client.build_request(
            call.method,
            call.path.lstrip("/"),
            params=call.params,
            json=call.json,
            headers=call.headers,
            files=call.files,
            data=call.data,
        )
        if self._on_request is not None:
            self._on_request(request)
        return request

    def _send(self, call: Call, *, stream: bool) -> httpx.Response:
        attempt = 0
        while True:
            request = self._build(call)
            try:
                response = self._client.send(request, stream=stream)
            except httpx.RequestError as exc:
                delay = retry_delay(call, attempt, self.max_retries, error=exc)
                if delay is None:
                    raise connection_error(exc) from exc
            else:
                if response.is_success:
                    return response
                delay = retry_delay(call, attempt, self.max_retries, response=response)
                try:
                    response.read()
                finally:
                    response.close()
                if delay is None:
                    raise status_error(response)
            attempt += 1
            _sleep(delay)

    def request(self, call: Call) -> Any:
        """Send `call` and return its decoded JSON body."""
        return decode(self._send(call, stream=False))

    @contextmanager
    def stream(self, call: Call) -> Iterator[httpx.Response]:
        """Send `call` and hand over the open 2xx response, closing it afterwards."""
        response = self._send(call, stream=True)
        try:
            yield response
        finally:
            response.close()

    def close(self) -> None:
        self._client.close()


class AsyncHTTP:
    """Sends `Call`s with an `httpx.AsyncClient`."""

    def __init__(
        self,
        settings: Settings,
        on_request: AsyncOnRequest | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.max_retries = settings.max_retries
        self._on_request = on_request
        self._client = httpx.AsyncClient(
            base_url=settings.api_url, headers=settings.headers, timeout=settings.timeout, transport=transport
        )

    async def _build(self, call: Call) -> httpx.Request:
        request = self._client.build_request(
            call.method,
            call.path.lstrip("/"),
            params=call.params,
            json=call.json,
            headers=call.headers,
            files=call.files,
            data=call.data,
        )
        if self._on_request is not None:
            result = self._on_request(request)
            if inspect.isawaitable(result):
                await result
        return request

    async def _send(self, call: Call, *, stream: bool) -> httpx.Response:
        attempt = 0
        while True:
            request = await self._build(call)
            try:
                response = await self._client.send(request, stream=stream)
            except httpx.RequestError as exc:
                delay = retry_delay(call, attempt, self.max_retries, error=exc)
                if delay is None:
                    raise connection_error(exc) from exc
            else:
                if response.is_success:
                    return response
                delay = retry_delay(call, attempt, self.max_retries, response=response)
                try:
                    await response.aread()
                finally:
                    await response.aclose()
                if delay is None:
                    raise status_error(response)
            attempt += 1
            await _async_sleep(delay)

    async def request(self, call: Call) -> Any:
        """Send `call` and return its decoded JSON body."""
        return decode(await self._send(call, stream=False))

    @asynccontextmanager
    async def stream(self, call: Call) -> AsyncIterator[httpx.Response]:
        """Send `call` and hand over the open 2xx response, closing it afterwards."""
        response = await self._send(call, stream=True)
        try:
            yield response
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()
