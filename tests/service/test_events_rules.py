"""EventBridge rules and targets through boto3 (configuration only; delivery is tested elsewhere)."""

from __future__ import annotations

import json

import pytest
from test_events_support import error_of

ACCOUNT = "000000000000"
PATTERN = json.dumps({"source": ["orders.api"], "detail-type": ["OrderPlaced"]})
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:inventory-updates"


def test_put_describe_list_delete_rule_on_the_default_bus(client) -> None:
    events = client("events")
    arn = events.put_rule(Name="route", EventPattern=PATTERN, Description="routes orders")["RuleArn"]
    assert arn == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/route"
    described = events.describe_rule(Name="route")
    assert {key: value for key, value in described.items() if key != "ResponseMetadata"} == {
        "Name": "route",
        "Arn": arn,
        "EventPattern": PATTERN,
        "State": "ENABLED",
        "Description": "routes orders",
        "EventBusName": "default",
        "CreatedBy": ACCOUNT,
    }
    listed = events.list_rules()["Rules"]
    assert listed == [
        {"Name": "route", "Arn": arn, "EventPattern": PATTERN, "State": "ENABLED", "Description": "routes orders",
         "EventBusName": "default"}
    ]  # fmt: skip
    events.delete_rule(Name="route")
    assert events.list_rules()["Rules"] == []
    events.delete_rule(Name="route")


def test_rules_on_a_custom_bus_by_name_or_arn(client) -> None:
    events = client("events")
    bus_arn = events.create_event_bus(Name="orders")["EventBusArn"]
    arn = events.put_rule(Name="route", EventBusName="orders", EventPattern=PATTERN)["RuleArn"]
    assert arn == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/orders/route"
    assert events.describe_rule(Name="route", EventBusName=bus_arn)["EventBusName"] == "orders"
    assert events.list_rules()["Rules"] == []
    assert [rule["Name"] for rule in events.list_rules(EventBusName=bus_arn)["Rules"]] == ["route"]
    assert error_of(events.describe_rule, Name="route") == {
        "Code": "ResourceNotFoundException",
        "Message": "Rule route does not exist on EventBus default.",
        "Status": 400,
    }


def test_put_rule_errors(client) -> None:
    events = client("events")
    assert error_of(events.put_rule, Name="r") == {
        "Code": "ValidationException",
        "Message": "Parameter(s) EventPattern or ScheduleExpression must be specified.",
        "Status": 400,
    }
    assert error_of(events.put_rule, Name="r", EventBusName="nope", EventPattern=PATTERN) == {
        "Code": "ResourceNotFoundException",
        "Message": "Event bus nope does not exist.",
        "Status": 400,
    }
    events.create_event_bus(Name="orders")
    assert error_of(events.put_rule, Name="r", EventBusName="orders", ScheduleExpression="rate(5 minutes)") == {
        "Code": "ValidationException",
        "Message": "ScheduleExpression is supported only on the default event bus.",
        "Status": 400,
    }
    for bad in ("rate(1 minutes)", "cron(0 8 * * *)", "every day"):
        assert error_of(events.put_rule, Name="r", ScheduleExpression=bad) == {
            "Code": "ValidationException",
            "Message": "Parameter ScheduleExpression is not valid.",
            "Status": 400,
        }
    assert error_of(events.put_rule, Name="r", EventPattern="{not json")["Code"] == "InvalidEventPatternException"
    failed = error_of(events.put_rule, Name="r", EventPattern='{"source": "orders.api"}')
    assert failed["Code"] == "InvalidEventPatternException"
    assert failed["Message"].startswith("Event pattern is not valid. Reason: ")
    assert error_of(events.put_rule, Name="bad name", EventPattern=PATTERN)["Code"] == "ValidationException"
    assert error_of(events.put_rule, Name="r", EventPattern=PATTERN, State="ON")["Code"] == "ValidationException"


