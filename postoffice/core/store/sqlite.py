"""SQLite backends: the durable default (`sqlite`) and the throw-away one (`memory`).

Durable store: one file in WAL mode with `synchronous=FULL`. Writers run their statements
on the event loop (microseconds each) inside an open transaction; a commit is started at
the end of the loop tick and runs in a dedicated thread, so the fsync never blocks the loop.
Writers that arrive while a commit is in flight are queued and run together in the next
transaction: one fsync serves every request of a burst (group commit). Each writer gets its
answer only after the commit that holds its changes has returned.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from postoffice.core.store.base import Conn, Store

T = TypeVar("T")


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA foreign_keys=OFF")
    return conn


def _run_savepointed(conn: sqlite3.Connection, fn: Callable[[Conn], T]) -> T:
    conn.execute("SAVEPOINT w")
    try:
        result = fn(conn)
    except BaseException:
        conn.execute("ROLLBACK TO w")
        conn.execute("RELEASE w")
        raise
    conn.execute("RELEASE w")
    return result


class SqliteStore(Store):
    kind = "sqlite"

    def __init__(self, data_dir: str) -> None:
        os.makedirs(data_dir, exist_ok=True)
        self.path = os.path.join(data_dir, "postoffice.db")
        self._conn = _connect(self.path)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA wal_autocheckpoint=4000")
        self._reader = _connect(self.path)
        self._reader.execute("PRAGMA query_only=1")
        self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postoffice-commit")
        self._in_transaction = False
        self._commit_scheduled = False
        self._committing = False
        self._waiting_for_commit: list[asyncio.Future[None]] = []
        self._queued: list[tuple[Callable[[Conn], object], asyncio.Future[object]]] = []

    def describe(self) -> str:
        return f"sqlite ({self.path})"

    def migrate(self, name: str, statements: list[str]) -> None:
        for statement in statements:
            self._conn.execute(statement)

    async def write(self, fn: Callable[[Conn], T]) -> T:
        loop = asyncio.get_running_loop()
        if self._committing:
            queued: asyncio.Future[object] = loop.create_future()
            self._queued.append((fn, queued))
            return await queued  # type: ignore[return-value]
        result = self._execute(fn)
        committed: asyncio.Future[None] = loop.create_future()
        self._waiting_for_commit.append(committed)
        self._schedule_commit(loop)
        await committed
        return result

    def _execute(self, fn: Callable[[Conn], T]) -> T:
        if not self._in_transaction:
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
        return _run_savepointed(self._conn, fn)

    def _schedule_commit(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._commit_scheduled:
            self._commit_scheduled = True
            loop.call_soon(self._start_commit, loop)

    def _start_commit(self, loop: asyncio.AbstractEventLoop) -> None:
        self._commit_scheduled = False
        if not self._in_transaction:
            return
        self._committing = True
        waiters, self._waiting_for_commit = self._waiting_for_commit, []
        done = loop.run_in_executor(self._committer, self._conn.execute, "COMMIT")
        done.add_done_callback(lambda f: self._finish_commit(loop, f, waiters))

    def _finish_commit(
        self,
        loop: asyncio.AbstractEventLoop,
        done: asyncio.Future[object],
        waiters: list[asyncio.Future[None]],
    ) -> None:
        self._committing = False
        self._in_transaction = False
        error = done.exception()
        for waiter in waiters:
            if waiter.done():
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)
        queued, self._queued = self._queued, []
        for fn, answer in queued:
            try:
                result = self._execute(fn)
            except Exception as exc:  # the writer's own error goes back to that writer
                if not answer.done():
                    answer.set_exception(exc)
                continue
            committed: asyncio.Future[None] = loop.create_future()
            committed.add_done_callback(_forward(answer, result))
            self._waiting_for_commit.append(committed)
        if self._waiting_for_commit:
            self._schedule_commit(loop)

    def read(self, fn: Callable[[Conn], T]) -> T:
        return fn(self._reader)

    async def flush(self) -> None:
        if self._in_transaction or self._committing or self._queued:
            await self.write(lambda conn: None)

    def close(self) -> None:
        if self._in_transaction and not self._committing:
            self._conn.execute("COMMIT")
        self._committer.shutdown(wait=True)
        self._reader.close()
        self._conn.close()


def _forward(answer: asyncio.Future[object], result: object) -> Callable[[asyncio.Future[None]], None]:
    def forward(committed: asyncio.Future[None]) -> None:
        if answer.done():
            return
        error = committed.exception()
        if error is None:
            answer.set_result(result)
        else:
            answer.set_exception(error)

    return forward


class MemoryStore(Store):
    """The same schema and SQL in an in-memory SQLite database: identical behaviour, no disk."""

    kind = "memory"

    def __init__(self) -> None:
        self._conn = _connect(":memory:")

    def migrate(self, name: str, statements: list[str]) -> None:
        for statement in statements:
            self._conn.execute(statement)

    async def write(self, fn: Callable[[Conn], T]) -> T:
        self._conn.execute("BEGIN")
        try:
            result = fn(self._conn)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
        return result

    def read(self, fn: Callable[[Conn], T]) -> T:
        return fn(self._conn)

    async def flush(self) -> None:
        return None

    def close(self) -> None:
        self._conn.close()
