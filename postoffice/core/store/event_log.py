"""A durable, append-only, time-indexed log of records: the data plane behind CloudWatch Logs
events, Step Functions execution history and EventBridge archives.

Records live in named streams, streams in groups, groups in a namespace (one per user of this
module: `logs`, `states.history`, ...). Each record carries its event time (`timestamp`, ms),
an ingestion sequence number (`seq`, unique and increasing within the namespace, so
`(timestamp, seq)` orders records totally), its ingestion time and an opaque payload.

- writes (`create_stream`, `append`, deletes, `expire`) go through `store.write` and return once
  durable; appending keeps per-stream statistics (count, bytes, first/last timestamps) in the
  same transaction, so describing streams never scans their records;
- reads (`read`, `stream`, `streams`, `group_size`, `oldest`) go through `store.read`;
- `read` walks one stream, several, or a whole group merged by time, forwards or backwards
  from an exclusive `Position` cursor, so callers page with keyset tokens, never offsets;
- `expire(group, before)` is one indexed range delete.

All SQL is in this module (SQLite dialect); a PostgreSQL backend supplies its own copy.
The schema is created by the constructor (idempotent DDL), so whoever builds an `EventLog`
migrates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from postoffice.core.store.base import Conn, Store

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS event_log_records (
        ns TEXT NOT NULL,
        grp TEXT NOT NULL,
        stream TEXT NOT NULL,
        ts INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        ingested INTEGER NOT NULL,
        payload BLOB NOT NULL,
        PRIMARY KEY (ns, grp, stream, ts, seq)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS event_log_records_by_time ON event_log_records (ns, grp, ts, seq)",
    """CREATE TABLE IF NOT EXISTS event_log_streams (
        ns TEXT NOT NULL,
        grp TEXT NOT NULL,
        stream TEXT NOT NULL,
        created INTEGER NOT NULL,
        records INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL DEFAULT 0,
        first_ts INTEGER,
        last_ts INTEGER,
        last_ingested INTEGER,
        last_seq INTEGER,
        PRIMARY KEY (ns, grp, stream)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS event_log_sequences (
        ns TEXT PRIMARY KEY,
        last INTEGER NOT NULL
    )""",
]

_STREAM_COLUMNS = "stream, created, records, bytes, first_ts, last_ts, last_ingested, last_seq"


class StreamExists(Exception):
    pass


class StreamNotFound(Exception):
    pass


@dataclass(frozen=True, order=True)
class Position:
    """A place in a group's (timestamp, seq) order; cursors are exclusive."""

    timestamp: int
    seq: int


@dataclass(frozen=True)
class Record:
    stream: str
    timestamp: int
    seq: int
    ingested: int
    payload: bytes

    @property
    def position(self) -> Position:
        return Position(self.timestamp, self.seq)


@dataclass(frozen=True)
class StreamInfo:
    name: str
    created: int
    records: int
    bytes: int
    first_timestamp: int | None
    last_timestamp: int | None
    last_ingested: int | None
    last_seq: int | None


@dataclass(frozen=True)
class Appended:
    first_seq: int
    last_seq: int


def _stream_info(row: Sequence[Any]) -> StreamInfo:
    return StreamInfo(*row)


def _next_string(prefix: str) -> str:
    """The smallest string greater than every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class EventLog:
    def __init__(self, store: Store, namespace: str) -> None:
        self.store = store
        self.ns = namespace
        store.migrate("event_log", SCHEMA)

    # Writes ---------------------------------------------------------------------------

    async def create_stream(self, group: str, stream: str, created: int, *, exist_ok: bool = False) -> bool:
        """Register an empty stream; False (or StreamExists) when it is already there."""

        def create(conn: Conn) -> bool:
            cursor = conn.execute(
                "INSERT INTO event_log_streams (ns, grp, stream, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (ns, grp, stream) DO NOTHING",
                (self.ns, group, stream, created),
            )
            if cursor.rowcount == 0 and not exist_ok:
                raise StreamExists(stream)
            return bool(cursor.rowcount)

        return await self.store.write(create)

    async def append(
        self,
        group: str,
        stream: str,
        records: Sequence[tuple[int, bytes]],
        ingested: int,
        *,
        create: bool = False,
    ) -> Appended:
        """Append (timestamp, payload) records to a stream in one transaction.

        Raises StreamNotFound unless the stream exists or `create` is set.
        """

        def append(conn: Conn) -> Appended:
            if create:
                conn.execute(
                    "INSERT INTO event_log_streams (ns, grp, stream, created) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (ns, grp, stream) DO NOTHING",
                    (self.ns, group, stream, ingested),
                )
            elif (
                conn.execute(
                    "SELECT 1 FROM event_log_streams WHERE ns = ? AND grp = ? AND stream = ?", (self.ns, group, stream)
                ).fetchone()
                is None
            ):
                raise StreamNotFound(stream)
            count = len(records)
            if count == 0:
                return Appended(0, -1)
            last = conn.execute(
                "INSERT INTO event_log_sequences (ns, last) VALUES (?, ?) "
                "ON CONFLICT (ns) DO UPDATE SET last = last + excluded.last RETURNING last",
                (self.ns, count),
            ).fetchone()[0]
            first = last - count + 1
            conn.executemany(
                "INSERT INTO event_log_records (ns, grp, stream, ts, seq, ingested, payload) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (self.ns, group, stream, timestamp, first + i, ingested, payload)
                    for i, (timestamp, payload) in enumerate(records)
                ],
            )
            size = sum(len(payload) for _, payload in records)
            low = min(timestamp for timestamp, _ in records)
            high = max(timestamp for timestamp, _ in records)
            conn.execute(
                "UPDATE event_log_streams SET records = records + ?, bytes = bytes + ?, "
                "first_ts = min(coalesce(first_ts, ?), ?), last_ts = max(coalesce(last_ts, ?), ?), "
                "last_ingested = ?, last_seq = ? WHERE ns = ? AND grp = ? AND stream = ?",
                (count, size, low, low, high, high, ingested, last, self.ns, group, stream),
            )
            return Appended(first, last)

        return await self.store.write(append)

    async def delete_stream(self, group: str, stream: str) -> bool:
        def delete(conn: Conn) -> bool:
            conn.execute(
                "DELETE FROM event_log_records WHERE ns = ? AND grp = ? AND stream = ?", (self.ns, group, stream)
            )
            cursor = conn.execute(
                "DELETE FROM event_log_streams WHERE ns = ? AND grp = ? AND stream = ?", (self.ns, group, stream)
            )
            return bool(cursor.rowcount)

        return await self.store.write(delete)

    async def delete_group(self, group: str) -> None:
        def delete(conn: Conn) -> None:
            conn.execute("DELETE FROM event_log_records WHERE ns = ? AND grp = ?", (self.ns, group))
            conn.execute("DELETE FROM event_log_streams WHERE ns = ? AND grp = ?", (self.ns, group))

        await self.store.write(delete)

    async def clear(self) -> None:
        """Forget every group of this namespace."""

        def delete(conn: Conn) -> None:
            conn.execute("DELETE FROM event_log_records WHERE ns = ?", (self.ns,))
            conn.execute("DELETE FROM event_log_streams WHERE ns = ?", (self.ns,))

        await self.store.write(delete)

    async def expire(self, group: str, before: int) -> int:
        """Delete the group's records with timestamp < `before`; returns how many went."""

        def expire(conn: Conn) -> int:
            touched = conn.execute(
                "SELECT stream, COUNT(*), SUM(length(payload)) FROM event_log_records "
                "WHERE ns = ? AND grp = ? AND ts < ? GROUP BY stream",
                (self.ns, group, before),
            ).fetchall()
            if not touched:
                return 0
            conn.execute("DELETE FROM event_log_records WHERE ns = ? AND grp = ? AND ts < ?", (self.ns, group, before))
            for stream, count, size in touched:
                conn.execute(
                    "UPDATE event_log_streams SET records = records - ?, bytes = bytes - ?, first_ts = "
                    "(SELECT MIN(ts) FROM event_log_records WHERE ns = ? AND grp = ? AND stream = ?) "
                    "WHERE ns = ? AND grp = ? AND stream = ?",
                    (count, size, self.ns, group, stream, self.ns, group, stream),
                )
            return sum(count for _, count, _ in touched)

        return await self.store.write(expire)

    # Reads ----------------------------------------------------------------------------

    def stream(self, group: str, stream: str) -> StreamInfo | None:
        row = self.store.read(
            lambda conn: conn.execute(
                f"SELECT {_STREAM_COLUMNS} FROM event_log_streams WHERE ns = ? AND grp = ? AND stream = ?",
                (self.ns, group, stream),
            ).fetchone()
        )
        return None if row is None else _stream_info(row)

    def streams(
        self,
        group: str,
        *,
        prefix: str | None = None,
        by_last_timestamp: bool = False,
        descending: bool = False,
        after: tuple[int, str] | str | None = None,
        limit: int = 50,
    ) -> list[StreamInfo]:
        """Streams in name order, or in (last timestamp, name) order; `after` is the last key seen."""
        sql = [f"SELECT {_STREAM_COLUMNS} FROM event_log_streams WHERE ns = ? AND grp = ?"]
        args: list[Any] = [self.ns, group]
        if prefix:
            sql.append("AND stream >= ? AND stream < ?")
            args += [prefix, _next_string(prefix)]
        comparison = "<" if descending else ">"
        direction = "DESC" if descending else "ASC"
        if by_last_timestamp:
            if after is not None:
                last, name = after  # type: ignore[misc]
                sql.append(f"AND (coalesce(last_ts, 0), stream) {comparison} (?, ?)")
                args += [last, name]
            sql.append(f"ORDER BY coalesce(last_ts, 0) {direction}, stream {direction}")
        else:
            if after is not None:
                sql.append(f"AND stream {comparison} ?")
                args.append(after)
            sql.append(f"ORDER BY stream {direction}")
        sql.append("LIMIT ?")
        args.append(limit)
        rows = self.store.read(lambda conn: conn.execute(" ".join(sql), args).fetchall())
        return [_stream_info(row) for row in rows]

    def group_size(self, group: str) -> tuple[int, int]:
        """(records, bytes) held by the group."""
        row = self.store.read(
            lambda conn: conn.execute(
                "SELECT coalesce(SUM(records), 0), coalesce(SUM(bytes), 0) FROM event_log_streams "
                "WHERE ns = ? AND grp = ?",
                (self.ns, group),
            ).fetchone()
        )
        return int(row[0]), int(row[1])

    def oldest(self, group: str) -> int | None:
        """The smallest timestamp in the group, or None when it holds no record."""
        row = self.store.read(
            lambda conn: conn.execute(
                "SELECT MIN(ts) FROM event_log_records WHERE ns = ? AND grp = ?", (self.ns, group)
            ).fetchone()
        )
        return None if row is None else row[0]

    def read(
        self,
        group: str,
        *,
        streams: Sequence[str] | None = None,
        prefix: str | None = None,
        start: int | None = None,
        end: int | None = None,
        cursor: Position | None = None,
        descending: bool = False,
        limit: int = 1000,
    ) -> list[Record]:
        """Records of a group in (timestamp, seq) order, oldest first unless `descending`.

        `streams` limits the read to those streams, `prefix` to streams whose name starts with
        it; `start` is inclusive, `end` exclusive; `cursor` is exclusive in the direction read.
        """
        if streams is not None and not streams:
            return []
        sql = ["SELECT stream, ts, seq, ingested, payload FROM event_log_records WHERE ns = ? AND grp = ?"]
        args: list[Any] = [self.ns, group]
        if streams is not None:
            sql.append(f"AND stream IN ({', '.join('?' * len(streams))})")
            args += list(streams)
        if prefix:
            sql.append("AND stream >= ? AND stream < ?")
            args += [prefix, _next_string(prefix)]
        if start is not None:
            sql.append("AND ts >= ?")
            args.append(start)
        if end is not None:
            sql.append("AND ts < ?")
            args.append(end)
        if cursor is not None:
            if descending:
                sql.append("AND ts <= ? AND (ts < ? OR seq < ?)")
            else:
                sql.append("AND ts >= ? AND (ts > ? OR seq > ?)")
            args += [cursor.timestamp, cursor.timestamp, cursor.seq]
        direction = "DESC" if descending else "ASC"
        sql.append(f"ORDER BY ts {direction}, seq {direction} LIMIT ?")
        args.append(limit)
        rows = self.store.read(lambda conn: conn.execute(" ".join(sql), args).fetchall())
        return [Record(stream, ts, seq, ingested, bytes(payload)) for stream, ts, seq, ingested, payload in rows]
