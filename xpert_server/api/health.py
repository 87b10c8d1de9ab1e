"""`GET {prefix}/ok`: no credential, for load balancers and `make serve` checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from xpert_server.api.wire.base import Ok

router = APIRouter(tags=["health"])


@router.get("/ok", summary="Liveness check", response_model=Ok)
async def ok() -> dict[str, Any]:
    return {"ok": True}
