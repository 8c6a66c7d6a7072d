"""Publish and PublishBatch through boto3: AWS's checks, and fan-out to SQS queues with filter
policies (attribute and body scope, numeric ranges), raw delivery, per-protocol messages and
FIFO topics feeding FIFO queues."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from test_sns_subscriptions import recorded
from test_sns_topics import error_of

ACCOUNT = "000000000000"


def make_queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    if name.endswith(".fifo"):
        attributes = {"FifoQueue": "true", **attributes}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs: Any, url: str, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
    """Messages until `count` arrived or `timeout` passed (fan-out runs after Publish answers).

    Short polls, so that it also works on a server whose clock is virtual."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(found) < count and time.monotonic() < deadline:
        answer = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
        )
        messages = answer.get("Messages", [])
        for message in messages:
            found.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if not messages:
            time.sleep(0.02)
    return found


def nothing_more(sqs: Any, url: str, wait: float = 0.3) -> bool:
    return not receive(sqs, url, 1, timeout=wait)


def string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


def number(value: float | int) -> dict[str, str]:
    return {"DataType": "Number", "StringValue": str(value)}


@pytest.fixture
def sns(client: Any) -> Any:
    return client("sns")


@pytest.fixture
def sqs(client: Any) -> Any:
    return client("sqs")


@pytest.fixture
def topic(sns: Any) -> str:
    return str(sns.create_topic(Name="order-events")["TopicArn"])


def test_fan_out_with_attribute_filters_and_numeric_ranges(sns: Any, sqs: Any, topic: str) -> None:
    """The seed's fan-out: inventory gets created/updated orders, shipping only big express ones."""
    inventory_url, inventory_arn = make_queue(sqs, "inventory-updates")
    shipping_url, shipping_arn = make_queue(sqs, "shipping-orders")
    audit_url, audit_arn = make_queue(sqs, "audit")
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=inventory_arn,
        Attributes={"FilterPolicy": json.dumps({"event_type": ["order_created", "order_updated"]})},
    )
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=shipping_arn,
        Attributes={
            "FilterPolicy": json.dumps(
                {"order_value": [{"numeric": [">=", 1000]}], "shipping_type": ["express", "priority"]}
            ),
            "FilterPolicyScope": "MessageAttributes",
        },
    )
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=audit_arn)
    orders = [
        ("order_created", 50, "standard"),
        ("order_created", 2500, "express"),
        ("order_cancelled", 5000, "priority"),
        ("order_updated", 999.99, "express"),
    ]
    for index, (event, value, shipping) in enumerate(orders):
        sns.publish(
            TopicArn=topic,
            Message=json.dumps({"order": index}),
            MessageAttributes={
                "event_type": string(event),
                "order_value": number(value),
                "shipping_type": string(shipping),
            },
        )
    bodies = {name: receive(sqs, url, count) for name, url, count in (
        ("inventory", inventory_url, 3), ("shipping", shipping_url, 2), ("audit", audit_url, 4)
    )}  # fmt: skip
    orders_of = {
        name: sorted(json.loads(json.loads(m["Body"])["Message"])["order"] for m in got) for name, got in bodies.items()
    }
    assert orders_of == {"inventory": [0, 1, 3], "shipping": [1, 2], "audit": [0, 1, 2, 3]}
    assert nothing_more(sqs, inventory_url) and nothing_more(sqs, shipping_url)


def test_body_scope_filters_match_the_json_message(sns: Any, sqs: Any, topic: str) -> None:
    url, arn = make_queue(sqs, "big-eu-orders")
    policy = {"order": {"region": ["eu-west-1"], "total": [{"numeric": [">", 100, "<=", 500]}]}}
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"FilterPolicy": json.dumps(policy), "FilterPolicyScope": "MessageBody"},
    )
    for region, total in (("eu-west-1", 250), ("eu-west-1", 600), ("us-east-1", 250), ("eu-west-1", 100)):
        sns.publish(TopicArn=topic, Message=json.dumps({"order": {"region": region, "total": total}}))
    sns.publish(TopicArn=topic, Message="not json at all")
    [delivered] = receive(sqs, url, 1)
    assert json.loads(json.loads(delivered["Body"])["Message"]) == {"order": {"region": "eu-west-1", "total": 250}}
    assert nothing_more(sqs, url)


