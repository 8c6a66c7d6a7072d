"""Dead-letter queues through boto3: redrive policies, allow policies, source listing, move tasks."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

REGION_ACCOUNT = "us-east-1:000000000000"


def arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION_ACCOUNT}:{name}"


def redrive(target: str, count: int | str = 1) -> str:
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": count})


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll a background effect (a move task's progress) until `check` returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


@pytest.fixture
def sqs(client: Any) -> Any:
    return client("sqs")


def make_pipe(sqs: Any, source: str = "source", dlq: str = "dlq", count: int = 1) -> tuple[str, str]:
    dlq_url = sqs.create_queue(QueueName=dlq)["QueueUrl"]
    source_url = sqs.create_queue(QueueName=source, Attributes={"RedrivePolicy": redrive(arn(dlq), count)})["QueueUrl"]
    return source_url, dlq_url


def dead_letter(sqs: Any, source_url: str, bodies: list[str]) -> None:
    """Send `bodies` (ten at most) and receive them, visibility 0, as often as the source's
    redrive policy allows: the next receive moves them all to the dead-letter queue."""
    policy = redrive_policy(sqs, source_url)
    dlq_url = sqs.get_queue_url(QueueName=policy["deadLetterTargetArn"].rsplit(":", 1)[1])["QueueUrl"]
    expected = approximate(sqs, dlq_url) + len(bodies)
    for body in bodies:
        sqs.send_message(QueueUrl=source_url, MessageBody=body)
    for _ in range(int(policy["maxReceiveCount"])):
        received = sqs.receive_message(QueueUrl=source_url, VisibilityTimeout=0, MaxNumberOfMessages=10)
        assert len(received["Messages"]) == len(bodies)
    assert "Messages" not in sqs.receive_message(QueueUrl=source_url, VisibilityTimeout=0, MaxNumberOfMessages=10)
    assert approximate(sqs, dlq_url) == expected


def redrive_policy(sqs: Any, source_url: str) -> dict[str, Any]:
    shown = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["RedrivePolicy"])["Attributes"]
    return dict(json.loads(shown["RedrivePolicy"]))


def approximate(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def drain(sqs: Any, url: str) -> list[str]:
    bodies = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.mark.parametrize(
    ("policy", "reason"),
    [
        (json.dumps({"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}), "Invalid value for deadLetterTargetArn."),
        (
            redrive(arn("dlq"), 0),
            "Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.",
        ),
        (
            redrive(arn("dlq"), 1001),
            "Invalid value for maxReceiveCount: 1001, valid values are from 1 to 1000 both inclusive.",
        ),
        (
            json.dumps({"maxReceiveCount": 3}),
            "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.",
        ),
        (redrive(arn("missing")), "Dead letter target does not exist."),
        (redrive(arn("dlq.fifo")), "Dead-letter queue must be same type of queue as the source.."),
    ],
)
def test_redrive_policy_validation(sqs: Any, policy: str, reason: str) -> None:
    sqs.create_queue(QueueName="dlq")
    sqs.create_queue(QueueName="dlq.fifo", Attributes={"FifoQueue": "true"})
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="source", Attributes={"RedrivePolicy": policy})
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        f"Value {policy} for parameter RedrivePolicy is invalid. Reason: {reason}",
    )


def test_redrive_policy_is_shown_normalised_and_can_be_removed(sqs: Any) -> None:
    source_url, _ = make_pipe(sqs, count=1)
    sqs.set_queue_attributes(QueueUrl=source_url, Attributes={"RedrivePolicy": redrive(arn("dlq"), "5")})
    shown = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["RedrivePolicy"])["Attributes"]
    assert shown == {"RedrivePolicy": f'{{"deadLetterTargetArn":"{arn("dlq")}","maxReceiveCount":5}}'}
    sqs.set_queue_attributes(QueueUrl=source_url, Attributes={"RedrivePolicy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["RedrivePolicy"])


def test_messages_move_to_the_dead_letter_queue(sqs: Any) -> None:
    source_url, dlq_url = make_pipe(sqs, count=2)
    sqs.send_message(QueueUrl=source_url, MessageBody="poison")
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=source_url, VisibilityTimeout=0)["Messages"][0]["Body"] == "poison"
    assert "Messages" not in sqs.receive_message(QueueUrl=source_url, VisibilityTimeout=0)
    [message] = sqs.receive_message(QueueUrl=dlq_url, MessageSystemAttributeNames=["All"])["Messages"]
    assert message["Body"] == "poison"
    assert message["Attributes"]["DeadLetterQueueSourceArn"] == arn("source")


def test_redrive_allow_policy(sqs: Any) -> None:
    dlq_url = sqs.create_queue(
        QueueName="guarded", Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "denyAll"})}
    )["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="denied", Attributes={"RedrivePolicy": redrive(arn("guarded"))})
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    allow = json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn("allowed")]})
    sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": allow})
    shown = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]
    assert json.loads(shown["RedriveAllowPolicy"]) == json.loads(allow)
    sqs.create_queue(QueueName="allowed", Attributes={"RedrivePolicy": redrive(arn("guarded"))})
    plain_url = sqs.create_queue(QueueName="other")["QueueUrl"]
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=plain_url, Attributes={"RedrivePolicy": redrive(arn("guarded"))})
    sqs.set_queue_attributes(
        QueueUrl=dlq_url, Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"})}
    )
    sqs.set_queue_attributes(QueueUrl=plain_url, Attributes={"RedrivePolicy": redrive(arn("guarded"))})


@pytest.mark.parametrize(
    "policy",
    [
        "not json",
        json.dumps({"redrivePermission": "sometimes"}),
        json.dumps({"redrivePermission": "byQueue"}),
        json.dumps({"redrivePermission": "byQueue", "sourceQueueArns": [arn(f"q{i}") for i in range(11)]}),
        json.dumps({"redrivePermission": "allowAll", "sourceQueueArns": [arn("q")]}),
    ],
)
def test_invalid_redrive_allow_policies(sqs: Any, policy: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="dlq", Attributes={"RedriveAllowPolicy": policy})
    assert error_of(excinfo)[0] == "InvalidAttributeValue"


def test_list_dead_letter_source_queues(sqs: Any) -> None:
    dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    for i in range(3):
        sqs.create_queue(QueueName=f"src-{i}", Attributes={"RedrivePolicy": redrive(arn("dlq"))})
    sqs.create_queue(QueueName="unrelated")
    listed = sqs.list_dead_letter_source_queues(QueueUrl=dlq_url)
    assert [url.rsplit("/", 1)[1] for url in listed["queueUrls"]] == ["src-0", "src-1", "src-2"]
    first = sqs.list_dead_letter_source_queues(QueueUrl=dlq_url, MaxResults=2)
    assert len(first["queueUrls"]) == 2
    rest = sqs.list_dead_letter_source_queues(QueueUrl=dlq_url, MaxResults=2, NextToken=first["NextToken"])
    assert [url.rsplit("/", 1)[1] for url in rest["queueUrls"]] == ["src-2"]
    assert "NextToken" not in rest
    lonely = sqs.create_queue(QueueName="lonely")["QueueUrl"]
    assert sqs.list_dead_letter_source_queues(QueueUrl=lonely)["queueUrls"] == []


def test_move_task_errors(sqs: Any) -> None:
    plain = sqs.create_queue(QueueName="plain")["QueueUrl"]
    assert plain
    make_pipe(sqs)
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn("plain"))
    assert error_of(excinfo) == ("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn("nope"))
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The resource that you specified for the SourceArn parameter doesn't exist.",
    )
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn("dlq"), DestinationArn=arn("nope"))
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn("dlq"), MaxNumberOfMessagesPerSecond=501)
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.cancel_message_move_task(TaskHandle="foobared")
    assert error_of(excinfo) == ("InvalidParameterValue", "Value for parameter TaskHandle is invalid.")
    with pytest.raises(ClientError) as excinfo:
        sqs.list_message_move_tasks(SourceArn=arn("nope"))
    assert error_of(excinfo)[0] == "ResourceNotFoundException"
    assert sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"] == []


def test_move_task_to_a_destination(sqs: Any) -> None:
    source_url, dlq_url = make_pipe(sqs)
    destination_url = sqs.create_queue(QueueName="destination")["QueueUrl"]
    dead_letter(sqs, source_url, ["message-1", "message-2"])
    assert approximate(sqs, dlq_url) == 2
    handle = sqs.start_message_move_task(SourceArn=arn("dlq"), DestinationArn=arn("destination"))["TaskHandle"]
    assert handle

    def completed() -> Any:
        [task] = sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"]
        return task if task["Status"] == "COMPLETED" else None

    task = eventually(completed)
    started = task.pop("StartedTimestamp")
    assert abs(started / 1000 - time.time()) < 60
    assert task == {
        "Status": "COMPLETED",
        "SourceArn": arn("dlq"),
        "DestinationArn": arn("destination"),
        "ApproximateNumberOfMessagesMoved": 2,
        "ApproximateNumberOfMessagesToMove": 2,
    }
    assert sorted(drain(sqs, destination_url)) == ["message-1", "message-2"]
    assert drain(sqs, dlq_url) == []


def test_move_task_back_to_each_original_source(sqs: Any) -> None:
    sqs.create_queue(QueueName="dlq")
    first = sqs.create_queue(QueueName="first", Attributes={"RedrivePolicy": redrive(arn("dlq"))})["QueueUrl"]
    second = sqs.create_queue(QueueName="second", Attributes={"RedrivePolicy": redrive(arn("dlq"))})["QueueUrl"]
    dead_letter(sqs, first, ["a1", "a2"])
    dead_letter(sqs, second, ["b1"])
    sqs.start_message_move_task(SourceArn=arn("dlq"))

    def completed() -> Any:
        [task] = sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"]
        return task if task["Status"] == "COMPLETED" else None

    task = eventually(completed)
    assert task["ApproximateNumberOfMessagesMoved"] == 3
    assert "DestinationArn" not in task
    assert sorted(drain(sqs, first)) == ["a1", "a2"]
    assert drain(sqs, second) == ["b1"]


def test_move_task_fails_when_destination_is_deleted(virtual_server: Any) -> None:
    sqs = virtual_server.client("sqs")
    source_url, _ = make_pipe(sqs)
    destination_url = sqs.create_queue(QueueName="destination")["QueueUrl"]
    dead_letter(sqs, source_url, ["m1", "m2", "m3"])
    sqs.start_message_move_task(SourceArn=arn("dlq"), DestinationArn=arn("destination"), MaxNumberOfMessagesPerSecond=1)
    eventually(
        lambda: sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"][0]["ApproximateNumberOfMessagesMoved"] == 1
    )
    sqs.delete_queue(QueueUrl=destination_url)
    virtual_server.advance(1)

    def failed() -> Any:
        [task] = sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"]
        return task if task["Status"] == "FAILED" else None

    task = eventually(failed)
    assert task["FailureReason"] == "AWS.SimpleQueueService.NonExistentQueue"
    assert task["ApproximateNumberOfMessagesMoved"] == 1


def test_move_task_paces_itself_on_the_clock_and_can_be_cancelled(virtual_server: Any) -> None:
    sqs = virtual_server.client("sqs")
    source_url, dlq_url = make_pipe(sqs)
    destination_url = sqs.create_queue(QueueName="destination")["QueueUrl"]
    dead_letter(sqs, source_url, [f"m{i}" for i in range(5)])
    handle = sqs.start_message_move_task(
        SourceArn=arn("dlq"), DestinationArn=arn("destination"), MaxNumberOfMessagesPerSecond=1
    )["TaskHandle"]
    with pytest.raises(ClientError) as excinfo:
        sqs.start_message_move_task(SourceArn=arn("dlq"), DestinationArn=arn("destination"))
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
    )

    def moved() -> int:
        return int(sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"][0]["ApproximateNumberOfMessagesMoved"])

    eventually(lambda: moved() == 1)
    time.sleep(0.2)
    assert moved() == 1
    virtual_server.advance(1)
    eventually(lambda: moved() == 2)
    [running] = sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"]
    assert running["Status"] == "RUNNING"
    assert running["TaskHandle"] == handle
    assert running["MaxNumberOfMessagesPerSecond"] == 1
    assert running["ApproximateNumberOfMessagesToMove"] == 5
    cancelled = sqs.cancel_message_move_task(TaskHandle=handle)
    assert cancelled["ApproximateNumberOfMessagesMoved"] == 2

    def status() -> str:
        return str(sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"][0]["Status"])

    eventually(lambda: status() == "CANCELLED")
    assert len(drain(sqs, destination_url)) == 2
    assert len(drain(sqs, dlq_url)) == 3
    with pytest.raises(ClientError) as excinfo:
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert error_of(excinfo) == ("ResourceNotFoundException", "Task does not exist.")
    sqs.start_message_move_task(SourceArn=arn("dlq"), DestinationArn=arn("destination"))
    eventually(lambda: status() == "COMPLETED")
    history = sqs.list_message_move_tasks(SourceArn=arn("dlq"), MaxResults=10)["Results"]
    assert [task["Status"] for task in history] == ["COMPLETED", "CANCELLED"]


def test_move_task_resumes_after_a_restart() -> None:
    from server import ServerProcess

    server = ServerProcess(store="sqlite", clock="virtual").start()
    try:
        sqs = server.client("sqs")
        source_url, _ = make_pipe(sqs)
        sqs.create_queue(QueueName="destination")
        dead_letter(sqs, source_url, ["m0", "m1", "m2"])
        sqs.start_message_move_task(
            SourceArn=arn("dlq"), DestinationArn=arn("destination"), MaxNumberOfMessagesPerSecond=1
        )
        eventually(
            lambda: (
                sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"][0]["ApproximateNumberOfMessagesMoved"] == 1
            )
        )
    finally:
        server.stop()
    restarted = ServerProcess(store="sqlite", clock="virtual", data_dir=server.data_dir).start()
    try:
        sqs = restarted.client("sqs")
        [task] = sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"]
        assert task["Status"] == "RUNNING"

        def settled() -> Any:
            restarted.advance(1)
            [task] = sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"]
            return task if task["Status"] != "RUNNING" else None

        task = eventually(settled)
        assert task["Status"] == "COMPLETED"
        assert task["ApproximateNumberOfMessagesMoved"] == 3
        destination_url = sqs.get_queue_url(QueueName="destination")["QueueUrl"]
        assert sorted(drain(sqs, destination_url)) == ["m0", "m1", "m2"]
    finally:
        restarted.stop()


def finished(sqs: Any, dlq: str = "dlq") -> Any:
    [task] = sqs.list_message_move_tasks(SourceArn=arn(dlq))["Results"]
    return task if task["Status"] != "RUNNING" else None


def test_redriven_messages_are_new_messages(virtual_server: Any) -> None:
    sqs = virtual_server.client("sqs")
    source_url, _ = make_pipe(sqs)
    destination_url = sqs.create_queue(QueueName="destination")["QueueUrl"]
    attributes = {"colour": {"DataType": "String", "StringValue": "blue"}}
    sent = sqs.send_message(QueueUrl=source_url, MessageBody="again", MessageAttributes=attributes)
    sqs.receive_message(QueueUrl=source_url, VisibilityTimeout=0)
    assert "Messages" not in sqs.receive_message(QueueUrl=source_url)
    moved_at = virtual_server.advance(3600)
    sqs.start_message_move_task(SourceArn=arn("dlq"), DestinationArn=arn("destination"))
    assert eventually(lambda: finished(sqs))["Status"] == "COMPLETED"
    [message] = sqs.receive_message(
        QueueUrl=destination_url, MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"]
    )["Messages"]
    assert message["MessageId"] != sent["MessageId"]
    assert (message["Body"], message["MessageAttributes"]) == ("again", attributes)
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert message["Attributes"]["SentTimestamp"] == str(int(moved_at * 1000))
    assert message["Attributes"]["ApproximateReceiveCount"] == "1"
    assert "DeadLetterQueueSourceArn" not in message["Attributes"]


def test_redrive_to_the_source_fails_on_a_message_sent_to_the_dead_letter_queue(virtual_server: Any) -> None:
    sqs = virtual_server.client("sqs")
    source_url, dlq_url = make_pipe(sqs)
    dead_letter(sqs, source_url, ["redriven"])
    virtual_server.advance(1)
    sqs.send_message(QueueUrl=dlq_url, MessageBody="sent to the dlq")
    sqs.start_message_move_task(SourceArn=arn("dlq"))
    task = eventually(lambda: finished(sqs))
    assert (task["Status"], task["FailureReason"]) == ("FAILED", "CouldNotDetermineMessageSource")
    assert task["ApproximateNumberOfMessagesMoved"] == 1
    assert drain(sqs, source_url) == ["redriven"]
    assert drain(sqs, dlq_url) == ["sent to the dlq"]


def test_redrive_to_the_source_fails_when_the_source_queue_is_gone(sqs: Any) -> None:
    dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    sqs.create_queue(QueueName="kept", Attributes={"RedrivePolicy": redrive(arn("dlq"))})
    gone = sqs.create_queue(QueueName="gone", Attributes={"RedrivePolicy": redrive(arn("dlq"))})["QueueUrl"]
    dead_letter(sqs, gone, ["orphan"])
    sqs.delete_queue(QueueUrl=gone)
    sqs.start_message_move_task(SourceArn=arn("dlq"))
    task = eventually(lambda: finished(sqs))
    assert (task["Status"], task["FailureReason"]) == ("FAILED", "AWS.SimpleQueueService.NonExistentQueue")
    assert task["ApproximateNumberOfMessagesMoved"] == 0
    assert drain(sqs, dlq_url) == ["orphan"]


def test_a_fast_move_task_moves_a_tenth_of_its_rate_every_tenth_of_a_second(virtual_server: Any) -> None:
    sqs = virtual_server.client("sqs")
    _, dlq_url = make_pipe(sqs)
    destination_url = sqs.create_queue(QueueName="destination")["QueueUrl"]
    for _ in range(5):
        sqs.send_message_batch(QueueUrl=dlq_url, Entries=[{"Id": str(i), "MessageBody": "m"} for i in range(10)])
    sqs.start_message_move_task(
        SourceArn=arn("dlq"), DestinationArn=arn("destination"), MaxNumberOfMessagesPerSecond=100
    )

    def moved() -> int:
        return int(sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"][0]["ApproximateNumberOfMessagesMoved"])

    eventually(lambda: moved() == 10)
    time.sleep(0.1)
    assert moved() == 10
    virtual_server.advance(0.15)
    eventually(lambda: moved() == 20)
    virtual_server.advance(0.3)
    eventually(lambda: moved() == 50)
    assert sqs.list_message_move_tasks(SourceArn=arn("dlq"))["Results"][0]["Status"] == "RUNNING"
    virtual_server.advance(0.1)  # the next step finds the queue empty
    assert eventually(lambda: finished(sqs))["Status"] == "COMPLETED"
    assert approximate(sqs, destination_url) == 50
