"""What a subscriber receives: the JSON document SNS wraps a message in (SQS, HTTP/S,
email-json, Firehose), the confirmation messages, and the event a Lambda function gets.

SQS and HTTP/S bodies are written as AWS writes them: one `"Key" : value` per line, in AWS's
order (Type, MessageId, [SequenceNumber,] TopicArn, Subject, Message, Timestamp,
SignatureVersion, Signature, SigningCertURL, UnsubscribeURL, MessageAttributes). Subject is
left out when the publish had none. FIFO topics do not sign their messages; they carry the
SequenceNumber instead.

The SubscribeURL and UnsubscribeURL point at postoffice's own endpoint. They carry
`Version=2010-03-31` after AWS's parameters, so that an unsigned GET of them is recognised as
SNS's query API.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from postoffice.services.sns import message_attributes
from postoffice.services.sns.signing import Signer, canonical_string

NOTIFICATION = "Notification"
SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"
API_VERSION = "2010-03-31"
_ARN_SAFE = ":/"


def iso_timestamp(epoch: float) -> str:
    moment = datetime.datetime.fromtimestamp(epoch, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def subscribe_url(base: str, topic_arn: str, token: str) -> str:
    return (
        f"{base}/?Action=ConfirmSubscription&TopicArn={quote(topic_arn, safe=_ARN_SAFE)}"
        f"&Token={token}&Version={API_VERSION}"
    )


def unsubscribe_url(base: str, subscription_arn: str) -> str:
    return f"{base}/?Action=Unsubscribe&SubscriptionArn={quote(subscription_arn, safe=_ARN_SAFE)}&Version={API_VERSION}"


@dataclass
class Notice:
    """One message as SNS hands it to one subscription (its protocol's text already chosen)."""

    type: str
    message_id: str
    topic_arn: str
    message: str
    timestamp: float
    subject: str | None = None
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)  # transport shape
    token: str | None = None
    sequence_number: str | None = None


def _line(key: str, value: Any) -> str:
    return f'  "{key}" : {json.dumps(value, ensure_ascii=False)}'


def _attributes_block(attributes: dict[str, dict[str, str]]) -> str:
    entries = ",\n".join(
        f"    {json.dumps(name, ensure_ascii=False)} : {json.dumps(value, ensure_ascii=False, separators=(',', ':'))}"
        for name, value in attributes.items()
    )
    return '  "MessageAttributes" : {\n' + entries + "\n  }"


def _render(fields: list[tuple[str, Any]]) -> str:
    return "{\n" + ",\n".join(_line(key, value) for key, value in fields) + "\n}"


def notification_parts(
    notice: Notice, base: str, signer: Signer, signature_version: str, fifo: bool
) -> tuple[str, str]:
    """A Notification's body around its one per-subscription value, the UnsubscribeURL: fan-out
    renders and signs a message once, then only joins the parts for each subscriber."""
    signed = {
        "Type": notice.type,
        "MessageId": notice.message_id,
        "TopicArn": notice.topic_arn,
        "Subject": notice.subject,
        "Message": notice.message,
        "Timestamp": iso_timestamp(notice.timestamp),
    }
    fields: list[tuple[str, Any]] = [("Type", notice.type), ("MessageId", notice.message_id)]
    if fifo and notice.sequence_number is not None:
        fields.append(("SequenceNumber", notice.sequence_number))
    fields.append(("TopicArn", notice.topic_arn))
    if notice.subject is not None:
        fields.append(("Subject", notice.subject))
    fields += [("Message", notice.message), ("Timestamp", signed["Timestamp"])]
    if not fifo:
        fields += [
            ("SignatureVersion", signature_version),
            ("Signature", signer.sign(canonical_string(signed), signature_version)),
            ("SigningCertURL", signer.cert_url),
        ]
    head = "{\n" + "".join(_line(key, value) + ",\n" for key, value in fields) + '  "UnsubscribeURL" : '
    tail = ""
    if notice.attributes:
        tail = ",\n" + _attributes_block(message_attributes.to_notification(notice.attributes))
    return head, tail + "\n}"


def notification_body(
    notice: Notice, subscription_arn: str, base: str, signer: Signer, signature_version: str, fifo: bool
) -> str:
    """The JSON body of a Notification for SQS, HTTP/S, email-json and Firehose."""
    head, tail = notification_parts(notice, base, signer, signature_version, fifo)
    return join_parts(head, tail, base, subscription_arn)


def join_parts(head: str, tail: str, base: str, subscription_arn: str) -> str:
    return head + json.dumps(unsubscribe_url(base, subscription_arn)) + tail


def confirmation_body(notice: Notice, base: str, signer: Signer, signature_version: str) -> str:
    """SubscriptionConfirmation / UnsubscribeConfirmation, sent to HTTP/S endpoints."""
    assert notice.token is not None
    url = subscribe_url(base, notice.topic_arn, notice.token)
    timestamp = iso_timestamp(notice.timestamp)
    signed = {
        "Type": notice.type,
        "MessageId": notice.message_id,
        "Token": notice.token,
        "TopicArn": notice.topic_arn,
        "Message": notice.message,
        "SubscribeURL": url,
        "Timestamp": timestamp,
    }
    fields = [
        *signed.items(),
        ("SignatureVersion", signature_version),
        ("Signature", signer.sign(canonical_string(signed), signature_version)),
        ("SigningCertURL", signer.cert_url),
    ]
    return _render(fields)


def confirmation_message(topic_arn: str) -> str:
    return (
        f"You have chosen to subscribe to the topic {topic_arn}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message."
    )


def unsubscribe_message(subscription_arn: str) -> str:
    return (
        f"You have chosen to deactivate subscription {subscription_arn}.\n"
        "To cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
    )


def lambda_event(notice: Notice, subscription_arn: str, base: str, signer: Signer) -> bytes:
    """The event a subscribed Lambda function is invoked with (always labelled SignatureVersion 1)."""
    timestamp = iso_timestamp(notice.timestamp)
    signed = {
        "Type": notice.type,
        "MessageId": notice.message_id,
        "TopicArn": notice.topic_arn,
        "Subject": notice.subject,
        "Message": notice.message,
        "Timestamp": timestamp,
    }
    record = {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": {
            "Type": notice.type,
            "MessageId": notice.message_id,
            "TopicArn": notice.topic_arn,
            "Subject": notice.subject,
            "Message": notice.message,
            "Timestamp": timestamp,
            "SignatureVersion": "1",
            "Signature": signer.sign(canonical_string(signed), "1"),
            "SigningCertUrl": signer.cert_url,
            "UnsubscribeUrl": unsubscribe_url(base, subscription_arn),
            "MessageAttributes": message_attributes.to_notification(notice.attributes),
        },
    }
    return json.dumps({"Records": [record]}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