def test_string_array_prefix_anything_but_and_exists(sns: Any, sqs: Any, topic: str) -> None:
    url, arn = make_queue(sqs, "picky")
    policy = {
        "tags": ["urgent"],
        "source": [{"prefix": "web-"}],
        "customer": [{"anything-but": ["internal"]}],
        "trace": [{"exists": False}],
    }
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": json.dumps(policy)})
    base = {
        "tags": {"DataType": "String.Array", "StringValue": json.dumps(["low", "urgent"])},
        "source": string("web-shop"),
        "customer": string("acme"),
    }
    sns.publish(TopicArn=topic, Message="match", MessageAttributes=base)
    sns.publish(TopicArn=topic, Message="internal", MessageAttributes={**base, "customer": string("internal")})
    sns.publish(TopicArn=topic, Message="traced", MessageAttributes={**base, "trace": string("1")})
    sns.publish(TopicArn=topic, Message="mobile", MessageAttributes={**base, "source": string("app")})
    [delivered] = receive(sqs, url, 1)
    assert json.loads(delivered["Body"])["Message"] == "match"
    assert nothing_more(sqs, url)


def test_raw_delivery_sends_the_body_and_message_attributes(sns: Any, sqs: Any, topic: str) -> None:
    url, arn = make_queue(sqs, "raw")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    attributes = {
        "kind": string("created"),
        "amount": number(12.5),
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01binary"},
    }
    sns.publish(TopicArn=topic, Message='{"id": 1}', Subject="ignored", MessageAttributes=attributes)
    [message] = receive(sqs, url, 1)
    assert message["Body"] == '{"id": 1}'
    assert message["MessageAttributes"] == {
        "kind": {"DataType": "String", "StringValue": "created"},
        "amount": {"DataType": "Number", "StringValue": "12.5"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01binary"},
    }


def test_envelope_is_as_aws_writes_it(sns: Any, sqs: Any, topic: str) -> None:
    url, arn = make_queue(sqs, "wrapped")
    subscription = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]
    published = sns.publish(
        TopicArn=topic, Message="hello", MessageAttributes={"b": {"DataType": "Binary", "BinaryValue": b"hi"}}
    )
    sns.publish(TopicArn=topic, Message="with subject", Subject="Greetings")
    first, second = receive(sqs, url, 2)
    envelope = json.loads(first["Body"])
    assert list(envelope) == [
        "Type", "MessageId", "TopicArn", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL",
        "UnsubscribeURL", "MessageAttributes",
    ]  # fmt: skip
    assert envelope["Type"] == "Notification"
    assert envelope["MessageId"] == published["MessageId"]
    assert envelope["TopicArn"] == topic and envelope["Message"] == "hello"
    assert envelope["SignatureVersion"] == "1"
    assert envelope["MessageAttributes"] == {"b": {"Type": "Binary", "Value": "aGk="}}
    assert f"Action=Unsubscribe&SubscriptionArn={subscription}" in envelope["UnsubscribeURL"]
    assert first["Body"].startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')
    timestamp = envelope["Timestamp"]
    assert len(timestamp) == 24 and timestamp[10] == "T" and timestamp.endswith("Z") and timestamp[19] == "."
    assert json.loads(second["Body"])["Subject"] == "Greetings"


