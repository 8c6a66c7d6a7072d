"""The SQS event record Lambda builds and how it reads a ReportBatchItemFailures response."""

from __future__ import annotations

import base64

import pytest

from postoffice.services.lambda_.sqs_event import batch_item_failures, filter_view, sqs_record

IDS = {"a", "b", "c"}


@pytest.mark.parametrize(
    "payload",
    [b"", b"null", b"{}", b'{"batchItemFailures": null}', b'{"batchItemFailures": []}', b"  "],
)
def test_complete_success(payload: bytes) -> None:
    result = batch_item_failures(payload, IDS)
    assert not result.all_failed and result.failed == frozenset()


def test_reported_failures() -> None:
    result = batch_item_failures(b'{"batchItemFailures": [{"itemIdentifier": "b"}, {"itemIdentifier": "c"}]}', IDS)
    assert not result.all_failed and result.failed == {"b", "c"}


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b'"text"',
        b'{"batchItemFailures": "b"}',
        b'{"batchItemFailures": [{"itemIdentifier": ""}]}',
        b'{"batchItemFailures": [{"itemIdentifier": null}]}',
        b'{"batchItemFailures": [{"id": "b"}]}',
        b'{"batchItemFailures": [{"itemIdentifier": "unknown"}]}',
    ],
)
def test_complete_failure(payload: bytes) -> None:
    assert batch_item_failures(payload, IDS).all_failed


def test_sqs_record_shape() -> None:
    message = {
        "MessageId": "m-1",
        "ReceiptHandle": "rh",
        "MD5OfBody": "md5",
        "Body": '{"n": 1}',
        "Attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
        "MD5OfMessageAttributes": "md5-attrs",
        "MessageAttributes": {
            "s": {"DataType": "String", "StringValue": "v"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    }
    record = sqs_record(message, "arn:aws:sqs:eu-west-1:123456789012:q")
    assert record == {
        "messageId": "m-1",
        "receiptHandle": "rh",
        "body": '{"n": 1}',
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1700000000000"},
        "messageAttributes": {
            "s": {"stringValue": "v", "stringListValues": [], "binaryListValues": [], "dataType": "String"},
            "b": {
                "binaryValue": base64.b64encode(b"\x00\x01").decode(),
                "stringListValues": [],
                "binaryListValues": [],
                "dataType": "Binary",
            },
        },
        "md5OfMessageAttributes": "md5-attrs",
        "md5OfBody": "md5",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q",
        "awsRegion": "eu-west-1",
    }
    assert filter_view(record)["body"] == {"n": 1}
    plain = dict(record, body="plain")
    assert filter_view(plain)["body"] == "plain"