def test_put_rule_replaces_the_rule_but_keeps_its_targets(client) -> None:
    events = client("events")
    events.put_rule(Name="r", EventPattern=PATTERN, Description="first")
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": QUEUE}])
    events.put_rule(Name="r", ScheduleExpression="rate(1 hour)")
    described = events.describe_rule(Name="r")
    assert described["ScheduleExpression"] == "rate(1 hour)"
    assert "EventPattern" not in described and "Description" not in described
    assert events.list_targets_by_rule(Rule="r")["Targets"] == [{"Id": "q", "Arn": QUEUE}]


def test_enable_and_disable(client) -> None:
    events = client("events")
    events.put_rule(Name="r", EventPattern=PATTERN, State="DISABLED")
    assert events.describe_rule(Name="r")["State"] == "DISABLED"
    events.enable_rule(Name="r")
    assert events.describe_rule(Name="r")["State"] == "ENABLED"
    events.disable_rule(Name="r")
    assert events.describe_rule(Name="r")["State"] == "DISABLED"
    assert error_of(events.enable_rule, Name="nope")["Message"] == "Rule nope does not exist on EventBus default."


def test_list_rules_with_prefix_and_pages(client) -> None:
    events = client("events")
    for index in range(5):
        events.put_rule(Name=f"rule-{index}", EventPattern=PATTERN)
    events.put_rule(Name="other", EventPattern=PATTERN)
    first = events.list_rules(NamePrefix="rule-", Limit=3)
    assert [rule["Name"] for rule in first["Rules"]] == ["rule-0", "rule-1", "rule-2"]
    second = events.list_rules(NamePrefix="rule-", Limit=3, NextToken=first["NextToken"])
    assert [rule["Name"] for rule in second["Rules"]] == ["rule-3", "rule-4"]
    assert "NextToken" not in second


def test_delete_rule_with_targets_is_refused(client) -> None:
    events = client("events")
    events.put_rule(Name="r", EventPattern=PATTERN)
    events.put_targets(Rule="r", Targets=[{"Id": "q", "Arn": QUEUE}])
    assert error_of(events.delete_rule, Name="r") == {
        "Code": "ValidationException",
        "Message": "Rule can't be deleted since it has targets.",
        "Status": 400,
    }
    events.remove_targets(Rule="r", Ids=["q"])
    events.delete_rule(Name="r")


def test_put_list_remove_targets(client) -> None:
    events = client("events")
    events.create_event_bus(Name="orders")
    events.put_rule(Name="r", EventBusName="orders", EventPattern=PATTERN)
    targets = [
        {"Id": "q", "Arn": QUEUE, "InputPath": "$.detail"},
        {
            "Id": "fifo",
            "Arn": f"{QUEUE}.fifo",
            "SqsParameters": {"MessageGroupId": "orders"},
            "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120},
            "DeadLetterConfig": {"Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq"},
        },
    ]
    answer = events.put_targets(Rule="r", EventBusName="orders", Targets=targets)
    assert answer["FailedEntryCount"] == 0 and answer["FailedEntries"] == []
    assert events.list_targets_by_rule(Rule="r", EventBusName="orders")["Targets"] == targets
    events.put_targets(Rule="r", EventBusName="orders", Targets=[{"Id": "q", "Arn": QUEUE}])
    assert events.list_targets_by_rule(Rule="r", EventBusName="orders")["Targets"][0] == {"Id": "q", "Arn": QUEUE}
    removed = events.remove_targets(Rule="r", EventBusName="orders", Ids=["q", "missing"])
    assert removed["FailedEntryCount"] == 1
    assert removed["FailedEntries"] == [
        {
            "TargetId": "missing",
            "ErrorCode": "ResourceNotFoundException",
            "ErrorMessage": "Rule 'r' does not have a target with the Id 'missing'.",
        }
    ]
    assert [target["Id"] for target in events.list_targets_by_rule(Rule="r", EventBusName="orders")["Targets"]] == [
        "fifo"
    ]


