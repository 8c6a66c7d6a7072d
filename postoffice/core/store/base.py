"""The store backend interface.

Services never see SQL. They keep control-plane objects in `RecordTable`s (see records.py)
and data-plane messages in the queue engine (core/queues). Both sit on a `Store`, which offers
two primitives:

- `write(fn)`: run `fn(conn)` inside the current write transaction and return its result once
  that transaction is durable. Concurrent writers share one commit (group commit), so
  throughput does not pay one fsync per request. If `fn` raises, its changes are rolled back
  and the exception propagates; nothing else in the group is affected.
  `write(fn, one_statement=True)` promises that `fn` leaves no change of its own behind when
  it raises: it makes its change with one statement, last (SQLite undoes a failed statement by
  itself), so the store need not mark where `fn` began (a savepoint costs two statements).
- `read(fn)`: run `fn(conn)` against committed state (one snapshot), at once.
- `before_commit(name, hook)`: run `hook(conn)` in every write transaction after its writers
  and before it commits, so a schema owner can write once per transaction what its writers
  accumulated (the queue engine's counters and the rows of its plain sends). A hook must not
  raise for ordinary reasons: if it does, the whole transaction is rolled back and all its
  writers get the error. One hook per name; a later one replaces it.

`fn` receives a DB-API connection in the backend's dialect; only core modules that own a
schema (records, queue engine) write such functions, and each keeps its SQL in one place so a
PostgreSQL backend can provide its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
Conn = Any


class Store(ABC):
    kind: str
    dialect: str = "sqlite"

    @abstractmethod
    async def write(self, fn: Callable[[Conn], T], one_statement: bool = False) -> T: ...

    @abstractmethod
    def read(self, fn: Callable[[Conn], T]) -> T: ...

    @abstractmethod
    def before_commit(self, name: str, hook: Callable[[Conn], None]) -> None: ...

    @abstractmethod
    def migrate(self, name: str, statements: list[str]) -> None:
        """Create a schema (idempotent DDL) before the server starts answering."""

    @abstractmethod
    async def flush(self) -> None:
        """Wait until every write issued so far is durable."""

    @abstractmethod
    def close(self) -> None: ...

    def describe(self) -> str:
        return self.kind
