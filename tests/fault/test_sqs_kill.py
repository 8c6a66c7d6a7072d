"""kill -9 under SQS load: nothing acknowledged is lost, FIFO order per group survives.

Producers record every send SQS acknowledged, consumers every delete it acknowledged. After
SIGKILL and a restart on the same data directory, every acknowledged send must have been
acknowledged as deleted or still be in the queue.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import defaultdict
from typing import Any

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))

from server import ServerProcess  # noqa: E402

RUN_SECONDS = 2.0
PRODUCERS = 4
CONSUMERS = 4
FIFO_GROUPS = 4
QUEUE_ATTRIBUTES = {"VisibilityTimeout": "2"}


class Ledger:
    """What the clients were told, shared by all threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: set[str] = set()
        self.deleted: set[str] = set()
        self.unanswered: set[str] = set()
        self.fifo_sent: dict[str, list[int]] = defaultdict(list)
        self.fifo_deleted: dict[str, set[int]] = defaultdict(set)
        self.fifo_unanswered: dict[str, set[int]] = defaultdict(set)
        self.fifo_seen: dict[str, list[int]] = defaultdict(list)
        self.stop = threading.Event()


def produce(server: ServerProcess, url: str, worker: int, ledger: Ledger) -> None:
    sqs = server.client("sqs")
    number = 0
    while not ledger.stop.is_set():
        try:
            sent = sqs.send_message(QueueUrl=url, MessageBody=f"p{worker}-{number}")
        except Exception:
            return
        with ledger.lock:
            ledger.sent.add(sent["MessageId"])
        number += 1


def produce_fifo(server: ServerProcess, url: str, group: str, ledger: Ledger) -> None:
    sqs = server.client("sqs")
    sequence = 0
    while not ledger.stop.is_set():
        try:
            sqs.send_message(
                QueueUrl=url,
                MessageBody=str(sequence),
                MessageGroupId=group,
                MessageDeduplicationId=f"{group}-{sequence}",
            )
        except Exception:
            return
        with ledger.lock:
            ledger.fifo_sent[group].append(sequence)
        sequence += 1


def consume(server: ServerProcess, url: str, ledger: Ledger, fifo: bool) -> None:
    sqs = server.client("sqs")
    while not ledger.stop.is_set():
        try:
            messages = sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["MessageGroupId"]
            ).get("Messages", [])
        except Exception:
            return
        if fifo:
            with ledger.lock:
                for message in messages:
                    ledger.fifo_seen[message["Attributes"]["MessageGroupId"]].append(int(message["Body"]))
        if not messages:
            continue
        try:
            result = sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
        except Exception:
            # The server died during this delete: it may have committed without answering.
            record(ledger, messages, fifo, ledger.unanswered, ledger.fifo_unanswered)
            return
        deleted = {int(entry["Id"]) for entry in result.get("Successful", [])}
        record(ledger, [m for i, m in enumerate(messages) if i in deleted], fifo, ledger.deleted, ledger.fifo_deleted)


def record(
    ledger: Ledger, messages: list[dict[str, Any]], fifo: bool, ids: set[str], sequences: dict[str, set[int]]
) -> None:
    with ledger.lock:
        for message in messages:
            if fifo:
                sequences[message["Attributes"]["MessageGroupId"]].add(int(message["Body"]))
            else:
                ids.add(message["MessageId"])


def first_seen(sequences: list[int]) -> list[int]:
    """Sequence numbers in the order they were first received (redeliveries dropped)."""
    seen: set[int] = set()
    order = []
    for sequence in sequences:
        if sequence not in seen:
            seen.add(sequence)
            order.append(sequence)
    return order


def drain(sqs: Any, url: str, deadline: float) -> list[dict[str, Any]]:
    """Every message left, deleting as it goes; done when the queue counts nothing twice running."""
    drained: list[dict[str, Any]] = []
    quiet = 0
    while quiet < 2:
        assert time.monotonic() < deadline, "the queue did not drain"
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["MessageGroupId"]
        ).get("Messages", [])
        for message in messages:
            drained.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if messages:
            quiet = 0
            continue
        counts = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        quiet = quiet + 1 if all(value == "0" for value in counts.values()) else 0
    return drained


@pytest.mark.timeout(180)
def test_acknowledged_messages_survive_kill_9() -> None:
    server = ServerProcess(store="sqlite").start()
    restarted: ServerProcess | None = None
    try:
        sqs = server.client("sqs")
        url = sqs.create_queue(QueueName="durable", Attributes=QUEUE_ATTRIBUTES)["QueueUrl"]
        fifo_url = sqs.create_queue(QueueName="durable.fifo", Attributes={"FifoQueue": "true", **QUEUE_ATTRIBUTES})[
            "QueueUrl"
        ]
        ledger = Ledger()
        threads = [threading.Thread(target=produce, args=(server, url, i, ledger)) for i in range(PRODUCERS)]
        threads += [threading.Thread(target=consume, args=(server, url, ledger, False)) for _ in range(CONSUMERS)]
        threads += [
            threading.Thread(target=produce_fifo, args=(server, fifo_url, f"g{i}", ledger)) for i in range(FIFO_GROUPS)
        ]
        threads.append(threading.Thread(target=consume, args=(server, fifo_url, ledger, True)))
        for thread in threads:
            thread.start()
        time.sleep(RUN_SECONDS)
        server.kill()
        ledger.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        assert ledger.sent, "no send was acknowledged before the kill"
        assert ledger.deleted, "no delete was acknowledged before the kill"

        restarted = ServerProcess(store="sqlite", data_dir=server.data_dir).start()
        sqs = restarted.client("sqs")
        path = "/000000000000/"
        url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
        fifo_url = sqs.get_queue_url(QueueName="durable.fifo")["QueueUrl"]
        assert url.endswith(path + "durable")
        deadline = time.monotonic() + 120
        remaining = {message["MessageId"] for message in drain(sqs, url, deadline)}
        # A delete in flight at the kill may have committed without its answer reaching the client.
        lost = ledger.sent - ledger.deleted - remaining - ledger.unanswered
        assert not lost, f"{len(lost)} acknowledged sends lost of {len(ledger.sent)}"

        after: dict[str, list[int]] = defaultdict(list)
        for message in drain(sqs, fifo_url, deadline):
            after[message["Attributes"]["MessageGroupId"]].append(int(message["Body"]))
        for group, sequences in ledger.fifo_sent.items():
            kept = ledger.fifo_deleted[group] | ledger.fifo_unanswered[group] | set(after[group])
            missing = set(sequences) - kept
            assert not missing, f"group {group} lost acknowledged sends {sorted(missing)[:10]}"
            assert after[group] == sorted(set(after[group])), f"group {group} out of order after restart"
            before = first_seen(ledger.fifo_seen[group])
            assert before == sorted(before), f"group {group} out of order before the kill"
            unseen = [sequence for sequence in after[group] if sequence not in set(before)]
            assert not before or not unseen or min(unseen) > max(before), f"group {group} reordered across restart"
    finally:
        server.kill()
        if restarted is not None:
            restarted.stop()
