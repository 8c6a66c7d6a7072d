"""Helpers the EventBridge service tests share (no tests here)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_of(call: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The error a boto3 call fails with: {"Code", "Message", "Status"}."""
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    response = raised.value.response
    return {
        "Code": response["Error"]["Code"],
        "Message": response["Error"].get("Message", ""),
        "Status": response["ResponseMetadata"]["HTTPStatusCode"],
    }


def make_queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs: Any, url: str, count: int, timeout: float = 10.0, attributes: bool = False) -> list[dict[str, Any]]:
    """Poll (without long polling: the clock may be virtual) until `count` messages arrived."""
    messages: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    extra: dict[str, Any] = {"MessageAttributeNames": ["All"], "AttributeNames": ["All"]} if attributes else {}
    while len(messages) < count and time.monotonic() < deadline:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, **extra).get(
            "Messages", []
        )
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)
        if not batch:
            time.sleep(0.02)
    return messages


def nothing_more(sqs: Any, url: str, settle: float = 0.3) -> bool:
    """True when no message arrives on `url` within `settle` seconds."""
    return not receive(sqs, url, 1, timeout=settle)


def bodies(messages: list[dict[str, Any]]) -> list[Any]:
    return [json.loads(message["Body"]) for message in messages]


def put_rule_to_queue(
    events: Any, sqs: Any, rule: str, pattern: dict[str, Any], bus: str = "default", **target: Any
) -> str:
    """A rule on `bus` with one SQS target (a new queue named after the rule); returns the queue URL."""
    url, arn = make_queue(sqs, f"{rule}-queue")
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern))
    answer = events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn, **target}])
    assert answer["FailedEntryCount"] == 0, answer
    return url


def entry(
    source: str, detail_type: str, detail: dict[str, Any], bus: str | None = None, **extra: Any
) -> dict[str, Any]:
    item: dict[str, Any] = {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail), **extra}
    if bus is not None:
        item["EventBusName"] = bus
    return item
