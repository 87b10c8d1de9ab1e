"""The error envelope, as XpertAI's NestJS server answers: `{"statusCode", "message", "error"}`.

Handlers raise `ApiError` (or a subclass); one exception handler renders every error, so the shape
cannot drift between routes.
"""

from __future__ import annotations

import errno
import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from xpert_server.encoding import JSONResponse
from xpert_server.storage.records import AlreadyExists

log = logging.getLogger("xpert")
# A write that found no space left: 507, so a client can tell a full disk from a bug.
DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


class ApiError(Exception):
    status_code: int = 400

    def __init__(self, message: str, status_code: int | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code
        self.headers = headers


class BadRequest(ApiError):
    status_code = 400


class Unauthorized(ApiError):
    status_code = 401


class Forbidden(ApiError):
    status_code = 403


class NotFound(ApiError):
    status_code = 404


class Conflict(ApiError):
    status_code = 409


class PayloadTooLarge(ApiError):
    status_code = 413


class TooManyRequests(ApiError):
    status_code = 429


def envelope(status_code: int, message: Any) -> dict[str, Any]:
    try:
        reason = HTTPStatus(status_code).phrase
    except ValueError:
        reason = "Error"
    return {"statusCode": status_code, "message": message, "error": reason}


def error_response(status_code: int, message: Any, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(envelope(status_code, message), status_code=status_code, headers=headers)


def format_validation_errors(errors: list[Any]) -> str:
    """One message naming every bad field path, e.g. `body.limit: Input should be ...; body.x: ...`."""
    parts: list[str] = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] == "body" and len(loc) > 1:
            loc = loc[1:]
        path = ".".join(loc) or "body"
        parts.append(f"{path}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


def _database_data_errors() -> list[type[Exception]]:
    """The exceptions a database driver raises for a value it cannot store (SQLAlchemy's, and psycopg's from
    the PostgreSQL checkpointer, which does not go through SQLAlchemy)."""
    from sqlalchemy.exc import DataError

    found: list[type[Exception]] = [DataError]
    try:
        import psycopg
    except ImportError:
        return found
    return [*found, psycopg.DataError]


def install_error_handlers(app: FastAPI) -> None:
    async def on_api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return error_response(exc.status_code, exc.message, exc.headers)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(400, format_validation_errors(list(exc.errors())))

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else "Error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"Cannot {request.method} {request.url.path}"
        return error_response(exc.status_code, message, getattr(exc, "headers", None))

    async def on_exists(request: Request, exc: Exception) -> Response:
        return error_response(409, str(exc))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        # Clients parse every error body, so a bug answers with the envelope too; the server still
        # logs the traceback (Starlette re-raises after sending this).
        return error_response(500, "Internal server error")

    async def on_os_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, OSError)
        if exc.errno not in DISK_FULL:
            raise exc  # any other OS error is a 500 with its traceback logged, as above
        log.error("%s %s: no space left to store it (%s)", request.method, request.url.path, exc)
        return error_response(507, "Insufficient storage: the server has no space left to store this.")

    async def on_unstorable(request: Request, exc: Exception) -> Response:
        # The database refused a value (a NUL character, a number beyond its column): the request's
        # fault, and its transaction rolled back. Request models name such fields first (api/storable.py);
        # this is the net under the ones they miss, so they answer 400 and never 500.
        log.warning(
            "%s %s: the database refused a value: %s", request.method, request.url.path, type(exc).__name__
        )
        return error_response(
            400, "A value in the request cannot be stored: a NUL character, or a number out of range."
        )

    app.add_exception_handler(ApiError, on_api_error)
    for refused in _database_data_errors():
        app.add_exception_handler(refused, on_unstorable)
    app.add_exception_handler(Exception, on_unexpected)
    app.add_exception_handler(OSError, on_os_error)
    app.add_exception_handler(AlreadyExists, on_exists)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
