"""Token usage of an org, as its admins see it."""

from __future__ import annotations

from xpert_server.api.wire.base import Wire


class UsageRow(Wire):
    xpert_id: str
    model: str
    day: str  # UTC, YYYY-MM-DD
    runs: int
    input_tokens: int
    output_tokens: int
    total_tokens: int


class UsageTotals(Wire):
    input_tokens: int
    output_tokens: int
    total_tokens: int


class UsageReport(Wire):
    org_id: str
    since: str | None
    until: str | None
    items: list[UsageRow]
    totals: UsageTotals