def test_message_structure_json_picks_the_protocol_message(server: Any, sns: Any, sqs: Any, topic: str) -> None:
    url, arn = make_queue(sqs, "per-protocol")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550123")
    message = json.dumps({"default": "fallback", "sqs": "for queues", "email": "for people", "lambda": 42})
    sns.publish(TopicArn=topic, Message=message, MessageStructure="json")
    [delivered] = receive(sqs, url, 1)
    assert json.loads(delivered["Body"])["Message"] == "for queues"
    deadline = time.monotonic() + 5
    while not recorded(server, Protocol="sms") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [entry["Message"] for entry in recorded(server, Protocol="sms")] == ["fallback"]
    assert error_of(sns.publish, TopicArn=topic, Message=json.dumps({"sqs": "x"}), MessageStructure="json") == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - No default entry in JSON message body",
        400,
    )
    assert error_of(sns.publish, TopicArn=topic, Message="{", MessageStructure="json")[1] == (
        "Invalid parameter: Message Structure - JSON message body failed to parse"
    )


def test_fifo_topic_to_fifo_queue_keeps_order_and_deduplicates(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="orders.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, arn = make_queue(sqs, "orders.fifo")
    plain_url, plain_arn = make_queue(sqs, "orders-standard")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=plain_arn)
    answers = [
        sns.publish(
            TopicArn=topic, Message=f"step {index}", MessageGroupId="order-1", MessageDeduplicationId=f"d{index}"
        )
        for index in range(5)
    ]
    duplicate = sns.publish(
        TopicArn=topic, Message="step 2 again", MessageGroupId="order-1", MessageDeduplicationId="d2"
    )
    assert duplicate["MessageId"] == answers[2]["MessageId"]
    numbers = [int(answer["SequenceNumber"]) for answer in answers]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    messages = receive(sqs, url, 5)
    assert [m["Body"] for m in messages] == [f"step {index}" for index in range(5)]
    assert {m["Attributes"]["MessageGroupId"] for m in messages} == {"order-1"}
    assert [m["Attributes"]["MessageDeduplicationId"] for m in messages] == [f"d{index}" for index in range(5)]
    assert nothing_more(sqs, url)
    plain = receive(sqs, plain_url, 5)
    envelope = json.loads(plain[0]["Body"])
    assert "SequenceNumber" in envelope and "Signature" not in envelope
    assert len(plain) == 5


def test_fifo_content_based_deduplication(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="cbd.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})[
        "TopicArn"
    ]
    url, arn = make_queue(sqs, "cbd.fifo")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    first = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
    second = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
    assert first["MessageId"] == second["MessageId"]
    assert len(receive(sqs, url, 1)) == 1 and nothing_more(sqs, url)


