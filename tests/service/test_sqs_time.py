"""Time-based SQS behaviour on the virtual clock: nothing here sleeps, the clock is moved."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError
from server import ServerProcess


@pytest.fixture
def sqs(virtual_server: Any) -> Any:
    return virtual_server.client("sqs")


def counts(sqs: Any, url: str) -> tuple[int, int, int]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        int(attributes["ApproximateNumberOfMessagesDelayed"]),
    )


def test_visibility_timeout_returns_the_message(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="vis", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert counts(sqs, url) == (0, 1, 0)
    virtual_server.advance(29)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    virtual_server.advance(1)
    second = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert second["MessageId"] == first["MessageId"]
    assert second["Attributes"]["ApproximateReceiveCount"] == "2"


def test_receive_visibility_override_and_change(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="vis2")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    message = sqs.receive_message(QueueUrl=url, VisibilityTimeout=5)["Messages"][0]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=100)
    virtual_server.advance(50)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    virtual_server.advance(50)
    assert "Messages" in sqs.receive_message(QueueUrl=url)


def test_visibility_cannot_pass_twelve_hours_from_receive(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="twelve", Attributes={"VisibilityTimeout": "43200"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    virtual_server.advance(43000)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=200)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=201)
    error = excinfo.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"] == (
        "Value 201 for parameter VisibilityTimeout is invalid. "
        "Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]"
    )


def test_message_and_queue_delays(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="delays", Attributes={"DelaySeconds": "10"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="queue-delay")
    sqs.send_message(QueueUrl=url, MessageBody="own-delay", DelaySeconds=60)
    sqs.send_message(QueueUrl=url, MessageBody="no-delay", DelaySeconds=0)
    assert counts(sqs, url) == (1, 0, 2)

    def take() -> list[str]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return [message["Body"] for message in messages]

    assert take() == ["no-delay"]
    virtual_server.advance(9)
    assert take() == []
    virtual_server.advance(1)
    assert take() == ["queue-delay"]
    virtual_server.advance(50)
    assert take() == ["own-delay"]


def test_retention_period(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="retained", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    virtual_server.advance(61)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_queue_deleted_recently(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="phoenix")["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    virtual_server.advance(59)
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="phoenix")
    assert excinfo.value.response["Error"] == {
        "Code": "AWS.SimpleQueueService.QueueDeletedRecently",
        "Message": "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
        "QueryErrorCode": "QueueDeletedRecently",
        "Type": "Sender",
    }
    virtual_server.advance(1)
    assert sqs.create_queue(QueueName="phoenix")["QueueUrl"] == url


def test_purge_allowed_again_after_sixty_seconds(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="purged")["QueueUrl"]
    sqs.purge_queue(QueueUrl=url)
    virtual_server.advance(30)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress):
        sqs.purge_queue(QueueUrl=url)
    virtual_server.advance(30)
    sqs.purge_queue(QueueUrl=url)


def test_timestamps_follow_the_clock(sqs: Any, virtual_server: Any) -> None:
    now = virtual_server.now()
    url = sqs.create_queue(QueueName="stamped")["QueueUrl"]
    virtual_server.advance(100)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "1"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["CreatedTimestamp", "LastModifiedTimestamp"])[
        "Attributes"
    ]
    assert int(attributes["CreatedTimestamp"]) == int(now)
    assert int(attributes["LastModifiedTimestamp"]) == int(now + 100)
    sqs.send_message(QueueUrl=url, MessageBody="m", DelaySeconds=0)
    [message] = sqs.receive_message(QueueUrl=url, AttributeNames=["SentTimestamp"])["Messages"]
    assert int(message["Attributes"]["SentTimestamp"]) == int((now + 100) * 1000)


def test_long_poll_waits_on_the_clock(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="poll")["QueueUrl"]
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=20)
        time.sleep(0.3)
        assert not waiting.done()
        virtual_server.advance(20)
        assert "Messages" not in waiting.result(timeout=10)


def test_long_poll_wakes_when_a_delayed_message_is_due(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="poll-delay")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="soon", DelaySeconds=5)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=20)
        time.sleep(0.3)
        virtual_server.advance(5)
        assert waiting.result(timeout=10)["Messages"][0]["Body"] == "soon"


def test_long_poll_wakes_on_send_without_the_clock_moving(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="poll-send")["QueueUrl"]
    sender = virtual_server.client("sqs")
    timer = threading.Timer(0.3, lambda: sender.send_message(QueueUrl=url, MessageBody="now"))
    timer.start()
    response = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    timer.join()
    assert response["Messages"][0]["Body"] == "now"


def test_fifo_delete_with_an_expired_receipt_handle(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="expiry.fifo", Attributes={"FifoQueue": "true", "VisibilityTimeout": "10"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody="g1-m1", MessageGroupId="g1", MessageDeduplicationId="1")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    virtual_server.advance(11)
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert excinfo.value.response["Error"]["Message"] == (
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."
    )


def test_change_visibility_of_a_message_no_longer_in_flight(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="gone", Attributes={"VisibilityTimeout": "10"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=10)
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert excinfo.value.response["Error"]["Message"] == (
        f"Value {handle} for parameter ReceiptHandle is invalid. "
        "Reason: Message does not exist or is not available for visibility timeout change."
    )


def test_fifo_receive_request_attempt_id_repeats_the_answer(sqs: Any, virtual_server: Any) -> None:
    url = sqs.create_queue(QueueName="attempt.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=str(i), MessageGroupId=f"g{i}", MessageDeduplicationId=str(i))
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1")["Messages"]
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, ReceiveRequestAttemptId="attempt-1")["Messages"]
    assert [m["MessageId"] for m in again] == [m["MessageId"] for m in first]
    other = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, ReceiveRequestAttemptId="attempt-2")["Messages"]
    assert [m["Body"] for m in other] == ["2"]
    with pytest.raises(ClientError):
        sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="has space")


@pytest.fixture(scope="module")
def durable_virtual_server() -> Iterator[ServerProcess]:
    server = ServerProcess(store="sqlite", clock="virtual").start()
    yield server
    server.stop()


def test_visibility_zero_is_immediate_on_the_durable_store(durable_virtual_server: ServerProcess) -> None:
    """Released (ChangeMessageVisibility 0) or received with VisibilityTimeout 0, a message is
    visible to the very next receive, as on AWS, while the engine's timers commit alongside."""
    sqs = durable_virtual_server.client("sqs")
    url = sqs.create_queue(QueueName="zero")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="m")
    for _ in range(40):
        [held] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"]
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=held["ReceiptHandle"], VisibilityTimeout=0)
        [released] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
        [again] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"]
        assert released["MessageId"] == again["MessageId"] == held["MessageId"]
