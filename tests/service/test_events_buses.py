"""EventBridge event buses through boto3: create/describe/list/update/delete, bus policy, tags."""

from __future__ import annotations

import json

from test_events_support import error_of

ACCOUNT = "000000000000"


def test_the_default_bus_exists(client) -> None:
    events = client("events")
    bus = events.describe_event_bus()
    assert bus["Name"] == "default"
    assert bus["Arn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"
    assert "CreationTime" in bus
    assert [item["Name"] for item in events.list_event_buses()["EventBuses"]] == ["default"]


def test_each_region_has_its_own_default_bus(client) -> None:
    events = client("events", region="eu-west-1")
    assert events.describe_event_bus(Name="default")["Arn"] == f"arn:aws:events:eu-west-1:{ACCOUNT}:event-bus/default"


def test_create_describe_list_delete(client) -> None:
    events = client("events")
    created = events.create_event_bus(Name="orders", Description="order events")
    arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/orders"
    assert created["EventBusArn"] == arn
    assert created["Description"] == "order events"
    described = events.describe_event_bus(Name="orders")
    assert described["Name"] == "orders" and described["Arn"] == arn
    assert described["Description"] == "order events"
    assert events.describe_event_bus(Name=arn)["Name"] == "orders"
    names = [bus["Name"] for bus in events.list_event_buses()["EventBuses"]]
    assert names == ["default", "orders"]
    events.delete_event_bus(Name="orders")
    assert [bus["Name"] for bus in events.list_event_buses()["EventBuses"]] == ["default"]
    assert error_of(events.describe_event_bus, Name="orders") == {
        "Code": "ResourceNotFoundException",
        "Message": "Event bus orders does not exist.",
        "Status": 400,
    }


def test_create_errors(client) -> None:
    events = client("events")
    events.create_event_bus(Name="orders")
    assert error_of(events.create_event_bus, Name="orders")["Message"] == "Event bus orders already exists."
    assert error_of(events.create_event_bus, Name="default") == {
        "Code": "ResourceAlreadyExistsException",
        "Message": "Event bus default already exists.",
        "Status": 400,
    }
    assert error_of(events.create_event_bus, Name="test/bus") == {
        "Code": "ValidationException",
        "Message": "Event bus name must not contain '/'.",
        "Status": 400,
    }
    failed = error_of(events.create_event_bus, Name="aws.partner/x/y", EventSourceName="aws.partner/x/y")
    assert failed["Code"] == "ResourceNotFoundException"
    assert failed["Message"] == "Event source aws.partner/x/y does not exist."
    assert error_of(events.create_event_bus, Name="bad name!")["Code"] == "ValidationException"


def test_delete_default_bus_is_refused_and_unknown_bus_is_fine(client) -> None:
    events = client("events")
    assert error_of(events.delete_event_bus, Name="default") == {
        "Code": "ValidationException",
        "Message": "Cannot delete event bus default.",
        "Status": 400,
    }
    events.delete_event_bus(Name="never-existed")


def test_deleting_a_bus_deletes_its_rules(client) -> None:
    events = client("events")
    events.create_event_bus(Name="orders")
    events.put_rule(Name="r", EventBusName="orders", EventPattern='{"source": ["a"]}')
    events.delete_event_bus(Name="orders")
    events.create_event_bus(Name="orders")
    assert events.list_rules(EventBusName="orders")["Rules"] == []


def test_list_with_prefix_and_pages(client) -> None:
    events = client("events")
    for index in range(6):
        events.create_event_bus(Name=f"bus-{index}")
    events.create_event_bus(Name="other")
    first = events.list_event_buses(NamePrefix="bus-", Limit=4)
    assert [bus["Name"] for bus in first["EventBuses"]] == ["bus-0", "bus-1", "bus-2", "bus-3"]
    second = events.list_event_buses(NamePrefix="bus-", Limit=4, NextToken=first["NextToken"])
    assert [bus["Name"] for bus in second["EventBuses"]] == ["bus-4", "bus-5"]
    assert "NextToken" not in second
    assert [bus["Name"] for bus in events.list_event_buses(NamePrefix="oth")["EventBuses"]] == ["other"]
    assert error_of(events.list_event_buses, NextToken="%%%")["Code"] == "ValidationException"


def test_update_event_bus(client) -> None:
    events = client("events")
    events.create_event_bus(Name="orders")
    answer = events.update_event_bus(
        Name="orders", Description="new words", DeadLetterConfig={"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}
    )
    assert answer["Name"] == "orders" and answer["Description"] == "new words"
    described = events.describe_event_bus(Name="orders")
    assert described["Description"] == "new words"
    assert described["DeadLetterConfig"] == {"Arn": "arn:aws:sqs:us-east-1:000000000000:dlq"}
    assert error_of(events.update_event_bus, Name="nope")["Code"] == "ResourceNotFoundException"


def test_put_and_remove_permission(client) -> None:
    events = client("events")
    events.create_event_bus(Name="shared")
    arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/shared"
    events.put_permission(EventBusName="shared", Action="events:PutEvents", Principal="111111111111", StatementId="one")
    events.put_permission(EventBusName="shared", Action="events:PutEvents", Principal="*", StatementId="all")
    policy = json.loads(events.describe_event_bus(Name="shared")["Policy"])
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "one",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "events:PutEvents",
                "Resource": arn,
            },
            {"Sid": "all", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": arn},
        ],
    }
    events.remove_permission(EventBusName="shared", StatementId="all")
    policy = json.loads(events.describe_event_bus(Name="shared")["Policy"])
    assert [statement["Sid"] for statement in policy["Statement"]] == ["one"]
    assert error_of(events.remove_permission, EventBusName="shared", StatementId="all") == {
        "Code": "ResourceNotFoundException",
        "Message": "Statement with the provided id does not exist.",
        "Status": 400,
    }
    events.remove_permission(EventBusName="shared", RemoveAllPermissions=True)
    assert "Policy" not in events.describe_event_bus(Name="shared")


