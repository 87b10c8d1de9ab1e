"""Per-credential request limits: client secrets by default (60/min), API keys only when configured.

`RateLimiter` is the seam: `LocalRateLimiter` keeps token buckets in this process; a Redis-backed one can
replace it for scaled deployments without touching the callers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from xpert_server.auth.principal import Principal
from xpert_server.config import Settings
from xpert_server.errors import TooManyRequests

MAX_BUCKETS = 100_000


class RateLimiter(Protocol):
    async def hit(self, bucket: str, limit: int, window: float) -> float:
        """Count one request against `bucket` (at most `limit` per `window` s). Returns 0 when allowed,
        else the seconds until one more request would be."""
        ...


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class LocalRateLimiter:
    """Token buckets: a full bucket allows a burst of `limit`, refilled at `limit / window` per second."""

    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    async def hit(self, bucket: str, limit: int, window: float) -> float:
        now = self.clock()
        rate = limit / window
        b = self._buckets.get(bucket)
        if b is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._prune(now, window)
            b = self._buckets[bucket] = _Bucket(tokens=float(limit), at=now)
        else:
            b.tokens = min(float(limit), b.tokens + (now - b.at) * rate)
            b.at = now
        if b.tokens >= 1.0:
            b.tokens -= 1.0
            return 0.0
        return (1.0 - b.tokens) / rate

    def _prune(self, now: float, window: float) -> None:
        # A bucket idle for a whole window has refilled completely and carries no state worth keeping:
        # memory stays bounded however many secrets come and go.
        idle = [k for k, b in self._buckets.items() if now - b.at >= window]
        for k in idle:
            del self._buckets[k]
        if len(self._buckets) >= MAX_BUCKETS:
            self._buckets.clear()


@dataclass
class RequestLimits:
    """Which credentials are limited, and how much. A limit of 0 turns that kind off."""

    limiter: RateLimiter
    per_secret: int = 60
    per_key: int = 0
    window: float = 60.0

    async def check(self, p: Principal) -> None:
        if p.kind == "secret" and p.secret_id and self.per_secret > 0:
            bucket, limit = f"secret:{p.secret_id}", self.per_secret
        elif p.kind in ("key", "console") and p.key_id and self.per_key > 0:
            bucket, limit = f"key:{p.key_id}", self.per_key
        else:
            return
        wait = await self.limiter.hit(bucket, limit, self.window)
        if wait > 0:
            raise TooManyRequests(
                f"Too many requests: at most {limit} per {self.window:g} seconds for this credential.",
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )


def request_limits(settings: Settings, limiter: RateLimiter | None = None) -> RequestLimits:
    """`limiter`: where buckets are counted (RedisRateLimiter in scaled mode); this process by default."""
    return RequestLimits(
        limiter or LocalRateLimiter(), per_secret=settings.secret_rate_limit, per_key=settings.key_rate_limit
    )
