"""Request counts per usage plan and API key, by day: quotas (DAY, WEEK, MONTH with an offset)
and GetUsage read them. Kept in memory: a restart starts every quota period afresh."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any


def _day(moment: float) -> dt.date:
    return dt.datetime.fromtimestamp(moment, dt.UTC).date()


def period_start(quota: dict[str, Any], day: dt.date) -> dt.date:
    offset = int(quota.get("offset") or 0)
    period = quota.get("period")
    if period == "WEEK":
        sunday_based = (day.weekday() + 1) % 7
        return day - dt.timedelta(days=(sunday_based - offset) % 7)
    if period == "MONTH":
        start = day.replace(day=1) + dt.timedelta(days=offset)
        if start > day:
            previous = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            start = previous + dt.timedelta(days=offset)
        return start
    return day


class UsageMeter:
    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], dict[dt.date, int]] = defaultdict(dict)

    def clear(self) -> None:
        self.counts.clear()

    def used_on(self, plan_id: str, key_id: str, day: dt.date) -> int:
        return self.counts.get((plan_id, key_id), {}).get(day, 0)

    def used_in_period(self, plan_id: str, key_id: str, quota: dict[str, Any], day: dt.date) -> int:
        start = period_start(quota, day)
        days = self.counts.get((plan_id, key_id), {})
        return sum(count for when, count in days.items() if start <= when <= day)

    def take(self, plan_id: str, key_id: str, quota: dict[str, Any] | None, now: float) -> bool:
        """Count one request; False (and nothing counted) when the quota is used up."""
        day = _day(now)
        if quota and self.used_in_period(plan_id, key_id, quota, day) >= int(quota.get("limit") or 0):
            return False
        days = self.counts[(plan_id, key_id)]
        days[day] = days.get(day, 0) + 1
        return True