def test_put_permission_with_a_whole_policy_and_errors(client) -> None:
    events = client("events")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "list",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "events:ListRules",
                "Resource": "*",
            }
        ],
    }
    events.put_permission(Policy=json.dumps(policy))
    assert json.loads(events.describe_event_bus()["Policy"]) == policy
    failed = error_of(events.put_permission, Action="events:DeleteRule", Principal="*", StatementId="x")
    assert failed["Message"] == "Provided value in parameter 'action' is not supported."
    failed = error_of(
        events.put_permission, EventBusName="nope", Action="events:PutEvents", Principal="*", StatementId="x"
    )
    assert failed == {"Code": "ResourceNotFoundException", "Message": "Event bus nope does not exist.", "Status": 400}
    assert error_of(events.put_permission, Action="events:PutEvents", Principal="12", StatementId="x")["Code"] == (
        "ValidationException"
    )


def test_tags_on_buses_and_rules(client) -> None:
    events = client("events")
    bus_arn = events.create_event_bus(Name="orders", Tags=[{"Key": "team", "Value": "a"}])["EventBusArn"]
    assert events.list_tags_for_resource(ResourceARN=bus_arn)["Tags"] == [{"Key": "team", "Value": "a"}]
    events.tag_resource(ResourceARN=bus_arn, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "b"}])
    assert sorted((tag["Key"], tag["Value"]) for tag in events.list_tags_for_resource(ResourceARN=bus_arn)["Tags"]) == [
        ("env", "dev"),
        ("team", "b"),
    ]
    events.untag_resource(ResourceARN=bus_arn, TagKeys=["team"])
    assert events.list_tags_for_resource(ResourceARN=bus_arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    rule_arn = events.put_rule(
        Name="r", EventBusName="orders", EventPattern='{"source": ["a"]}', Tags=[{"Key": "k", "Value": "v"}]
    )["RuleArn"]
    assert events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    events.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "k2", "Value": "v2"}])
    assert len(events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"]) == 2
    duplicated = error_of(
        events.tag_resource, ResourceARN=bus_arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]
    )
    assert duplicated["Message"] == "Invalid parameter: Duplicated keys are not allowed."
    missing = error_of(events.list_tags_for_resource, ResourceARN=f"arn:aws:events:us-east-1:{ACCOUNT}:rule/nope")
    assert missing["Message"] == "Rule nope does not exist on EventBus default."
    missing = error_of(events.tag_resource, ResourceARN=f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/nope", Tags=[])
    assert missing["Message"] == "Event bus nope does not exist."
