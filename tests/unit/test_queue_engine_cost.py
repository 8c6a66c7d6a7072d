"""Receive never scans a backlog: its cost in SQLite VM steps is (about) the same with ten
messages queued or a hundred thousand, whatever state the backlog is in."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from postoffice.core.clock import VirtualClock
from postoffice.core.queues import make_queue_engine, sqlite_sql
from postoffice.core.queues.engine import NewMessage, QueueConfig
from postoffice.core.queues.sql_engine import SqlQueueEngine
from postoffice.core.store.sqlite import MemoryStore

BIG = 100_000
SMALL = 10
BATCH = 1000


def _plan_details(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[str]:
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()]


HOT_STATEMENTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "ready ungrouped": (sqlite_sql.SELECT_READY_UNGROUPED, (1, 10)),
    "ready in group": (sqlite_sql.SELECT_READY_IN_GROUP, (1, "g", 10)),
    "any ready": (sqlite_sql.SELECT_ANY_READY, (1, 10)),
    "has ready": (sqlite_sql.HAS_READY, (1,)),
    "open groups": (sqlite_sql.SELECT_OPEN_GROUPS, (1, 10)),
    "has open group": (sqlite_sql.HAS_OPEN_GROUP, (1,)),
    "promote delayed": (sqlite_sql.PROMOTE_STANDARD[1], (1, 5.0, 100)),
    "promote in flight": (sqlite_sql.PROMOTE_FIFO[2], (1, 5.0, 100)),
    "next visible": (sqlite_sql.NEXT_VISIBLE[2], (1,)),
    "count due": (sqlite_sql.COUNT_DUE[1], (1, 5.0)),
    "expire": (sqlite_sql.EXPIRE, (1, 5.0, 100)),
    "expired rows": (sqlite_sql.SELECT_EXPIRED, (1, 5.0)),
    "oldest": (sqlite_sql.OLDEST, (1,)),
    "refresh group": (sqlite_sql.REFRESH_GROUP, (0, 0, 0, 0, 1, "g", 1, "g")),
    "handle target": (sqlite_sql.SELECT_HANDLE_TARGET, (1, 1)),
    "claim": (sqlite_sql.CLAIM, (1.0, 2, 3.0, 4.0, 5)),
    "dedup": (sqlite_sql.SELECT_DEDUP, (1, "", "d", 5.0)),
    "counters": (sqlite_sql.ADJUST_COUNTS, (1, 1, 1, 1)),
}


@pytest.mark.parametrize("name", sorted(HOT_STATEMENTS))
def test_hot_statements_search_an_index(name: str) -> None:
    conn = sqlite3.connect(":memory:")
    for statement in sqlite_sql.SCHEMA:
        conn.execute(statement)
    sql, params = HOT_STATEMENTS[name]
    details = _plan_details(conn, sql, params)
    assert details and all(detail.startswith(("SEARCH", "SCALAR SUBQUERY", "LIST SUBQUERY")) for detail in details)
    assert not any("TEMP B-TREE" in detail or detail.startswith("SCAN") for detail in details), details


class StepCounter:
    """Counts SQLite virtual-machine instructions run on a connection while active."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.steps = 0

    def _tick(self) -> int:
        self.steps += 1
        return 0

    async def measure(self, action: Callable[[], Awaitable[Any]]) -> int:
        self.steps = 0
        self.conn.set_progress_handler(self._tick, 1)
        try:
            await action()
        finally:
            self.conn.set_progress_handler(None, 1)
        return self.steps


Setup = Callable[[SqlQueueEngine, VirtualClock, str, int], Awaitable[None]]


async def _backlog(engine: SqlQueueEngine, queue: str, count: int, **fields: Any) -> None:
    for start in range(0, count, BATCH):
        await engine.send(queue, [NewMessage("x", **fields) for _ in range(min(BATCH, count - start))])


async def visible_backlog(engine: SqlQueueEngine, clock: VirtualClock, queue: str, count: int) -> None:
    await _backlog(engine, queue, count)


async def in_flight_backlog(engine: SqlQueueEngine, clock: VirtualClock, queue: str, count: int) -> None:
    await _backlog(engine, queue, count)
    while await engine.receive(queue, 10, visibility_timeout=3600):
        pass
    await engine.send(queue, [NewMessage("x") for _ in range(SMALL)])


async def delayed_backlog(engine: SqlQueueEngine, clock: VirtualClock, queue: str, count: int) -> None:
    await _backlog(engine, queue, count, delay=900)
    await engine.send(queue, [NewMessage("x") for _ in range(SMALL)])


async def noisy_group_backlog(engine: SqlQueueEngine, clock: VirtualClock, queue: str, count: int) -> None:
    await _backlog(engine, queue, count, group_id="noisy")
    for _ in range(10):
        await engine.receive(queue, 10, visibility_timeout=3600)
    await engine.send(queue, [NewMessage("quiet", group_id=f"q{i}") for i in range(SMALL)])


async def fifo_groups_backlog(engine: SqlQueueEngine, clock: VirtualClock, queue: str, count: int) -> None:
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        await engine.send(queue, [NewMessage("x", group_id=f"g{(start + i) % 500}") for i in range(size)])
    await engine.receive(queue, 10, visibility_timeout=3600)


