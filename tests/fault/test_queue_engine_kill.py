"""kill -9 a loaded queue engine, reopen its store: nothing acknowledged is lost or undone.

Every acknowledged send must still be there unless a delete of it was asked for (a delete
may commit in the instant before the kill, unreported); no acknowledged delete may come
back; the counters must agree with the rows; FIFO groups keep their order, before the kill
and after the restart.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from postoffice.core.clock import VirtualClock
from postoffice.core.queues import make_queue_engine
from postoffice.core.store.sqlite import SqliteStore

CHILD = Path(__file__).with_name("queue_engine_child.py")
RUN_SECONDS = 2.0


def _run_and_kill(data_dir: str) -> list[list[str]]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    child = subprocess.Popen(
        [sys.executable, str(CHILD), data_dir], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    lines: list[list[str]] = []
    ready = threading.Event()

    def read() -> None:
        assert child.stdout is not None
        for raw in child.stdout:
            line = raw.decode().split()
            if line == ["READY"]:
                ready.set()
            elif line:
                lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(30), child.stderr.read().decode() if child.stderr else "child did not start"
        time.sleep(RUN_SECONDS)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        reader.join(10)
    return lines


def _stored(data_dir: str) -> tuple[dict[str, dict[str, tuple[str | None, int | None, str]]], dict[str, int]]:
    """Message ids left in each queue (with group, sequence and body), and the engine's counts."""

    async def look() -> tuple[dict[str, dict[str, tuple[str | None, int | None, str]]], dict[str, int]]:
        store = SqliteStore(data_dir)
        engine = make_queue_engine(store, VirtualClock(time.time() + 3600))
        stored: dict[str, dict[str, tuple[str | None, int | None, str]]] = {}
        totals: dict[str, int] = {}
        for queue in ("std", "fifo"):
            sid = engine._queues[queue].sid
            rows = store.read(
                lambda conn, sid=sid: conn.execute(
                    "SELECT message_id, grp, seqno, body FROM q_messages WHERE queue_id = ?", (sid,)
                ).fetchall()
            )
            stored[queue] = {row[0]: (row[1], row[2], row[3]) for row in rows}
            counts = engine.counts(queue)
            totals[queue] = counts.visible + counts.in_flight + counts.delayed
        await engine.start()
        received: list[tuple[str, str]] = []
        while batch := await engine.receive("fifo", 10):
            received.extend((message.group_id or "", message.body) for message in batch)
            await engine.delete("fifo", [message.receipt_handle for message in batch])
        totals["fifo received after restart"] = len(received)
        _assert_in_order(received, "after restart")
        await engine.stop()
        store.close()
        return stored, totals

    return asyncio.run(look())


def _assert_in_order(deliveries: list[tuple[str, str]], when: str) -> None:
    last: dict[str, int] = {}
    for group, body in deliveries:
        number = int(body)
        assert number > last.get(group, -1), f"group {group} out of order {when}: {number} after {last[group]}"
        last[group] = number


def test_acknowledged_sends_and_deletes_survive_kill_9(tmp_path: Path) -> None:
    data_dir = str(tmp_path)
    lines = _run_and_kill(data_dir)
    sent: dict[str, set[str]] = defaultdict(set)
    deleted: dict[str, set[str]] = defaultdict(set)
    deleting: dict[str, set[str]] = defaultdict(set)
    fifo_sent: dict[str, list[int]] = defaultdict(list)
    fifo_received: list[tuple[str, str]] = []
    for line in lines:
        if line[0] == "S" and len(line) >= 3:
            sent[line[1]].add(line[2])
            if line[1] == "fifo" and len(line) == 5:
                fifo_sent[line[3]].append(int(line[4]))
        elif line[0] == "D" and len(line) == 3:
            deleted[line[1]].add(line[2])
        elif line[0] == "X" and len(line) == 3:
            deleting[line[1]].add(line[2])
        elif line[0] == "R" and len(line) == 5:
            fifo_received.append((line[3], line[4]))
    assert len(sent["std"]) > 500 and len(sent["fifo"]) > 500, "the load was too light to mean anything"
    assert deleted["std"] and deleted["fifo"]

    stored, totals = _stored(data_dir)
    for queue in ("std", "fifo"):
        present = set(stored[queue])
        lost = sent[queue] - deleting[queue] - present
        assert not lost, f"{len(lost)} acknowledged {queue} sends are gone"
        undone = deleted[queue] & present
        assert not undone, f"{len(undone)} acknowledged {queue} deletes came back"
        assert totals[queue] == len(present), f"{queue} counters disagree with the stored messages"

    _assert_in_order(fifo_received, "before the kill")
    for group, numbers in fifo_sent.items():
        assert numbers == list(range(len(numbers))), f"group {group} sends were acknowledged out of order"
        left = sorted(
            (seqno, int(body)) for grp, seqno, body in stored["fifo"].values() if grp == group and seqno is not None
        )
        assert [number for _, number in left] == sorted(number for _, number in left)
    assert totals["fifo received after restart"] == len(stored["fifo"])
