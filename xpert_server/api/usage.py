"""`GET /usage`: the tokens the caller's org spent, by xpert, model and UTC day (admins). Stored with each
run's end as the model reported them (storage/sql/usage.py); a model that reports nothing counts nothing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from xpert_server.api.deps import PrincipalDep, ServicesDep
from xpert_server.api.wire.usage import UsageReport
from xpert_server.errors import BadRequest

router = APIRouter(prefix="/usage", tags=["usage"])

Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$", description="A UTC day, YYYY-MM-DD.")]


def _day(name: str, value: str | None) -> str | None:
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise BadRequest(f"{name}: not a calendar day: {value!r} (YYYY-MM-DD)") from None
    return value


@router.get("", summary="Tokens spent by the org, by xpert, model and day", response_model=UsageReport)
async def usage(
    services: ServicesDep, p: PrincipalDep, since: Day = None, until: Day = None
) -> dict[str, Any]:
    since, until = _day("since", since), _day("until", until)
    if since and until and since > until:
        raise BadRequest("since is after until")
    rows = await services.storage.usage_summary(p.org_id, since=since, until=until)
    if p.xpert_id is not None:  # a key bound to one xpert sees that xpert's usage only
        rows = [r for r in rows if r["xpert_id"] == p.xpert_id]
    items = [{**r, "total_tokens": r["input_tokens"] + r["output_tokens"]} for r in rows]
    spent_in = sum(r["input_tokens"] for r in items)
    spent_out = sum(r["output_tokens"] for r in items)
    return {
        "org_id": p.org_id,
        "since": since,
        "until": until,
        "items": items,
        "totals": {
            "input_tokens": spent_in,
            "output_tokens": spent_out,
            "total_tokens": spent_in + spent_out,
        },
    }
