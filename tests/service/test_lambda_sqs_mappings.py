"""Event source mappings from SQS through boto3: the record Lambda sends, ReportBatchItemFailures,
filters, FIFO order, the mapping API and its errors, and polling that survives a restart."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures", "lambda"))

from lambda_support import create_function, wait_for, zip_directory  # noqa: E402
from server import ServerProcess  # noqa: E402

Client = Callable[..., Any]


def _queue(client: Client, name: str, **attributes: str) -> tuple[str, str]:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _consumer(client: Client, name: str, results_url: str, **variables: str) -> None:
    create_function(
        client,
        name,
        Handler="records.handler",
        Code={"ZipFile": zip_directory("echo")},
        Environment={"Variables": {"RESULTS_QUEUE": results_url, **variables}},
    )


def _drain(client: Client, url: str, count: int) -> list[dict[str, Any]]:
    sqs = client("sqs")
    records: list[dict[str, Any]] = []

    def more() -> bool:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            records.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(records) >= count

    wait_for(more)
    return records


def _counts(client: Client, url: str) -> tuple[int, int]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(attributes[names[0]]), int(attributes[names[1]])


def test_records_and_report_batch_item_failures(virtual_server: ServerProcess) -> None:
    client = virtual_server.client
    source_url, source_arn = _queue(client, "orders", VisibilityTimeout="30")
    results_url, _ = _queue(client, "results")
    _consumer(client, "consume", results_url)
    lam = client("lambda")
    mapping = lam.create_event_source_mapping(
        EventSourceArn=source_arn,
        FunctionName="consume",
        BatchSize=10,
        MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    assert mapping["State"] == "Creating"
    client("sqs").send_message_batch(
        QueueUrl=source_url,
        Entries=[
            {
                "Id": "1",
                "MessageBody": "ok-1",
                "MessageAttributes": {"kind": {"DataType": "String", "StringValue": "a"}},
            },
            {"Id": "2", "MessageBody": "fail-2"},
            {"Id": "3", "MessageBody": "ok-3"},
        ],
    )
    virtual_server.advance(1)
    first = _drain(client, results_url, 3)
    assert sorted(r["body"] for r in first) == ["fail-2", "ok-1", "ok-3"]
    wait_for(lambda: _counts(client, source_url) == (0, 1))

    record = next(r for r in first if r["body"] == "ok-1")
    assert list(record) == [
        "messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfMessageAttributes",
        "md5OfBody", "eventSource", "eventSourceARN", "awsRegion",
    ]  # fmt: skip
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == source_arn
    assert record["awsRegion"] == "us-east-1"
    assert record["md5OfBody"] == hashlib.md5(b"ok-1").hexdigest()
    assert set(record["attributes"]) >= {
        "ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp",
    }  # fmt: skip
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"] == {
        "kind": {"stringValue": "a", "stringListValues": [], "binaryListValues": [], "dataType": "String"}
    }

    virtual_server.advance(30)  # the failed message's visibility timeout ends; it comes back
    again = _drain(client, results_url, 1)
    assert [(r["body"], r["attributes"]["ApproximateReceiveCount"]) for r in again] == [("fail-2", "2")]
    wait_for(lambda: _counts(client, source_url) == (0, 0))


def test_malformed_batch_response_fails_the_whole_batch(server: ServerProcess) -> None:
    client = server.client
    source_url, source_arn = _queue(client, "strict", VisibilityTimeout="600")
    results_url, _ = _queue(client, "strict-results")
    _consumer(client, "strict", results_url, RESPONSE="malformed")
    client("lambda").create_event_source_mapping(
        EventSourceArn=source_arn, FunctionName="strict", FunctionResponseTypes=["ReportBatchItemFailures"]
    )
    client("sqs").send_message(QueueUrl=source_url, MessageBody="ok-but-lost")
    _drain(client, results_url, 1)
    wait_for(lambda: _counts(client, source_url) == (0, 1))


def test_filters_delete_what_they_do_not_match(server: ServerProcess) -> None:
    client = server.client
    source_url, source_arn = _queue(client, "mixed")
    results_url, _ = _queue(client, "kept")
    _consumer(client, "picky", results_url)
    client("lambda").create_event_source_mapping(
        EventSourceArn=source_arn,
        FunctionName="picky",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"kind": ["keep"]}})}]},
    )
    sqs = client("sqs")
    for body in (json.dumps({"kind": "drop"}), "plain text", json.dumps({"kind": "keep", "n": 1})):
        sqs.send_message(QueueUrl=source_url, MessageBody=body)
    records = _drain(client, results_url, 1)
    assert [json.loads(r["body"]) for r in records] == [{"kind": "keep", "n": 1}]
    wait_for(lambda: _counts(client, source_url) == (0, 0))


def test_fifo_order_within_a_group(server: ServerProcess) -> None:
    client = server.client
    source_url, source_arn = _queue(client, "steps.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    results_url, _ = _queue(client, "steps-results.fifo", FifoQueue="true")
    _consumer(client, "ordered", results_url)
    client("lambda").create_event_source_mapping(EventSourceArn=source_arn, FunctionName="ordered", BatchSize=1)
    sqs = client("sqs")
    for step in range(6):
        sqs.send_message(QueueUrl=source_url, MessageBody=f"step-{step}", MessageGroupId="order-1")
    records = _drain(client, results_url, 6)
    assert [r["body"] for r in records] == [f"step-{step}" for step in range(6)]
    assert records[0]["attributes"]["MessageGroupId"] == "order-1"


def test_mapping_api_and_errors(client: Client) -> None:
    _, source_arn = _queue(client, "api-source")
    create_function(client, "target")
    lam = client("lambda")
    created = lam.create_event_source_mapping(EventSourceArn=source_arn, FunctionName="target", Enabled=False)
    uuid = created["UUID"]
    assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:target"
    assert created["BatchSize"] == 10 and created["MaximumBatchingWindowInSeconds"] == 0
    assert created["EventSourceMappingArn"].endswith(f":event-source-mapping:{uuid}")
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    assert lam.update_event_source_mapping(UUID=uuid, Enabled=True, BatchSize=5)["State"] == "Enabling"
    fetched = lam.get_event_source_mapping(UUID=uuid)
    assert (fetched["State"], fetched["BatchSize"]) == ("Enabled", 5)
    listed = lam.list_event_source_mappings(FunctionName="target")["EventSourceMappings"]
    assert [item["UUID"] for item in listed] == [uuid]
    assert lam.list_event_source_mappings(EventSourceArn=source_arn + "x")["EventSourceMappings"] == []

    with pytest.raises(ClientError) as caught:
        lam.create_event_source_mapping(EventSourceArn=source_arn, FunctionName="target")
    assert caught.value.response["Error"]["Code"] == "ResourceConflictException"
    assert uuid in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        lam.update_event_source_mapping(UUID=uuid, BatchSize=50)
    assert caught.value.response["Error"]["Message"] == (
        "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
    )
    with pytest.raises(ClientError) as caught:
        lam.create_event_source_mapping(
            EventSourceArn="arn:aws:sqs:us-east-1:000000000000:missing", FunctionName="target"
        )
    assert "NonExistentQueue" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:
        lam.create_event_source_mapping(EventSourceArn=source_arn, FunctionName="target:live")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        lam.update_event_source_mapping(UUID=uuid, FilterCriteria={"Filters": [{"Pattern": "{"}]})
    assert caught.value.response["Error"]["Message"] == "Invalid filter pattern definition."

    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_event_source_mapping(UUID=uuid)


def test_mappings_keep_polling_after_a_restart() -> None:
    server = ServerProcess(store="sqlite").start()
    try:
        client = server.client
        source_url, source_arn = _queue(client, "durable")
        results_url, _ = _queue(client, "durable-results")
        _consumer(client, "durable", results_url)
        client("lambda").create_event_source_mapping(EventSourceArn=source_arn, FunctionName="durable")
        client("sqs").send_message(QueueUrl=source_url, MessageBody="before")
        _drain(client, results_url, 1)
        server.stop()
        server.start()
        client("sqs").send_message(QueueUrl=source_url, MessageBody="after")
        assert [r["body"] for r in _drain(client, results_url, 1)] == ["after"]
    finally:
        server.stop()
