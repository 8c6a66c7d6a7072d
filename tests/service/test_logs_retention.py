"""Retention on the virtual clock: events expire when the clock passes their retention period."""

from __future__ import annotations

from typing import Any

import pytest
from server import ServerProcess

GROUP = "/aws/lambda/retained"
DAY = 86_400


@pytest.fixture
def logs(virtual_server: ServerProcess) -> Any:
    return virtual_server.client("logs")


def _now_ms(server: ServerProcess) -> int:
    return round(server.now() * 1000)


def _messages(logs: Any, group: str = GROUP) -> list[str]:
    return [e["message"] for e in logs.filter_log_events(logGroupName=group)["events"]]


def _stream_messages(logs: Any, group: str = GROUP) -> list[str]:
    events = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"]
    return [e["message"] for e in events]


def _stored_bytes(logs: Any, group: str = GROUP) -> int:
    return logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["storedBytes"]


def _setup(logs: Any, server: ServerProcess, group: str = GROUP) -> int:
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = _now_ms(server)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now - 10_000, "message": "older"}, {"timestamp": now, "message": "newer"}],
    )
    return now


def test_events_expire_on_the_clock_and_leave_storage(virtual_server: ServerProcess, logs: Any) -> None:
    _setup(logs, virtual_server)
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=1)
    assert _stored_bytes(logs) == len("oldernewer")

    virtual_server.advance(DAY - 20)
    assert _messages(logs) == ["older", "newer"]

    virtual_server.advance(15)
    assert _messages(logs) == ["newer"]
    assert _stream_messages(logs) == ["newer"]
    assert _stored_bytes(logs) == len("newer")

    virtual_server.advance(10)
    assert _messages(logs) == []
    assert _stream_messages(logs) == []
    assert _stored_bytes(logs) == 0
    (stream,) = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert stream["logStreamName"] == "s"


def test_without_retention_events_stay(virtual_server: ServerProcess, logs: Any) -> None:
    _setup(logs, virtual_server)
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=3)
    logs.delete_retention_policy(logGroupName=GROUP)
    virtual_server.advance(30 * DAY)
    assert _messages(logs) == ["older", "newer"]
    assert _stored_bytes(logs) == len("oldernewer")


def test_shortening_retention_expires_already_old_events(virtual_server: ServerProcess, logs: Any) -> None:
    _setup(logs, virtual_server)
    virtual_server.advance(2 * DAY)
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=1)
    assert _messages(logs) == []
    virtual_server.advance(1)
    assert _stored_bytes(logs) == 0


def test_put_log_events_rejects_events_older_than_retention(virtual_server: ServerProcess, logs: Any) -> None:
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="s")
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=1)
    now = _now_ms(virtual_server)
    result = logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 3 * DAY * 1000, "message": "expired"},
            {"timestamp": now - 2 * DAY * 1000, "message": "expired too"},
            {"timestamp": now, "message": "kept"},
        ],
    )
    assert result["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 2}
    assert _messages(logs) == ["kept"]


def test_each_group_keeps_its_own_retention(virtual_server: ServerProcess, logs: Any) -> None:
    _setup(logs, virtual_server, "/short")
    _setup(logs, virtual_server, "/long")
    logs.put_retention_policy(logGroupName="/short", retentionInDays=1)
    logs.put_retention_policy(logGroupName="/long", retentionInDays=3)
    virtual_server.advance(2 * DAY)
    assert _messages(logs, "/short") == []
    assert _messages(logs, "/long") == ["older", "newer"]
    assert _stored_bytes(logs, "/short") == 0
    virtual_server.advance(2 * DAY)
    assert _messages(logs, "/long") == []
    assert _stored_bytes(logs, "/long") == 0
