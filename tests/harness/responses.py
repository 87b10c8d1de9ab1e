"""Checking an API answer: `ok` (the status, then the JSON body) and `error_of` (the status and XpertAI's
error envelope, then its message)."""

from __future__ import annotations

from typing import Any

import httpx


def ok(resp: httpx.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (
        f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
    )
    return resp.json()


def error_of(resp: httpx.Response, status: int) -> str:
    """The error envelope's message, after checking status and shape."""
    assert resp.status_code == status, (
        f"{resp.request.method} {resp.request.url}: {resp.status_code} {resp.text}"
    )
    body = resp.json()
    assert set(body) == {"statusCode", "message", "error"}, body
    assert body["statusCode"] == status
    message: str = body["message"]
    return message