def test_fifo_publish_rules(sns: Any) -> None:
    fifo = sns.create_topic(Name="rules.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    standard = sns.create_topic(Name="rules")["TopicArn"]
    assert error_of(sns.publish, TopicArn=fifo, Message="m") == (
        "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
        400,
    )
    assert error_of(sns.publish, TopicArn=fifo, Message="m", MessageGroupId="g")[1] == (
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly"
    )
    assert error_of(sns.publish, TopicArn=standard, Message="m", MessageDeduplicationId="d")[1] == (
        "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter "
        "that is not valid for this topic type"
    )
    assert error_of(sns.publish, TopicArn=fifo, Message="m", MessageGroupId="g" * 129, MessageDeduplicationId="d")[
        0
    ] == ("InvalidParameter")
    assert "SequenceNumber" not in sns.publish(TopicArn=standard, Message="m", MessageGroupId="tenant-1")


def test_publish_checks(sns: Any, topic: str) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"Message": ""}, "InvalidParameter", "Invalid parameter: Empty message"),
        ({"Message": "m", "Subject": ""}, "InvalidParameter", "Invalid parameter: Subject"),
        ({"Message": "m", "Subject": "line\nbreak"}, "InvalidParameter", "Invalid parameter: Subject"),
        ({"Message": "m", "Subject": "s" * 101}, "InvalidParameter", "Invalid parameter: Subject"),
        ({"Message": "x" * (262_144 + 1)}, "InvalidParameter", "Invalid parameter: Message too long"),
        ({"Message": "m", "MessageStructure": "xml"}, "InvalidParameter", "Invalid parameter: MessageStructure"),
        (
            {"Message": "m", "MessageAttributes": {"n": number(0) | {"StringValue": "ten"}}},
            "ParameterValueInvalid",
            "Could not cast message attribute 'n' value to number.",
        ),
        (
            {"Message": "m", "MessageAttributes": {"s": {"DataType": "Text", "StringValue": "x"}}},
            "ParameterValueInvalid",
            "The message attribute 's' has an invalid message attribute type, the set of supported type prefixes "
            "is Binary, Number, and String.",
        ),
        (
            {"Message": "m", "MessageAttributes": {"s": {"DataType": "String", "BinaryValue": b"x"}}},
            "ParameterValueInvalid",
            "The message attribute 's' with type 'String' must use field 'String'.",
        ),
        (
            {"Message": "m", "MessageAttributes": {"s": string("")}},
            "ParameterValueInvalid",
            "The message attribute 's' must contain non-empty message attribute value for message attribute type "
            "'String'.",
        ),
        (
            {"Message": "m", "MessageAttributes": {".dot": string("x")}},
            "ParameterValueInvalid",
            "Invalid message attribute name starting with character '.' was found.",
        ),
        (
            {"Message": "m", "MessageAttributes": {"a..b": string("x")}},
            "ParameterValueInvalid",
            "Message attribute name can not have successive '.' character.",
        ),
        (
            {"Message": "m", "MessageAttributes": {"sp ace": string("x")}},
            "ParameterValueInvalid",
            "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include "
            "alphanumeric characters, hyphens, underscores, or dots.",
        ),
        (
            {"Message": "m", "MessageAttributes": {"list": {"DataType": "String.Array", "StringValue": "[{}]"}}},
            "ParameterValueInvalid",
            "The message attribute 'list' with type 'String.Array' must be a JSON array of strings, numbers, true, "
            "false or null.",
        ),
    ]
    for params, code, message in cases:
        assert error_of(sns.publish, TopicArn=topic, **params) == (code, message, 400), params
    missing = f"arn:aws:sns:us-east-1:{ACCOUNT}:missing"
    assert error_of(sns.publish, TopicArn=missing, Message="m") == ("NotFound", "Topic does not exist", 404)
    assert error_of(sns.publish, Message="m") == (
        "InvalidParameter",
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
        400,
    )
    size_with_attributes = {"Message": "x" * 262_100, "MessageAttributes": {"pad": string("y" * 100)}}
    assert error_of(sns.publish, TopicArn=topic, **size_with_attributes)[1] == "Invalid parameter: Message too long"
    assert sns.publish(TopicArn=topic, Message="x" * 262_144)["MessageId"]
    assert sns.publish(TargetArn=topic, Message="via TargetArn")["MessageId"]


def test_large_messages_need_a_larger_maximum_message_size(sns: Any, sqs: Any, topic: str) -> None:
    url, arn = make_queue(sqs, "large")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    big = "b" * 600_000
    assert error_of(sns.publish, TopicArn=topic, Message=big)[1] == "Invalid parameter: Message too long"
    sns.set_topic_attributes(TopicArn=topic, AttributeName="MaximumMessageSize", AttributeValue="1048576")
    sns.publish(TopicArn=topic, Message=big)
    [message] = receive(sqs, url, 1)
    assert message["Body"] == big


def test_publish_batch(sns: Any, sqs: Any, topic: str) -> None:
    url, arn = make_queue(sqs, "batch")
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": json.dumps({"keep": ["yes"]})}
    )
    entries = [
        {"Id": f"e{index}", "Message": f"m{index}", "MessageAttributes": {"keep": string("yes" if index % 2 else "no")}}
        for index in range(10)
    ]
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert [entry["Id"] for entry in answer["Successful"]] == [f"e{index}" for index in range(10)]
    assert answer["Failed"] == []
    messages = receive(sqs, url, 5)
    assert sorted(json.loads(m["Body"])["Message"] for m in messages) == ["m1", "m3", "m5", "m7", "m9"]
    ids = {entry["MessageId"] for entry in answer["Successful"]}
    assert {json.loads(m["Body"])["MessageId"] for m in messages} <= ids


