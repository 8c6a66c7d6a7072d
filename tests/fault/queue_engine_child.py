"""Run a queue engine under load until killed, reporting every acknowledged change on stdout.

Usage: python queue_engine_child.py DATA_DIR

Four producers send to a standard queue (single sends and batches) and to a FIFO queue (one
message group per producer, numbered in order); four consumers receive, then delete. Each line
is printed, and flushed, only after the engine call it reports has returned:

    S std <message id>                  a send acknowledged
    S fifo <message id> <group> <n>     a FIFO send acknowledged; n counts up within its group
    R fifo <message id> <group> <n>     a FIFO message received
    X <queue> <message id>              a delete about to be asked for (it may commit unreported)
    D <queue> <message id>              a delete acknowledged (and the handle was current)
"""

from __future__ import annotations

import asyncio
import sys

from postoffice.core.clock import RealClock
from postoffice.core.queues import make_queue_engine
from postoffice.core.queues.engine import NewMessage, QueueConfig
from postoffice.core.store.sqlite import SqliteStore

PRODUCERS = 4
CONSUMERS = 4
VISIBILITY = 600.0  # nothing is received twice within the run: every delete uses a current handle


def report(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def produce(engine, index: int) -> None:  # type: ignore[no-untyped-def]
    group = f"p{index}"
    n = 0
    round_ = 0
    while True:
        round_ += 1
        size = 1 if round_ % 2 else 5
        for sent in await engine.send("std", [NewMessage(f"{index}:{round_}:{k}") for k in range(size)]):
            report(f"S std {sent.message_id}")
        batch = [NewMessage(str(n + k), group_id=group, deduplication_id=f"{group}-{n + k}") for k in range(3)]
        for k, sent in enumerate(await engine.send("fifo", batch)):
            report(f"S fifo {sent.message_id} {group} {n + k}")
        n += 3


async def consume(engine) -> None:  # type: ignore[no-untyped-def]
    while True:
        for queue in ("std", "fifo"):
            messages = await engine.receive(queue, 10, wait_seconds=0.05)
            if queue == "fifo":
                for message in messages:
                    report(f"R fifo {message.message_id} {message.group_id} {message.body}")
            for message in messages:
                report(f"X {queue} {message.message_id}")
            results = await engine.delete(queue, [message.receipt_handle for message in messages])
            for message, result in zip(messages, results, strict=True):
                if result.error is None:
                    report(f"D {queue} {message.message_id}")


async def main(data_dir: str) -> None:
    engine = make_queue_engine(SqliteStore(data_dir), RealClock())
    await engine.start()
    await engine.create_queue("std", QueueConfig(visibility_timeout=VISIBILITY))
    await engine.create_queue("fifo", QueueConfig(fifo=True, visibility_timeout=VISIBILITY))
    report("READY")
    tasks = [produce(engine, index) for index in range(PRODUCERS)] + [consume(engine) for _ in range(CONSUMERS)]
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
