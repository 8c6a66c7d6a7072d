"""SQS's pure rules: MD5 digests, attribute parsing and merging, redrive policies, URLs, checks."""

from __future__ import annotations

import pytest

from postoffice.protocol.errors import ServiceError
from postoffice.services.sqs.attributes import (
    apply_update,
    conflicting_attribute,
    initial_attributes,
    parse_update,
    render,
)
from postoffice.services.sqs.md5 import md5_of_attributes, md5_of_body
from postoffice.services.sqs.redrive import RedriveAllowPolicy, parse_redrive_allow_policy, parse_redrive_policy
from postoffice.services.sqs.urls import QueueRef, parse_arn, parse_queue_url, queue_url
from postoffice.services.sqs.validation import check_batch, check_content, has_invalid_characters

# Digests SQS itself returned for these attributes (recorded against AWS).
AWS_DIGESTS = [
    ({"Foo": {"DataType": "String", "StringValue": "Bar"}}, "ae7155c6026991b6d54b11589678bf9c"),
    (
        {
            "Hello": {"DataType": "String", "StringValue": "There"},
            "General": {"DataType": "String", "StringValue": "Kenobi"},
            "Help.Me": {"DataType": "String", "StringValue": "Me"},
        },
        "4c360f3fdafd970e05fae2f149d997f5",
    ),
    ({"Hello": {"DataType": "String", "StringValue": "There"}}, "a311262e065454b75da111d535b8dacd"),
    (
        {
            "attr1": {
                "DataType": "Binary",
                "BinaryValue": b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01",
            }
        },
        "8cbe4db156db8a94db8b801b7addb984",
    ),
]


@pytest.mark.parametrize(("attributes", "digest"), AWS_DIGESTS)
def test_md5_of_attributes_matches_aws(attributes: dict[str, dict[str, object]], digest: str) -> None:
    assert md5_of_attributes(attributes) == digest


def test_md5_of_body() -> None:
    assert md5_of_body("message") == "78e731027d8fd50ed642340b7c9a63b3"


def test_parse_update_canonicalises() -> None:
    update = parse_update({"VisibilityTimeout": " 045", "ContentBasedDeduplication": "TRUE"}, fifo=True, creating=True)
    assert update.values == {"VisibilityTimeout": "45", "ContentBasedDeduplication": "true"}


def test_create_accepts_fifo_false_for_standard_queue() -> None:
    assert parse_update({"FifoQueue": "false"}, fifo=False, creating=True).values == {}


def test_kms_turns_off_sqs_managed_encryption_and_back() -> None:
    attributes = apply_update(initial_attributes(False), parse_update({"KmsMasterKeyId": "k"}, False, False))
    assert attributes["SqsManagedSseEnabled"] == "false"
    assert attributes["KmsDataKeyReusePeriodSeconds"] == "300"
    attributes = apply_update(attributes, parse_update({"SqsManagedSseEnabled": "true"}, False, False))
    assert "KmsMasterKeyId" not in attributes and attributes["SqsManagedSseEnabled"] == "true"


def test_conflicting_attribute_compares_only_what_is_asked() -> None:
    current = apply_update(initial_attributes(False), parse_update({"DelaySeconds": "5"}, False, True))
    assert conflicting_attribute(current, parse_update({"VisibilityTimeout": "30"}, False, True)) is None
    assert conflicting_attribute(current, parse_update({"DelaySeconds": "6"}, False, True)) == "DelaySeconds"
    policy = '{"Version": "2012-10-17"}'
    with_policy = apply_update(current, parse_update({"Policy": policy}, False, False))
    assert conflicting_attribute(with_policy, parse_update({"Policy": '{"Version":"2012-10-17"}'}, False, True)) is None


