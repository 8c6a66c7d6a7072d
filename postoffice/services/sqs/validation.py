"""Checks SQS makes on messages and request parameters, with AWS's limits and wording."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from postoffice.services.sqs.errors import (
    invalid_parameter,
    invalid_parameter_value,
    missing_parameter,
    sqs_error,
)

MAX_BATCH_ENTRIES = 10
MAX_MESSAGE_ATTRIBUTES = 10
MAX_BATCH_SIZE = 1_048_576
MAX_DELAY_SECONDS = 900
MAX_VISIBILITY_TIMEOUT = 43_200
MAX_WAIT_SECONDS = 20
MAX_RECEIVE_MESSAGES = 10

_INVALID_CHARACTERS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_RESERVED_PREFIX = re.compile(r"(aws|amazon)\.", re.IGNORECASE)
_BATCH_ENTRY_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_ID = re.compile(r"[!-~]{1,128}")
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_DATA_TYPES = ("String", "Number", "Binary")

INVALID_CONTENTS = (
    "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
    "#xE000 to #xFFFD | #x10000 to #x10FFFF"
)


@dataclass(slots=True)
class MessageContent:
    """A message's body and attributes, checked, with its size as SQS counts it."""

    body: str
    attributes: dict[str, dict[str, Any]]
    trace_header: str | None
    size: int


def has_invalid_characters(text: str) -> bool:
    if text.isascii():
        return _ASCII_CONTROL.search(text) is not None
    return _INVALID_CHARACTERS.search(text) is not None


def check_content(entry: Mapping[str, Any], maximum_size: int | None) -> MessageContent:
    """Body, message attributes and system attributes of a send (or a batch entry)."""
    body = entry.get("MessageBody")
    if not body:
        raise missing_parameter("MessageBody")
    if body.isascii():
        if _ASCII_CONTROL.search(body) is not None:
            raise sqs_error("InvalidMessageContents", INVALID_CONTENTS)
        size = len(body)
    else:
        if _INVALID_CHARACTERS.search(body) is not None:
            raise sqs_error("InvalidMessageContents", INVALID_CONTENTS)
        size = len(body.encode("utf-8"))
    given = entry.get("MessageAttributes")
    attributes: dict[str, dict[str, Any]] = {}
    if given:
        attributes, attributes_size = check_message_attributes(given)
        size += attributes_size
    system = entry.get("MessageSystemAttributes")
    trace_header = check_system_attributes(system) if system else None
    if maximum_size is not None and size > maximum_size:
        raise invalid_parameter(
            f"One or more parameters are invalid. Reason: Message must be shorter than {maximum_size} bytes."
        )
    return MessageContent(body, attributes, trace_header, size)


def check_message_attributes(attributes: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], int]:
    if len(attributes) > MAX_MESSAGE_ATTRIBUTES:
        raise invalid_parameter(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [{MAX_MESSAGE_ATTRIBUTES}]."
        )
    checked: dict[str, dict[str, Any]] = {}
    size = 0
    for name, value in attributes.items():
        _check_attribute_name(name)
        data_type = value.get("DataType") or ""
        base, dot, label = data_type.partition(".")
        if base not in _DATA_TYPES or (dot and not label) or len(data_type) > 256:
            raise invalid_parameter(
                f"The type of message (user) attribute '{name}' is invalid. "
                "You must use only the following supported type prefixes: Binary, Number, String."
            )
        size += len(name.encode("utf-8")) + len(data_type.encode("utf-8"))
        if base == "Binary":
            binary = value.get("BinaryValue")
            if not binary:
                raise invalid_parameter(
                    f"Message (user) attribute '{name}' must contain a non-empty value of type 'Binary'."
                )
            checked[name] = {"DataType": data_type, "BinaryValue": binary}
            size += len(binary)
            continue
        text = value.get("StringValue")
        if not text:
            raise invalid_parameter(
                f"Message (user) attribute '{name}' must contain a non-empty value of type 'String'."
            )
        if base == "Number" and _NUMBER.fullmatch(text) is None:
            raise invalid_parameter(f"Can't cast the value of message (user) attribute '{name}' to a number.")
        if has_invalid_characters(text):
            raise invalid_parameter(
                f"Message (user) attribute '{name}' contains invalid characters. {INVALID_CONTENTS}"
            )
        checked[name] = {"DataType": data_type, "StringValue": text}
        size += len(text.encode("utf-8"))
    return checked, size


