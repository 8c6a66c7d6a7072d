"""SQS messages through boto3: send, receive, delete, visibility, batches, FIFO, validation."""

from __future__ import annotations

import hashlib
import struct
import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def sqs(client: Any) -> Any:
    return client("sqs")


@pytest.fixture
def queue(sqs: Any) -> str:
    return sqs.create_queue(QueueName="messages")["QueueUrl"]


@pytest.fixture
def fifo(sqs: Any) -> str:
    return sqs.create_queue(QueueName="messages.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]


def md5_of_string_attribute(name: str, value: str) -> str:
    """The documented digest of one String attribute, written out independently of the server's."""

    def sized(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    return hashlib.md5(sized(name.encode()) + sized(b"String") + b"\x01" + sized(value.encode())).hexdigest()


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_send_receive_delete(sqs: Any, queue: str) -> None:
    sent = sqs.send_message(QueueUrl=queue, MessageBody="message")
    assert sent["MD5OfMessageBody"] == "78e731027d8fd50ed642340b7c9a63b3"
    assert "MD5OfMessageAttributes" not in sent and "SequenceNumber" not in sent
    [message] = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "message"
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert "Attributes" not in message and "MessageAttributes" not in message
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    counts = sqs.get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    assert counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}


def test_body_survives_special_characters(sqs: Any, queue: str) -> None:
    body = '"&quot;&quot;\r\t\n<xml> \u00e9\u4e2d\U0001f600'
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == body


def test_message_attributes_and_md5(sqs: Any, queue: str) -> None:
    sent = sqs.send_message(
        QueueUrl=queue,
        MessageBody="msg",
        MessageAttributes={"Foo": {"DataType": "String", "StringValue": "Bar"}},
    )
    assert sent["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"
    [message] = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"])["Messages"]
    assert message["MessageAttributes"] == {"Foo": {"DataType": "String", "StringValue": "Bar"}}
    assert message["MD5OfMessageAttributes"] == "ae7155c6026991b6d54b11589678bf9c"


def test_binary_and_number_attributes(sqs: Any, queue: str) -> None:
    binary = b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01"
    sent = sqs.send_message(
        QueueUrl=queue, MessageBody="test", MessageAttributes={"attr1": {"DataType": "Binary", "BinaryValue": binary}}
    )
    assert sent["MD5OfMessageAttributes"] == "8cbe4db156db8a94db8b801b7addb984"
    sqs.send_message(
        QueueUrl=queue,
        MessageBody="n",
        MessageAttributes={
            "timestamp": {"DataType": "Number", "StringValue": "1614717034367"},
            "ratio": {"DataType": "Number.float", "StringValue": "-1.5e3"},
        },
    )
    messages = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"], MaxNumberOfMessages=10)["Messages"]
    by_body = {m["Body"]: m for m in messages}
    assert by_body["test"]["MessageAttributes"]["attr1"] == {"DataType": "Binary", "BinaryValue": binary}
    assert by_body["test"]["MD5OfMessageAttributes"] == "8cbe4db156db8a94db8b801b7addb984"
    assert by_body["n"]["MessageAttributes"]["ratio"] == {"DataType": "Number.float", "StringValue": "-1.5e3"}


@pytest.mark.parametrize(
    ("names", "expected", "md5"),
    [
        (["All"], {"General", "Hello", "Help.Me"}, "4c360f3fdafd970e05fae2f149d997f5"),
        ([".*"], {"General", "Hello", "Help.Me"}, "4c360f3fdafd970e05fae2f149d997f5"),
        (["General", "Hello"], {"General", "Hello"}, "fca026605781cb4126a1e9044df24232"),
        (["Hello", "Missing"], {"Hello"}, "a311262e065454b75da111d535b8dacd"),
        (["He.*"], {"Hello", "Help.Me"}, "83fee93c1bcd8b9a5a923ffacdc636c7"),
    ],
)
def test_message_attribute_name_filters(sqs: Any, queue: str, names: list[str], expected: set[str], md5: str) -> None:
    sqs.send_message(
        QueueUrl=queue,
        MessageBody="msg",
        MessageAttributes={
            "Hello": {"DataType": "String", "StringValue": "There"},
            "General": {"DataType": "String", "StringValue": "Kenobi"},
            "Help.Me": {"DataType": "String", "StringValue": "Me"},
        },
    )
    [message] = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=names)["Messages"]
    assert set(message["MessageAttributes"]) == expected
    assert message["MD5OfMessageAttributes"] == md5


def test_system_attributes(sqs: Any, queue: str) -> None:
    before = int(time.time() * 1000)
    sent = sqs.send_message(
        QueueUrl=queue,
        MessageBody="traced",
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-5759e988-bd862e3fe"}},
    )
    assert sent["MD5OfMessageSystemAttributes"] == md5_of_string_attribute(
        "AWSTraceHeader", "Root=1-5759e988-bd862e3fe"
    )
    [message] = sqs.receive_message(QueueUrl=queue, MessageSystemAttributeNames=["All"], VisibilityTimeout=0)[
        "Messages"
    ]
    attributes = message["Attributes"]
    assert attributes["SenderId"] == "000000000000"
    assert attributes["ApproximateReceiveCount"] == "1"
    assert attributes["AWSTraceHeader"] == "Root=1-5759e988-bd862e3fe"
    assert before - 1000 <= int(attributes["SentTimestamp"]) <= int(time.time() * 1000)
    assert int(attributes["ApproximateFirstReceiveTimestamp"]) >= int(attributes["SentTimestamp"])
    [again] = sqs.receive_message(QueueUrl=queue, AttributeNames=["ApproximateReceiveCount", "SentTimestamp"])[
        "Messages"
    ]
    assert set(again["Attributes"]) == {"ApproximateReceiveCount", "SentTimestamp"}
    assert again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_empty_body_is_a_missing_parameter(sqs: Any, queue: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="")
    assert error_of(excinfo) == ("MissingParameter", "The request must contain the parameter MessageBody.")


@pytest.mark.parametrize("body", ["\x00", "a\x01b", "\x1f", "\ufffe", "\uffff"])
def test_invalid_characters(sqs: Any, queue: str, body: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    code, message = error_of(excinfo)
    assert code == "InvalidMessageContents"
    assert message.startswith("Invalid characters found.")


def test_message_size_counts_attributes(sqs: Any, queue: str) -> None:
    sqs.set_queue_attributes(QueueUrl=queue, Attributes={"MaximumMessageSize": "1024"})
    attributes = {"k": {"DataType": "String", "StringValue": "x"}}
    sqs.send_message(QueueUrl=queue, MessageBody="a" * (1024 - 8), MessageAttributes=attributes)
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="a" * (1024 - 7), MessageAttributes=attributes)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    )
    assert excinfo.value.response["Error"]["QueryErrorCode"] == "InvalidParameterValueException"