SETUPS: dict[str, tuple[QueueConfig, Setup]] = {
    "visible": (QueueConfig(), visible_backlog),
    "in flight": (QueueConfig(), in_flight_backlog),
    "delayed": (QueueConfig(), delayed_backlog),
    "fair, noisy group": (QueueConfig(), noisy_group_backlog),
    "fifo, many groups": (QueueConfig(fifo=True), fifo_groups_backlog),
}


async def _costs(config: QueueConfig, setup: Setup, backlog: int) -> tuple[int, int, int]:
    """VM steps of: counts, a receive of 10, the delete of those 10."""
    store = MemoryStore()
    clock = VirtualClock(1_700_000_000.0)
    engine = make_queue_engine(store, clock)
    await engine.create_queue("q", config)
    await setup(engine, clock, "q", backlog)
    await store.flush()
    counter = StepCounter(store._conn)
    received: list[Any] = []

    async def counts() -> None:
        engine.counts("q")

    async def receive() -> None:
        received.extend(await engine.receive("q", 10))

    count_steps = await counter.measure(counts)
    receive_steps = await counter.measure(receive)
    assert len(received) == 10
    delete_steps = await counter.measure(lambda: engine.delete("q", [m.receipt_handle for m in received]))
    store.close()
    return count_steps, receive_steps, delete_steps


@pytest.mark.parametrize("backlog_kind", sorted(SETUPS))
def test_counts_receive_and_delete_cost_does_not_grow_with_the_backlog(backlog_kind: str) -> None:
    config, setup = SETUPS[backlog_kind]
    small = asyncio.run(_costs(config, setup, SMALL * 3))
    big = asyncio.run(_costs(config, setup, BIG))
    # A B-tree seek over 100,000 rows costs a few more steps than over 30; a scan of the
    # backlog would cost hundreds of thousands.
    for small_steps, big_steps in zip(small, big, strict=True):
        assert big_steps < small_steps * 1.5 + 200, (backlog_kind, small, big)


def test_the_step_counter_sees_a_scan() -> None:
    async def scenario() -> tuple[int, int]:
        costs = []
        for count in (SMALL, 10_000):
            store = MemoryStore()
            engine = make_queue_engine(store, VirtualClock(0.0))
            await engine.create_queue("q", QueueConfig())
            await _backlog(engine, "q", count)
            await store.flush()
            counter = StepCounter(store._conn)
            costs.append(await counter.measure(_count_all(store)))
            store.close()
        return costs[0], costs[1]

    small, big = asyncio.run(scenario())
    assert big > small * 100


def _count_all(store: MemoryStore) -> Callable[[], Awaitable[Any]]:
    async def count() -> Any:
        return store.read(lambda conn: conn.execute("SELECT COUNT(*) FROM q_messages WHERE body = 'x'").fetchone())

    return count


def _statements(store: MemoryStore) -> list[str]:
    seen: list[str] = []
    store._conn.set_trace_callback(lambda sql: seen.append(sql.split(None, 1)[0].upper()))
    return seen


@pytest.mark.parametrize(
    ("config", "messages", "at_send", "at_commit"),
    [
        (QueueConfig(), [NewMessage("one")], [], ["INSERT", "UPDATE"]),
        (QueueConfig(), [NewMessage(f"m{i}") for i in range(10)], [], ["INSERT", "UPDATE"]),
        (QueueConfig(), [NewMessage("now"), NewMessage("later", delay=30)], ["INSERT", "INSERT"], ["UPDATE"]),
        (QueueConfig(delay=5), [NewMessage("delayed"), NewMessage("not", delay=0)], ["INSERT", "INSERT"], ["UPDATE"]),
    ],
)
def test_plain_sends_write_their_rows_and_counters_in_a_statement_or_two_per_transaction(
    config: QueueConfig, messages: list[NewMessage], at_send: list[str], at_commit: list[str]
) -> None:
    """Sends to a standard queue without group or deduplication ids take no savepoint and
    no counter update: a send with delayed messages writes its rows in one INSERT; the rows of
    ready-only sends wait and go in one INSERT for the whole transaction, at its commit (or
    before anything else touches messages); the counters of every send of the transaction
    follow in one UPDATE."""

    async def scenario() -> tuple[list[str], list[str]]:
        store = MemoryStore()
        engine = make_queue_engine(store, VirtualClock(1_700_000_000.0))
        await engine.create_queue("q", config)
        await store.flush()
        seen = _statements(store)
        await engine.send("q", messages)
        await engine.send("q", messages)
        sends = list(seen)
        await store.flush()
        store._conn.set_trace_callback(None)
        assert engine.counts("q").visible + engine.counts("q").delayed == 2 * len(messages)
        store.close()
        return sends, seen[len(sends) :]

    sends, commit = asyncio.run(scenario())
    assert sends == ["BEGIN", *at_send]
    assert commit == [*at_commit, "COMMIT"]


def test_a_plain_send_waiting_to_be_written_is_seen_by_what_follows_in_its_transaction() -> None:
    async def scenario() -> None:
        store = MemoryStore()
        engine = make_queue_engine(store, VirtualClock(1_700_000_000.0))
        await engine.create_queue("q", QueueConfig())
        await engine.create_queue("dlq", QueueConfig())
        await store.flush()
        await engine.send("q", [NewMessage("a"), NewMessage("b")])
        assert await engine.move_messages("q", "dlq", 10) == 2  # same transaction: rows written first
        await engine.send("q", [NewMessage("c")])
        await engine.purge("q")
        await store.flush()
        assert engine.counts("q").visible == 0 and engine.counts("dlq").visible == 2
        store.close()

    asyncio.run(scenario())