def test_render_all_in_aws_order() -> None:
    shown = render(["All"], initial_attributes(True), lambda name: "x" if name == "QueueArn" else None)
    assert list(shown)[:2] == ["QueueArn", "VisibilityTimeout"]
    assert list(shown)[-1] == "SqsManagedSseEnabled"
    assert render(["DelaySeconds"], initial_attributes(False), lambda name: None) == {"DelaySeconds": "0"}


def test_redrive_policy_accepts_string_counts() -> None:
    policy = parse_redrive_policy(
        '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:d", "maxReceiveCount": "7"}'
    )
    assert policy.max_receive_count == 7
    assert policy.render() == '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":7}'


@pytest.mark.parametrize("raw", ["[]", '{"deadLetterTargetArn": 1, "maxReceiveCount": 1}', '{"extra": 1}'])
def test_redrive_policy_rejects(raw: str) -> None:
    with pytest.raises(ServiceError):
        parse_redrive_policy(raw)


def test_redrive_allow_policy() -> None:
    by_queue = parse_redrive_allow_policy('{"redrivePermission": "byQueue", "sourceQueueArns": ["arn:aws:sqs:r:1:a"]}')
    assert by_queue.allows("arn:aws:sqs:r:1:a") and not by_queue.allows("arn:aws:sqs:r:1:b")
    assert not RedriveAllowPolicy("denyAll").allows("arn:aws:sqs:r:1:a")
    assert RedriveAllowPolicy("allowAll").allows("arn:aws:sqs:r:1:a")


def test_queue_urls() -> None:
    ref = QueueRef("000000000000", "eu-west-1", "q")
    assert queue_url("127.0.0.1:4566", 9999, ref) == "http://sqs.eu-west-1.localhost:4566/000000000000/q"
    assert queue_url("", 9999, ref) == "http://sqs.eu-west-1.localhost:9999/000000000000/q"
    assert queue_url("proxy.example", 9999, ref) == "http://sqs.eu-west-1.localhost/000000000000/q"
    assert parse_queue_url("http://anything:1/123456789012/q", "000000000000", "us-east-1") == QueueRef(
        "123456789012", "us-east-1", "q"
    )
    assert parse_queue_url("/123456789012/q", "000000000000", "r") == QueueRef("123456789012", "r", "q")
    assert parse_queue_url("q", "000000000000", "r") == QueueRef("000000000000", "r", "q")
    assert parse_queue_url("http://host/not-an-account/q", "000000000000", "r") is None
    assert parse_queue_url("http://host/", "000000000000", "r") is None
    assert parse_queue_url("http://[::1/000000000000/q", "000000000000", "r") is None
    assert parse_arn("arn:aws:sqs:us-east-1:000000000000:q.fifo") == QueueRef("000000000000", "us-east-1", "q.fifo")
    assert parse_arn("arn:aws:sns:us-east-1:000000000000:t") is None


@pytest.mark.parametrize(
    ("text", "invalid"),
    [("plain", False), ("tab\tnew\nline\r", False), ("\x00", True), ("\x08", True), ("é中😀", False), ("\ufffe", True)],
)
def test_invalid_characters(text: str, invalid: bool) -> None:
    assert has_invalid_characters(text) is invalid


def test_message_size_counts_attribute_names_types_and_values() -> None:
    content = check_content(
        {"MessageBody": "abc", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "xy"}}}, None
    )
    assert content.size == 3 + len("k") + len("String") + len("xy")
    with pytest.raises(ServiceError):
        check_content({"MessageBody": "abcd"}, 3)


def test_batch_checks_in_order() -> None:
    with pytest.raises(ServiceError) as excinfo:
        check_batch([], "SendMessageBatchRequestEntry")
    assert excinfo.value.code == "EmptyBatchRequest"
    with pytest.raises(ServiceError) as excinfo:
        check_batch([{"Id": "a"}, {"Id": "a"}], "X")
    assert excinfo.value.code == "BatchEntryIdsNotDistinct"
    check_batch([{"Id": "a-b_C9"}, {"Id": "x" * 80}], "X")