MIB = 1_048_576
TOO_LONG = "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."
SIZED_ATTRIBUTES = {
    "colour": {"DataType": "String", "StringValue": "blue"},
    "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"},
}
SIZED_ATTRIBUTES_BYTES = len("colourStringblue") + len("rawBinary") + 3


def body_for(total: int) -> str:
    """A body that, with SIZED_ATTRIBUTES, makes a message SQS counts as `total` bytes (UTF-8)."""
    return "\u00e9" + "a" * (total - SIZED_ATTRIBUTES_BYTES - 2)


def test_a_message_of_exactly_one_mebibyte_counting_its_attributes(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody=body_for(MIB), MessageAttributes=SIZED_ATTRIBUTES)
    [message] = sqs.receive_message(QueueUrl=queue, MessageAttributeNames=["All"])["Messages"]
    assert message["Body"] == body_for(MIB)
    assert message["MessageAttributes"] == SIZED_ATTRIBUTES
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody=body_for(MIB + 1), MessageAttributes=SIZED_ATTRIBUTES)
    assert error_of(excinfo) == ("InvalidParameterValue", TOO_LONG)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="a" * (MIB + 1))
    assert error_of(excinfo) == ("InvalidParameterValue", TOO_LONG)


def test_a_batch_of_exactly_one_mebibyte_counting_attributes(sqs: Any, queue: str) -> None:
    half = MIB // 2
    entries = [{"Id": str(i), "MessageBody": body_for(half), "MessageAttributes": SIZED_ATTRIBUTES} for i in range(2)]
    assert len(sqs.send_message_batch(QueueUrl=queue, Entries=entries)["Successful"]) == 2
    entries[1]["MessageBody"] = body_for(half + 1)
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    assert error_of(excinfo) == (
        "AWS.SimpleQueueService.BatchRequestTooLong",
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes.",
    )


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"ErrorDetails": {"DataType": "String", "StringValue": ""}},
            "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
        ),
        (
            {"n": {"DataType": "Number", "StringValue": "world"}},
            "Can't cast the value of message (user) attribute 'n' to a number.",
        ),
        (
            {"t": {"DataType": "string", "StringValue": "x"}},
            "The type of message (user) attribute 't' is invalid. "
            "You must use only the following supported type prefixes: Binary, Number, String.",
        ),
        (
            {f"a{i}": {"DataType": "String", "StringValue": "x"} for i in range(11)},
            "Number of message attributes [11] exceeds the allowed maximum [10].",
        ),
    ],
)
def test_invalid_message_attributes(sqs: Any, queue: str, attributes: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes=attributes)
    assert error_of(excinfo) == ("InvalidParameterValue", message)


