"""Cron expressions, read by croniter (the library LangGraph's server uses): five fields (minute hour
day-of-month month day-of-week), the `@hourly`-style names, and an optional sixth field of seconds. A
timezone (IANA name) decides what "09:00" means, daylight saving included; without one, UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterError, croniter

from xpert_server.errors import BadRequest


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone, or 400 naming the field."""
    if name is None:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise BadRequest(f"timezone: unknown IANA timezone {name!r}") from e


def check(schedule: str, timezone: str | None) -> None:
    """400 for an expression croniter cannot read, or an unknown timezone."""
    zone(timezone)
    if not croniter.is_valid(schedule):
        raise BadRequest(f"schedule: not a cron expression: {schedule!r} (e.g. '*/5 * * * *')")
    try:  # valid, yet perhaps never due (February 31st): croniter gives up looking
        next_tick(schedule, timezone, 0.0)
    except (CroniterError, ValueError, OverflowError) as e:
        raise BadRequest(f"schedule: {schedule!r} never comes due") from e


def next_tick(schedule: str, timezone: str | None, after: float) -> float:
    """The first tick strictly after `after` (epoch seconds), in epoch seconds."""
    start = datetime.fromtimestamp(after, UTC).astimezone(zone(timezone))
    found: datetime = croniter(schedule, start).get_next(datetime)
    return found.timestamp()
