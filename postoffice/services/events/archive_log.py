"""Archived events, kept in the store's append-only event log (one group per archive)."""

from __future__ import annotations

from typing import Any

import orjson

from postoffice.core.store.base import Store
from postoffice.core.store.event_log import EventLog, Position, Record
from postoffice.services.events.envelope import parse_time

NAMESPACE = "events.archive"
STREAM = "events"


def _group(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


def event_timestamp_ms(event: dict[str, Any], fallback: float) -> int:
    when = parse_time(event.get("time", "")) if isinstance(event.get("time"), str) else None
    return int((fallback if when is None else when) * 1000)


class ArchiveLog:
    def __init__(self, store: Store) -> None:
        self.log = EventLog(store, NAMESPACE)

    async def append(self, account: str, region: str, name: str, events: list[dict[str, Any]], now: float) -> None:
        records = [(event_timestamp_ms(event, now), orjson.dumps(event)) for event in events]
        await self.log.append(_group(account, region, name), STREAM, records, int(now * 1000), create=True)

    def size(self, account: str, region: str, name: str) -> tuple[int, int]:
        """(events, bytes) the archive holds."""
        return self.log.group_size(_group(account, region, name))

    def read(
        self, account: str, region: str, name: str, start_ms: int, end_ms: int, after: Position | None, limit: int
    ) -> list[Record]:
        return self.log.read(_group(account, region, name), start=start_ms, end=end_ms, cursor=after, limit=limit)

    async def expire(self, account: str, region: str, name: str, before: float) -> int:
        return await self.log.expire(_group(account, region, name), int(before * 1000))

    async def drop(self, account: str, region: str, name: str) -> None:
        await self.log.delete_group(_group(account, region, name))

    async def clear(self) -> None:
        await self.log.clear()