@pytest.mark.parametrize("name", ["AWS.thing", "amazon.thing", ".dot", "dot.", "two..dots", "sp ace", "x" * 257])
def test_invalid_message_attribute_names(sqs: Any, queue: str, name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(
            QueueUrl=queue, MessageBody="x", MessageAttributes={name: {"DataType": "String", "StringValue": "v"}}
        )
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_delay_seconds_limits(sqs: Any, queue: str, fifo: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="x", DelaySeconds=901)
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=fifo, MessageBody="x", DelaySeconds=2, MessageGroupId="g", MessageDeduplicationId="d")
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value 2 for parameter DelaySeconds is invalid. "
        "Reason: The request include parameter that is not valid for this queue type.",
    )
    sqs.send_message(QueueUrl=fifo, MessageBody="x", DelaySeconds=0, MessageGroupId="g", MessageDeduplicationId="d")


def test_receive_parameter_limits(sqs: Any, queue: str) -> None:
    cases = [
        (
            {"MaxNumberOfMessages": 11},
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        ),
        ({"MaxNumberOfMessages": 0}, None),
        ({"WaitTimeSeconds": 21}, None),
        ({"VisibilityTimeout": 43201}, None),
        ({"VisibilityTimeout": -1}, None),
    ]
    for kwargs, message in cases:
        with pytest.raises(ClientError) as excinfo:
            sqs.receive_message(QueueUrl=queue, **kwargs)
        code, text = error_of(excinfo)
        assert code == "InvalidParameterValue"
        if message:
            assert text == message


def test_receive_up_to_ten(sqs: Any, queue: str) -> None:
    for start in (0, 10):
        sqs.send_message_batch(
            QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(start, start + 10)]
        )
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(received) == 10


def test_receipt_handles(sqs: Any, queue: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message(QueueUrl=queue, ReceiptHandle="INVALID")
    code, message = error_of(excinfo)
    assert code == "ReceiptHandleIsInvalid"
    assert message == 'The input receipt handle "INVALID" is not a valid receipt handle.'
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle="INVALID", VisibilityTimeout=60)


def test_change_message_visibility(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="vis")
    [message] = sqs.receive_message(QueueUrl=queue)["Messages"]
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=43201)
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    [again] = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert again["MessageId"] == message["MessageId"]
    assert again["ReceiptHandle"] != message["ReceiptHandle"]


def test_send_message_batch(sqs: Any, queue: str) -> None:
    result = sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "1", "MessageBody": "message-0"},
            {
                "Id": "two",
                "MessageBody": "message-1",
                "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}},
            },
            {"Id": "bad", "MessageBody": "\x01"},
        ],
    )
    assert [entry["Id"] for entry in result["Successful"]] == ["1", "two"]
    assert result["Successful"][0]["MD5OfMessageBody"] == hashlib.md5(b"message-0").hexdigest()
    assert "MD5OfMessageAttributes" in result["Successful"][1]
    [failed] = result["Failed"]
    assert failed["Id"] == "bad" and failed["Code"] == "InvalidMessageContents" and failed["SenderFault"] is True
    bodies = {m["Body"] for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]}
    assert bodies == {"message-0", "message-1"}


