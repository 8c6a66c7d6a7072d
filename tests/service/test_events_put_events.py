"""PutEvents through boto3: AWS's validation, the envelope targets receive, and routing through
rules to SQS queues (the seed patterns: OrderPlaced on `orders`, high-value orders, S3 uploads,
EC2 state changes)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

from test_events_support import bodies, entry, error_of, make_queue, nothing_more, put_rule_to_queue, receive

ACCOUNT = "000000000000"
ORDER_PLACED = {"source": ["orders.api"], "detail-type": ["OrderPlaced"]}


def test_entry_validation(client) -> None:
    events = client("events")
    answer = events.put_events(
        Entries=[
            {"DetailType": "t", "Detail": "{}"},
            {"Source": "s", "Detail": "{}"},
            {"Source": "s", "DetailType": "t"},
            {"Source": "s", "DetailType": "t", "Detail": "{not json"},
            {"Source": "s", "DetailType": "t", "Detail": "[1, 2]"},
            {"Source": "s", "DetailType": "t", "Detail": '"text"'},
            {"Source": "s", "DetailType": "t", "Detail": "{}"},
        ]
    )
    assert answer["FailedEntryCount"] == 6
    results = answer["Entries"]
    assert results[0] == {
        "ErrorCode": "InvalidArgument",
        "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument.",
    }
    assert results[1] == {
        "ErrorCode": "InvalidArgument",
        "ErrorMessage": "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
    }
    assert results[2] == {
        "ErrorCode": "InvalidArgument",
        "ErrorMessage": "Parameter Detail is not valid. Reason: Detail is a required argument.",
    }
    for malformed in results[3:6]:
        assert malformed == {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    assert re.fullmatch(r"[0-9a-f-]{36}", results[6]["EventId"])


def test_more_than_ten_entries(client) -> None:
    events = client("events")
    entries = [entry("core.update-account-command", "core.update-account-command", {"command": "update-account"})] * 11
    failed = error_of(events.put_events, Entries=entries)
    assert failed["Code"] == "ValidationException"
    one = (
        "PutEventsRequestEntry(time=null, source=core.update-account-command, resources=null, "
        'detailType=core.update-account-command, detail={"command": "update-account"}, eventBusName=null, '
        "traceHeader=null, kmsKeyIdentifier=null, internalMetadata=null)"
    )
    assert failed["Message"] == (
        f"1 validation error detected: Value '[{', '.join([one] * 11)}]' at 'entries' failed to satisfy "
        "constraint: Member must have length less than or equal to 10"
    )


def test_request_size_limit_is_one_mebibyte(client) -> None:
    events = client("events")
    big = {"data": "x" * (1024 * 1024)}
    failed = error_of(events.put_events, Entries=[entry("s", "t", big)])
    assert failed == {
        "Code": "ValidationException",
        "Message": "Total size of the entries in the request is over the limit.",
        "Status": 400,
    }
    half = {"data": "x" * (520 * 1024)}
    assert events.put_events(Entries=[entry("s", "t", half)])["FailedEntryCount"] == 0
    assert (
        error_of(events.put_events, Entries=[entry("s", "t", half), entry("s", "t", half), entry("s", "t", {})])["Code"]
        == "ValidationException"
    )


def test_events_for_a_bus_that_does_not_exist_are_accepted(client) -> None:
    answer = client("events").put_events(Entries=[entry("s", "t", {}, bus="nowhere")])
    assert answer["FailedEntryCount"] == 0 and "EventId" in answer["Entries"][0]


def test_order_placed_on_the_orders_bus_reaches_the_inventory_queue(client) -> None:
    events, sqs = client("events"), client("sqs")
    events.create_event_bus(Name="orders")
    url = put_rule_to_queue(events, sqs, "route-to-inventory-queue", ORDER_PLACED, bus="orders")
    detail = {"orderId": "o-1001", "items": [{"sku": "A", "qty": 2}], "total": 49.5}
    answer = events.put_events(Entries=[entry("orders.api", "OrderPlaced", detail, bus="orders")])
    event_id = answer["Entries"][0]["EventId"]
    messages = receive(sqs, url, 1)
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert list(body) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert body["version"] == "0" and body["id"] == event_id
    assert body["detail-type"] == "OrderPlaced" and body["source"] == "orders.api"
    assert body["account"] == ACCOUNT and body["region"] == "us-east-1"
    assert body["resources"] == [] and body["detail"] == detail
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["time"])
    assert messages[0]["Body"] == json.dumps(body, separators=(",", ":"))


def test_only_matching_events_on_the_rules_bus_are_delivered(client) -> None:
    events, sqs = client("events"), client("sqs")
    events.create_event_bus(Name="orders")
    url = put_rule_to_queue(events, sqs, "route", ORDER_PLACED, bus="orders")
    events.put_events(
        Entries=[
            entry("orders.api", "OrderPlaced", {"n": 1}),
            entry("orders.api", "OrderShipped", {"n": 2}, bus="orders"),
            entry("other", "OrderPlaced", {"n": 3}, bus="orders"),
            entry("orders.api", "OrderPlaced", {"n": 4}, bus="orders"),
        ]
    )
    assert [body["detail"] for body in bodies(receive(sqs, url, 1))] == [{"n": 4}]
    assert nothing_more(sqs, url)


def test_time_resources_and_bus_arn(client) -> None:
    events, sqs = client("events"), client("sqs")
    bus_arn = events.create_event_bus(Name="orders")["EventBusArn"]
    url = put_rule_to_queue(events, sqs, "route", ORDER_PLACED, bus="orders")
    when = dt.datetime(2024, 5, 17, 12, 30, 45, 678000, tzinfo=dt.UTC)
    events.put_events(
        Entries=[entry("orders.api", "OrderPlaced", {}, bus=bus_arn, Time=when, Resources=["arn:aws:s3:::bucket"])]
    )
    body = bodies(receive(sqs, url, 1))[0]
    assert body["time"] == "2024-05-17T12:30:45Z"
    assert body["resources"] == ["arn:aws:s3:::bucket"]


def test_one_event_fans_out_to_every_matching_rule(client) -> None:
    events, sqs = client("events"), client("sqs")
    events.create_event_bus(Name="orders")
    first = put_rule_to_queue(events, sqs, "route-a", ORDER_PLACED, bus="orders")
    second = put_rule_to_queue(events, sqs, "route-b", {"source": ["orders.api"]}, bus="orders")
    events.put_events(Entries=[entry("orders.api", "OrderPlaced", {"id": 1}, bus="orders")])
    assert len(receive(sqs, first, 1)) == 1
    assert len(receive(sqs, second, 1)) == 1


def test_disabled_rules_deliver_nothing(client) -> None:
    events, sqs = client("events"), client("sqs")
    url = put_rule_to_queue(events, sqs, "route", ORDER_PLACED)
    events.disable_rule(Name="route")
    events.put_events(Entries=[entry("orders.api", "OrderPlaced", {"n": 1})])
    assert nothing_more(sqs, url)
    events.enable_rule(Name="route")
    events.put_events(Entries=[entry("orders.api", "OrderPlaced", {"n": 2})])
    assert [body["detail"] for body in bodies(receive(sqs, url, 1))] == [{"n": 2}]


def test_seed_pattern_high_value_orders(client) -> None:
    events, sqs = client("events"), client("sqs")
    pattern = {
        "source": ["com.myapp.orders"],
        "detail-type": ["OrderCreated"],
        "detail": {"amount": [{"numeric": [">=", 1000]}], "status": ["confirmed"]},
    }
    url = put_rule_to_queue(events, sqs, "high-value-orders", pattern)
    events.put_events(
        Entries=[
            entry("com.myapp.orders", "OrderCreated", {"id": "small", "amount": 999.99, "status": "confirmed"}),
            entry("com.myapp.orders", "OrderCreated", {"id": "big", "amount": 1000, "status": "confirmed"}),
            entry("com.myapp.orders", "OrderCreated", {"id": "pending", "amount": 5000, "status": "pending"}),
            entry("com.myapp.orders", "OrderCreated", {"id": "huge", "amount": 25000.5, "status": "confirmed"}),
            entry("com.myapp.orders", "OrderCreated", {"id": "text", "amount": "5000", "status": "confirmed"}),
        ]
    )
    received = sorted(body["detail"]["id"] for body in bodies(receive(sqs, url, 2)))
    assert received == ["big", "huge"]
    assert nothing_more(sqs, url)


def test_seed_pattern_s3_uploads_prefix(client) -> None:
    events, sqs = client("events"), client("sqs")
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["my-bucket"]}, "object": {"key": [{"prefix": "uploads/"}]}},
    }
    url = put_rule_to_queue(events, sqs, "s3-uploads", pattern)

    def created(bucket: str, key: str) -> dict:
        return entry("aws.s3", "Object Created", {"bucket": {"name": bucket}, "object": {"key": key, "size": 4}})

    events.put_events(
        Entries=[
            created("my-bucket", "uploads/photo.png"),
            created("my-bucket", "downloads/photo.png"),
            created("other-bucket", "uploads/photo.png"),
            created("my-bucket", "uploads"),
        ]
    )
    assert [body["detail"]["object"]["key"] for body in bodies(receive(sqs, url, 1))] == ["uploads/photo.png"]
    assert nothing_more(sqs, url)


def test_seed_pattern_ec2_state_changes(client) -> None:
    events, sqs = client("events"), client("sqs")
    pattern = {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        "detail": {"state": ["stopped", "terminated"]},
    }
    url = put_rule_to_queue(events, sqs, "ec2-instance-stopped", pattern)
    events.put_events(
        Entries=[
            entry("aws.ec2", "EC2 Instance State-change Notification", {"instance-id": f"i-{state}", "state": state})
            for state in ("pending", "running", "stopping", "stopped", "terminated")
        ]
    )
    received = sorted(body["detail"]["state"] for body in bodies(receive(sqs, url, 2)))
    assert received == ["stopped", "terminated"]
    assert nothing_more(sqs, url)


def test_input_path_input_and_transformer_end_to_end(client) -> None:
    events, sqs = client("events"), client("sqs")
    events.create_event_bus(Name="orders")
    events.put_rule(Name="route", EventBusName="orders", EventPattern=json.dumps(ORDER_PLACED))
    queues = {name: make_queue(sqs, f"t-{name}") for name in ("path", "input", "string", "json", "reserved")}
    targets = [
        {"Id": "path", "Arn": queues["path"][1], "InputPath": "$.detail.payload"},
        {"Id": "input", "Arn": queues["input"][1], "Input": '{"fixed": true}'},
        {
            "Id": "string",
            "Arn": queues["string"][1],
            "InputTransformer": {
                "InputPathsMap": {"type": "$.detail-type", "order": "$.detail.orderId", "missing": "$.detail.nothing"},
                "InputTemplate": '"Order <order> of type <type><missing>"',
            },
        },
        {
            "Id": "json",
            "Arn": queues["json"][1],
            "InputTransformer": {
                "InputPathsMap": {
                    "order": "$.detail.orderId",
                    "amount": "$.detail.amount",
                    "payload": "$.detail.payload",
                },
                "InputTemplate": (
                    '{\n  "order_id": <order>,\n  "amount": <amount>,\n  "payload": <payload>,\n  "priority": "high"\n}'
                ),
            },
        },
        {
            "Id": "reserved",
            "Arn": queues["reserved"][1],
            "InputTransformer": {
                "InputTemplate": (
                    '{"rule": <aws.events.rule-name>, "arn": <aws.events.rule-arn>, "event": <aws.events.event.json>}'
                )
            },
        },
    ]
    assert events.put_targets(Rule="route", EventBusName="orders", Targets=targets)["FailedEntryCount"] == 0
    detail = {"orderId": "o-7", "amount": 1250, "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}}
    event_id = events.put_events(Entries=[entry("orders.api", "OrderPlaced", detail, bus="orders")])["Entries"][0][
        "EventId"
    ]
    assert receive(sqs, queues["path"][0], 1)[0]["Body"] == '{"acc_id":"0a787ecb-4015","sf_id":"baz"}'
    assert receive(sqs, queues["input"][0], 1)[0]["Body"] == '{"fixed": true}'
    assert receive(sqs, queues["string"][0], 1)[0]["Body"] == '"Order o-7 of type OrderPlaced"'
    assert receive(sqs, queues["json"][0], 1)[0]["Body"] == (
        '{"order_id":"o-7","amount":1250,"payload":{"acc_id":"0a787ecb-4015","sf_id":"baz"},"priority":"high"}'
    )
    reserved = json.loads(receive(sqs, queues["reserved"][0], 1)[0]["Body"])
    assert reserved["rule"] == "route"
    assert reserved["arn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/orders/route"
    assert reserved["event"]["id"] == event_id and reserved["event"]["detail"] == detail


def test_fifo_queue_target_gets_the_message_group(client) -> None:
    events, sqs = client("events"), client("sqs")
    url, arn = make_queue(sqs, "orders.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    events.put_rule(Name="route", EventPattern=json.dumps(ORDER_PLACED))
    events.put_targets(Rule="route", Targets=[{"Id": "fifo", "Arn": arn, "SqsParameters": {"MessageGroupId": "g1"}}])
    events.put_events(Entries=[entry("orders.api", "OrderPlaced", {"n": n}) for n in range(3)])
    messages = receive(sqs, url, 3, attributes=True)
    assert sorted(json.loads(message["Body"])["detail"]["n"] for message in messages) == [0, 1, 2]
    assert {message["Attributes"]["MessageGroupId"] for message in messages} == {"g1"}


def test_an_event_bus_target_forwards_the_event(client) -> None:
    events, sqs = client("events"), client("sqs")
    bus_arn = events.create_event_bus(Name="orders")["EventBusArn"]
    url = put_rule_to_queue(events, sqs, "on-orders", ORDER_PLACED, bus="orders")
    events.put_rule(Name="forward", EventPattern=json.dumps({"source": ["orders.api"]}))
    events.put_targets(Rule="forward", Targets=[{"Id": "bus", "Arn": bus_arn}])
    event_id = events.put_events(Entries=[entry("orders.api", "OrderPlaced", {"n": 1})])["Entries"][0]["EventId"]
    body = bodies(receive(sqs, url, 1))[0]
    assert body["id"] == event_id and body["detail"] == {"n": 1}


def test_a_bus_in_another_account_needs_its_permission(server) -> None:
    producer = server.client("events", aws_access_key_id="111111111111")
    consumer = server.client("events", aws_access_key_id="222222222222")
    sqs = server.client("sqs", aws_access_key_id="222222222222")
    dlq_url, dlq_arn = make_queue(server.client("sqs", aws_access_key_id="111111111111"), "producer-dlq")
    central = consumer.create_event_bus(Name="central")["EventBusArn"]
    url = put_rule_to_queue(consumer, sqs, "collect", {"source": ["shop"]}, bus="central")
    producer.put_rule(Name="share", EventPattern=json.dumps({"source": ["shop"]}))
    producer.put_targets(
        Rule="share", Targets=[{"Id": "central", "Arn": central, "DeadLetterConfig": {"Arn": dlq_arn}}]
    )
    producer.put_events(Entries=[entry("shop", "Sale", {"n": 1})])
    dead = receive(server.client("sqs", aws_access_key_id="111111111111"), dlq_url, 1, attributes=True)
    assert dead[0]["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "NO_PERMISSIONS"
    assert nothing_more(sqs, url)
    consumer.put_permission(
        EventBusName="central", Action="events:PutEvents", Principal="111111111111", StatementId="p"
    )
    producer.put_events(Entries=[entry("shop", "Sale", {"n": 2})])
    body = bodies(receive(sqs, url, 1))[0]
    assert body["account"] == "111111111111" and body["detail"] == {"n": 2}


def test_a_log_group_target_gets_one_stream_per_event(server, client) -> None:
    if "logs" not in server.admin("GET", "health")["services"]:
        return
    events, logs = client("events"), client("logs")
    logs.create_log_group(logGroupName="/aws/events/orders")
    group_arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/events/orders"
    events.put_rule(Name="log-orders", EventPattern=json.dumps(ORDER_PLACED))
    assert events.put_targets(Rule="log-orders", Targets=[{"Id": "log", "Arn": group_arn}])["FailedEntryCount"] == 0
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=1)
    event_id = events.put_events(Entries=[entry("orders.api", "OrderPlaced", {"n": 1}, Time=when)])["Entries"][0][
        "EventId"
    ]
    found: list[dict] = []
    for _ in range(200):
        streams = logs.describe_log_streams(logGroupName="/aws/events/orders")["logStreams"]
        if streams:
            found = logs.get_log_events(logGroupName="/aws/events/orders", logStreamName=event_id)["events"]
            if found:
                break
        time.sleep(0.02)
    assert [stream["logStreamName"] for stream in streams] == [event_id]
    assert json.loads(found[0]["message"])["id"] == event_id
    assert found[0]["timestamp"] == int(when.timestamp() * 1000)
