"""Exceptions raised by the SDK.

Every exception the SDK raises on purpose derives from `XpertError`::

    XpertError
    ├── RunFailedError              the run ended in error (the model or an MCP server failed, a timeout)
    ├── APIConnectionError          the server could not be reached, or the connection broke
    │   └── APITimeoutError         ...because a timeout expired
    └── APIStatusError              the server answered with a non-2xx status
        ├── BadRequestError         400, 422
        ├── AuthenticationError     401
        │   └── TokenExpiredError   401 "Token expired" (a ChatKit client secret ran out: mint a new one)
        ├── PermissionDeniedError   403
        ├── NotFoundError           404
        ├── ConflictError           409 (e.g. a run on a busy thread)
        ├── RateLimitError          429
        └── InternalServerError     >= 500

Server error bodies look like ``{"statusCode": 404, "message": "…", "error": "Not Found"}``; the
`message` lands in `APIStatusError.message`, the whole decoded body in `APIStatusError.body`.

A run that fails is not an HTTP error: `runs/wait` answers 201 with the text so far and
``"__error__": {"error": "<kind>", "message": "<what failed>"}``; `runs.wait`, `runs.join` and the
`iter_text` helpers raise `RunFailedError` on it (the partial reply is in `RunFailedError.result`).
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RunFailedError",
    "TokenExpiredError",
    "XpertError",
    "make_status_error",
    "raise_for_run_error",
]


class XpertError(Exception):
    """Base class of every error raised by the SDK."""


class RunFailedError(XpertError):
    """The run ended in error: `kind` says what (e.g. "APIConnectionError", "TimeoutError"), `message`
    what failed (with the model's or MCP server's URL), `result` the reply as far as it got."""

    def __init__(self, kind: str, message: str, result: Any = None) -> None:
        super().__init__(f"Run failed ({kind}): {message}")
        self.kind = kind
        self.message = message
        self.result = result


def raise_for_run_error(result: Any) -> None:
    """Raise `RunFailedError` for a `runs/wait` answer that carries `__error__` (else do nothing)."""
    error = result.get("__error__") if isinstance(result, dict) else None
    if isinstance(error, dict):
        raise RunFailedError(str(error.get("error") or "RunError"), str(error.get("message") or ""), result)


class APIConnectionError(XpertError):
    """The request never got an HTTP answer (DNS, refused connection, dropped stream…)."""

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)


class APIStatusError(XpertError):
    """The server answered with a non-2xx status code."""

    def __init__(
        self,
        status_code: int,
        message: str,
        body: Any = None,
        *,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(f"HTTP {status_code}: {message}")
        self.status_code = status_code
        self.message = message
        self.body = body
        self.response = response


class BadRequestError(APIStatusError):
    """400 or 422: the request was malformed or failed validation."""


class AuthenticationError(APIStatusError):
    """401: the credential is missing, unknown or revoked."""


class TokenExpiredError(AuthenticationError):
    """401 "Token expired": the client secret expired; mint a new one."""


class PermissionDeniedError(APIStatusError):
    """403: the credential may not do this (wrong org, wrong xpert, client-secret scope)."""


class NotFoundError(APIStatusError):
    """404: no such resource (or not visible to this credential)."""


class ConflictError(APIStatusError):
    """409: the resource is in a conflicting state, e.g. a run on a busy thread."""


class RateLimitError(APIStatusError):
    """429: too many requests."""


class InternalServerError(APIStatusError):
    """5xx: the server failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}


def make_status_error(
    status_code: int, message: str, body: Any = None, *, response: httpx.Response | None = None
) -> APIStatusError:
    """The `APIStatusError` subclass for a status code and server message."""
    cls: type[APIStatusError]
    if status_code == 401 and message == "Token expired":
        cls = TokenExpiredError
    elif status_code >= 500:
        cls = InternalServerError
    else:
        cls = _BY_STATUS.get(status_code, APIStatusError)
    return cls(status_code, message, body, response=response)
