"""Request limits counted in Redis, so they hold across every API process of a deployment.

The same token bucket as `LocalRateLimiter` (a burst of `limit`, refilled at `limit / window` per second),
kept in one Redis hash per bucket and updated by a Lua script, atomically and on Redis's clock (processes'
clocks may differ). If Redis is unreachable requests are allowed: limits protect the service, they are not
worth refusing every request over.
"""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from xpert_server.runs.broker import Keys

log = logging.getLogger("xpert.scale")

_BUCKET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local rate = limit / window
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
if tokens == nil then
  tokens = limit
else
  tokens = math.min(limit, tokens + math.max(0, now - tonumber(b[2])) * rate)
end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(window) + 1)
return tostring(wait)
"""


class RedisRateLimiter:
    def __init__(self, redis: Redis, keys: Keys):
        self.keys = keys
        self._script = redis.register_script(_BUCKET)
        self._warned = 0.0

    async def hit(self, bucket: str, limit: int, window: float) -> float:
        try:
            wait = await self._script(keys=[self.keys.ratelimit(bucket)], args=[limit, window])
        except (RedisError, OSError) as e:
            now = time.monotonic()
            if now - self._warned > 10:
                self._warned = now
                log.warning("redis unavailable for rate limits (%s): requests are allowed meanwhile", e)
            return 0.0
        return float(wait.decode() if isinstance(wait, bytes) else wait)
