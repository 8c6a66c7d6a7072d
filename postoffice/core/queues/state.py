"""What the engine keeps about each queue, and the changes one engine call accumulates.

Counter and group changes are tallied while a call's statements run. Group changes are
written together at its end (`Tally.flush`): one statement per touched group, whatever the
number of messages. Counter changes go on to the engine, which writes those of every call in
a store transaction once, just before it commits.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import orjson

from postoffice.core.queues.engine import QueueConfig
from postoffice.core.store.base import Conn

READY, DELAYED, IN_FLIGHT = 0, 1, 2
INF = math.inf
SEQUENCE_BASE = 10**19  # FIFO sequence numbers are 20-digit strings, increasing per queue


@dataclass(eq=False)
class QueueState:
    sid: int  # storage id: changes when the queue is purged
    name: str
    config: QueueConfig
    lineage: int  # storage id at creation: the FIFO deduplication history survives a purge
    tag: int
    next_due: float = INF  # no delayed or in-flight message becomes visible before this
    next_expiry: float = INF  # no message outlives its retention before this
    settling: int = 0  # uncommitted transactions that made due messages of this queue ready


class Tally:
    """Counter and group changes of one transaction, applied together at the end."""

    __slots__ = ("counts", "groups", "settled_queues", "wake")

    def __init__(self) -> None:
        self.counts: dict[int, list[int]] = {}
        self.groups: dict[tuple[int, str], list[Any]] = {}
        self.wake: dict[str, int] = {}
        self.settled_queues: list[QueueState] = []

    def settling(self, queue: QueueState) -> None:
        """`queue` has due messages made ready by this transaction, not yet committed."""
        queue.settling += 1
        self.settled_queues.append(queue)

    def settled(self) -> None:
        """The transaction is over (committed or not)."""
        for queue in self.settled_queues:
            queue.settling -= 1
        self.settled_queues.clear()

    def count(self, sid: int, ready: int = 0, delayed: int = 0, inflight: int = 0) -> None:
        current = self.counts.get(sid)
        if current is None:
            self.counts[sid] = [ready, delayed, inflight]
        else:
            current[0] += ready
            current[1] += delayed
            current[2] += inflight

    def count_state(self, sid: int, state: int, delta: int) -> None:
        if state == READY:
            self.count(sid, ready=delta)
        elif state == DELAYED:
            self.count(sid, delayed=delta)
        else:
            self.count(sid, inflight=delta)

    def group(self, queue: QueueState, grp: str, total: int = 0, inflight: int = 0) -> None:
        key = (queue.sid, grp)
        current = self.groups.get(key)
        if current is None:
            self.groups[key] = [queue.config.fifo, total, inflight]
        else:
            current[1] += total
            current[2] += inflight

    def woke(self, name: str, count: int) -> None:
        if count > 0:
            self.wake[name] = self.wake.get(name, 0) + count

    def flush(self, conn: Conn, sql: ModuleType) -> None:
        if self.groups:
            refresh, drop = [], []
            for (sid, grp), (fifo, total, inflight) in self.groups.items():
                refresh.append((total, inflight, fifo, inflight, sid, grp, sid, grp))
                if total < 0:
                    drop.append((sid, grp))
            conn.executemany(sql.REFRESH_GROUP, refresh)
            if drop:
                conn.executemany(sql.DROP_EMPTY_GROUP, drop)
            self.groups.clear()


def encode_config(config: QueueConfig) -> bytes:
    return orjson.dumps(dataclasses.asdict(config))


def decode_config(blob: bytes) -> QueueConfig:
    data = orjson.loads(blob)
    known = {f.name for f in dataclasses.fields(QueueConfig)}
    return QueueConfig(**{key: value for key, value in data.items() if key in known})


def sequence_number(seqno: int | None) -> str | None:
    return None if seqno is None else str(SEQUENCE_BASE + seqno)


def note_group(groups: dict[str, list[Any]], grp: str, ready_rank: float | None) -> None:
    current = groups.get(grp)
    if current is None:
        groups[grp] = [1, ready_rank]
        return
    current[0] += 1
    if ready_rank is not None and (current[1] is None or ready_rank < current[1]):
        current[1] = ready_rank
