"""HTTP/S subscribers: a real local HTTP server that confirms its subscription by fetching the
SubscribeURL and verifies every message's signature (SignatureVersion 1 and 2) with the
certificate it downloads from SigningCertURL, as it would against AWS. Retries follow the
subscription's DeliveryPolicy under the virtual clock, then the dead-letter queue."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from test_sns_publish import make_queue, receive

NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


def verify(message: dict[str, Any]) -> None:
    """What a subscriber does with an SNS message (AWS's documented steps); raises if forged."""
    with urllib.request.urlopen(message["SigningCertURL"], timeout=10) as answer:
        certificate = x509.load_pem_x509_certificate(answer.read())
    fields = NOTIFICATION_FIELDS if message["Type"] == "Notification" else CONFIRMATION_FIELDS
    canonical = "".join(f"{name}\n{message[name]}\n" for name in fields if name in message)
    algorithm = hashes.SHA256() if message["SignatureVersion"] == "2" else hashes.SHA1()
    public_key: Any = certificate.public_key()
    public_key.verify(base64.b64decode(message["Signature"]), canonical.encode(), padding.PKCS1v15(), algorithm)


class Subscriber:
    """An HTTP endpoint: records every POST, confirms subscriptions, answers the planned statuses."""

    def __init__(self, confirm: bool = True) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = [200]
        self.confirm = confirm
        subscriber = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length).decode()
                headers = {name.lower(): value for name, value in self.headers.items()}
                request = {"path": self.path, "headers": headers, "names": list(self.headers.keys()), "body": body}
                subscriber.requests.append(request)
                status = subscriber.statuses.pop(0) if len(subscriber.statuses) > 1 else subscriber.statuses[0]
                if self.headers.get("x-amz-sns-message-type") == "SubscriptionConfirmation" and subscriber.confirm:
                    url = json.loads(body)["SubscribeURL"]
                    with urllib.request.urlopen(url, timeout=10) as answer:
                        request["confirmed"] = answer.status
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sns"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def of_type(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.requests if r["headers"].get("x-amz-sns-message-type") == kind]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def subscriber() -> Iterator[Subscriber]:
    endpoint = Subscriber()
    yield endpoint
    endpoint.close()


def wait_confirmed(sns: Any, topic: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [entry] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        if entry["SubscriptionArn"] != "PendingConfirmation":
            return str(entry["SubscriptionArn"])
        time.sleep(0.02)
    raise AssertionError("the subscription was never confirmed")


@pytest.mark.parametrize("version", ["1", "2"])
def test_http_subscriber_confirms_and_verifies_signatures(server: Any, subscriber: Subscriber, version: str) -> None:
    sns = server.client("sns")
    topic = sns.create_topic(Name=f"signed-v{version}", Attributes={"SignatureVersion": version})["TopicArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url)["SubscriptionArn"] == (
        "pending confirmation"
    )
    [confirmation] = subscriber.of_type("SubscriptionConfirmation")
    assert confirmation["confirmed"] == 200
    headers = confirmation["headers"]
    assert headers["x-amz-sns-topic-arn"] == topic
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    assert "x-amz-sns-subscription-arn" not in headers
    assert "x-amz-sns-message-type" in confirmation["names"]  # sent in lower case, as AWS does
    document = json.loads(confirmation["body"])
    assert list(document) == [
        "Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL", "Timestamp", "SignatureVersion",
        "Signature", "SigningCertURL",
    ]  # fmt: skip
    assert document["SignatureVersion"] == version
    assert headers["x-amz-sns-message-id"] == document["MessageId"]
    verify(document)
    subscription = wait_confirmed(sns, topic)

    published = sns.publish(
        TopicArn=topic,
        Message="über the wire",
        Subject="Status",
        MessageAttributes={"level": {"DataType": "String", "StringValue": "info"}},
    )
    [notification] = subscriber.of_type("Notification")
    headers = notification["headers"]
    assert headers["x-amz-sns-message-type"] == "Notification"
    assert headers["x-amz-sns-message-id"] == published["MessageId"]
    assert headers["x-amz-sns-topic-arn"] == topic
    assert headers["x-amz-sns-subscription-arn"] == subscription
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    assert headers["user-agent"] == "Amazon Simple Notification Service Agent"
    message = json.loads(notification["body"])
    assert message["Message"] == "über the wire" and message["Subject"] == "Status"
    assert message["SignatureVersion"] == version
    verify(message)
    forged = {**message, "Message": "tampered"}
    with pytest.raises(InvalidSignature):
        verify(forged)


def test_raw_http_delivery_and_content_type(server: Any, subscriber: Subscriber) -> None:
    sns = server.client("sns")
    topic = sns.create_topic(Name="raw-http")["TopicArn"]
    policy = json.dumps({"requestPolicy": {"headerContentType": "application/json"}})
    sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=subscriber.url,
        Attributes={"RawMessageDelivery": "true", "DeliveryPolicy": policy},
    )
    wait_confirmed(sns, topic)
    sns.publish(TopicArn=topic, Message='{"raw": true}')
    [notification] = subscriber.of_type("Notification")
    assert notification["body"] == '{"raw": true}'
    assert notification["headers"]["x-amz-sns-rawdelivery"] == "true"
    assert notification["headers"]["content-type"] == "application/json"


