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
import threading
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any, TypeVar

from postoffice.core.store.base import Conn, Store

T = TypeVar("T")
Hook = Callable[[Conn], None]
Ack = tuple["asyncio.Future[Any]", Any]  # a writer's answer, and the result it gets once committed


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
        self._hooks: dict[str, Hook] = {}
        self._in_transaction = False
        self._commit_scheduled = False
        self._committing = False
        self._acks: list[Ack] = []
        self._queued: list[tuple[Callable[[Conn], object], asyncio.Future[Any], bool]] = []
        self._commits: SimpleQueue[tuple[asyncio.AbstractEventLoop, list[Ack]] | None] = SimpleQueue()
        self._committer = threading.Thread(target=self._commit_forever, name="postoffice-commit", daemon=True)
        self._committer.start()

    def describe(self) -> str:
        return f"sqlite ({self.path})"

    def migrate(self, name: str, statements: list[str]) -> None:
        for statement in statements:
            self._conn.execute(statement)

    def before_commit(self, name: str, hook: Hook) -> None:
        self._hooks[name] = hook

    async def write(self, fn: Callable[[Conn], T], one_statement: bool = False) -> T:
        loop = asyncio.get_running_loop()
        if self._committing:
            queued: asyncio.Future[Any] = loop.create_future()
            self._queued.append((fn, queued, one_statement))
            return await queued  # type: ignore[no-any-return]
        result = self._execute(fn, one_statement)
        answer: asyncio.Future[Any] = loop.create_future()
        self._acks.append((answer, result))
        if not self._commit_scheduled:
            self._schedule_commit(loop)
        return await answer  # type: ignore[no-any-return]

    def _execute(self, fn: Callable[[Conn], T], one_statement: bool) -> T:
        if not self._in_transaction:
            self._conn.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
        if one_statement:
            return fn(self._conn)
        return _run_savepointed(self._conn, fn)

    def _schedule_commit(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._commit_scheduled:
            self._commit_scheduled = True
            loop.call_soon(self._start_commit, loop)

    def _start_commit(self, loop: asyncio.AbstractEventLoop) -> None:
        self._commit_scheduled = False
        if not self._in_transaction:
            return
        acks, self._acks = self._acks, []
        try:
            self._run_hooks()
        except Exception as error:
            self._in_transaction = False
            try:
                if self._conn.in_transaction:  # (SQLite may have rolled it back itself)
                    self._conn.execute("ROLLBACK")
            finally:
                _answer(acks, error)
            return
        self._committing = True
        self._commits.put((loop, acks))

    def _run_hooks(self) -> None:
        for hook in self._hooks.values():
            hook(self._conn)

    def _commit_forever(self) -> None:
        """The commit thread: COMMIT (the fsync) off the event loop, then back to it."""
        while True:
            job = self._commits.get()
            if job is None:
                return
            loop, acks = job
            error: Exception | None = None
            try:
                self._conn.execute("COMMIT")
            except Exception as exc:
                error = exc
            try:
                loop.call_soon_threadsafe(self._finish_commit, loop, acks, error)
            except RuntimeError:  # the loop is closed: nobody is waiting any more
                self._committing = False
                self._in_transaction = False

    def _finish_commit(self, loop: asyncio.AbstractEventLoop, acks: list[Ack], error: Exception | None) -> None:
        self._committing = False
        self._in_transaction = False
        if error is not None and self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
        _answer(acks, error)
        queued, self._queued = self._queued, []
        for fn, answer, one_statement in queued:
            # a queued change runs even if its writer was cancelled meanwhile, as it would have
            # had the writer come a moment earlier (the queue engine counts on this)
            try:
                result = self._execute(fn, one_statement)
            except Exception as exc:  # the writer's own error goes back to that writer
                if not answer.done():
                    answer.set_exception(exc)
                continue
            self._acks.append((answer, result))
        if self._acks:
            self._schedule_commit(loop)

    def read(self, fn: Callable[[Conn], T]) -> T:
        """`fn` sees one snapshot: a commit that ends in the middle of it (the commit thread
        runs beside the loop) shows in none of its statements."""
        reader = self._reader
        if reader.in_transaction:  # a read inside a read
            return fn(reader)
        reader.execute("BEGIN")
        try:
            return fn(reader)
        finally:
            reader.execute("COMMIT")

    async def flush(self) -> None:
        if self._in_transaction or self._committing or self._queued:
            await self.write(lambda conn: None, one_statement=True)

    def close(self) -> None:
        if self._in_transaction and not self._committing:
            self._run_hooks()
            self._conn.execute("COMMIT")
        self._commits.put(None)
        self._committer.join()
        self._reader.close()
        self._conn.close()


def _answer(acks: list[Ack], error: Exception | None) -> None:
    for answer, result in acks:
        if answer.done():
            continue
        if error is None:
            answer.set_result(result)
        else:
            answer.set_exception(error)


class MemoryStore(Store):
    """The same schema and SQL in an in-memory SQLite database: identical behaviour, no disk.

    Nothing here is durable, so a writer gets its answer at once. Writes of one loop tick
    share a transaction (SQLite runs a statement in an open transaction faster than one that
    commits by itself), committed at the end of the tick; the before-commit hooks run then,
    or earlier when a read comes (readers share the writers' connection, so they never see a
    change without the hooks' writes that go with it)."""

    kind = "memory"

    def __init__(self) -> None:
        self._conn = _connect(":memory:")
        self._hooks: dict[str, Hook] = {}
        self._hooks_due = False
        self._in_transaction = False
        self._commit_on: asyncio.AbstractEventLoop | None = None

    def migrate(self, name: str, statements: list[str]) -> None:
        for statement in statements:
            self._conn.execute(statement)

    def before_commit(self, name: str, hook: Hook) -> None:
        self._hooks[name] = hook

    async def write(self, fn: Callable[[Conn], T], one_statement: bool = False) -> T:
        loop = asyncio.get_running_loop()
        if self._commit_on is not loop:  # (a commit scheduled on a loop since closed never ran)
            if not self._in_transaction:
                self._conn.execute("BEGIN")
                self._in_transaction = True
            self._commit_on = loop
            loop.call_soon(self._commit)
        self._hooks_due = True
        if one_statement:
            return fn(self._conn)
        return _run_savepointed(self._conn, fn)

    def _commit(self) -> None:
        self._commit_on = None
        if not self._in_transaction:
            return
        self._in_transaction = False
        try:
            if self._hooks_due:
                self._run_hooks()
        finally:
            self._conn.execute("COMMIT")

    def _run_hooks(self) -> None:
        self._hooks_due = False
        for hook in self._hooks.values():
            hook(self._conn)

    def read(self, fn: Callable[[Conn], T]) -> T:
        if self._hooks_due:
            self._run_hooks()
        return fn(self._conn)

    async def flush(self) -> None:
        self._commit()

    def close(self) -> None:
        self._commit()
        self._conn.close()
