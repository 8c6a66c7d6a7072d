"""EventBridge schedule expressions: `rate(value unit)` and six-field `cron(...)`, in UTC.

Cron fields, in order: minutes (0-59), hours (0-23), day-of-month (1-31), month (1-12 or
JAN-DEC), day-of-week (1-7 or SUN-SAT, 1 is Sunday) and year (1970-2199). Each field takes
`*`, values, ranges (`a-b`, wrapping when a > b), lists (`a,b`) and steps (`*/n`, `a/n`,
`a-b/n`). Day-of-month also takes `L` (last day), `LW` (last weekday) and `nW` (weekday nearest
day n); day-of-week takes `L` (Saturday), `nL` (last weekday n of the month) and `n#k` (k-th
weekday n). One of day-of-month and day-of-week must be `?`, the other not.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

INVALID = "Parameter ScheduleExpression is not valid."

MONTHS = {name: number for number, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}  # fmt: skip
WEEKDAYS = {name: number for number, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
FIRST_YEAR, LAST_YEAR = 1970, 2199

_RATE = re.compile(r"rate\(\s*(\d+)\s+([a-z]+)\s*\)", re.IGNORECASE)
_CRON = re.compile(r"cron\((.*)\)", re.IGNORECASE | re.DOTALL)
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleError(ValueError):
    """The expression is not one EventBridge accepts."""

    def __init__(self) -> None:
        super().__init__(INVALID)


@dataclass(frozen=True)
class Rate:
    seconds: int

    def next_after(self, t: float, anchor: float) -> float:
        """The first firing strictly after `t` of a rate that started counting at `anchor`."""
        if t < anchor:
            return anchor + self.seconds
        periods = int((t - anchor) // self.seconds) + 1
        return anchor + periods * self.seconds


@dataclass(frozen=True)
class _DayOfMonth:
    days: frozenset[int] = frozenset()
    last: bool = False
    last_weekday: bool = False
    nearest_weekday: int | None = None

    def matching(self, year: int, month: int) -> set[int]:
        length = calendar.monthrange(year, month)[1]
        if self.last:
            return {length}
        if self.last_weekday:
            return {_nearest_weekday(year, month, length, length)}
        if self.nearest_weekday is not None:
            if self.nearest_weekday > length:
                return set()
            return {_nearest_weekday(year, month, self.nearest_weekday, length)}
        return {day for day in self.days if day <= length}


@dataclass(frozen=True)
class _DayOfWeek:
    weekdays: frozenset[int] = frozenset()
    last_of: int | None = None
    nth: tuple[int, int] | None = None

    def matching(self, year: int, month: int) -> set[int]:
        length = calendar.monthrange(year, month)[1]
        days = range(1, length + 1)
        if self.last_of is not None:
            return {max(day for day in days if _weekday(year, month, day) == self.last_of)}
        if self.nth is not None:
            weekday, occurrence = self.nth
            found = [day for day in days if _weekday(year, month, day) == weekday]
            return {found[occurrence - 1]} if occurrence <= len(found) else set()
        return {day for day in days if _weekday(year, month, day) in self.weekdays}


@dataclass(frozen=True)
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: tuple[int, ...]
    years: tuple[int, ...]
    day_of_month: _DayOfMonth | None
    day_of_week: _DayOfWeek | None

    def days(self, year: int, month: int) -> list[int]:
        spec = self.day_of_month if self.day_of_month is not None else self.day_of_week
        assert spec is not None
        return sorted(spec.matching(year, month))

    def next_after(self, t: float) -> float | None:
        """The first firing strictly after `t` (epoch seconds), or None when there is none left."""
        start = dt.datetime.fromtimestamp((int(t // 60) + 1) * 60, dt.UTC)
        for year in _from(self.years, start.year):
            first_year = year == start.year
            for month in _from(self.months, start.month if first_year else 1):
                first_month = first_year and month == start.month
                for day in _from(self.days(year, month), start.day if first_month else 1):
                    first_day = first_month and day == start.day
                    for hour in _from(self.hours, start.hour if first_day else 0):
                        first_hour = first_day and hour == start.hour
                        for minute in _from(self.minutes, start.minute if first_hour else 0):
                            return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC).timestamp()
        return None


Schedule = Rate | Cron


def parse_schedule(expression: str) -> Schedule:
    """Parse a ScheduleExpression; ScheduleError when EventBridge would refuse it."""
    text = expression.strip()
    rate = _RATE.fullmatch(text)
    if rate:
        return _parse_rate(int(rate.group(1)), rate.group(2).lower())
    cron = _CRON.fullmatch(text)
    if cron:
        return _parse_cron(cron.group(1))
    raise ScheduleError


def _parse_rate(value: int, unit: str) -> Rate:
    singular = unit[:-1] if unit.endswith("s") else unit
    if value <= 0 or singular not in _UNITS or (unit == singular) != (value == 1):
        raise ScheduleError
    return Rate(value * _UNITS[singular])


def _parse_cron(body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        raise ScheduleError
    minutes, hours, day_of_month, month, day_of_week, year = (field.upper() for field in fields)
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleError
    cron = Cron(
        minutes=tuple(sorted(_values(minutes, 0, 59))),
        hours=tuple(sorted(_values(hours, 0, 23))),
        months=tuple(sorted(_values(month, 1, 12, MONTHS))),
        years=tuple(sorted(_values(year, FIRST_YEAR, LAST_YEAR))),
        day_of_month=None if day_of_month == "?" else _parse_day_of_month(day_of_month),
        day_of_week=None if day_of_week == "?" else _parse_day_of_week(day_of_week),
    )
    return cron


def _parse_day_of_month(field: str) -> _DayOfMonth:
    if field == "L":
        return _DayOfMonth(last=True)
    if field == "LW":
        return _DayOfMonth(last_weekday=True)
    if field.endswith("W"):
        return _DayOfMonth(nearest_weekday=_number(field[:-1], 1, 31))
    return _DayOfMonth(days=frozenset(_values(field, 1, 31)))


def _parse_day_of_week(field: str) -> _DayOfWeek:
    if field == "L":
        return _DayOfWeek(weekdays=frozenset({7}))
    if "#" in field:
        weekday, _, occurrence = field.partition("#")
        return _DayOfWeek(nth=(_number(weekday, 1, 7, WEEKDAYS), _number(occurrence, 1, 5)))
    if field.endswith("L"):
        return _DayOfWeek(last_of=_number(field[:-1], 1, 7, WEEKDAYS))
    return _DayOfWeek(weekdays=frozenset(_values(field, 1, 7, WEEKDAYS)))


def _values(field: str, low: int, high: int, names: dict[str, int] | None = None) -> set[int]:
    values: set[int] = set()
    for part in field.split(","):
        values |= _part(part, low, high, names)
    return values


def _part(part: str, low: int, high: int, names: dict[str, int] | None) -> set[int]:
    base, slash, step_text = part.partition("/")
    step = _number(step_text, 1, high - low + 1) if slash else 1
    if base == "*":
        start, end = low, high
    elif "-" in base:
        first, _, last = base.partition("-")
        start, end = _number(first, low, high, names), _number(last, low, high, names)
    else:
        start = _number(base, low, high, names)
        end = high if slash else start
    span = end - start if end >= start else end + (high - low + 1) - start
    return {low + (start - low + offset) % (high - low + 1) for offset in range(0, span + 1, step)}


def _number(text: str, low: int, high: int, names: dict[str, int] | None = None) -> int:
    if names and text in names:
        return names[text]
    if not text.isdigit():
        raise ScheduleError
    value = int(text)
    if not low <= value <= high:
        raise ScheduleError
    return value


def _weekday(year: int, month: int, day: int) -> int:
    """EventBridge's day-of-week number: 1 is Sunday, 7 is Saturday."""
    return (dt.date(year, month, day).weekday() + 1) % 7 + 1


def _nearest_weekday(year: int, month: int, day: int, length: int) -> int:
    weekday = _weekday(year, month, day)
    if weekday == 7:  # Saturday: the Friday before, or the Monday after when that leaves the month
        return day - 1 if day > 1 else day + 2
    if weekday == 1:  # Sunday: the Monday after, or the Friday before at the end of the month
        return day + 1 if day < length else day - 2
    return day


def _from(values: Iterable[int], first: int) -> Iterator[int]:
    return (value for value in values if value >= first)
