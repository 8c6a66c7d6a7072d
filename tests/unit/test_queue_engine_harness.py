"""The harness of the queue engine tests: a fresh engine on each store, on the virtual clock.

Tests are plain functions that build an `async def scenario(env)` and `run` it; `STORES`
parametrizes them over the in-memory and the durable SQLite store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from postoffice.core.clock import VirtualClock
from postoffice.core.queues import make_queue_engine
from postoffice.core.queues.engine import Message, NewMessage, QueueConfig
from postoffice.core.queues.sql_engine import SqlQueueEngine
from postoffice.core.store.base import Store
from postoffice.core.store.sqlite import MemoryStore, SqliteStore

START = 1_700_000_000.0
STORES = pytest.mark.parametrize("store_kind", ["memory", "sqlite"])


@dataclass
class Env:
    kind: str
    data_dir: str
    clock: VirtualClock
    store: Store
    engine: SqlQueueEngine

    async def reopen(self) -> None:
        """A restart: a new engine (and, on SQLite, a new store) on the same data."""
        await self.engine.stop()
        await self.store.flush()
        if self.kind == "sqlite":
            self.store.close()
            self.store = SqliteStore(self.data_dir)
        self.engine = make_queue_engine(self.store, self.clock)
        await self.engine.start()

    async def advance(self, seconds: float) -> None:
        """Move the clock and let what woke up (timers, commits) finish."""
        await self.clock.advance(seconds)
        await settle(self)

    def rows(self, queue: str | None = None) -> int:
        """Message rows in the store (of one queue, or all)."""

        def count(conn: Any) -> int:
            if queue is None:
                return int(conn.execute("SELECT COUNT(*) FROM q_messages").fetchone()[0])
            sid = self.engine._queues[queue].sid
            return int(conn.execute("SELECT COUNT(*) FROM q_messages WHERE queue_id = ?", (sid,)).fetchone()[0])

        return self.store.read(count)


async def settle(env: Env) -> None:
    for _ in range(3):
        for _ in range(20):
            await asyncio.sleep(0)
        await env.store.flush()


def run(store_kind: str, tmp_path: Path, scenario: Callable[[Env], Awaitable[None]], timeout: float = 60.0) -> None:
    async def main() -> None:
        clock = VirtualClock(START)
        store: Store = MemoryStore() if store_kind == "memory" else SqliteStore(str(tmp_path))
        env = Env(store_kind, str(tmp_path), clock, store, make_queue_engine(store, clock))
        await env.engine.start()
        try:
            await asyncio.wait_for(scenario(env), timeout)
        finally:
            await env.engine.stop()
            await env.store.flush()
            env.store.close()

    asyncio.run(main())


def bodies(messages: list[Message]) -> list[str]:
    return [message.body for message in messages]


def handles(messages: list[Message]) -> list[str]:
    return [message.receipt_handle for message in messages]


async def send_bodies(engine: SqlQueueEngine, queue: str, *texts: str, group: str | None = None) -> None:
    await engine.send(queue, [NewMessage(text, group_id=group) for text in texts])


async def new_queue(engine: SqlQueueEngine, name: str = "q", **config: Any) -> str:
    await engine.create_queue(name, QueueConfig(**config))
    return name


@STORES
def test_harness_reopens_the_same_data(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=45.0)
        await send_bodies(env.engine, queue, "kept")
        await env.reopen()
        assert env.engine.config(queue) == QueueConfig(visibility_timeout=45.0)
        assert bodies(await env.engine.receive(queue)) == ["kept"]

    run(store_kind, tmp_path, scenario)