def test_targets_page(client) -> None:
    events = client("events")
    events.put_rule(Name="r", EventPattern=PATTERN)
    events.put_targets(Rule="r", Targets=[{"Id": f"t{index}", "Arn": QUEUE} for index in range(5)])
    first = events.list_targets_by_rule(Rule="r", Limit=3)
    assert [target["Id"] for target in first["Targets"]] == ["t0", "t1", "t2"]
    second = events.list_targets_by_rule(Rule="r", Limit=3, NextToken=first["NextToken"])
    assert [target["Id"] for target in second["Targets"]] == ["t3", "t4"]


def test_at_most_five_targets(client) -> None:
    events = client("events")
    events.put_rule(Name="r", EventPattern=PATTERN)
    events.put_targets(Rule="r", Targets=[{"Id": f"t{index}", "Arn": QUEUE} for index in range(5)])
    events.put_targets(Rule="r", Targets=[{"Id": "t0", "Arn": QUEUE, "Input": "{}"}])
    assert error_of(events.put_targets, Rule="r", Targets=[{"Id": "t5", "Arn": QUEUE}]) == {
        "Code": "LimitExceededException",
        "Message": "The requested resource exceeds the maximum number allowed.",
        "Status": 400,
    }


def test_put_targets_request_errors(client) -> None:
    events = client("events")
    assert error_of(events.put_targets, Rule="nope", Targets=[{"Id": "q", "Arn": QUEUE}])["Message"] == (
        "Rule nope does not exist on EventBus default."
    )
    events.put_rule(Name="r", EventPattern=PATTERN)
    assert error_of(events.put_targets, Rule="r", Targets=[{"Id": "!@#$@!#$", "Arn": QUEUE}]) == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value '!@#$@!#$' at 'targets.1.member.id' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
        "Status": 400,
    }
    long_id = "x" * 65
    assert error_of(events.put_targets, Rule="r", Targets=[{"Id": long_id, "Arn": QUEUE}])["Message"] == (
        f"1 validation error detected: Value '{long_id}' at 'targets.1.member.id' failed to satisfy constraint: "
        "Member must have length less than or equal to 64"
    )
    both = {"Id": "t", "Arn": QUEUE, "InputPath": "$.detail", "InputTransformer": {"InputTemplate": "<x>"}}
    assert error_of(events.put_targets, Rule="r", Targets=[both])["Message"] == (
        "Only one of Input, InputPath, or InputTransformer must be provided for target t."
    )
    undefined = {
        "Id": "t",
        "Arn": QUEUE,
        "InputTransformer": {
            "InputPathsMap": {"detail-type": "$.detail-type"},
            "InputTemplate": '"Event of <detail-type> type, with not defined key <notdefinedkey>"',
        },
    }
    assert error_of(events.put_targets, Rule="r", Targets=[undefined]) == {
        "Code": "ValidationException",
        "Message": "InputTemplate for target t contains invalid placeholder notdefinedkey.",
        "Status": 400,
    }
    retry = {"Id": "t", "Arn": QUEUE, "RetryPolicy": {"MaximumRetryAttempts": 186}}
    assert error_of(events.put_targets, Rule="r", Targets=[retry])["Code"] == "ValidationException"
    age = {"Id": "t", "Arn": QUEUE, "RetryPolicy": {"MaximumEventAgeInSeconds": 86401}}
    assert error_of(events.put_targets, Rule="r", Targets=[age])["Code"] == "ValidationException"