@pytest.mark.parametrize(
    ("entries", "code", "message"),
    [
        (
            [],
            "AWS.SimpleQueueService.EmptyBatchRequest",
            "There should be at least one SendMessageBatchRequestEntry in the request.",
        ),
        (
            [{"Id": str(i), "MessageBody": "x"} for i in range(20)],
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            "Maximum number of entries per request are 10. You have sent 20.",
        ),
        (
            [{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}],
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            "Id a repeated.",
        ),
        (
            [{"Id": "invalid:id", "MessageBody": "x"}],
            "AWS.SimpleQueueService.InvalidBatchEntryId",
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
            "It can be at most 80 letters long.",
        ),
        (
            [{"Id": "x" * 81, "MessageBody": "x"}],
            "AWS.SimpleQueueService.InvalidBatchEntryId",
            None,
        ),
        (
            [{"Id": "1", "MessageBody": "a" * 600_000}, {"Id": "2", "MessageBody": "a" * 600_000}],
            "AWS.SimpleQueueService.BatchRequestTooLong",
            "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.",
        ),
    ],
)
def test_send_message_batch_errors(sqs: Any, queue: str, entries: list[Any], code: str, message: str | None) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=queue, Entries=entries)
    assert error_of(excinfo)[0] == code
    if message:
        assert error_of(excinfo)[1] == message


def test_delete_and_visibility_batches(sqs: Any, queue: str) -> None:
    sqs.send_message_batch(QueueUrl=queue, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)])
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 3
    result = sqs.change_message_visibility_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "a", "ReceiptHandle": messages[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "b", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
            {"Id": "c", "ReceiptHandle": messages[1]["ReceiptHandle"], "VisibilityTimeout": 50000},
        ],
    )
    assert result["Successful"] == [{"Id": "a"}]
    failed = {entry["Id"]: entry for entry in result["Failed"]}
    assert failed["b"]["Code"] == "ReceiptHandleIsInvalid"
    assert failed["c"]["Code"] == "InvalidParameterValue"
    result = sqs.delete_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "x", "ReceiptHandle": messages[1]["ReceiptHandle"]},
            {"Id": "y", "ReceiptHandle": messages[2]["ReceiptHandle"]},
            {"Id": "z", "ReceiptHandle": "garbage"},
        ],
    )
    assert sorted(entry["Id"] for entry in result["Successful"]) == ["x", "y"]
    assert [(entry["Id"], entry["Code"]) for entry in result["Failed"]] == [("z", "ReceiptHandleIsInvalid")]
    with pytest.raises(ClientError) as excinfo:
        sqs.delete_message_batch(QueueUrl=queue, Entries=[])
    assert error_of(excinfo) == (
        "AWS.SimpleQueueService.EmptyBatchRequest",
        "There should be at least one DeleteMessageBatchRequestEntry in the request.",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.change_message_visibility_batch(
            QueueUrl=queue, Entries=[{"Id": str(i), "ReceiptHandle": "h", "VisibilityTimeout": 1} for i in range(11)]
        )
    assert error_of(excinfo)[0] == "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


def test_fifo_send_rules(sqs: Any, fifo: str, queue: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageDeduplicationId="d")
    assert error_of(excinfo) == ("MissingParameter", "The request must contain the parameter MessageGroupId.")
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g")
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message_batch(QueueUrl=fifo, Entries=[{"Id": "1", "MessageBody": "x", "MessageDeduplicationId": "d"}])
    assert error_of(excinfo) == ("InvalidParameterValue", "The request must contain the parameter MessageGroupId.")
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=fifo, MessageBody="x", MessageGroupId="g" * 129, MessageDeduplicationId="d")
    assert error_of(excinfo)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as excinfo:
        sqs.send_message(QueueUrl=queue, MessageBody="x", MessageDeduplicationId="d")
    assert error_of(excinfo) == (
        "InvalidParameterValue",
        "Value d for parameter MessageDeduplicationId is invalid. "
        "Reason: The request include parameter that is not valid for this queue type.",
    )


def test_fifo_order_sequence_and_deduplication(sqs: Any, fifo: str) -> None:
    sequence_numbers = []
    for i in range(3):
        sent = sqs.send_message(
            QueueUrl=fifo, MessageBody=f"message-{i}", MessageGroupId="1", MessageDeduplicationId=str(i)
        )
        sequence_numbers.append(int(sent["SequenceNumber"]))
    assert sequence_numbers == sorted(sequence_numbers)
    duplicate = sqs.send_message(QueueUrl=fifo, MessageBody="again", MessageGroupId="1", MessageDeduplicationId="0")
    assert "MessageId" in duplicate
    messages = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
    assert [m["Body"] for m in messages] == ["message-0", "message-1", "message-2"]
    assert messages[0]["Attributes"]["MessageGroupId"] == "1"
    assert messages[0]["Attributes"]["MessageDeduplicationId"] == "0"
    assert int(messages[0]["Attributes"]["SequenceNumber"]) == sequence_numbers[0]


