"""`GET {prefix}/ok`: no credential, for load balancers and `make serve` checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/ok", summary="Liveness check")
async def ok() -> dict[str, Any]:
    return {"ok": True}
