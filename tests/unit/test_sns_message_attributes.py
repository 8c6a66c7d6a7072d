"""Publish-side checks: message attributes (AWS's wording), subjects, FIFO ids, structures."""

from __future__ import annotations

from typing import Any

import pytest

from postoffice.protocol.errors import ServiceError
from postoffice.services.sns import message_attributes
from postoffice.services.sns.models import Topic
from postoffice.services.sns.publishing import check_fifo, check_structure, check_subject


def refusal(attributes: dict[str, Any]) -> str:
    with pytest.raises(ServiceError) as caught:
        message_attributes.check(attributes)
    assert caught.value.code == "InvalidParameterValueException"
    return caught.value.message


def test_sizes_count_names_types_and_values() -> None:
    assert message_attributes.check({"ab": {"DataType": "String", "StringValue": "xyz"}}) == 2 + 6 + 3
    assert message_attributes.check({"b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}}) == 1 + 6 + 2


def test_numbers() -> None:
    for good in ("1", "-2.5", "1e10", " 3 ", ".5"):
        message_attributes.check({"n": {"DataType": "Number", "StringValue": good}})
    for bad in ("ten", "1e127", "--1", "0x10"):
        assert (
            refusal({"n": {"DataType": "Number", "StringValue": bad}})
            == "Could not cast message attribute 'n' value to number."
        )


def test_custom_types_and_arrays() -> None:
    message_attributes.check({"n": {"DataType": "Number.float", "StringValue": "1.5"}})
    message_attributes.check({"s": {"DataType": "String.Array", "StringValue": '["a", 1, true, null]'}})
    assert "String.Array" in refusal({"s": {"DataType": "String.Array", "StringValue": '"a"'}})
    assert "invalid message attribute type" in refusal({"s": {"DataType": "Str", "StringValue": "a"}})


def test_names() -> None:
    assert refusal({"x" * 257: {"DataType": "String", "StringValue": "v"}}) == (
        "Length of message attribute name must be less than 256 bytes."
    )
    assert refusal({"end.": {"DataType": "String", "StringValue": "v"}}) == (
        "Invalid message attribute name ending with character '.' was found."
    )
    message_attributes.check({"AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "Shop"}})


def test_shapes_round_trip() -> None:
    published = {"b": {"DataType": "Binary", "BinaryValue": b"hi"}, "s": {"DataType": "String", "StringValue": "v"}}
    transport = message_attributes.to_transport(published)
    assert transport["b"] == {"DataType": "Binary", "BinaryValue": "aGk="}
    assert message_attributes.to_publish(transport) == published
    assert message_attributes.to_notification(transport) == {
        "b": {"Type": "Binary", "Value": "aGk="},
        "s": {"Type": "String", "Value": "v"},
    }


def test_subjects() -> None:
    assert check_subject({"Subject": "Order shipped!"}) == "Order shipped!"
    assert check_subject({}) is None
    for bad in ("", " leading", "tab\there", "x" * 101):
        with pytest.raises(ServiceError):
            check_subject({"Subject": bad})


def test_structures_keep_string_values_only() -> None:
    assert check_structure('{"default": "d", "sqs": "q", "lambda": 1}', "json") == {"default": "d", "sqs": "q"}
    assert check_structure("anything", None) is None
    assert check_structure('{"GCM": "g"}', "json", needs_default=False) == {"GCM": "g"}


def test_fifo_content_based_deduplication_hashes_the_message() -> None:
    topic = Topic(
        "t.fifo",
        "arn:aws:sns:us-east-1:000000000000:t.fifo",
        "000000000000",
        0.0,
        {"ContentBasedDeduplication": "true"},
    )
    group, dedup = check_fifo({"Message": "hello", "MessageGroupId": "g"}, topic)
    assert group == "g"
    assert dedup == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert check_fifo({"Message": "m", "MessageGroupId": "g", "MessageDeduplicationId": "mine"}, topic) == ("g", "mine")
