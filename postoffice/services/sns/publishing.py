"""Publish and PublishBatch entries: AWS's checks, and the record one publish becomes on the
queue engine (fan-out reads it back to deliver to each subscription)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from postoffice.services.sns import message_attributes
from postoffice.services.sns.errors import invalid_parameter
from postoffice.services.sns.models import Topic

TOPIC = "topic"
PHONE = "phone"
ENDPOINT = "endpoint"
MAX_SUBJECT = 100
_FIFO_ID = re.compile(r"[!-~]{1,128}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_E164 = re.compile(r"\+[1-9]\d{1,14}")


@dataclass
class Published:
    """One accepted publish, as it waits on the queue engine for fan-out."""

    kind: str  # topic | phone | endpoint
    account: str  # of the topic (or of the caller, for phone numbers and endpoints)
    region: str
    target: str  # topic ARN, phone number or platform endpoint ARN
    message: str
    subject: str | None = None
    structure: dict[str, str] | None = None  # MessageStructure=json: protocol -> text
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)  # transport shape
    group_id: str | None = None
    deduplication_id: str | None = None

    def text_for(self, protocol: str) -> str:
        if self.structure is None:
            return self.message
        return self.structure.get(protocol, self.structure["default"])

    def encode(self) -> str:
        return orjson.dumps(self).decode()

    @classmethod
    def decode(cls, body: str) -> Published:
        return cls(**orjson.loads(body))


def check_subject(params: dict[str, Any]) -> str | None:
    subject = params.get("Subject")
    if subject is None:
        return None
    if not subject or len(subject) > MAX_SUBJECT or _CONTROL.search(subject) or subject[0].isspace():
        raise invalid_parameter("Invalid parameter: Subject")
    return subject


def check_structure(message: str, structure: str | None, needs_default: bool = True) -> dict[str, str] | None:
    if structure is None:
        return None
    if structure != "json":
        raise invalid_parameter("Invalid parameter: MessageStructure")
    try:
        document = json.loads(message)
    except ValueError:
        raise invalid_parameter("Invalid parameter: Message Structure - JSON message body failed to parse") from None
    if not isinstance(document, dict):
        raise invalid_parameter("Invalid parameter: Message Structure - JSON message body failed to parse")
    texts = {key: value for key, value in document.items() if isinstance(value, str)}
    if needs_default and "default" not in texts:
        raise invalid_parameter("Invalid parameter: Message Structure - No default entry in JSON message body")
    return texts


def check_message(message: str | None) -> str:
    if not message:
        raise invalid_parameter("Invalid parameter: Empty message")
    return message


def message_size(message: str, attributes: dict[str, Any]) -> int:
    return len(message.encode("utf-8")) + message_attributes.check(attributes)


def _check_fifo_id(name: str, value: str) -> None:
    if not _FIFO_ID.fullmatch(value):
        raise invalid_parameter(
            f"Invalid parameter: {name} Reason: {name} can only include alphanumeric and punctuation characters. "
            "1 to 128 in length."
        )


def check_fifo(entry: dict[str, Any], topic: Topic | None) -> tuple[str | None, str | None]:
    """MessageGroupId and MessageDeduplicationId (content-based if the topic derives it)."""
    group, dedup = entry.get("MessageGroupId"), entry.get("MessageDeduplicationId")
    fifo = topic is not None and topic.fifo
    if not fifo:
        if dedup is not None:
            raise invalid_parameter(
                "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId "
                "parameter that is not valid for this topic type"
            )
        if group is not None:
            _check_fifo_id("MessageGroupId", group)
        return group, None
    assert topic is not None
    if not group:
        raise invalid_parameter("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    _check_fifo_id("MessageGroupId", group)
    if dedup is not None:
        _check_fifo_id("MessageDeduplicationId", dedup)
    elif topic.content_based_deduplication:
        dedup = hashlib.sha256(entry["Message"].encode("utf-8")).hexdigest()
    else:
        raise invalid_parameter(
            "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
            "MessageDeduplicationId provided explicitly"
        )
    return group, dedup


def check_phone_number(number: str) -> str:
    if not _E164.fullmatch(number):
        raise invalid_parameter(f"Invalid parameter: PhoneNumber Reason: {number} is not valid to publish to")
    return number
