"""Crons, as LangGraph's server answers them (langgraph-sdk's `Cron`; XpertAI's SDK reads the same keys)."""

from __future__ import annotations

from typing import Any

from xpert_server.api.wire.base import Json, OpenWire
from xpert_server.encoding import ts
from xpert_server.storage.records import CronRecord


class Cron(OpenWire):
    """Every field unless the search's `select` names fewer (hence optional here)."""

    cron_id: str | None = None
    assistant_id: str | None = None
    thread_id: str | None = None
    on_run_completed: str | None = None
    end_time: str | None = None
    schedule: str | None = None
    timezone: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    payload: Json | None = None
    user_id: str | None = None
    next_run_date: str | None = None
    metadata: Json | None = None
    enabled: bool | None = None


CRON_FIELDS = tuple(Cron.model_fields)


def cron_json(c: CronRecord, select: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "cron_id": c.id,
        "assistant_id": c.assistant_id,
        "thread_id": c.thread_public_id,
        "on_run_completed": c.on_run_completed if c.thread_id is None else None,
        "end_time": ts(c.end_time),
        "schedule": c.schedule,
        "timezone": c.timezone,
        "created_at": ts(c.created_at),
        "updated_at": ts(c.updated_at),
        "payload": {**c.payload, "assistant_id": c.assistant_id, "schedule": c.schedule},
        "user_id": c.user_id,
        "next_run_date": ts(c.next_run_date) if c.enabled else None,
        "metadata": c.metadata,
        "enabled": c.enabled,
    }
    if select:
        return {k: v for k, v in out.items() if k in select}
    return out
