"""kill -9 while a message move task redrives a dead-letter queue: no message is lost or doubled.

Each step of a move task is one engine transaction, so whatever instant the kill lands on,
every message is afterwards in exactly one queue, and the resumed task finishes the job.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))

from server import ServerProcess  # noqa: E402

MESSAGES = 1000
RATE = 500  # messages a second, the most SQS allows: the task runs for about two seconds
DLQ_ARN = "arn:aws:sqs:us-east-1:000000000000:dlq"
COUNTS = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]


def dead_letter_all(sqs: Any, source_url: str) -> None:
    for start in range(0, MESSAGES, 10):
        entries = [{"Id": str(i), "MessageBody": f"m{i}"} for i in range(start, start + 10)]
        assert not sqs.send_message_batch(QueueUrl=source_url, Entries=entries).get("Failed")
    while sqs.receive_message(QueueUrl=source_url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages"):
        pass


def bodies_in(sqs: Any, url: str) -> list[str]:
    bodies = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        bodies += [message["Body"] for message in messages]
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        )
    return bodies


def stored(sqs: Any, url: str) -> int:
    """Messages in the queue, visible or not."""
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=COUNTS)["Attributes"]
    return sum(int(attributes[name]) for name in COUNTS)


@pytest.mark.timeout(120)
def test_a_redrive_killed_midway_loses_and_doubles_nothing() -> None:
    server = ServerProcess(store="sqlite").start()
    restarted: ServerProcess | None = None
    try:
        sqs = server.client("sqs")
        dlq_url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
        policy = json.dumps({"deadLetterTargetArn": DLQ_ARN, "maxReceiveCount": 1})
        source_url = sqs.create_queue(QueueName="source", Attributes={"RedrivePolicy": policy})["QueueUrl"]
        dead_letter_all(sqs, source_url)
        sqs.start_message_move_task(SourceArn=DLQ_ARN, MaxNumberOfMessagesPerSecond=RATE)
        time.sleep(MESSAGES / RATE / 2)
        server.kill()

        restarted = ServerProcess(store="sqlite", data_dir=server.data_dir).start()
        sqs = restarted.client("sqs")
        deadline = time.monotonic() + 60
        while sqs.list_message_move_tasks(SourceArn=DLQ_ARN)["Results"][0]["Status"] == "RUNNING":
            assert time.monotonic() < deadline, "the resumed task did not finish"
            time.sleep(0.1)
        [task] = sqs.list_message_move_tasks(SourceArn=DLQ_ARN)["Results"]
        assert task["Status"] == "COMPLETED"
        assert sorted(bodies_in(sqs, source_url)) == sorted(f"m{i}" for i in range(MESSAGES))
        assert stored(sqs, dlq_url) == 0, "a moved message is still in the dead-letter queue"
    finally:
        server.kill()
        if restarted is not None:
            restarted.stop()
