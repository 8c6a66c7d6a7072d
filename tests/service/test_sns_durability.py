"""kill -9 while publishing: every publish SNS acknowledged is delivered after a restart.

Publish answers once its message is committed on the queue engine; fan-out happens after.
Publishers record every MessageId they were given; after SIGKILL and a restart on the same
SQLite file, every one of them must reach both subscribed queues (at least once, as SNS
promises). The restarted server runs a virtual clock, moved past the visibility timeout of
the fan-out work that was in flight at the kill.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))

from server import ServerProcess  # noqa: E402

PUBLISHERS = 4
RUN_SECONDS = 1.5


def publish(server: ServerProcess, topic: str, worker: int, acknowledged: set[str], stop: threading.Event) -> None:
    sns = server.client("sns")
    number = 0
    while not stop.is_set():
        try:
            answer = sns.publish(TopicArn=topic, Message=f"p{worker}-{number}")
        except Exception:
            return
        acknowledged.add(answer["MessageId"])
        number += 1


def delivered(sqs: Any, url: str, deadline: float) -> set[str]:
    """MessageIds of every message in the queue (short polls: the clock is virtual)."""
    ids: set[str] = set()
    quiet = 0
    while quiet < 20:
        assert time.monotonic() < deadline, "the queue did not drain"
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            ids.add(json.loads(message["Body"])["MessageId"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        quiet = 0 if messages else quiet + 1
        if not messages:
            time.sleep(0.05)
    return ids


@pytest.mark.timeout(180)
def test_acknowledged_publishes_are_delivered_after_kill_9() -> None:
    server = ServerProcess(store="sqlite", clock="virtual").start()
    restarted: ServerProcess | None = None
    try:
        sns, sqs = server.client("sns"), server.client("sqs")
        topic = sns.create_topic(Name="durable")["TopicArn"]
        urls = []
        for name in ("first", "second"):
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
            urls.append(url)
        acknowledged: set[str] = set()
        stop = threading.Event()
        threads = [
            threading.Thread(target=publish, args=(server, topic, worker, acknowledged, stop))
            for worker in range(PUBLISHERS)
        ]
        for thread in threads:
            thread.start()
        time.sleep(RUN_SECONDS)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert len(acknowledged) > 50, "too few publishes were acknowledged before the kill"

        restarted = ServerProcess(store="sqlite", clock="virtual", data_dir=server.data_dir).start()
        restarted.advance(1000)
        sqs = restarted.client("sqs")
        deadline = time.monotonic() + 120
        for url in urls:
            lost = acknowledged - delivered(sqs, url, deadline)
            assert not lost, f"{len(lost)} of {len(acknowledged)} acknowledged publishes never reached {url}"
    finally:
        server.kill()
        if restarted is not None:
            restarted.stop()