def test_publish_batch_checks(sns: Any, topic: str) -> None:
    def batch(entries: list[dict[str, Any]]) -> tuple[str, str, int]:
        return error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=entries)

    assert batch([]) == ("EmptyBatchRequest", "The batch request doesn't contain any entries.", 400)
    assert batch([{"Id": str(index), "Message": "m"} for index in range(11)]) == (
        "TooManyEntriesInBatchRequest",
        "The batch request contains more entries than permissible.",
        400,
    )
    assert batch([{"Id": "a", "Message": "m"}, {"Id": "a", "Message": "n"}]) == (
        "BatchEntryIdsNotDistinct",
        "Two or more batch entries in the request have the same Id.",
        400,
    )
    assert batch([{"Id": "bad id", "Message": "m"}])[0] == "InvalidBatchEntryId"
    assert batch([{"Id": "x" * 81, "Message": "m"}])[0] == "InvalidBatchEntryId"
    assert batch([{"Id": str(index), "Message": "x" * 30_000} for index in range(10)]) == (
        "BatchRequestTooLong",
        "The length of all the messages put together is more than the limit.",
        400,
    )
    assert batch([{"Id": "a", "Message": ""}])[1] == "Invalid parameter: Empty message"


def test_fifo_publish_batch(sns: Any, sqs: Any) -> None:
    topic = sns.create_topic(Name="batch.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    url, arn = make_queue(sqs, "batch.fifo")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    entries = [
        {"Id": f"e{index}", "Message": f"m{index}", "MessageGroupId": "g", "MessageDeduplicationId": f"d{index}"}
        for index in range(4)
    ]
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert all("SequenceNumber" in entry for entry in answer["Successful"])
    assert [m["Body"] for m in receive(sqs, url, 4)] == ["m0", "m1", "m2", "m3"]
    assert error_of(sns.publish_batch, TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "m"}])[1] == (
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics"
    )


def test_publish_to_a_phone_number_and_a_platform_endpoint_is_recorded(server: Any, sns: Any) -> None:
    assert sns.publish(PhoneNumber="+15555550199", Message="your code is 1234")["MessageId"]
    assert error_of(sns.publish, PhoneNumber="12", Message="m")[1] == (
        "Invalid parameter: PhoneNumber Reason: 12 is not valid to publish to"
    )
    application = sns.create_platform_application(
        Name="app", Platform="GCM", Attributes={"PlatformCredential": "server-key"}
    )["PlatformApplicationArn"]
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=application, Token="device-token")["EndpointArn"]
    payload = json.dumps({"default": "plain", "GCM": json.dumps({"notification": {"title": "hi"}})})
    sns.publish(TargetArn=endpoint, Message=payload, MessageStructure="json")
    deadline = time.monotonic() + 5
    while len(recorded(server)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [entry["Message"] for entry in recorded(server, Protocol="sms")] == ["your code is 1234"]
    [push] = recorded(server, Protocol="application")
    assert push["Endpoint"] == endpoint and json.loads(push["Message"]) == {"notification": {"title": "hi"}}
    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    assert error_of(sns.publish, TargetArn=endpoint, Message="m") == ("EndpointDisabled", "Endpoint is disabled", 400)
    sns.delete_endpoint(EndpointArn=endpoint)
    assert error_of(sns.publish, TargetArn=endpoint, Message="m")[1] == (
        "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified"
    )


def test_publish_answers_before_slow_subscribers(sns: Any, sqs: Any, topic: str) -> None:
    """Many subscribers do not make Publish slower: it only commits one message."""
    urls = []
    for index in range(30):
        url, arn = make_queue(sqs, f"fan-{index}")
        urls.append(url)
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message="one for all")
    for url in urls:
        [message] = receive(sqs, url, 1)
        assert message["Body"] == "one for all"
