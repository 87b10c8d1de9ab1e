"""Redis for scaled mode: the connection, the key names, and the signals (wake workers, cancel runs).

Redis carries nothing that must survive it: runs are queued in the database (workers also poll it every
second), frames are stored there too, and a cancel is also recorded on the run's queue row, which
workers read at every lease renewal. So a Redis restart costs latency, never a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

log = logging.getLogger("xpert.scale")


def cancelled_meanwhile() -> bool:
    """True when this task was cancelled but the CancelledError became something else on the way (a
    timeout racing the cancel can turn it into TimeoutError, which is an OSError): stop, do not retry."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def stop_task(task: asyncio.Task[None]) -> None:
    """Cancel until it ends: a cancel that lands inside a client's own timeout can be lost."""
    for _ in range(100):
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=0.1)
        if done:
            return
    log.error("task %s did not stop", task.get_name())


def connect_redis(url: str) -> Redis:
    # Fail fast (one quick retry): every caller has a database fallback and must not hang on a dead Redis.
    return Redis.from_url(
        url,
        decode_responses=False,
        socket_connect_timeout=2.0,
        socket_timeout=10.0,  # longer than any XREAD BLOCK we issue
        health_check_interval=15,
        # redis-py's default cap (100) refused commands under a burst of streams ("Too many connections")
        # and sent every follower to the database; Redis's own default `maxclients` is 10,000.
        max_connections=10_000,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 1),
    )


@dataclass(frozen=True)
class Keys:
    """Every key lives under one prefix (XPERT_REDIS_PREFIX), so deployments and test sessions share a Redis."""

    prefix: str

    def stream(self, run_id: str) -> str:
        return f"{self.prefix}:run:{run_id}"

    def ratelimit(self, bucket: str) -> str:
        return f"{self.prefix}:rl:{bucket}"

    @property
    def wake(self) -> str:
        return f"{self.prefix}:wake"

    @property
    def cancel(self) -> str:
        return f"{self.prefix}:cancel"


class Signals:
    """Pub/sub: `wake` (a run became claimable) and `cancel` (a run id). Publishing never raises."""

    def __init__(self, redis: Redis, keys: Keys):
        self.redis = redis
        self.keys = keys
        self._task: asyncio.Task[None] | None = None
        self._warned = 0.0
        self._closing = False

    async def wake(self) -> None:
        await self._publish(self.keys.wake, b"1")

    async def cancel(self, run_id: str) -> None:
        await self._publish(self.keys.cancel, run_id.encode())

    async def _publish(self, channel: str, message: bytes) -> None:
        try:
            await self.redis.publish(channel, message)
        except (RedisError, OSError) as e:
            now = time.monotonic()
            if now - self._warned > 10:  # once in a while, not once per request, while Redis is down
                self._warned = now
                log.warning("redis publish on %s failed (%s); the database fallback applies", channel, e)

    def listen(self, on_wake: Callable[[], None], on_cancel: Callable[[str], None]) -> None:
        self._task = asyncio.create_task(self._listen(on_wake, on_cancel), name="redis-signals")

    async def _listen(self, on_wake: Callable[[], None], on_cancel: Callable[[str], None]) -> None:
        delay = 0.1
        while not self._closing:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.keys.wake, self.keys.cancel)
                delay = 0.1
                on_wake()  # (re)subscribed: anything published meanwhile was missed, so look now
                while not self._closing:
                    msg = await pubsub.get_message(timeout=1.0)
                    if msg is None or msg.get("type") != "message":
                        continue
                    channel = msg["channel"].decode() if isinstance(msg["channel"], bytes) else msg["channel"]
                    if channel == self.keys.cancel:
                        data = msg["data"]
                        on_cancel(data.decode() if isinstance(data, bytes) else str(data))
                    else:
                        on_wake()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as e:
                if cancelled_meanwhile():
                    raise asyncio.CancelledError from e
                log.warning("redis signals lost (%s); reconnecting in %.1f s", e, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
            except Exception:
                log.exception("redis signal listener failed; restarting")
                await asyncio.sleep(delay)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        self._closing = True
        if self._task is not None:
            await stop_task(self._task)
            self._task = None
