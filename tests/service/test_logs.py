"""CloudWatch Logs through boto3: groups, streams, events, filters, tags."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from server import ServerProcess

GROUP = "/aws/lambda/orders"


@pytest.fixture
def logs(server: ServerProcess) -> Any:
    return server.client("logs")


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    error = excinfo.value.response
    return error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]


def _now_ms() -> int:
    return int(time.time() * 1000)


def _put(logs: Any, stream: str, messages: list[tuple[int, str]], group: str = GROUP) -> dict[str, Any]:
    return logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": ts, "message": message} for ts, message in messages],
    )


def _group_with_stream(logs: Any, stream: str = "s1", group: str = GROUP) -> None:
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)


# Log groups -------------------------------------------------------------------------------


def test_create_and_describe_a_log_group(logs: Any) -> None:
    before = _now_ms()
    logs.create_log_group(logGroupName=GROUP, kmsKeyId="arn:aws:kms:us-east-1:000000000000:key/k", tags={"team": "a"})
    (group,) = logs.describe_log_groups()["logGroups"]
    assert group["logGroupName"] == GROUP
    assert before - 1000 <= group["creationTime"] <= _now_ms() + 1000
    assert group["arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}:*"
    assert group["logGroupArn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}"
    assert group["storedBytes"] == 0
    assert group["metricFilterCount"] == 0
    assert group["logGroupClass"] == "STANDARD"
    assert group["kmsKeyId"] == "arn:aws:kms:us-east-1:000000000000:key/k"
    assert "retentionInDays" not in group
    assert logs.list_tags_for_resource(resourceArn=group["logGroupArn"])["tags"] == {"team": "a"}


def test_log_group_class_and_delivery_retention(logs: Any) -> None:
    logs.create_log_group(logGroupName="ia", logGroupClass="INFREQUENT_ACCESS")
    logs.create_log_group(logGroupName="delivery", logGroupClass="DELIVERY")
    logs.create_log_group(logGroupName="std")
    groups = {g["logGroupName"]: g for g in logs.describe_log_groups()["logGroups"]}
    assert groups["ia"]["logGroupClass"] == "INFREQUENT_ACCESS"
    assert groups["delivery"]["retentionInDays"] == 1
    only_ia = logs.describe_log_groups(logGroupClass="ESSENTIALS")["logGroups"]
    assert [g["logGroupName"] for g in only_ia] == ["ia"]


def test_create_log_group_errors(logs: Any) -> None:
    logs.create_log_group(logGroupName=GROUP)
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName=GROUP)
    assert _error(excinfo) == ("ResourceAlreadyExistsException", "The specified log group already exists", 400)
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName="has space")
    code, message, status = _error(excinfo)
    assert (code, status) == ("InvalidParameterException", 400)
    assert message == (
        "1 validation error detected: Value 'has space' at 'logGroupName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"
    )
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_group(logGroupName="aws/reserved")
    assert _error(excinfo) == ("InvalidParameterException", "Log groups starting with AWS/ are reserved for AWS.", 400)


def test_delete_log_group_removes_its_streams_and_events(logs: Any) -> None:
    _group_with_stream(logs)
    _put(logs, "s1", [(_now_ms(), "hello")])
    logs.delete_log_group(logGroupName=GROUP)
    assert logs.describe_log_groups()["logGroups"] == []
    logs.create_log_group(logGroupName=GROUP)
    assert logs.describe_log_streams(logGroupName=GROUP)["logStreams"] == []
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_group(logGroupName="missing")
    assert _error(excinfo) == ("ResourceNotFoundException", "The specified log group does not exist.", 400)


def test_deletion_protection_blocks_deletes_until_disabled(logs: Any) -> None:
    logs.create_log_group(logGroupName=GROUP, deletionProtectionEnabled=True)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="s1")
    assert logs.describe_log_groups()["logGroups"][0]["deletionProtectionEnabled"] is True
    for call in (
        lambda: logs.delete_log_group(logGroupName=GROUP),
        lambda: logs.delete_log_stream(logGroupName=GROUP, logStreamName="s1"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert _error(excinfo)[0] == "ValidationException"
    logs.put_log_group_deletion_protection(logGroupIdentifier=GROUP, deletionProtectionEnabled=False)
    logs.delete_log_group(logGroupName=GROUP)


def test_describe_log_groups_prefix_pattern_and_paging(logs: Any) -> None:
    names = ["/aws/lambda/a", "/aws/lambda/b", "/app/DataLogs", "/app/datalogs", "GroupDataLogs"]
    for name in names:
        logs.create_log_group(logGroupName=name)
    by_prefix = logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]
    assert [g["logGroupName"] for g in by_prefix] == ["/aws/lambda/a", "/aws/lambda/b"]
    by_pattern = logs.describe_log_groups(logGroupNamePattern="DataLogs")["logGroups"]
    assert [g["logGroupName"] for g in by_pattern] == ["/app/DataLogs", "GroupDataLogs"]
    assert set(by_pattern[0]) == {"logGroupName", "creationTime", "arn"}
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_groups(logGroupNamePrefix="/a", logGroupNamePattern="b")
    assert _error(excinfo)[0] == "InvalidParameterException"
    first = logs.describe_log_groups(limit=2)
    assert [g["logGroupName"] for g in first["logGroups"]] == sorted(names)[:2]
    pages = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 2})
    assert [g["logGroupName"] for page in pages for g in page["logGroups"]] == sorted(names)
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_groups(nextToken="garbage!")
    assert _error(excinfo)[0] == "InvalidParameterException"
    listed = logs.describe_log_groups(logGroupIdentifiers=["/aws/lambda/b", "/nope"])["logGroups"]
    assert [g["logGroupName"] for g in listed] == ["/aws/lambda/b"]


def test_describe_log_groups_limit_is_validated(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_groups(limit=51)
    assert _error(excinfo)[:1] == ("InvalidParameterException",)
    assert "Member must have value less than or equal to 50" in _error(excinfo)[1]


def test_groups_are_partitioned_by_region(server: ServerProcess, logs: Any) -> None:
    logs.create_log_group(logGroupName=GROUP)
    assert server.client("logs", region="eu-west-1").describe_log_groups()["logGroups"] == []


# Retention and tags -----------------------------------------------------------------------


def test_retention_policy_values(logs: Any) -> None:
    logs.create_log_group(logGroupName=GROUP)
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=14)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 14
    with pytest.raises(ClientError) as excinfo:
        logs.put_retention_policy(logGroupName=GROUP, retentionInDays=2)
    assert _error(excinfo) == (
        "InvalidParameterException",
        "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must "
        "satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, "
        "2192, 2557, 2922, 3288, 3653]",
        400,
    )
    logs.delete_retention_policy(logGroupName=GROUP)
    assert "retentionInDays" not in logs.describe_log_groups()["logGroups"][0]
    with pytest.raises(ClientError) as excinfo:
        logs.put_retention_policy(logGroupName="missing", retentionInDays=1)
    assert _error(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        logs.delete_retention_policy(logGroupName="missing")
    assert _error(excinfo)[0] == "ResourceNotFoundException"


def test_tag_resource_apis(logs: Any) -> None:
    logs.create_log_group(logGroupName=GROUP, tags={"a": "1"})
    arn = logs.describe_log_groups()["logGroups"][0]["logGroupArn"]
    logs.tag_resource(resourceArn=arn, tags={"b": "2", "a": "one"})
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "one", "b": "2"}
    logs.untag_resource(resourceArn=arn, tagKeys=["a", "never"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    with pytest.raises(ClientError) as excinfo:
        logs.tag_resource(resourceArn=arn, tags={f"k{i}": "v" for i in range(50)})
    assert _error(excinfo)[0] == "TooManyTagsException"
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    missing = arn.replace(GROUP, "/missing")
    with pytest.raises(ClientError) as excinfo:
        logs.list_tags_for_resource(resourceArn=missing)
    assert _error(excinfo) == ("ResourceNotFoundException", "The specified log group does not exist.", 400)
    with pytest.raises(ClientError) as excinfo:
        logs.tag_resource(resourceArn=f"{arn}:*", tags={"c": "3"})
    assert _error(excinfo)[0] == "InvalidParameterException"


def test_legacy_log_group_tag_apis(logs: Any) -> None:
    logs.create_log_group(logGroupName=GROUP)
    assert logs.list_tags_log_group(logGroupName=GROUP)["tags"] == {}
    logs.tag_log_group(logGroupName=GROUP, tags={"x": "1", "y": "2"})
    logs.untag_log_group(logGroupName=GROUP, tags=["x"])
    assert logs.list_tags_log_group(logGroupName=GROUP)["tags"] == {"y": "2"}
    with pytest.raises(ClientError) as excinfo:
        logs.tag_log_group(logGroupName="missing", tags={"x": "1"})
    assert _error(excinfo)[0] == "ResourceNotFoundException"


# Log streams ------------------------------------------------------------------------------


def test_create_describe_and_delete_log_streams(logs: Any) -> None:
    _group_with_stream(logs, "s1")
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_stream(logGroupName=GROUP, logStreamName="s1")
    assert _error(excinfo) == ("ResourceAlreadyExistsException", "The specified log stream already exists", 400)
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_stream(logGroupName="missing", logStreamName="s1")
    assert _error(excinfo) == ("ResourceNotFoundException", "The specified log group does not exist.", 400)
    with pytest.raises(ClientError) as excinfo:
        logs.create_log_stream(logGroupName=GROUP, logStreamName="bad:name")
    assert _error(excinfo)[0] == "InvalidParameterException"
    (stream,) = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert stream["logStreamName"] == "s1"
    assert stream["arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}:log-stream:s1"
    assert stream["storedBytes"] == 0
    assert "lastEventTimestamp" not in stream and "uploadSequenceToken" not in stream
    logs.delete_log_stream(logGroupName=GROUP, logStreamName="s1")
    assert logs.describe_log_streams(logGroupName=GROUP)["logStreams"] == []
    with pytest.raises(ClientError) as excinfo:
        logs.delete_log_stream(logGroupName=GROUP, logStreamName="s1")
    assert _error(excinfo) == ("ResourceNotFoundException", "The specified log stream does not exist.", 400)


def test_describe_log_streams_orders_filters_and_pages(logs: Any) -> None:
    logs.create_log_group(logGroupName=GROUP)
    now = _now_ms()
    for name, offset in (("b", 30), ("a", 10), ("c", 20), ("other", 5)):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=name)
        _put(logs, name, [(now - 100 + offset, f"in {name}")])
    described = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert [s["logStreamName"] for s in described] == ["a", "b", "c", "other"]
    a = described[0]
    assert a["firstEventTimestamp"] == a["lastEventTimestamp"] == now - 90
    assert a["lastIngestionTime"] >= now - 1000 and a["uploadSequenceToken"]
    by_time = logs.describe_log_streams(logGroupName=GROUP, orderBy="LastEventTime", descending=True)
    assert [s["logStreamName"] for s in by_time["logStreams"]] == ["b", "c", "a", "other"]
    assert [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=GROUP, logStreamNamePrefix="o")[
        "logStreams"
    ]] == ["other"]  # fmt: skip
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupName=GROUP, orderBy="LastEventTime", logStreamNamePrefix="a")
    assert _error(excinfo) == (
        "InvalidParameterException",
        "Cannot order by LastEventTime with a logStreamNamePrefix.",
        400,
    )
    for order in ("LogStreamName", "LastEventTime"):
        pages = logs.get_paginator("describe_log_streams").paginate(
            logGroupName=GROUP, orderBy=order, PaginationConfig={"PageSize": 1}
        )
        names = [s["logStreamName"] for page in pages for s in page["logStreams"]]
        assert sorted(names) == ["a", "b", "c", "other"] and len(names) == 4
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}"
    assert len(logs.describe_log_streams(logGroupIdentifier=arn)["logStreams"]) == 4
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupIdentifier=f"{arn}:*")
    assert _error(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupName="missing")
    assert _error(excinfo)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as excinfo:
        logs.describe_log_streams(logGroupName=GROUP, logGroupIdentifier=GROUP)
    assert _error(excinfo)[0] == "InvalidParameterException"


# PutLogEvents -----------------------------------------------------------------------------


def test_put_log_events_stores_events_and_ignores_sequence_tokens(logs: Any) -> None:
    _group_with_stream(logs)
    now = _now_ms()
    first = _put(logs, "s1", [(now - 2, "one"), (now - 1, "two")])
    assert "rejectedLogEventsInfo" not in first and first["nextSequenceToken"]
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName="s1",
        sequenceToken="not-a-real-token",
        logEvents=[{"timestamp": now, "message": "three"}],
    )
    events = logs.get_log_events(logGroupName=GROUP, logStreamName="s1", startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["one", "two", "three"]
    assert all(e["ingestionTime"] >= now - 1000 for e in events)
    assert logs.describe_log_groups()["logGroups"][0]["storedBytes"] == len("onetwothree")


def test_put_log_events_rejects_unordered_oversized_and_long_batches(logs: Any) -> None:
    _group_with_stream(logs)
    now = _now_ms()
    with pytest.raises(ClientError) as excinfo:
        _put(logs, "s1", [(now, "b"), (now - 1, "a")])
    assert _error(excinfo) == (
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.",
        400,
    )
    big = "x" * (1_048_576 - 26 * 2 - 1)
    with pytest.raises(ClientError) as excinfo:
        _put(logs, "s1", [(now, big), (now, "ab")])
    assert _error(excinfo) == (
        "InvalidParameterException",
        "Upload too large: 1048577 bytes exceeds limit of 1048576",
        400,
    )
    _put(logs, "s1", [(now, big), (now, "a")])
    with pytest.raises(ClientError) as excinfo:
        _put(logs, "s1", [(now - 25 * 3600 * 1000, "a"), (now, "b")])
    assert _error(excinfo) == (
        "InvalidParameterException",
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
        400,
    )
    events = logs.get_log_events(logGroupName=GROUP, logStreamName="s1")["events"]
    assert [len(e["message"]) for e in events] == [len(big), 1]


def test_put_log_events_reports_too_old_and_too_new_events(logs: Any) -> None:
    _group_with_stream(logs)
    now = _now_ms()
    day = 86_400_000
    result = _put(
        logs,
        "s1",
        [(now - 15 * day, "old"), (now - 14 * day - 60_000, "old too"), (now - 1, "ok"), (now + 3 * 3600_000, "new")],
    )
    assert result["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2, "tooNewLogEventStartIndex": 3}
    events = logs.get_log_events(logGroupName=GROUP, logStreamName="s1")["events"]
    assert [e["message"] for e in events] == ["ok"]


def test_put_log_events_to_missing_group_or_stream(logs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        _put(logs, "s1", [(_now_ms(), "x")])
    assert _error(excinfo) == ("ResourceNotFoundException", "The specified log group does not exist.", 400)
    logs.create_log_group(logGroupName=GROUP)
    with pytest.raises(ClientError) as excinfo:
        _put(logs, "s1", [(_now_ms(), "x")])
    assert _error(excinfo) == ("ResourceNotFoundException", "The specified log stream does not exist.", 400)


# GetLogEvents -----------------------------------------------------------------------------


def _numbered(logs: Any, count: int) -> int:
    _group_with_stream(logs)
    start = _now_ms() - count - 10
    _put(logs, "s1", [(start + i, f"m{i}") for i in range(count)])
    return start


def _messages(response: dict[str, Any]) -> list[str]:
    return [event["message"] for event in response["events"]]


def test_get_log_events_default_returns_the_newest_events(logs: Any) -> None:
    _numbered(logs, 10)
    newest = logs.get_log_events(logGroupName=GROUP, logStreamName="s1", limit=3)
    assert _messages(newest) == ["m7", "m8", "m9"]
    assert newest["nextForwardToken"].startswith("f/") and newest["nextBackwardToken"].startswith("b/")
    older = logs.get_log_events(logGroupName=GROUP, logStreamName="s1", limit=3, nextToken=newest["nextBackwardToken"])
    assert _messages(older) == ["m4", "m5", "m6"]


def test_get_log_events_pages_forward_until_the_token_repeats(logs: Any) -> None:
    _numbered(logs, 10)
    seen: list[str] = []
    page = logs.get_log_events(logGroupName=GROUP, logStreamName="s1", limit=4, startFromHead=True)
    seen += _messages(page)
    token = page["nextForwardToken"]
    while True:
        page = logs.get_log_events(logGroupName=GROUP, logStreamName="s1", limit=4, startFromHead=True, nextToken=token)
        seen += _messages(page)
        if page["nextForwardToken"] == token:
            break
        token = page["nextForwardToken"]
    assert seen == [f"m{i}" for i in range(10)]
    _put(logs, "s1", [(_now_ms(), "later")])
    followed = logs.get_log_events(logGroupName=GROUP, logStreamName="s1", startFromHead=True, nextToken=token)
    assert _messages(followed) == ["later"]


def test_get_log_events_pages_backward_to_the_start(logs: Any) -> None:
    _numbered(logs, 7)
    seen: list[str] = []
    page = logs.get_log_events(logGroupName=GROUP, logStreamName="s1", limit=3)
    while page["events"]:
        seen = _messages(page) + seen
        token = page["nextBackwardToken"]
        page = logs.get_log_events(logGroupName=GROUP, logStreamName="s1", limit=3, nextToken=token)
    assert page["nextBackwardToken"] == token
    assert seen == [f"m{i}" for i in range(7)]


def test_get_log_events_time_window_and_errors(logs: Any) -> None:
    start = _numbered(logs, 10)
    window = logs.get_log_events(logGroupName=GROUP, logStreamName="s1", startTime=start + 2, endTime=start + 5)
    assert _messages(window) == ["m2", "m3", "m4"]
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}"
    assert len(logs.get_log_events(logGroupIdentifier=arn, logStreamName="s1")["events"]) == 10
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName=GROUP, logStreamName="missing")
    assert _error(excinfo) == ("ResourceNotFoundException", "The specified log stream does not exist.", 400)
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logGroupName=GROUP, logStreamName="s1", nextToken="f/nope")
    assert _error(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        logs.get_log_events(logStreamName="s1")
    assert _error(excinfo)[0] == "InvalidParameterException"


def test_empty_stream_tokens_let_a_reader_follow_new_events(logs: Any) -> None:
    _group_with_stream(logs)
    empty = logs.get_log_events(logGroupName=GROUP, logStreamName="s1", startFromHead=True)
    assert empty["events"] == []
    _put(logs, "s1", [(_now_ms(), "first")])
    page = logs.get_log_events(
        logGroupName=GROUP, logStreamName="s1", startFromHead=True, nextToken=empty["nextForwardToken"]
    )
    assert _messages(page) == ["first"]


# FilterLogEvents --------------------------------------------------------------------------


def _two_streams(logs: Any) -> int:
    logs.create_log_group(logGroupName=GROUP)
    for name in ("app-1", "app-2", "worker"):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=name)
    base = _now_ms() - 1000
    _put(logs, "app-1", [(base + 1, "ERROR disk full"), (base + 4, '{"level": "INFO", "latency": 20}')])
    _put(logs, "app-2", [(base + 2, "WARN slow"), (base + 5, '{"level": "ERROR", "latency": 900}')])
    _put(logs, "worker", [(base + 3, "127.0.0.1 GET /x 404 1200"), (base + 6, "ERROR worker crashed")])
    return base


def test_filter_log_events_interleaves_streams_by_time(logs: Any) -> None:
    base = _two_streams(logs)
    result = logs.filter_log_events(logGroupName=GROUP, interleaved=True)
    assert [(e["logStreamName"], e["timestamp"] - base) for e in result["events"]] == [
        ("app-1", 1), ("app-2", 2), ("worker", 3), ("app-1", 4), ("app-2", 5), ("worker", 6),
    ]  # fmt: skip
    assert result["searchedLogStreams"] == []
    assert "nextToken" not in result
    ids = [e["eventId"] for e in result["events"]]
    assert len(set(ids)) == 6 and all(len(i) == 56 and i.isdigit() for i in ids)
    again = logs.filter_log_events(logGroupName=GROUP)
    assert [e["eventId"] for e in again["events"]] == ids


def test_filter_log_events_stream_selection_and_time_window(logs: Any) -> None:
    base = _two_streams(logs)
    by_names = logs.filter_log_events(logGroupName=GROUP, logStreamNames=["worker", "app-2"])
    assert {e["logStreamName"] for e in by_names["events"]} == {"worker", "app-2"}
    by_prefix = logs.filter_log_events(logGroupName=GROUP, logStreamNamePrefix="app-")
    assert len(by_prefix["events"]) == 4
    window = logs.filter_log_events(logGroupName=GROUP, startTime=base + 2, endTime=base + 4)
    assert [e["timestamp"] - base for e in window["events"]] == [2, 3, 4]
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName=GROUP, logStreamNames=["a"], logStreamNamePrefix="a")
    assert _error(excinfo)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName="missing")
    assert _error(excinfo) == ("ResourceNotFoundException", "The specified log group does not exist.", 400)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("ERROR", ["ERROR disk full", '{"level": "ERROR", "latency": 900}', "ERROR worker crashed"]),
        ("?WARN ?crashed", ["WARN slow", "ERROR worker crashed"]),
        ("ERROR -worker -latency", ["ERROR disk full"]),
        ('"disk full"', ["ERROR disk full"]),
        ('{ $.level = "ERROR" }', ['{"level": "ERROR", "latency": 900}']),
        ("{ $.latency > 10 && $.latency < 100 }", ['{"level": "INFO", "latency": 20}']),
        ("[ip, method, path, status = 4*, size > 1000]", ["127.0.0.1 GET /x 404 1200"]),
        ("%^(WARN)%".replace("(", "").replace(")", ""), ["WARN slow"]),
    ],
)
def test_filter_log_events_patterns(logs: Any, pattern: str, expected: list[str]) -> None:
    _two_streams(logs)
    result = logs.filter_log_events(logGroupName=GROUP, filterPattern=pattern)
    assert [e["message"] for e in result["events"]] == expected


def test_filter_log_events_invalid_pattern(logs: Any) -> None:
    _two_streams(logs)
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName=GROUP, filterPattern="{ $.level = }")
    assert _error(excinfo) == ("InvalidParameterException", "Invalid filter pattern", 400)


def test_filter_log_events_pages_with_next_token(logs: Any) -> None:
    _two_streams(logs)
    seen: list[str] = []
    kwargs: dict[str, Any] = {"logGroupName": GROUP, "limit": 4}
    while True:
        page = logs.filter_log_events(**kwargs)
        assert len(page["events"]) <= 4
        seen += [e["message"] for e in page["events"]]
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]
    assert len(seen) == 6 and seen[0] == "ERROR disk full"
    newest_first = logs.filter_log_events(logGroupName=GROUP, startFromHead=False, startTime=1_704_067_200_000)
    assert [e["message"] for e in newest_first["events"]] == list(reversed(seen))
    with pytest.raises(ClientError) as excinfo:
        logs.filter_log_events(logGroupName=GROUP, nextToken="bogus")
    assert _error(excinfo)[0] == "InvalidParameterException"
