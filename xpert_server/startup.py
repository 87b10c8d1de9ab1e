"""Start-up checks: reach the database and Redis before anything else, and say in one line what is wrong
and what to do when they cannot be reached (instead of a writer thread's traceback and a server waiting
forever for its start-up); and start-up that SIGTERM and SIGINT can stop at any step.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import URL, make_url

from xpert_server.config import Settings

# Each probe gets this long: a database or Redis that does not answer in it is as good as down.
CONNECT_TIMEOUT = 5.0


class StartupError(RuntimeError):
    """What stops the server from starting, in one line an operator can act on."""


async def preflight(settings: Settings) -> None:
    """Raise StartupError unless the configured database (PostgreSQL) and Redis (scaled mode) answer."""
    if settings.is_postgres:
        await check_postgres(settings.resolved_database_url)
    if settings.redis_url:
        await check_redis(settings.redis_url)


async def check_postgres(url: str, timeout: float = CONNECT_TIMEOUT) -> None:
    import psycopg

    target = make_url(url)
    conninfo = target.set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        async with asyncio.timeout(timeout + 1):
            conn = await psycopg.AsyncConnection.connect(conninfo, connect_timeout=max(1, int(timeout)))
            await conn.close()
    except TimeoutError:
        raise StartupError(
            f"PostgreSQL at {_where(target)} did not answer within {timeout:g} s: is it running, "
            "and is --database-url (XPERT_DATABASE_URL) right?"
        ) from None
    except psycopg.Error as e:
        raise StartupError(postgres_problem(target, str(e))) from None


def postgres_problem(target: URL, error: str) -> str:
    where = _where(target)
    if "does not exist" in error and "database" in error:
        host = f"-h {target.host or 'localhost'} -p {target.port or 5432}"
        user = f" -U {target.username}" if target.username else ""
        return (
            f"The database '{target.database}' does not exist on PostgreSQL at {where}: create it "
            f"(createdb {host}{user} {target.database}) or fix --database-url."
        )
    if "password authentication failed" in error or "authentication failed" in error:
        return (
            f"PostgreSQL at {where} refused the credentials of user '{target.username}': check the user and "
            "password in --database-url (XPERT_DATABASE_URL)."
        )
    if "Connection refused" in error or "could not connect" in error or "connection failed" in error:
        return (
            f"Cannot connect to PostgreSQL at {where} (connection refused): start it, or fix the host and "
            "port in --database-url (XPERT_DATABASE_URL)."
        )
    first = error.strip().splitlines()[0] if error.strip() else "unknown error"
    return f"Cannot use PostgreSQL at {where}: {first}"


async def check_redis(url: str, timeout: float = CONNECT_TIMEOUT) -> None:
    from redis.asyncio import Redis
    from redis.exceptions import RedisError

    redis = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        async with asyncio.timeout(timeout + 1):
            await redis.ping()
    except (TimeoutError, RedisError, OSError) as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise StartupError(
            f"Cannot reach Redis at {_redis_where(url)} ({reason}): start it, or fix --redis-url "
            "(XPERT_REDIS_URL); scaled mode needs it."
        ) from None
    finally:
        await redis.aclose()


def _where(target: URL) -> str:
    return f"{target.host or 'localhost'}:{target.port or 5432}"


def _redis_where(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 6379}"  # never the password


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGTERM and SIGINT stop the current task while it is in here (start-up: uvicorn only flags them,
    and a start-up that waits on a database would never look). The handlers before are put back after."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    sigs = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.getsignal(sig) for sig in sigs}
    try:
        for sig in sigs:
            loop.add_signal_handler(sig, _stop, task, sig)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
        yield
        return
    try:
        yield
    finally:
        for sig in sigs:
            loop.remove_signal_handler(sig)
            signal.signal(sig, previous[sig])


def _stop(task: asyncio.Task[Any] | None, sig: signal.Signals) -> None:
    if task is not None:
        task.cancel(f"{sig.name} during start-up")
