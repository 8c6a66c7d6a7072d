"""Archives and replays through boto3."""

from __future__ import annotations

import datetime as dt
import json
import time

from test_events_support import bodies, entry, error_of, nothing_more, put_rule_to_queue, receive

ACCOUNT = "000000000000"
BUS_ARN = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/orders"
PATTERN = {"source": ["orders.api"]}


def wait_for_replay(events, name: str, states: tuple[str, ...] = ("COMPLETED",), timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        replay = events.describe_replay(ReplayName=name)
        if replay["State"] in states or time.monotonic() > deadline:
            return replay
        time.sleep(0.02)


def window() -> dict:
    now = dt.datetime.now(dt.UTC)
    return {"EventStartTime": now - dt.timedelta(hours=1), "EventEndTime": now + dt.timedelta(hours=1)}


def test_create_describe_list_update_delete_archive(client) -> None:
    events = client("events")
    events.create_event_bus(Name="orders")
    created = events.create_archive(
        ArchiveName="orders-archive",
        EventSourceArn=BUS_ARN,
        Description="every order",
        EventPattern=json.dumps(PATTERN),
        RetentionDays=7,
    )
    assert created["ArchiveArn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:archive/orders-archive"
    assert created["State"] == "ENABLED" and "CreationTime" in created
    described = events.describe_archive(ArchiveName="orders-archive")
    assert {key: described[key] for key in ("ArchiveName", "EventSourceArn", "Description", "State")} == {
        "ArchiveName": "orders-archive",
        "EventSourceArn": BUS_ARN,
        "Description": "every order",
        "State": "ENABLED",
    }
    assert json.loads(described["EventPattern"]) == PATTERN
    assert (described["RetentionDays"], described["EventCount"], described["SizeBytes"]) == (7, 0, 0)
    listed = events.list_archives()["Archives"]
    assert [archive["ArchiveName"] for archive in listed] == ["orders-archive"]
    assert set(listed[0]) == {
        "ArchiveName", "EventSourceArn", "State", "RetentionDays", "SizeBytes", "EventCount", "CreationTime"
    }  # fmt: skip
    assert events.list_archives(NamePrefix="orders")["Archives"][0]["ArchiveName"] == "orders-archive"
    assert events.list_archives(EventSourceArn=BUS_ARN)["Archives"][0]["ArchiveName"] == "orders-archive"
    assert events.list_archives(State="DISABLED")["Archives"] == []
    updated = events.update_archive(ArchiveName="orders-archive", Description="changed", RetentionDays=30)
    assert updated["State"] == "ENABLED"
    described = events.describe_archive(ArchiveName="orders-archive")
    assert described["Description"] == "changed" and described["RetentionDays"] == 30
    events.delete_archive(ArchiveName="orders-archive")
    assert events.list_archives()["Archives"] == []
    assert events.list_rules(EventBusName="orders")["Rules"] == []


def test_an_archive_is_a_managed_rule_on_its_bus(client) -> None:
    events = client("events")
    events.create_event_bus(Name="orders")
    events.create_archive(ArchiveName="keep", EventSourceArn=BUS_ARN, EventPattern=json.dumps(PATTERN))
    rules = events.list_rules(EventBusName="orders")["Rules"]
    assert [rule["Name"] for rule in rules] == ["Events-Archive-keep"]
    assert rules[0]["ManagedBy"] == "prod.vhs.events.aws.internal"
    assert json.loads(rules[0]["EventPattern"]) == {**PATTERN, "replay-name": [{"exists": False}]}
    failed = error_of(events.delete_rule, Name="Events-Archive-keep", EventBusName="orders")
    assert failed["Code"] == "ManagedRuleException"
    assert error_of(events.disable_rule, Name="Events-Archive-keep", EventBusName="orders")["Code"] == (
        "ManagedRuleException"
    )
    assert error_of(events.put_targets, Rule="Events-Archive-keep", EventBusName="orders", Targets=[
        {"Id": "x", "Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"}
    ])["Code"] == "ManagedRuleException"  # fmt: skip
    events.update_archive(ArchiveName="keep", EventPattern=json.dumps({"source": ["other"]}))
    rule = events.describe_rule(Name="Events-Archive-keep", EventBusName="orders")
    assert json.loads(rule["EventPattern"]) == {"source": ["other"], "replay-name": [{"exists": False}]}


def test_archive_errors(client) -> None:
    events = client("events")
    assert error_of(events.create_archive, ArchiveName="a", EventSourceArn=BUS_ARN) == {
        "Code": "ResourceNotFoundException",
        "Message": "Event bus orders does not exist.",
        "Status": 400,
    }
    events.create_event_bus(Name="orders")
    events.create_archive(ArchiveName="a", EventSourceArn=BUS_ARN)
    assert error_of(events.create_archive, ArchiveName="a", EventSourceArn=BUS_ARN) == {
        "Code": "ResourceAlreadyExistsException",
        "Message": "Archive a already exists.",
        "Status": 400,
    }
    failed = error_of(events.create_archive, ArchiveName="b", EventSourceArn=BUS_ARN, EventPattern='{"source": "x"}')
    assert failed["Code"] == "InvalidEventPatternException"
    assert error_of(events.describe_archive, ArchiveName="nope") == {
        "Code": "ResourceNotFoundException",
        "Message": "Archive nope does not exist.",
        "Status": 400,
    }
    assert error_of(events.delete_archive, ArchiveName="nope")["Message"] == "Archive nope does not exist."
    assert error_of(events.update_archive, ArchiveName="nope") == {
        "Code": "InternalException",
        "Message": "Service encountered unexpected problem. Please try again.",
        "Status": 500,
    }
    assert error_of(events.list_archives, NamePrefix="a", State="ENABLED")["Message"] == (
        "At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix."
    )
    unknown = BUS_ARN.replace("orders", "missing")
    assert error_of(events.list_archives, EventSourceArn=unknown)["Message"] == "Event bus missing does not exist."
    assert (
        error_of(events.create_archive, ArchiveName="x" * 49, EventSourceArn=BUS_ARN)["Code"] == "ValidationException"
    )


def test_archived_events_are_counted(client) -> None:
    events = client("events")
    events.create_event_bus(Name="orders")
    events.create_archive(ArchiveName="orders-only", EventSourceArn=BUS_ARN, EventPattern=json.dumps(PATTERN))
    events.create_archive(ArchiveName="everything", EventSourceArn=BUS_ARN)
    events.put_events(
        Entries=[entry("orders.api", "OrderPlaced", {"n": n}, bus="orders") for n in range(3)]
        + [entry("billing", "Invoice", {"n": 9}, bus="orders"), entry("orders.api", "OrderPlaced", {"n": 5})]
    )
    only = events.describe_archive(ArchiveName="orders-only")
    everything = events.describe_archive(ArchiveName="everything")
    assert (only["EventCount"], everything["EventCount"]) == (3, 4)
    assert 3 * 150 < only["SizeBytes"] < everything["SizeBytes"]


def test_replay_sends_archived_events_back_with_their_replay_name(client) -> None:
    events, sqs = client("events"), client("sqs")
    events.create_event_bus(Name="orders")
    archive_arn = events.create_archive(ArchiveName="orders", EventSourceArn=BUS_ARN)["ArchiveArn"]
    url = put_rule_to_queue(events, sqs, "route", PATTERN, bus="orders")
    ids = [
        answer["EventId"]
        for answer in events.put_events(
            Entries=[entry("orders.api", "OrderPlaced", {"n": n}, bus="orders") for n in range(3)]
        )["Entries"]
    ]
    assert len(receive(sqs, url, 3)) == 3
    started = events.start_replay(
        ReplayName="again",
        Description="replay the orders",
        EventSourceArn=archive_arn,
        Destination={"Arn": BUS_ARN},
        **window(),
    )
    assert started["ReplayArn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:replay/again"
    assert started["State"] == "STARTING" and "ReplayStartTime" in started
    replayed = bodies(receive(sqs, url, 3))
    assert sorted(body["id"] for body in replayed) == sorted(ids)
    for body in replayed:
        assert body["replay-name"] == "again"
        assert list(body) == [
            "version", "id", "detail-type", "source", "account", "time", "region", "replay-name", "resources", "detail"
        ]  # fmt: skip
    described = wait_for_replay(events, "again")
    assert described["State"] == "COMPLETED"
    assert described["Destination"] == {"Arn": BUS_ARN}
    assert described["Description"] == "replay the orders"
    for field in ("EventStartTime", "EventEndTime", "EventLastReplayedTime", "ReplayStartTime", "ReplayEndTime"):
        assert field in described
    assert events.describe_archive(ArchiveName="orders")["EventCount"] == 3
    listed = events.list_replays()["Replays"]
    assert [(replay["ReplayName"], replay["State"]) for replay in listed] == [("again", "COMPLETED")]
    assert events.list_replays(EventSourceArn=archive_arn)["Replays"][0]["ReplayName"] == "again"
    assert events.list_replays(State="RUNNING")["Replays"] == []
    assert error_of(events.cancel_replay, ReplayName="again") == {
        "Code": "IllegalStatusException",
        "Message": "Replay again is not in a valid state for this operation.",
        "Status": 400,
    }


def test_replay_to_chosen_rules_only(client) -> None:
    events, sqs = client("events"), client("sqs")
    events.create_event_bus(Name="orders")
    archive_arn = events.create_archive(ArchiveName="orders", EventSourceArn=BUS_ARN)["ArchiveArn"]
    chosen = put_rule_to_queue(events, sqs, "chosen", PATTERN, bus="orders")
    other = put_rule_to_queue(events, sqs, "other", PATTERN, bus="orders")
    events.put_events(Entries=[entry("orders.api", "OrderPlaced", {"n": 1}, bus="orders")])
    receive(sqs, chosen, 1), receive(sqs, other, 1)
    rule_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/orders/chosen"
    events.start_replay(
        ReplayName="only-chosen",
        EventSourceArn=archive_arn,
        Destination={"Arn": BUS_ARN, "FilterArns": [rule_arn]},
        **window(),
    )
    assert bodies(receive(sqs, chosen, 1))[0]["replay-name"] == "only-chosen"
    assert wait_for_replay(events, "only-chosen")["State"] == "COMPLETED"
    assert nothing_more(sqs, other)


def test_replay_takes_only_the_time_window(client) -> None:
    events, sqs = client("events"), client("sqs")
    events.create_event_bus(Name="orders")
    archive_arn = events.create_archive(ArchiveName="orders", EventSourceArn=BUS_ARN)["ArchiveArn"]
    url = put_rule_to_queue(events, sqs, "route", PATTERN, bus="orders")
    old = dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.UTC)
    events.put_events(
        Entries=[
            entry("orders.api", "OrderPlaced", {"when": "old"}, bus="orders", Time=old),
            entry("orders.api", "OrderPlaced", {"when": "older"}, bus="orders", Time=old - dt.timedelta(days=1)),
        ]
    )
    receive(sqs, url, 2)
    events.start_replay(
        ReplayName="january",
        EventSourceArn=archive_arn,
        Destination={"Arn": BUS_ARN},
        EventStartTime=old - dt.timedelta(hours=1),
        EventEndTime=old + dt.timedelta(hours=1),
    )
    assert [body["detail"] for body in bodies(receive(sqs, url, 1))] == [{"when": "old"}]
    assert wait_for_replay(events, "january")["State"] == "COMPLETED"
    assert nothing_more(sqs, url)


def test_start_replay_errors(client) -> None:
    events = client("events")
    events.create_event_bus(Name="orders")
    events.create_event_bus(Name="billing")
    archive_arn = events.create_archive(ArchiveName="orders", EventSourceArn=BUS_ARN)["ArchiveArn"]
    times = window()
    failed = error_of(
        events.start_replay,
        ReplayName="r",
        EventSourceArn=archive_arn,
        Destination={"Arn": BUS_ARN},
        EventStartTime=times["EventEndTime"],
        EventEndTime=times["EventStartTime"],
    )
    assert (
        failed["Message"] == "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime."
    )
    missing = archive_arn.replace("archive/orders", "archive/missing")
    failed = error_of(
        events.start_replay, ReplayName="r", EventSourceArn=missing, Destination={"Arn": BUS_ARN}, **times
    )
    assert failed == {
        "Code": "ValidationException",
        "Message": "Parameter EventSourceArn is not valid. Reason: Archive missing does not exist.",
        "Status": 400,
    }
    other_bus = BUS_ARN.replace("orders", "billing")
    failed = error_of(
        events.start_replay, ReplayName="r", EventSourceArn=archive_arn, Destination={"Arn": other_bus}, **times
    )
    assert (
        failed["Message"] == "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted."
    )
    gone = BUS_ARN.replace("orders", "gone")
    failed = error_of(
        events.start_replay, ReplayName="r", EventSourceArn=archive_arn, Destination={"Arn": gone}, **times
    )
    assert failed == {"Code": "ResourceNotFoundException", "Message": "Event bus gone does not exist.", "Status": 400}
    failed = error_of(
        events.start_replay, ReplayName="r", EventSourceArn=archive_arn, Destination={"Arn": archive_arn}, **times
    )
    assert failed["Message"] == "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN."
    events.start_replay(ReplayName="r", EventSourceArn=archive_arn, Destination={"Arn": BUS_ARN}, **times)
    failed = error_of(
        events.start_replay, ReplayName="r", EventSourceArn=archive_arn, Destination={"Arn": BUS_ARN}, **times
    )
    assert failed == {"Code": "ResourceAlreadyExistsException", "Message": "Replay r already exists.", "Status": 400}
    assert error_of(events.describe_replay, ReplayName="nope") == {
        "Code": "ResourceNotFoundException",
        "Message": "Replay nope does not exist.",
        "Status": 400,
    }
    assert error_of(events.list_replays, NamePrefix="r", State="COMPLETED")["Code"] == "ValidationException"


def test_cancel_a_running_replay(virtual_server) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    events.create_event_bus(Name="orders")
    archive_arn = events.create_archive(ArchiveName="orders", EventSourceArn=BUS_ARN)["ArchiveArn"]
    url = put_rule_to_queue(events, sqs, "route", PATTERN, bus="orders")
    for batch in range(15):
        events.put_events(
            Entries=[entry("orders.api", "OrderPlaced", {"n": batch * 10 + n}, bus="orders") for n in range(10)]
        )
    assert len(receive(sqs, url, 150, timeout=20)) == 150
    now = dt.datetime.fromtimestamp(virtual_server.now(), dt.UTC)
    events.start_replay(
        ReplayName="long",
        EventSourceArn=archive_arn,
        Destination={"Arn": BUS_ARN},
        EventStartTime=now - dt.timedelta(hours=1),
        EventEndTime=now + dt.timedelta(hours=1),
    )
    assert len(receive(sqs, url, 100, timeout=20)) == 100
    running = wait_for_replay(events, "long", states=("RUNNING",))
    assert running["State"] == "RUNNING" and "EventLastReplayedTime" in running
    cancelled = events.cancel_replay(ReplayName="long")
    assert cancelled["State"] == "CANCELLING"
    assert cancelled["ReplayArn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:replay/long"
    virtual_server.advance(1)
    assert wait_for_replay(events, "long", states=("CANCELLED",))["State"] == "CANCELLED"
    assert nothing_more(sqs, url)
