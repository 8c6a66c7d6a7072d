"""Record tables: the control-plane objects of every service (queues, topics, roles...).

They are small and few, read on every request and written rarely, so each table is held in
memory and written through to the store: `get`/`list` never touch the database, `put` and
`delete` return once the change is durable. Every record lives under (account, region);
global services (IAM) use the region "global".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, Generic, TypeVar

import orjson

from postoffice.core.store.base import Store

R = TypeVar("R")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS records (
        kind TEXT NOT NULL,
        account TEXT NOT NULL,
        region TEXT NOT NULL,
        key TEXT NOT NULL,
        value BLOB NOT NULL,
        PRIMARY KEY (kind, account, region, key)
    ) WITHOUT ROWID""",
]


def _encode(record: Any) -> bytes:
    if dataclasses.is_dataclass(record):
        record = dataclasses.asdict(record)
    return orjson.dumps(record)


class RecordTable(Generic[R]):
    """All records of one kind, e.g. `sqs.queue`, keyed by (account, region, key)."""

    def __init__(self, store: Store, kind: str, record_type: type[R] | None = None) -> None:
        self.store = store
        self.kind = kind
        self.record_type = record_type
        self._rows: dict[tuple[str, str], dict[str, R]] = {}
        self.load()

    def load(self) -> None:
        self._rows.clear()
        rows = self.store.read(
            lambda conn: conn.execute(
                "SELECT account, region, key, value FROM records WHERE kind = ?", (self.kind,)
            ).fetchall()
        )
        for account, region, key, value in rows:
            self._rows.setdefault((account, region), {})[key] = self._decode(value)

    def _decode(self, value: bytes) -> R:
        data = orjson.loads(value)
        if self.record_type is not None and dataclasses.is_dataclass(self.record_type):
            return self.record_type(**data)  # type: ignore[return-value]
        return data  # type: ignore[no-any-return]

    def get(self, account: str, region: str, key: str) -> R | None:
        partition = self._rows.get((account, region))
        return None if partition is None else partition.get(key)

    def list(self, account: str, region: str) -> list[R]:
        return list(self._rows.get((account, region), {}).values())

    def items(self, account: str, region: str) -> list[tuple[str, R]]:
        return list(self._rows.get((account, region), {}).items())

    def all(self) -> Iterator[tuple[str, str, str, R]]:
        for (account, region), partition in list(self._rows.items()):
            for key, record in list(partition.items()):
                yield account, region, key, record

    async def put(self, account: str, region: str, key: str, record: R) -> None:
        value = _encode(record)
        await self.store.write(
            lambda conn: conn.execute(
                "INSERT OR REPLACE INTO records (kind, account, region, key, value) VALUES (?, ?, ?, ?, ?)",
                (self.kind, account, region, key, value),
            )
        )
        self._rows.setdefault((account, region), {})[key] = record

    async def delete(self, account: str, region: str, key: str) -> R | None:
        await self.store.write(
            lambda conn: conn.execute(
                "DELETE FROM records WHERE kind = ? AND account = ? AND region = ? AND key = ?",
                (self.kind, account, region, key),
            )
        )
        partition = self._rows.get((account, region))
        return None if partition is None else partition.pop(key, None)

    async def clear(self) -> None:
        await self.store.write(lambda conn: conn.execute("DELETE FROM records WHERE kind = ?", (self.kind,)))
        self._rows.clear()
