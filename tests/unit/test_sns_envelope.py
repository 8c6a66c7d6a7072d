"""What SNS subscribers receive: the canonical string that is signed, the envelope's layout,
timestamps, and the Lambda event."""

from __future__ import annotations

import asyncio
import base64
import json
import tempfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from postoffice.core.store import open_store
from postoffice.core.store.records import SCHEMA
from postoffice.services.sns import envelope
from postoffice.services.sns.envelope import Notice
from postoffice.services.sns.signing import Signer, canonical_string

TOPIC = "arn:aws:sns:us-east-1:000000000000:orders"
SUBSCRIPTION = TOPIC + ":c7e7c3d9-0000-4000-8000-000000000001"


@pytest.fixture(scope="module")
def signer() -> Signer:
    store = open_store("memory", tempfile.mkdtemp())
    store.migrate("records", SCHEMA)
    signer = Signer(store, "http://localhost:4566")
    asyncio.run(signer.load())
    return signer


def check(signer: Signer, document: dict[str, str], version: str) -> None:
    certificate = x509.load_pem_x509_certificate(signer.cert_pem.encode())
    algorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
    public_key = certificate.public_key()
    public_key.verify(  # type: ignore[union-attr, call-arg]
        base64.b64decode(document["Signature"]), canonical_string(document).encode(), padding.PKCS1v15(), algorithm
    )


def notice(**overrides: object) -> Notice:
    values = {
        "type": "Notification",
        "message_id": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "topic_arn": TOPIC,
        "message": "hello",
        "timestamp": 1_700_000_000.123,
    }
    values.update(overrides)
    return Notice(**values)  # type: ignore[arg-type]


def test_canonical_string_orders_fields_and_skips_absent_subject() -> None:
    document = {
        "Type": "Notification",
        "MessageId": "id",
        "TopicArn": TOPIC,
        "Message": "m",
        "Timestamp": "t",
        "UnsubscribeURL": "ignored",
    }
    assert (
        canonical_string(document)
        == f"Message\nm\nMessageId\nid\nTimestamp\nt\nTopicArn\n{TOPIC}\nType\nNotification\n"
    )
    with_subject = canonical_string({**document, "Subject": "s"})
    assert "MessageId\nid\nSubject\ns\nTimestamp" in with_subject
    confirmation = canonical_string(
        {"Type": "SubscriptionConfirmation", "MessageId": "id", "Token": "tok", "TopicArn": TOPIC, "Message": "m",
         "SubscribeURL": "u", "Timestamp": "t"}
    )  # fmt: skip
    assert confirmation == (
        f"Message\nm\nMessageId\nid\nSubscribeURL\nu\nTimestamp\nt\nToken\ntok\nTopicArn\n{TOPIC}\nType\n"
        "SubscriptionConfirmation\n"
    )


def test_timestamps_have_milliseconds_and_zulu() -> None:
    assert envelope.iso_timestamp(1_700_000_000.123) == "2023-11-14T22:13:20.123Z"
    assert envelope.iso_timestamp(0) == "1970-01-01T00:00:00.000Z"


@pytest.mark.parametrize("version", ["1", "2"])
def test_notification_body_is_signed_and_laid_out_as_aws_does(signer: Signer, version: str) -> None:
    attributes = {"a": {"DataType": "String", "StringValue": "x"}}
    body = envelope.notification_body(
        notice(subject="Hi", attributes=attributes), SUBSCRIPTION, "http://localhost:4566", signer, version, False
    )
    lines = body.splitlines()
    assert lines[0] == "{" and lines[1] == '  "Type" : "Notification",' and lines[-1] == "}"
    assert '    "a" : {"Type":"String","Value":"x"}' in lines
    document = json.loads(body)
    assert list(document)[:5] == ["Type", "MessageId", "TopicArn", "Subject", "Message"]
    assert document["SignatureVersion"] == version
    assert document["SigningCertURL"] == f"http://localhost:4566/_postoffice/sns/{signer.cert_file}"
    assert document["UnsubscribeURL"].startswith(
        f"http://localhost:4566/?Action=Unsubscribe&SubscriptionArn={SUBSCRIPTION}"
    )
    check(signer, document, version)


def test_fifo_notifications_carry_a_sequence_number_and_no_signature(signer: Signer) -> None:
    body = envelope.notification_body(
        notice(sequence_number="10000000000000000001"), SUBSCRIPTION, "http://x", signer, "1", True
    )
    document = json.loads(body)
    assert list(document) == [
        "Type",
        "MessageId",
        "SequenceNumber",
        "TopicArn",
        "Message",
        "Timestamp",
        "UnsubscribeURL",
    ]


def test_confirmation_is_signed_over_its_own_fields(signer: Signer) -> None:
    body = envelope.confirmation_body(
        notice(type="SubscriptionConfirmation", message=envelope.confirmation_message(TOPIC), token="abc"),
        "http://localhost:4566",
        signer,
        "2",
    )
    document = json.loads(body)
    assert document["SubscribeURL"] == (
        f"http://localhost:4566/?Action=ConfirmSubscription&TopicArn={TOPIC}&Token=abc&Version=2010-03-31"
    )
    check(signer, document, "2")


def test_lambda_event(signer: Signer) -> None:
    event = json.loads(envelope.lambda_event(notice(), SUBSCRIPTION, "http://x", signer))
    [record] = event["Records"]
    assert record["EventSource"] == "aws:sns" and record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == SUBSCRIPTION
    sns = record["Sns"]
    assert sns["Subject"] is None and sns["MessageAttributes"] == {}
    assert sns["SignatureVersion"] == "1"
    assert set(sns) >= {"SigningCertUrl", "UnsubscribeUrl", "Timestamp", "Signature"}
    check(signer, {**sns, "Subject": None}, "1")


def test_signatures_are_cached_per_message(signer: Signer) -> None:
    canonical = "Message\nx\nType\nNotification\n"
    assert signer.sign(canonical, "1") is signer.sign(canonical, "1")
    assert signer.sign(canonical, "1") != signer.sign(canonical, "2")