def _check_attribute_name(name: str) -> None:
    if not name:
        raise invalid_parameter("The request must contain non-empty message attribute name.")
    if len(name.encode("utf-8")) > 256:
        raise invalid_parameter("Message (user) attribute names must be shorter than 256 Bytes")
    if _ATTRIBUTE_NAME.fullmatch(name) is None:
        raise invalid_parameter(
            "Message (user) attributes name can only contain upper and lower score characters, digits, periods, "
            "hyphens and underscores. "
        )
    if _RESERVED_PREFIX.match(name) or name.startswith(".") or name.endswith(".") or ".." in name:
        raise invalid_parameter(
            "You can't use message attribute names beginning with 'AWS.' or 'Amazon.'. "
            "These strings are reserved for internal use. Additionally, they cannot start or end with '.'."
        )


def check_system_attributes(attributes: Mapping[str, Any]) -> str | None:
    trace = attributes.get("AWSTraceHeader")
    if trace is None:
        return None
    value = trace.get("StringValue")
    if trace.get("DataType") != "String" or not value:
        raise invalid_parameter(
            "Message (system) attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'."
        )
    if has_invalid_characters(value):
        raise invalid_parameter(
            f"Message (system) attribute 'AWSTraceHeader' contains invalid characters. {INVALID_CONTENTS}"
        )
    return str(value)


def check_delay(delay: int | None, fifo: bool) -> None:
    if delay is None:
        return
    if not 0 <= delay <= MAX_DELAY_SECONDS:
        raise invalid_parameter_value("DelaySeconds", delay, f"DelaySeconds must be >= 0 and <= {MAX_DELAY_SECONDS}.")
    if fifo and delay != 0:
        raise invalid_parameter_value(
            "DelaySeconds", delay, "The request include parameter that is not valid for this queue type."
        )


def check_fifo_parameters(entry: Mapping[str, Any], fifo: bool, content_based_deduplication: bool, batch: bool) -> None:
    """MessageGroupId / MessageDeduplicationId, as each queue type requires them."""
    group_id = entry.get("MessageGroupId")
    deduplication_id = entry.get("MessageDeduplicationId")
    if group_id is not None:
        _check_fifo_id("MessageGroupId", group_id)
    if not fifo:
        if deduplication_id is not None:
            raise invalid_parameter_value(
                "MessageDeduplicationId",
                deduplication_id,
                "The request include parameter that is not valid for this queue type.",
            )
        return
    if group_id is None:
        if batch:
            raise invalid_parameter("The request must contain the parameter MessageGroupId.")
        raise missing_parameter("MessageGroupId")
    if deduplication_id is not None:
        _check_fifo_id("MessageDeduplicationId", deduplication_id)
    elif not content_based_deduplication:
        raise invalid_parameter(
            "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided "
            "explicitly"
        )


def _check_fifo_id(name: str, value: str) -> None:
    if _FIFO_ID.fullmatch(value) is None:
        raise invalid_parameter_value(
            name, value, f"{name} can only include alphanumeric and punctuation characters. 1 to 128 in length."
        )


def check_attempt_id(value: str | None) -> None:
    if value is not None:
        _check_fifo_id("ReceiveRequestAttemptId", value)


def check_batch(entries: Sequence[Mapping[str, Any]], entry_shape: str) -> None:
    """The checks every batch call makes before looking at any entry's content."""
    if not entries:
        raise sqs_error("EmptyBatchRequest", f"There should be at least one {entry_shape} in the request.")
    if len(entries) > MAX_BATCH_ENTRIES:
        raise sqs_error(
            "TooManyEntriesInBatchRequest",
            f"Maximum number of entries per request are {MAX_BATCH_ENTRIES}. You have sent {len(entries)}.",
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry.get("Id") or ""
        if _BATCH_ENTRY_ID.fullmatch(entry_id) is None:
            raise sqs_error(
                "InvalidBatchEntryId",
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                "It can be at most 80 letters long.",
            )
        if entry_id in seen:
            raise sqs_error("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")
        seen.add(entry_id)


def check_batch_size(sizes: Sequence[int]) -> None:
    total = sum(sizes)
    if total > MAX_BATCH_SIZE:
        raise sqs_error(
            "BatchRequestTooLong",
            f"Batch requests cannot be longer than {MAX_BATCH_SIZE} bytes. You have sent {total} bytes.",
        )


def check_range(name: str, value: int | None, low: int, high: int, reason: str) -> None:
    if value is not None and not low <= value <= high:
        raise invalid_parameter_value(name, value, reason)


def check_receive(max_messages: int | None, visibility: int | None, wait: int | None) -> None:
    check_range("MaxNumberOfMessages", max_messages, 1, MAX_RECEIVE_MESSAGES, "Must be between 1 and 10, if provided.")
    check_visibility_timeout(visibility)
    check_range("WaitTimeSeconds", wait, 0, MAX_WAIT_SECONDS, "Must be >= 0 and <= 20, if provided.")


def check_visibility_timeout(value: int | None) -> None:
    check_range("VisibilityTimeout", value, 0, MAX_VISIBILITY_TIMEOUT, "Must be between 0 and 43200, if provided.")
