"""SQS messages in and out of the queue engine.

The engine carries what SQS adds to a message in its opaque `attributes` dict: the user's
message attributes (binary values base64-encoded, so the dict stays JSON), their MD5, the
sender and the X-Ray trace header. `ReceiveView` turns engine messages into ReceiveMessage
entries, with the system and message attributes the request asked for.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from postoffice.core.queues.engine import Message
from postoffice.services.sqs.md5 import md5_of_attributes, md5_of_body
from postoffice.services.sqs.validation import MessageContent

SENDER = "sender"
ATTRIBUTES = "attrs"
ATTRIBUTES_MD5 = "attrs_md5"
TRACE_HEADER = "trace"

SYSTEM_ATTRIBUTE_NAMES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)


def engine_payload(content: MessageContent, sender: str, attributes_md5: str | None) -> dict[str, Any]:
    payload: dict[str, Any] = {SENDER: sender}
    if content.attributes:
        payload[ATTRIBUTES] = {name: _stored(value) for name, value in content.attributes.items()}
        payload[ATTRIBUTES_MD5] = attributes_md5
    if content.trace_header is not None:
        payload[TRACE_HEADER] = content.trace_header
    return payload


def _stored(value: dict[str, Any]) -> dict[str, Any]:
    binary = value.get("BinaryValue")
    if binary is None:
        return value
    return {"DataType": value["DataType"], "BinaryValue": base64.b64encode(binary).decode("ascii")}


def _wire(value: dict[str, Any]) -> dict[str, Any]:
    binary = value.get("BinaryValue")
    if binary is None:
        return value
    return {"DataType": value["DataType"], "BinaryValue": base64.b64decode(binary)}


class ReceiveView:
    """What one ReceiveMessage asked to see of each message, resolved once per request."""

    def __init__(self, system_names: Iterable[str], attribute_names: Iterable[str]) -> None:
        names = set(system_names)
        self.system = (
            SYSTEM_ATTRIBUTE_NAMES
            if "All" in names
            else tuple(name for name in SYSTEM_ATTRIBUTE_NAMES if name in names)
        )
        self.all_attributes = False
        self.exact: set[str] = set()
        self.prefixes: list[str] = []
        for name in attribute_names:
            if name in ("All", ".*"):
                self.all_attributes = True
            elif name.endswith(".*"):
                self.prefixes.append(name[:-2])
            else:
                self.exact.add(name)
        self.any_attributes = self.all_attributes or bool(self.exact) or bool(self.prefixes)

    def render(self, message: Message) -> dict[str, Any]:
        out: dict[str, Any] = {
            "MessageId": message.message_id,
            "ReceiptHandle": message.receipt_handle,
            "MD5OfBody": md5_of_body(message.body),
            "Body": message.body,
        }
        if self.system:
            system = self._system_attributes(message)
            if system:
                out["Attributes"] = system
        if self.any_attributes:
            stored = message.attributes.get(ATTRIBUTES)
            if stored:
                self._message_attributes(message, stored, out)
        return out

    def _system_attributes(self, message: Message) -> dict[str, str]:
        payload = message.attributes
        values: dict[str, str | None] = {}
        for name in self.system:
            if name == "SenderId":
                values[name] = payload.get(SENDER)
            elif name == "SentTimestamp":
                values[name] = str(int(message.sent_at * 1000))
            elif name == "ApproximateReceiveCount":
                values[name] = str(message.receive_count)
            elif name == "ApproximateFirstReceiveTimestamp":
                first = message.first_received_at
                values[name] = str(int(first * 1000)) if first is not None else None
            elif name == "SequenceNumber":
                values[name] = message.sequence_number
            elif name == "MessageDeduplicationId":
                values[name] = message.deduplication_id
            elif name == "MessageGroupId":
                values[name] = message.group_id
            elif name == "AWSTraceHeader":
                values[name] = payload.get(TRACE_HEADER)
            elif name == "DeadLetterQueueSourceArn":
                values[name] = message.dead_letter_source
        return {name: value for name, value in values.items() if value is not None}

    def _message_attributes(self, message: Message, stored: dict[str, Any], out: dict[str, Any]) -> None:
        if self.all_attributes:
            selected = stored
        else:
            selected = {
                name: value
                for name, value in stored.items()
                if name in self.exact or any(name.startswith(prefix) for prefix in self.prefixes)
            }
        wire = {name: _wire(value) for name, value in selected.items()}
        out["MessageAttributes"] = wire
        if not wire:
            return
        if len(selected) == len(stored) and message.attributes.get(ATTRIBUTES_MD5):
            out["MD5OfMessageAttributes"] = message.attributes[ATTRIBUTES_MD5]
        else:
            out["MD5OfMessageAttributes"] = md5_of_attributes(wire)
