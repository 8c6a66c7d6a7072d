"""EventBridge schedule expressions: what parses, and when each one fires next (UTC)."""

from __future__ import annotations

import datetime as dt

import pytest

from postoffice.services.events.schedule import Cron, Rate, ScheduleError, parse_schedule


def at(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


def iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M")


def next_fire(expression: str, after: str) -> str | None:
    schedule = parse_schedule(expression)
    assert isinstance(schedule, Cron)
    return iso(schedule.next_after(at(after)))


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minute)",
        "rate(5 minutes)",
        "rate(1 hour)",
        "rate(12 hours)",
        "rate(1 day)",
        "rate(7 days)",
        "cron(0 8 * * ? *)",
        "cron(0/15 * * * ? *)",
        "cron(0 10 ? * MON-FRI *)",
        "cron(0 18 ? * mon-fri *)",
        "cron(0 0 L * ? *)",
        "cron(0 0 LW * ? *)",
        "cron(0 9 15W * ? *)",
        "cron(0 0 ? * 6#3 *)",
        "cron(0 0 ? * 2L *)",
        "cron(0 0 ? * L *)",
        "cron(0 12 1,15 JAN-MAR ? 2025-2030)",
        "cron(5-20/5 * * * ? *)",
        "cron(0 22-2 * * ? *)",
        "cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)",
        "cron(30-30 13-13 ? * 2,4,6 *)",
        "cron(1-31/30 1-1 ? * 1,7 *)",
    ],
)
def test_accepts(expression: str) -> None:
    parse_schedule(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "",
        "every minute",
        "rate(1 minutes)",
        "rate(5 minute)",
        "rate(0 minutes)",
        "rate(-1 minutes)",
        "rate(1.5 hours)",
        "rate(2 weeks)",
        "rate(5)",
        "cron(0 8 * * *)",
        "cron(0 8 * * ? * *)",
        "cron(0 8 * * * *)",
        "cron(0 8 ? * ? *)",
        "cron(60 8 * * ? *)",
        "cron(0 24 * * ? *)",
        "cron(0 0 32 * ? *)",
        "cron(0 0 0 * ? *)",
        "cron(0 0 * 13 ? *)",
        "cron(0 0 ? * 8 *)",
        "cron(0 0 ? * 2#6 *)",
        "cron(0 0 * * ? 1969)",
        "cron(0 0 * * ? 2200)",
        "cron(0 0 * FOO ? *)",
        "cron(*/0 * * * ? *)",
        "cron(0/15, 9-18, ?, *, MON-FRI, *)",
    ],
)
def test_refuses(expression: str) -> None:
    with pytest.raises(ScheduleError) as raised:
        parse_schedule(expression)
    assert str(raised.value) == "Parameter ScheduleExpression is not valid."


def test_rate_units_in_seconds() -> None:
    assert parse_schedule("rate(1 minute)") == Rate(60)
    assert parse_schedule("rate(3 hours)") == Rate(3 * 3600)
    assert parse_schedule("rate(2 days)") == Rate(2 * 86400)


def test_rate_counts_from_its_anchor() -> None:
    rate = Rate(60)
    assert rate.next_after(1000.0, anchor=1000.0) == 1060.0
    assert rate.next_after(1059.9, anchor=1000.0) == 1060.0
    assert rate.next_after(1060.0, anchor=1000.0) == 1120.0
    assert rate.next_after(500.0, anchor=1000.0) == 1060.0


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 8 * * ? *)", "2024-01-01T09:00", "2024-01-02T08:00"),
        ("cron(0 8 * * ? *)", "2024-01-01T07:59", "2024-01-01T08:00"),
        ("cron(0 8 * * ? *)", "2024-01-01T08:00", "2024-01-02T08:00"),
        ("cron(0/15 * * * ? *)", "2024-01-01T10:07", "2024-01-01T10:15"),
        ("cron(0/15 * * * ? *)", "2024-01-01T10:45", "2024-01-01T11:00"),
        ("cron(5-20/5 * * * ? *)", "2024-01-01T10:21", "2024-01-01T11:05"),
        ("cron(0 10 ? * MON-FRI *)", "2024-01-06T12:00", "2024-01-08T10:00"),
        ("cron(15 10 ? * SUN *)", "2024-01-01T00:00", "2024-01-07T10:15"),
        ("cron(15 10 ? * 1 *)", "2024-01-01T00:00", "2024-01-07T10:15"),
        ("cron(0 0 ? * FRI-MON *)", "2024-01-09T00:00", "2024-01-12T00:00"),
        ("cron(0 22-2 * * ? *)", "2024-01-01T03:00", "2024-01-01T22:00"),
        ("cron(0 22-2 * * ? *)", "2024-01-01T23:30", "2024-01-02T00:00"),
        ("cron(0 0 L * ? *)", "2024-02-10T00:00", "2024-02-29T00:00"),
        ("cron(0 0 L * ? *)", "2023-02-10T00:00", "2023-02-28T00:00"),
        ("cron(0 0 LW * ? *)", "2024-08-01T00:00", "2024-08-30T00:00"),
        ("cron(0 9 15W * ? *)", "2024-06-01T00:00", "2024-06-14T09:00"),
        ("cron(0 9 15W * ? *)", "2024-09-01T00:00", "2024-09-16T09:00"),
        ("cron(0 9 1W * ? *)", "2024-05-31T00:00", "2024-06-03T09:00"),
        ("cron(0 9 1W * ? *)", "2024-08-31T00:00", "2024-09-02T09:00"),
        ("cron(0 9 31W * ? *)", "2024-08-01T00:00", "2024-08-30T09:00"),
        ("cron(0 0 ? * 6#3 *)", "2024-01-01T00:00", "2024-01-19T00:00"),
        ("cron(0 0 ? * 2#5 *)", "2024-01-01T00:00", "2024-01-29T00:00"),
        ("cron(0 0 ? * 2#5 *)", "2024-02-01T00:00", "2024-04-29T00:00"),
        ("cron(0 0 ? * 2L *)", "2024-01-01T00:00", "2024-01-29T00:00"),
        ("cron(0 0 ? * L *)", "2024-01-01T00:00", "2024-01-06T00:00"),
        ("cron(0 0 29 2 ? *)", "2024-03-01T00:00", "2028-02-29T00:00"),
        ("cron(0 12 1,15 JAN-MAR ? 2030)", "2024-01-01T00:00", "2030-01-01T12:00"),
        ("cron(0 12 1,15 JAN-MAR ? 2030)", "2030-01-01T12:00", "2030-01-15T12:00"),
        ("cron(0 12 1,15 JAN-MAR ? 2030)", "2030-03-15T12:00", None),
        ("cron(0 0 1 1 ? 2000)", "2024-01-01T00:00", None),
        ("cron(0 8 * * ? *)", "2024-12-31T09:00", "2025-01-01T08:00"),
    ],
)
def test_next_firing(expression: str, after: str, expected: str | None) -> None:
    assert next_fire(expression, after) == expected


def test_next_firing_is_strictly_later_and_on_the_minute() -> None:
    schedule = parse_schedule("cron(* * * * ? *)")
    assert isinstance(schedule, Cron)
    start = at("2024-01-01T10:00") + 12.5
    assert schedule.next_after(start) == at("2024-01-01T10:01")
    assert schedule.next_after(at("2024-01-01T10:01")) == at("2024-01-01T10:02")
