"""CORS for the API and the widget files only, and only for the origins in `XPERT_CORS_ORIGINS`.

The widget usually runs on a customer's origin while the API is ours. The demo page and its secret-minting
route are left out on purpose: no other origin should be able to read a demo secret.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from xpert_server.config import Settings

ALLOWED_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "last-event-id",
    "organization-id",
    "x-api-key",
    "x-client-secret",
    "x-principal-user-id",
]


class ScopedCORS:
    """`CORSMiddleware` for requests under `paths`; every other request passes through untouched."""

    def __init__(self, app: ASGIApp, origins: list[str], paths: tuple[str, ...]):
        self.app = app
        self.paths = paths
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=ALLOWED_HEADERS,
            # Credentials travel in headers, never cookies, so browsers need not send cookies here.
            allow_credentials=False,
            # Content-Location names a new run (LangGraph's JS SDK reads it for `onRunCreated`, which
            # `useStream` needs to rejoin a run), Location its stream (where a dropped stream reconnects).
            expose_headers=["retry-after", "content-disposition", "content-location", "location"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(self.paths):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install_cors(app: FastAPI, settings: Settings) -> None:
    """Add CORS when origins are configured (call last: it must wrap the other middleware so even their
    errors, such as 413, are readable by the page)."""
    if not settings.cors_origins:
        return
    prefix = settings.api_prefix.rstrip("/")
    app.add_middleware(ScopedCORS, origins=list(settings.cors_origins), paths=(prefix + "/", "/chatkit/"))
