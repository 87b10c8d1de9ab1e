"""The OpenAPI document as the server really answers: every error is the envelope (`ErrorBody`), and a
malformed request is a 400, never FastAPI's default 422 (which this server does not send).

`ERROR_RESPONSES` is declared once on the API router, so each operation lists the errors it can answer;
`install_openapi` drops the 422 FastAPI adds to every operation with parameters or a body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel


class ErrorBody(BaseModel):
    """The error envelope, as XpertAI's NestJS server answers."""

    statusCode: int
    message: str
    error: str


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("Invalid request: `message` names every bad field path"),
    401: _error("No credential, or an unknown, revoked or expired one"),
    403: _error("The credential may not do this (organization, xpert binding, client-secret scope)"),
    404: _error("Not found (another tenant's or another principal's ids are not found either)"),
    409: _error("Conflict: already exists, or the thread is busy"),
    413: _error("The body is larger than the configured limit"),
    429: _error("Too many requests for this credential (see Retry-After) or too many open streams"),
}

# Where bytes are written to the server's disk (uploads): a full disk answers 507, and nothing is kept.
DISK_FULL: dict[int | str, dict[str, Any]] = {507: _error("The server has no space left to store this")}

# A 2xx answered with an empty body (DELETE of threads and conversations, as XpertAI answers).
EMPTY_202: dict[int | str, dict[str, Any]] = {202: {"description": "Accepted (empty body)", "content": {}}}


def install_openapi(app: FastAPI) -> None:
    """Post-process the generated document once: no 422 responses, and no schemas only they used."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict):
                    operation.get("responses", {}).pop("422", None)
        components = schema.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