def test_put_targets_entry_failures(client) -> None:
    events = client("events")
    events.put_rule(Name="r", EventPattern=PATTERN)
    answer = events.put_targets(
        Rule="r",
        Targets=[
            {"Id": "good", "Arn": QUEUE},
            {"Id": "bad-arn", "Arn": "not-an-arn"},
            {"Id": "fifo", "Arn": f"{QUEUE}.fifo"},
            {"Id": "fifo-dlq", "Arn": QUEUE, "DeadLetterConfig": {"Arn": f"{QUEUE}.fifo"}},
            {"Id": "unknown", "Arn": f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/s"},
        ],
    )
    assert answer["FailedEntryCount"] == 4
    failed = {entry["TargetId"]: entry for entry in answer["FailedEntries"]}
    assert failed["bad-arn"] == {
        "TargetId": "bad-arn",
        "ErrorCode": "ValidationException",
        "ErrorMessage": "Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.",
    }
    assert failed["fifo"]["ErrorMessage"] == "Parameter(s) SqsParameters must be specified for target: fifo."
    assert failed["fifo-dlq"]["ErrorCode"] == "ValidationException"
    assert failed["unknown"]["ErrorCode"] == "ValidationException"
    assert [target["Id"] for target in events.list_targets_by_rule(Rule="r")["Targets"]] == ["good"]


@pytest.mark.parametrize(
    ("arn", "service"),
    [
        (f"arn:aws:sns:us-east-1:{ACCOUNT}:topic", "sns"),
        (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f", "lambda"),
        (f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:m", "stepfunctions"),
    ],
)
def test_targets_of_services_postoffice_does_not_run_are_refused(server, client, arn: str, service: str) -> None:
    services = server.admin("GET", "health")["services"]
    if service in services:
        pytest.skip(f"{service} runs here")
    events = client("events")
    events.put_rule(Name="r", EventPattern=PATTERN)
    answer = events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": arn}])
    assert answer["FailedEntryCount"] == 1
    assert service in answer["FailedEntries"][0]["ErrorMessage"]


def test_list_rule_names_by_target(client) -> None:
    events = client("events")
    for name in ("a", "b", "c"):
        events.put_rule(Name=name, EventPattern=PATTERN)
    events.put_targets(Rule="a", Targets=[{"Id": "q", "Arn": QUEUE}])
    events.put_targets(Rule="c", Targets=[{"Id": "q", "Arn": QUEUE}])
    assert events.list_rule_names_by_target(TargetArn=QUEUE)["RuleNames"] == ["a", "c"]
    first = events.list_rule_names_by_target(TargetArn=QUEUE, Limit=1)
    assert first["RuleNames"] == ["a"]
    assert events.list_rule_names_by_target(TargetArn=QUEUE, NextToken=first["NextToken"])["RuleNames"] == ["c"]


@pytest.mark.parametrize(
    ("pattern", "detail", "expected"),
    [
        ({"source": ["orders.api"], "detail-type": ["OrderPlaced"]}, {}, True),
        ({"source": ["other"]}, {}, False),
        ({"detail": {"amount": [{"numeric": [">=", 1000]}]}}, {"amount": 1500}, True),
        ({"detail": {"amount": [{"numeric": [">=", 1000]}]}}, {"amount": 999}, False),
        ({"detail": {"key": [{"prefix": "uploads/"}]}}, {"key": "uploads/a.png"}, True),
    ],
)
def test_test_event_pattern(client, pattern: dict, detail: dict, expected: bool) -> None:
    event = {
        "id": "1",
        "account": ACCOUNT,
        "source": "orders.api",
        "time": "2024-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail-type": "OrderPlaced",
        "detail": detail,
    }
    events = client("events")
    assert events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(event))["Result"] is expected


def test_test_event_pattern_errors(client) -> None:
    events = client("events")
    event = json.dumps({"id": "1", "account": ACCOUNT, "source": "s", "time": "t", "region": "r", "detail-type": "d"})
    failed = error_of(events.test_event_pattern, EventPattern='{"source": "s"}', Event=event)
    assert failed["Code"] == "InvalidEventPatternException"
    assert failed["Message"].startswith("Event pattern is not valid. Reason: ")
    for bad in ("not json", "[]", json.dumps({"id": "1", "source": "s"})):
        assert error_of(events.test_event_pattern, EventPattern='{"source": ["s"]}', Event=bad) == {
            "Code": "ValidationException",
            "Message": "Parameter Event is not valid.",
            "Status": 400,
        }