def test_fifo_group_blocks_while_in_flight(sqs: Any, fifo: str) -> None:
    for i, group in enumerate(["g1", "g2", "g1"]):
        sqs.send_message(QueueUrl=fifo, MessageBody=f"{group}-{i}", MessageGroupId=group, MessageDeduplicationId=str(i))
    [first] = sqs.receive_message(QueueUrl=fifo)["Messages"]
    assert first["Body"] == "g1-0"
    [second] = sqs.receive_message(QueueUrl=fifo)["Messages"]
    assert second["Body"] == "g2-1"
    assert "Messages" not in sqs.receive_message(QueueUrl=fifo)
    sqs.delete_message(QueueUrl=fifo, ReceiptHandle=first["ReceiptHandle"])
    assert sqs.receive_message(QueueUrl=fifo)["Messages"][0]["Body"] == "g1-2"


def test_fifo_content_based_deduplication(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="cbd.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1


def test_fair_queue_accepts_message_group_id(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="tenant", MessageGroupId="tenant-1")
    [message] = sqs.receive_message(QueueUrl=queue, MessageSystemAttributeNames=["MessageGroupId"])["Messages"]
    assert message["Attributes"] == {"MessageGroupId": "tenant-1"}


def send_group(sqs: Any, queue: str, group: str, count: int) -> None:
    for start in range(0, count, 10):
        entries = [
            {"Id": str(i), "MessageBody": f"{group}-{i}", "MessageGroupId": group}
            for i in range(start, min(start + 10, count))
        ]
        assert not sqs.send_message_batch(QueueUrl=queue, Entries=entries).get("Failed")


def receive_groups(sqs: Any, queue: str) -> list[str]:
    messages = sqs.receive_message(
        QueueUrl=queue, MaxNumberOfMessages=10, MessageSystemAttributeNames=["MessageGroupId"]
    ).get("Messages", [])
    return [message["Attributes"]["MessageGroupId"] for message in messages]


def test_fair_queue_a_noisy_group_does_not_starve_a_quiet_one(sqs: Any, queue: str) -> None:
    send_group(sqs, queue, "noisy", 300)
    send_group(sqs, queue, "quiet", 3)
    first = [receive_groups(sqs, queue) for _ in range(3)]
    assert sum(groups.count("quiet") for groups in first) == 3
    backlog = [receive_groups(sqs, queue) for _ in range(5)]
    assert {group for groups in backlog for group in groups} == {"noisy"}
    send_group(sqs, queue, "late", 2)
    assert receive_groups(sqs, queue).count("late") == 2


def test_long_poll_answers_as_soon_as_a_message_arrives(sqs: Any, queue: str, server: Any) -> None:
    sender = server.client("sqs")

    def send_later() -> None:
        time.sleep(0.5)
        sender.send_message(QueueUrl=queue, MessageBody="late")

    thread = threading.Thread(target=send_later)
    started = time.monotonic()
    thread.start()
    response = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=10)
    elapsed = time.monotonic() - started
    thread.join()
    assert response["Messages"][0]["Body"] == "late"
    assert 0.4 < elapsed < 3


def test_queue_default_wait_time_long_polls(sqs: Any, server: Any) -> None:
    url = sqs.create_queue(QueueName="waits", Attributes={"ReceiveMessageWaitTimeSeconds": "10"})["QueueUrl"]
    timer = threading.Timer(0.5, lambda: server.client("sqs").send_message(QueueUrl=url, MessageBody="x"))
    started = time.monotonic()
    timer.start()
    response = sqs.receive_message(QueueUrl=url)
    timer.join()
    assert response["Messages"][0]["Body"] == "x"
    assert time.monotonic() - started < 3


def test_receive_with_messages_does_not_wait(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="ready")
    started = time.monotonic()
    response = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=3, WaitTimeSeconds=5)
    assert len(response["Messages"]) == 1
    assert time.monotonic() - started < 2