def test_unsubscribe_confirmation_can_restore_the_subscription(server: Any, subscriber: Subscriber) -> None:
    sns = server.client("sns")
    topic = sns.create_topic(Name="leaving")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url)
    subscription = wait_confirmed(sns, topic)
    subscriber.confirm = False
    sns.unsubscribe(SubscriptionArn=subscription)
    [goodbye] = subscriber.of_type("UnsubscribeConfirmation")
    assert goodbye["headers"]["x-amz-sns-subscription-arn"] == subscription
    document = json.loads(goodbye["body"])
    verify(document)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    with urllib.request.urlopen(document["SubscribeURL"], timeout=10) as answer:
        assert answer.status == 200
    assert wait_confirmed(sns, topic) == subscription


def test_http_4xx_counts_as_delivered(server: Any, subscriber: Subscriber) -> None:
    sns = server.client("sns")
    topic = sns.create_topic(Name="refusing")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url)
    wait_confirmed(sns, topic)
    subscriber.statuses = [404]
    sns.publish(TopicArn=topic, Message="m")
    assert len(subscriber.of_type("Notification")) == 1
    time.sleep(0.3)
    assert len(subscriber.of_type("Notification", timeout=0)) == 1


def advance_until(server: Any, done: Any, step: float, steps: int = 60) -> None:
    for _ in range(steps):
        if done():
            return
        server.advance(step)
        time.sleep(0.05)
    assert done()


def test_http_retries_follow_the_delivery_policy_then_dead_letter(virtual_server: Any, subscriber: Subscriber) -> None:
    server = virtual_server
    sns, sqs = server.client("sns"), server.client("sqs")
    dlq_url, dlq_arn = make_queue(sqs, "http-dlq")
    topic = sns.create_topic(Name="flaky")["TopicArn"]
    policy = {
        "healthyRetryPolicy": {
            "numRetries": 3,
            "numNoDelayRetries": 1,
            "minDelayTarget": 5,
            "maxDelayTarget": 5,
            "backoffFunction": "linear",
        }
    }
    sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=subscriber.url,
        Attributes={
            "DeliveryPolicy": json.dumps(policy),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn}),
        },
    )
    wait_confirmed(sns, topic)
    subscriber.statuses = [503]
    published = sns.publish(TopicArn=topic, Message="will fail")
    assert len(subscriber.of_type("Notification", count=2)) == 2  # the first try and one immediate retry
    before = server.now()
    advance_until(server, lambda: len(subscriber.of_type("Notification", count=4, timeout=0.2)) >= 4, step=5.0)
    assert server.now() - before >= 10.0  # two retries five seconds apart
    dead = receive(sqs, dlq_url, 1)
    assert len(dead) == 1
    envelope = json.loads(dead[0]["Body"])
    assert envelope["MessageId"] == published["MessageId"] and envelope["Message"] == "will fail"
    assert len(subscriber.of_type("Notification", timeout=0)) == 4


def test_http_retry_that_succeeds_delivers_once(virtual_server: Any, subscriber: Subscriber) -> None:
    server = virtual_server
    sns = server.client("sns")
    topic = sns.create_topic(Name="recovering")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=subscriber.url)
    wait_confirmed(sns, topic)
    subscriber.statuses = [500, 200]
    sns.publish(TopicArn=topic, Message="second time lucky")
    assert len(subscriber.of_type("Notification")) == 1
    advance_until(server, lambda: len(subscriber.of_type("Notification", count=2, timeout=0.2)) >= 2, step=20.0)
    server.advance(100)
    time.sleep(0.2)
    assert len(subscriber.of_type("Notification", timeout=0)) == 2
