"""The SQS event a function gets from an event source mapping, and what it may answer.

Records are built from SQS's own ReceiveMessage output (so attributes and MD5s are exactly
what SQS reports) in the shape Lambda sends: camelCase keys, message attributes with
stringValue / binaryValue (base64) / stringListValues / binaryListValues / dataType.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import orjson


def _attribute(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if value.get("StringValue") is not None:
        out["stringValue"] = value["StringValue"]
    if value.get("BinaryValue") is not None:
        out["binaryValue"] = _base64(value["BinaryValue"])
    out["stringListValues"] = list(value.get("StringListValues") or [])
    out["binaryListValues"] = [_base64(item) for item in value.get("BinaryListValues") or []]
    out["dataType"] = value.get("DataType", "String")
    return out


def _base64(value: bytes | str) -> str:
    return base64.b64encode(value).decode() if isinstance(value, bytes) else value


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: _attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()
        },
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record["md5OfBody"] = message["MD5OfBody"]
    record["eventSource"] = "aws:sqs"
    record["eventSourceARN"] = queue_arn
    record["awsRegion"] = queue_arn.split(":")[3]
    return record


def filter_view(record: dict[str, Any]) -> dict[str, Any]:
    """The record as event filters see it: a JSON body is matched as the object it encodes."""
    view = dict(record)
    try:
        view["body"] = orjson.loads(record["body"])
    except orjson.JSONDecodeError:
        pass
    return view


@dataclass(frozen=True)
class BatchResult:
    """Which messages of a batch failed; `all_failed` when the batch as a whole failed."""

    failed: frozenset[str]
    all_failed: bool = False


def batch_item_failures(payload: bytes, message_ids: set[str]) -> BatchResult:
    """AWS's reading of a ReportBatchItemFailures response.

    Complete success: empty or null response, an empty or null batchItemFailures. Complete
    failure: invalid JSON, an itemIdentifier that is empty, null, missing or not in the batch.
    """
    if not payload.strip():
        return BatchResult(frozenset())
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return BatchResult(frozenset(), all_failed=True)
    if document is None or document == {}:
        return BatchResult(frozenset())
    if not isinstance(document, dict):
        return BatchResult(frozenset(), all_failed=True)
    failures = document.get("batchItemFailures")
    if failures is None or failures == []:
        return BatchResult(frozenset())
    if not isinstance(failures, list):
        return BatchResult(frozenset(), all_failed=True)
    failed = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier or identifier not in message_ids:
            return BatchResult(frozenset(), all_failed=True)
        failed.add(identifier)
    return BatchResult(frozenset(failed))
