"""The queue engine on a SQL store: every state change in one durable transaction.

Each call builds its changes in a function that the store runs inside its group-commit
transaction (`store.write`), so a call returns once its change is durable and a crash never
leaves half of one. Time never changes rows by itself: a delayed or in-flight message whose
time has come is still stored as delayed or in flight until a transaction promotes it (a
receive on its queue, or the maintenance task at that moment). Readers that look at stored
state (counts) account for what is due but not yet promoted, so answers are exact whenever
they are asked.

Hot sends cost no more statements than they must: a send to a standard queue without group
or deduplication ids (a plain send) takes no savepoint; its ready rows wait and are written
with those of the transaction's other plain sends in one statement, before anything else in
the transaction touches messages or when it commits; queue counters are written once per
transaction, at commit (the store's before-commit hook).

The SQL lives in one module per dialect (sqlite_sql.py); this module holds the logic.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from types import ModuleType
from typing import Any, TypeVar

import orjson

from postoffice.core.clock import Clock
from postoffice.core.queues import receipts, sqlite_sql
from postoffice.core.queues.consumer import QueueConsumer
from postoffice.core.queues.engine import (
    DEDUPLICATION_WINDOW_SECONDS,
    MAX_VISIBILITY_SECONDS,
    MESSAGE_NOT_AVAILABLE,
    RECEIPT_EXPIRED,
    Consumer,
    Counts,
    EntryResult,
    Message,
    MessageNotInflight,
    MessageSourceUnknown,
    NewMessage,
    QueueConfig,
    QueueEngine,
    QueueEngineError,
    QueueNotFound,
    ReceiptHandleInvalid,
    ReceiptHandleRejected,
    ReceiveAttemptNotRetryable,
    Sent,
    VisibilityTimeoutTooLong,
)
from postoffice.core.queues.ids import message_ids
from postoffice.core.queues.state import (
    DELAYED,
    IN_FLIGHT,
    INF,
    READY,
    QueueState,
    Tally,
    decode_config,
    encode_config,
    note_group,
    sequence_number,
)
from postoffice.core.queues.waiters import Waiters
from postoffice.core.store.base import Conn, Store

log = logging.getLogger("postoffice.queues")
T = TypeVar("T")

RECEIVE_ATTEMPT_WINDOW_SECONDS = 300.0
# Fair queues (standard queues whose messages carry a group id): a group with at least this
# many messages in flight and more than this share of the queue's in-flight messages is a
# noisy neighbour; the others' messages go first. As AWS documents, so at most 9 are noisy.
NOISY_MIN_IN_FLIGHT = 30
NOISY_SHARE = 0.10
MAX_NOISY_GROUPS = 9
HOUSEKEEPING_SECONDS = 60.0
CHUNK = 2000

_DIALECTS: dict[str, ModuleType] = {"sqlite": sqlite_sql}


def schema(dialect: str) -> list[str]:
    return list(_dialect(dialect).SCHEMA)


def _dialect(name: str) -> ModuleType:
    try:
        return _DIALECTS[name]
    except KeyError:
        raise ValueError(f"the queue engine has no SQL for the {name!r} dialect") from None


class SqlQueueEngine(QueueEngine):
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._sql = _dialect(store.dialect)
        self._waiters = Waiters(clock)
        self._queues: dict[str, QueueState] = {}
        self._dropped: dict[int, int | None] = {}
        self._consumers: set[QueueConsumer] = set()
        self._settling_up: set[asyncio.Task[None]] = set()
        self._maintainer: asyncio.Task[None] | None = None
        self._kick = asyncio.Event()
        self._timer_target = -INF
        self._next_cleanup = -INF
        self._stopping = False
        self._new_id = message_ids()
        # Of the open write transaction: counter changes, written once just before it commits,
        # and the rows of plain sends not written yet (`_send_plain`).
        self._pending_counts: dict[int, list[int]] = {}
        self._unwritten: list[tuple[Any, ...]] = []
        store.read(self._load)
        store.before_commit("queues", self._before_commit)

    def _load(self, conn: Conn) -> None:
        sql = self._sql
        for sid, name, blob, lineage in conn.execute(sql.SELECT_QUEUES).fetchall():
            lineage = lineage if lineage is not None else sid
            queue = QueueState(sid, name, decode_config(blob), lineage, receipts.queue_tag(name))
            queue.next_due = self._next_due(conn, queue)
            queue.next_expiry = self._next_expiry(conn, queue)
            self._queues[name] = queue
        self._dropped = dict(conn.execute(sql.SELECT_DROPPED).fetchall())

    # Queues -------------------------------------------------------------------------------

    async def create_queue(self, queue: str, config: QueueConfig) -> None:
        existing = self._queues.get(queue)
        if existing is not None and existing.config == config:
            return
        config = dataclasses.replace(config)
        await self._store.write(self._after_unwritten(lambda conn: self._create(conn, queue, config)))
        self._waiters.wake_all(queue)

    def _create(self, conn: Conn, name: str, config: QueueConfig) -> None:
        sql = self._sql
        blob = encode_config(config)
        queue = self._queues.get(name)
        if queue is not None:
            conn.execute(sql.UPDATE_CONFIG, (blob, queue.sid))
            retention_changed = queue.config.retention != config.retention
            queue.config = config
            if retention_changed:
                self._set_expiry(queue, self._next_expiry(conn, queue))
            return
        (sid,) = conn.execute(sql.INSERT_QUEUE, (name, blob, None, 1)).fetchone()
        conn.execute(sql.SET_LINEAGE, (sid,))
        self._queues[name] = QueueState(sid, name, config, sid, receipts.queue_tag(name))

    def config(self, queue: str) -> QueueConfig | None:
        found = self._queues.get(queue)
        return None if found is None else found.config

    def queue_names(self) -> list[str]:
        return sorted(self._queues)

    async def delete_queue(self, queue: str) -> None:
        """Drop the queue and its messages (their rows go in the background); idempotent."""
        if queue not in self._queues:
            return
        await self._store.write(self._after_unwritten(lambda conn: self._drop(conn, queue)))
        self._waiters.wake_all(queue)
        self._kick.set()

    def _drop(self, conn: Conn, name: str) -> None:
        queue = self._queues.get(name)
        if queue is None:
            return
        conn.execute(self._sql.DELETE_QUEUE, (queue.sid,))
        conn.execute(self._sql.INSERT_DROPPED, (queue.sid, queue.lineage))
        del self._queues[name]
        self._dropped[queue.sid] = queue.lineage

    async def purge(self, queue: str) -> None:
        await self._store.write(self._after_unwritten(lambda conn: self._purge(conn, queue)))
        self._waiters.wake_all(queue)
        self._kick.set()

    def _purge(self, conn: Conn, name: str) -> None:
        sql = self._sql
        queue = self._require(name)
        (next_seqno,) = conn.execute(sql.DELETE_QUEUE, (queue.sid,)).fetchone()
        (sid,) = conn.execute(
            sql.INSERT_QUEUE, (name, encode_config(queue.config), queue.lineage, next_seqno)
        ).fetchone()
        conn.execute(sql.INSERT_DROPPED, (queue.sid, None))
        self._dropped[queue.sid] = None
        queue.sid = sid
        queue.next_due = INF
        queue.next_expiry = INF

    def _require(self, name: str) -> QueueState:
        queue = self._queues.get(name)
        if queue is None:
            raise QueueNotFound(name)
        return queue

    # Send ---------------------------------------------------------------------------------

    async def send(self, queue: str, messages: list[NewMessage]) -> list[Sent]:
        found = self._queues.get(queue)
        if found is None:
            raise QueueNotFound(queue)
        if not messages:
            return []
        plain = not found.config.fifo and len(messages) <= self._sql.PLAIN_ROWS
        if plain:
            for message in messages:
                if message.group_id is not None or message.deduplication_id is not None:
                    plain = False
                    break
        if plain:
            try:
                sent, ready = await self._store.write(
                    lambda conn: self._send_plain(conn, queue, messages), one_statement=True
                )
            except _NotPlain:
                pass
            except asyncio.CancelledError:
                self._wake_all_later(queue)
                raise
            else:
                if ready:
                    self._waiters.wake(queue, ready)
                return sent
        return await self._write(lambda conn, tally: self._send(conn, tally, queue, messages))

    def _send_plain(self, conn: Conn, name: str, messages: list[NewMessage]) -> tuple[list[Sent], int]:
        """A send of messages without group or deduplication id to a standard queue.

        Ready messages are not written at once: their rows wait in `_unwritten` and go with
        those of the other plain sends of the transaction, in one statement, before anything
        else reads or changes messages (`_after_unwritten`) or at commit (`_before_commit`).
        Their counters follow at commit too. A send with delayed messages writes its rows at
        once, in one statement. Either way the store need not mark where the send began."""
        queue = self._queues.get(name)
        if queue is None:
            raise QueueNotFound(name)
        config = queue.config
        if config.fifo:
            raise _NotPlain
        now = self._clock.now()
        new_id = self._new_id
        sent = []
        unwritten = self._unwritten
        queue_delay = config.delay
        timed = queue_delay > 0
        if not timed:
            for message in messages:
                if message.delay is not None and message.delay > 0:
                    timed = True
                    break
        if not timed:
            if len(unwritten) + len(messages) > self._sql.UNWRITTEN_ROWS:
                del unwritten[: self._write_unwritten(conn)]
            sid = queue.sid
            for message in messages:
                message_id = new_id()
                attributes = message.attributes
                unwritten.append((sid, now, message_id, message.body, orjson.dumps(attributes) if attributes else None))
                sent.append(Sent(message_id))
            ready, delayed = len(messages), 0
        else:
            del unwritten[: self._write_unwritten(conn)]  # earlier writers' rows: theirs to keep
            params: list[Any] = [queue.sid, now]
            ready = delayed = 0
            first_due = INF
            for message in messages:
                message_id = new_id()
                delay = queue_delay if message.delay is None else message.delay
                if delay > 0:
                    state, visible = DELAYED, now + delay
                    delayed += 1
                    first_due = min(first_due, visible)
                else:
                    state, visible = READY, now
                    ready += 1
                attributes = message.attributes
                params += (state, visible, message_id, message.body, orjson.dumps(attributes) if attributes else None)
                sent.append(Sent(message_id))
            conn.execute(self._sql.INSERT_TIMED[len(messages)], params)
            self._lower_due(queue, first_due)
        counts = self._pending_counts.get(queue.sid)
        if counts is None:
            self._pending_counts[queue.sid] = [ready, delayed, 0]
        else:
            counts[READY] += ready
            counts[DELAYED] += delayed
        expiry = now + config.retention
        if expiry < queue.next_expiry:
            self._set_expiry(queue, expiry)
        return sent, ready

    def _write_unwritten(self, conn: Conn) -> int:
        """Write the plain sends' waiting rows (one statement); how many. The caller forgets
        them once they are sure to stay: at once, or when its savepoint is released."""
        rows = self._unwritten
        if not rows:
            return 0
        conn.execute(self._sql.INSERT_READY[len(rows)], [value for row in rows for value in row])
        return len(rows)

    def _after_unwritten(self, change: Callable[[Conn], T]) -> Callable[[Conn], T]:
        """`change` with the plain sends' waiting rows written first, so it sees every message
        sent before it."""

        def run(conn: Conn) -> T:
            written = self._write_unwritten(conn)
            result = change(conn)
            del self._unwritten[:written]
            return result

        return run

    def _send(self, conn: Conn, tally: Tally, name: str, messages: list[NewMessage]) -> list[Sent]:
        queue = self._require(name)
        now = self._clock.now()
        if queue.config.fifo:
            sent, ready = self._send_fifo(conn, tally, queue, messages, now)
            tally.woke(name, ready)
            return sent
        sql = self._sql
        sid, queue_delay = queue.sid, queue.config.delay
        rows, sent = [], []
        groups: dict[str, list[Any]] = {}
        ready = delayed = 0
        first_due = INF
        for message in messages:
            message_id = self._new_id()
            delay = queue_delay if message.delay is None else message.delay
            if delay > 0:
                state, visible = DELAYED, now + delay
                delayed += 1
                first_due = min(first_due, visible)
            else:
                state, visible = READY, now
                ready += 1
            grp = message.group_id
            attributes = orjson.dumps(message.attributes) if message.attributes else None
            rows.append(
                (sid, state, grp, visible, visible, now, now, message_id, message.body, attributes,
                 message.deduplication_id, None)
            )  # fmt: skip
            if grp is not None:
                note_group(groups, grp, visible if state == READY else None)
            sent.append(Sent(message_id))
        conn.executemany(sql.INSERT_MESSAGE, rows)
        tally.count(sid, ready=ready, delayed=delayed)
        if groups:
            self._add_to_groups(conn, queue, groups)
        self._lower_due(queue, first_due)
        self._lower_expiry(queue, now + queue.config.retention)
        tally.woke(name, ready)
        return sent

    def _send_fifo(
        self, conn: Conn, tally: Tally, queue: QueueState, messages: list[NewMessage], now: float
    ) -> tuple[list[Sent], int]:
        sql, config = self._sql, queue.config
        by_group = config.deduplication_scope == "messageGroup"
        plan: list[tuple[int, Any]] = []  # (0, index of a new message) | (1, earlier new duplicate) | (2, Sent)
        fresh: list[tuple[NewMessage, str, str | None, str]] = []
        seen: dict[tuple[str, str], int] = {}
        for message in messages:
            grp = message.group_id if message.group_id is not None else ""
            dedup = message.deduplication_id
            if dedup is None and config.content_based_deduplication:
                dedup = hashlib.sha256(message.body.encode()).hexdigest()
            scope = grp if by_group else ""
            if dedup is not None:
                earlier = seen.get((scope, dedup))
                if earlier is not None:
                    plan.append((1, earlier))
                    continue
                original = conn.execute(sql.SELECT_DEDUP, (queue.lineage, scope, dedup, now)).fetchone()
                if original is not None:
                    plan.append((2, Sent(original[0], sequence_number(original[1]), duplicate=True)))
                    continue
                seen[(scope, dedup)] = len(fresh)
            plan.append((0, len(fresh)))
            fresh.append((message, grp, dedup, scope))
        created: list[Sent] = []
        ready = 0
        if fresh:
            (end,) = conn.execute(sql.TAKE_SEQNOS, (len(fresh), queue.sid)).fetchone()
            seqno = end - len(fresh)
            expires = now + DEDUPLICATION_WINDOW_SECONDS
            rows, dedups = [], []
            groups: dict[str, list[Any]] = {}
            delayed = 0
            first_due = INF
            for message, grp, dedup, scope in fresh:
                message_id = self._new_id()
                delay = config.delay if message.delay is None else message.delay
                if delay > 0:
                    state, visible = DELAYED, now + delay
                    delayed += 1
                    first_due = min(first_due, visible)
                else:
                    state, visible = READY, now
                    ready += 1
                attributes = orjson.dumps(message.attributes) if message.attributes else None
                rows.append(
                    (queue.sid, state, grp, seqno, visible, now, now, message_id, message.body, attributes, dedup,
                     seqno)
                )  # fmt: skip
                if dedup is not None:
                    dedups.append((queue.lineage, scope, dedup, message_id, seqno, expires))
                note_group(groups, grp, seqno if state == READY else None)
                created.append(Sent(message_id, sequence_number(seqno)))
                seqno += 1
            conn.executemany(sql.INSERT_MESSAGE, rows)
            if dedups:
                conn.executemany(sql.PUT_DEDUP, dedups)
                self._cleanup_by(expires)
            tally.count(queue.sid, ready=ready, delayed=delayed)
            self._add_to_groups(conn, queue, groups)
            self._lower_due(queue, first_due)
            self._lower_expiry(queue, now + config.retention)
        results = [
            value if kind == 2 else created[value] if kind == 0 else dataclasses.replace(created[value], duplicate=True)
            for kind, value in plan
        ]
        return results, ready

    def _add_to_groups(self, conn: Conn, queue: QueueState, groups: dict[str, list[Any]]) -> None:
        fifo = queue.config.fifo
        conn.executemany(
            self._sql.ADD_TO_GROUP, [(queue.sid, grp, count, rank, fifo) for grp, (count, rank) in groups.items()]
        )

    # Receive ------------------------------------------------------------------------------

    async def receive(
        self,
        queue: str,
        max_messages: int = 1,
        visibility_timeout: float | None = None,
        wait_seconds: float = 0.0,
        attempt_id: str | None = None,
    ) -> list[Message]:
        found = self._require(queue)
        if max_messages <= 0:
            return []
        if attempt_id is not None and found.config.fifo:
            replayed = await self._write(lambda conn, tally: self._replay(conn, queue, attempt_id, visibility_timeout))
            if replayed is not None:
                return replayed
        deadline = self._clock.now() + wait_seconds if wait_seconds > 0 else None

        def claim(conn: Conn, tally: Tally) -> list[Message]:
            return self._claim(conn, tally, queue, max_messages, visibility_timeout, attempt_id)

        first = True
        while True:
            version = self._waiters.version(queue)
            if first or queue in self._queues:
                first = False
                if self._may_have_messages(queue):
                    messages = await self._write(claim)
                    if messages:
                        return messages
            if deadline is None or self._stopping or queue not in self._queues:
                return []
            if self._clock.now() >= deadline:
                return []
            if self._waiters.version(queue) == version:
                await self._waiters.wait(queue, None if deadline == INF else deadline)

    def _may_have_messages(self, name: str) -> bool:
        """A cheap look at committed state, so empty polls do not open write transactions.

        A transaction that promoted due messages has already moved the queue's timers on, but
        until it commits its messages show only to other writers: while one is in flight the
        answer is yes, and the claim (a writer, after it) sees them."""
        queue = self._require(name)
        now = self._clock.now()
        if queue.settling or now >= queue.next_due or now >= queue.next_expiry:
            return True
        probe = self._sql.HAS_OPEN_GROUP if queue.config.fifo else self._sql.HAS_READY
        sid = queue.sid
        return bool(self._store.read(lambda conn: conn.execute(probe, (sid,)).fetchone()))

    def _claim(
        self, conn: Conn, tally: Tally, name: str, want: int, visibility_timeout: float | None, attempt_id: str | None
    ) -> list[Message]:
        sql = self._sql
        queue = self._require(name)
        config = queue.config
        now = self._clock.now()
        self._settle(conn, queue, now, tally)
        timeout = config.visibility_timeout if visibility_timeout is None else visibility_timeout
        dead_letters = self._dead_letter_target(queue)
        limit = config.max_receive_count or 0
        cutoff = now - config.retention
        received: list[Message] = []
        remembered: list[list[Any]] = []
        need = want
        while need > 0:
            rows, more = (
                self._pick_fifo(conn, queue, need) if config.fifo else self._pick_standard(conn, queue, need, tally)
            )
            if not rows:
                break
            expired = [row for row in rows if row[11] <= cutoff]
            if expired:
                rows = [row for row in rows if row[11] > cutoff]
                self._drop_expired(conn, queue, expired, tally)
            moved: list[Any] = []
            if dead_letters is not None:
                moved = [row for row in rows if row[5] >= limit]
                if moved:
                    rows = [row for row in rows if row[5] < limit]
                    self._move_rows(conn, moved, queue, dead_letters, now, tally, dead_letter=True)
            if rows:
                visible = now + timeout
                params = []
                for row in rows:
                    token = receipts.new_token()
                    params.append((visible, token, now, now, row[0]))
                    handle = receipts.encode(queue.tag, queue.sid, row[0], token)
                    first_received = row[6] if row[6] is not None else now
                    received.append(self._message(queue, row, handle, row[5] + 1, first_received))
                    if attempt_id is not None:
                        remembered.append([row[0], token, visible])
                    if row[7] is not None:
                        tally.group(queue, row[7], inflight=1)
                conn.executemany(sql.CLAIM, params)
                tally.count(queue.sid, ready=-len(rows), inflight=len(rows))
                self._lower_due(queue, visible)
                need -= len(rows)
            tally.flush(conn, sql)
            if not (more or moved or expired):
                break
        if remembered and config.fifo:
            expires = now + RECEIVE_ATTEMPT_WINDOW_SECONDS
            conn.execute(sql.PUT_ATTEMPT, (queue.sid, attempt_id, expires, orjson.dumps(remembered)))
            self._cleanup_by(expires)
        return received

    def _pick_standard(self, conn: Conn, queue: QueueState, need: int, tally: Tally) -> tuple[list[Any], bool]:
        """Oldest ready first; with message groups, one message per group per pass, quiet
        groups (and each ungrouped message, its own tenant) before noisy ones."""
        sql, sid = self._sql, queue.sid
        ungrouped = conn.execute(sql.SELECT_READY_UNGROUPED, (sid, need)).fetchall()
        groups = conn.execute(sql.SELECT_OPEN_GROUPS, (sid, need + MAX_NOISY_GROUPS)).fetchall()
        if not groups:
            return ungrouped, False
        (in_flight,) = conn.execute(sql.SELECT_INFLIGHT, (sid,)).fetchone()
        for uncounted in (self._pending_counts.get(sid), tally.counts.get(sid)):
            if uncounted is not None:
                in_flight += uncounted[IN_FLIGHT]
        candidates: list[tuple[float, bool, Any]] = [(row[12], False, row) for row in ungrouped]
        noisy: list[tuple[int, float, str]] = []
        for grp, rank, held in groups:
            if held >= NOISY_MIN_IN_FLIGHT and held > in_flight * NOISY_SHARE:
                noisy.append((held, rank, grp))
            else:
                candidates.append((rank, True, grp))
        candidates.sort(key=lambda candidate: candidate[0])
        noisy.sort()
        picks = [(is_group, value) for _, is_group, value in candidates]
        picks.extend((True, grp) for _, _, grp in noisy)
        del picks[need:]
        chosen_groups = [value for is_group, value in picks if is_group]
        slots = dict.fromkeys(chosen_groups, 1)
        for index in range(need - len(picks) if chosen_groups else 0):
            slots[chosen_groups[index % len(chosen_groups)]] += 1
        rows: list[Any] = []
        for is_group, value in picks:
            if is_group:
                rows.extend(conn.execute(sql.SELECT_READY_IN_GROUP, (sid, value, slots[value])).fetchall())
            else:
                rows.append(value)
        return rows, bool(chosen_groups)

    def _pick_fifo(self, conn: Conn, queue: QueueState, need: int) -> tuple[list[Any], bool]:
        """Whole groups in order, oldest group first, as many of one group's messages as fit."""
        sql, sid = self._sql, queue.sid
        rows: list[Any] = []
        for grp, _, _ in conn.execute(sql.SELECT_OPEN_GROUPS, (sid, need)).fetchall():
            rows.extend(conn.execute(sql.SELECT_READY_IN_GROUP, (sid, grp, need - len(rows))).fetchall())
            if len(rows) >= need:
                break
        return rows, False

    def _drop_expired(self, conn: Conn, queue: QueueState, rows: list[Any], tally: Tally) -> None:
        """Delete ready rows picked by a receive that are past retention (not yet swept)."""
        conn.executemany(self._sql.DELETE_MESSAGE, [(row[0],) for row in rows])
        tally.count(queue.sid, ready=-len(rows))
        for row in rows:
            if row[7] is not None:
                tally.group(queue, row[7], total=-1)

    def _dead_letter_target(self, queue: QueueState) -> QueueState | None:
        config = queue.config
        if not config.max_receive_count or not config.dead_letter_queue:
            return None
        target = self._queues.get(config.dead_letter_queue)
        return None if target is queue else target

    def _message(self, queue: QueueState, row: Any, handle: str, receive_count: int, first_received: float) -> Message:
        attributes = row[3]
        return Message(
            queue=queue.name,
            message_id=row[1],
            body=row[2],
            attributes=orjson.loads(attributes) if attributes else {},
            sent_at=row[4],
            receive_count=receive_count,
            first_received_at=first_received,
            receipt_handle=handle,
            group_id=row[7],
            deduplication_id=row[8],
            sequence_number=sequence_number(row[9]),
            dead_letter_source=row[10],
        )

    def _replay(self, conn: Conn, name: str, attempt_id: str, visibility_timeout: float | None) -> list[Message] | None:
        """The same answer again for a FIFO receive retried within five minutes, visibility reset."""
        sql = self._sql
        queue = self._require(name)
        now = self._clock.now()
        record = conn.execute(sql.SELECT_ATTEMPT, (queue.sid, attempt_id)).fetchone()
        if record is None or record[0] <= now:
            return None
        timeout = queue.config.visibility_timeout if visibility_timeout is None else visibility_timeout
        visible = now + timeout
        messages, params, remembered = [], [], []
        for row_id, token, was_visible in orjson.loads(record[1]):
            row = conn.execute(sql.SELECT_MESSAGE, (row_id,)).fetchone()
            if (
                row is None
                or row[13] != queue.sid
                or row[14] != IN_FLIGHT
                or row[15] != token
                or row[16] != was_visible
                or was_visible <= now
            ):
                raise ReceiveAttemptNotRetryable(attempt_id)
            handle = receipts.encode(queue.tag, queue.sid, row_id, token)
            messages.append(self._message(queue, row, handle, row[5], row[6]))
            params.append((visible, row_id))
            remembered.append([row_id, token, visible])
        conn.executemany(sql.EXTEND, params)
        conn.execute(sql.UPDATE_ATTEMPT, (orjson.dumps(remembered), queue.sid, attempt_id))
        self._lower_due(queue, visible)
        return messages

    # Delete and change visibility ---------------------------------------------------------

    async def delete(self, queue: str, receipt_handles: list[str]) -> list[EntryResult]:
        """Delete by receipt handle, as SQS does: a handle of a message already gone succeeds
        silently; on a standard queue an older handle of a message received again since
        succeeds but leaves the message; on a FIFO queue a handle whose visibility timeout has
        expired is rejected (ReceiptHandleRejected, RECEIPT_EXPIRED)."""
        return await self._write(lambda conn, tally: self._delete(conn, tally, queue, receipt_handles))

    def _delete(self, conn: Conn, tally: Tally, name: str, handles: list[str]) -> list[EntryResult]:
        sql = self._sql
        queue = self._require(name)
        fifo = queue.config.fifo
        now = self._clock.now()
        results: list[EntryResult] = []
        for handle in handles:
            found = self._handle_target(conn, queue, handle)
            if found is None:
                results.append(EntryResult(ReceiptHandleInvalid(handle)))
                continue
            receipt, row = found
            if row is None:
                results.append(EntryResult())
                continue
            state, grp, token, visible_at, _ = row
            if token != receipt.token or (fifo and (state != IN_FLIGHT or visible_at <= now)):
                results.append(EntryResult(ReceiptHandleRejected(RECEIPT_EXPIRED)) if fifo else EntryResult())
                continue
            conn.execute(sql.DELETE_MESSAGE, (receipt.row,))
            tally.count_state(queue.sid, state, -1)
            if grp is not None:
                tally.group(queue, grp, total=-1, inflight=-1 if state == IN_FLIGHT else 0)
                if fifo:
                    tally.woke(name, 1)
            results.append(EntryResult())
        tally.flush(conn, sql)
        return results

    def _handle_target(self, conn: Conn, queue: QueueState, handle: str) -> tuple[receipts.Receipt, Any] | None:
        """The receipt `handle` names and its message's row (None once that message is gone),
        or None if the handle is not one of this queue's."""
        receipt = receipts.decode(handle, queue.tag)
        if receipt is None:
            return None
        row = None
        if receipt.sid == queue.sid:
            row = conn.execute(self._sql.SELECT_HANDLE_TARGET, (receipt.row, queue.sid)).fetchone()
        return receipt, row

    async def change_visibility(self, queue: str, changes: list[tuple[str, float]]) -> list[EntryResult]:
        return await self._write(lambda conn, tally: self._change(conn, tally, queue, changes))

    def _change(self, conn: Conn, tally: Tally, name: str, changes: list[tuple[str, float]]) -> list[EntryResult]:
        sql = self._sql
        queue = self._require(name)
        fifo = queue.config.fifo
        now = self._clock.now()
        results: list[EntryResult] = []
        for handle, seconds in changes:
            found = self._handle_target(conn, queue, handle)
            if found is None:
                results.append(EntryResult(ReceiptHandleInvalid(handle)))
                continue
            receipt, row = found
            if row is None:
                results.append(EntryResult(ReceiptHandleRejected(MESSAGE_NOT_AVAILABLE)))
                continue
            state, grp, token, visible_at, received_at = row
            if token != receipt.token:
                results.append(EntryResult(ReceiptHandleRejected(RECEIPT_EXPIRED if fifo else MESSAGE_NOT_AVAILABLE)))
                continue
            if state != IN_FLIGHT or visible_at <= now:
                results.append(EntryResult(MessageNotInflight(handle)))
                continue
            if now + seconds - received_at > MAX_VISIBILITY_SECONDS + 1e-6:
                results.append(EntryResult(VisibilityTimeoutTooLong(handle)))
                continue
            if seconds <= 0:
                if fifo:
                    conn.execute(sql.RELEASE_FIFO, (now, receipt.row))
                else:
                    conn.execute(sql.RELEASE_STANDARD, (now, now, receipt.row))
                tally.count(queue.sid, ready=1, inflight=-1)
                if grp is not None:
                    tally.group(queue, grp, inflight=-1)
                tally.woke(name, 1)
            else:
                conn.execute(sql.EXTEND, (now + seconds, receipt.row))
                self._lower_due(queue, now + seconds)
            results.append(EntryResult())
        tally.flush(conn, sql)
        return results

    # Moves --------------------------------------------------------------------------------

    async def move_messages(self, source: str, destination: str | None, max_messages: int) -> int:
        if max_messages <= 0 or source == destination:
            return 0
        moved, blocked = await self._write(
            lambda conn, tally: self._move(conn, tally, source, destination, max_messages)
        )
        if blocked is not None and not moved:
            raise blocked
        return moved

    def _move(
        self, conn: Conn, tally: Tally, source: str, destination: str | None, limit: int
    ) -> tuple[int, QueueEngineError | None]:
        """Move up to `limit` ready messages of `source`; the error that stopped a move back
        to the dead-letter sources early, if one did."""
        sql = self._sql
        origin = self._require(source)
        target = None if destination is None else self._require(destination)
        now = self._clock.now()
        self._settle(conn, origin, now, tally)
        moved = 0
        blocked: QueueEngineError | None = None
        while moved < limit and blocked is None:
            size = min(limit - moved, CHUNK)
            if origin.config.fifo:
                rows, _ = self._pick_fifo(conn, origin, size)
            else:
                rows = conn.execute(sql.SELECT_ANY_READY, (origin.sid, size)).fetchall()
            if not rows:
                break
            if target is None:
                rows, blocked = self._movable_back(rows)
                for back_to, run in _runs_by_source(rows):
                    self._move_rows(conn, run, origin, self._queues[back_to], now, tally, dead_letter=False)
            else:
                self._move_rows(conn, rows, origin, target, now, tally, dead_letter=False)
            tally.flush(conn, sql)
            moved += len(rows)
        return moved, blocked

    def _movable_back(self, rows: list[Any]) -> tuple[list[Any], QueueEngineError | None]:
        """The leading rows whose dead-letter source queue exists, and why the next one cannot go back."""
        for index, row in enumerate(rows):
            back_to = row[10]
            if back_to is None:
                return rows[:index], MessageSourceUnknown(row[1])
            if back_to not in self._queues:
                return rows[:index], QueueNotFound(back_to)
        return rows, None

    def _move_rows(
        self,
        conn: Conn,
        rows: list[Any],
        origin: QueueState,
        target: QueueState,
        now: float,
        tally: Tally,
        dead_letter: bool,
    ) -> None:
        """Move ready rows to another queue.

        Dead-lettered messages keep id, sent time, receive count and note their source; in a
        FIFO dead-letter queue their deduplication id becomes their message id, as in SQS.
        Moved by a task, they are new messages there, as SQS redrive makes them: new id, sent
        now, never received. FIFO targets give them new sequence numbers and a new enqueue
        time; standard targets keep a dead-letter's original one, for retention."""
        sql = self._sql
        to_fifo = target.config.fifo
        seqno = 0
        if to_fifo:
            (end,) = conn.execute(sql.TAKE_SEQNOS, (len(rows), target.sid)).fetchone()
            seqno = end - len(rows)
        params = []
        groups: dict[str, list[Any]] = {}
        oldest = INF
        for row in rows:
            grp = row[7]
            if to_fifo:
                grp = grp if grp is not None else ""
                rank, new_seqno, enqueued = float(seqno), seqno, now
                seqno += 1
            else:
                rank, new_seqno, enqueued = now, None, row[11] if dead_letter else now
            oldest = min(oldest, enqueued)
            if dead_letter:
                received, first_received, source = row[5], row[6], origin.name
                message_id, sent_at, dedup = row[1], row[4], row[1] if to_fifo else row[8]
            else:
                received, first_received, source = 0, None, None
                message_id, sent_at, dedup = self._new_id(), now, row[8]
            params.append(
                (target.sid, grp, rank, now, enqueued, new_seqno, received, first_received, source, message_id,
                 sent_at, dedup, row[0])
            )  # fmt: skip
            if grp is not None:
                note_group(groups, grp, rank)
            if row[7] is not None:
                tally.group(origin, row[7], total=-1)
        conn.executemany(sql.MOVE_MESSAGE, params)
        tally.count(origin.sid, ready=-len(rows))
        tally.count(target.sid, ready=len(rows))
        if groups:
            self._add_to_groups(conn, target, groups)
        self._lower_expiry(target, oldest + target.config.retention)
        tally.woke(target.name, len(rows))

    # Timers and retention -----------------------------------------------------------------

    def _settle(self, conn: Conn, queue: QueueState, now: float, tally: Tally) -> None:
        """Make due delayed and in-flight messages ready, and drop those past retention, a
        chunk at a time: what is left stays due, for the next receive or the maintenance.
        A FIFO message dropped in flight unblocks its group."""
        sql = self._sql
        if now >= queue.next_due or now >= queue.next_expiry:
            tally.settling(queue)
        if now >= queue.next_due:
            promote = sql.PROMOTE_FIFO if queue.config.fifo else sql.PROMOTE_STANDARD
            for state in (DELAYED, IN_FLIGHT):
                rows = conn.execute(promote[state], (queue.sid, now, CHUNK)).fetchall()
                if not rows:
                    continue
                tally.count_state(queue.sid, state, -len(rows))
                tally.count(queue.sid, ready=len(rows))
                released = -1 if state == IN_FLIGHT else 0
                for (grp,) in rows:
                    if grp is not None:
                        tally.group(queue, grp, inflight=released)
                tally.woke(queue.name, len(rows))
            self._set_due(queue, self._next_due(conn, queue))
        if now >= queue.next_expiry:
            cutoff = now - queue.config.retention
            for state, grp in conn.execute(sql.EXPIRE, (queue.sid, cutoff, CHUNK)).fetchall():
                tally.count_state(queue.sid, state, -1)
                if grp is not None:
                    tally.group(queue, grp, total=-1, inflight=-1 if state == IN_FLIGHT else 0)
                    if state == IN_FLIGHT and queue.config.fifo:
                        tally.woke(queue.name, 1)
            self._set_expiry(queue, self._next_expiry(conn, queue))
        tally.flush(conn, sql)

    def _next_due(self, conn: Conn, queue: QueueState) -> float:
        due = INF
        for state in (DELAYED, IN_FLIGHT):
            (at,) = conn.execute(self._sql.NEXT_VISIBLE[state], (queue.sid,)).fetchone()
            if at is not None:
                due = min(due, at)
        return due

    def _next_expiry(self, conn: Conn, queue: QueueState) -> float:
        (oldest,) = conn.execute(self._sql.OLDEST, (queue.sid,)).fetchone()
        return INF if oldest is None else oldest + queue.config.retention

    def _set_due(self, queue: QueueState, at: float) -> None:
        queue.next_due = at
        if at < self._timer_target:
            self._kick.set()

    def _lower_due(self, queue: QueueState, at: float) -> None:
        if at < queue.next_due:
            self._set_due(queue, at)

    def _set_expiry(self, queue: QueueState, at: float) -> None:
        queue.next_expiry = at
        if at < self._timer_target:
            self._kick.set()

    def _lower_expiry(self, queue: QueueState, at: float) -> None:
        if at < queue.next_expiry:
            self._set_expiry(queue, at)

    # Counts -------------------------------------------------------------------------------

    def counts(self, queue: str) -> Counts:
        found = self._require(queue)
        now = self._clock.now()
        return self._store.read(lambda conn: self._count(conn, found, now))

    def _count(self, conn: Conn, queue: QueueState, now: float) -> Counts:
        sql, sid = self._sql, queue.sid
        row = conn.execute(sql.SELECT_COUNTS, (sid,)).fetchone()
        if row is None:
            return Counts(visible=0, in_flight=0, delayed=0)
        counts = list(row)  # stored: ready, delayed, in flight
        for state in (DELAYED, IN_FLIGHT):
            (due,) = conn.execute(sql.COUNT_DUE[state], (sid, now)).fetchone()
            counts[state] -= due
            counts[READY] += due
        for state, visible_at in conn.execute(sql.SELECT_EXPIRED, (sid, now - queue.config.retention)).fetchall():
            counts[READY if visible_at <= now else state] -= 1
        return Counts(visible=counts[READY], in_flight=counts[IN_FLIGHT], delayed=counts[DELAYED])

    # Consumers ----------------------------------------------------------------------------

    def consume(
        self,
        queue: str,
        handler: Callable[[Message], Awaitable[float | None]],
        concurrency: int = 1,
        batch_size: int = 1,
    ) -> Consumer:
        consumer = QueueConsumer(
            self, queue, handler, concurrency, batch_size, self._clock, self._wait_for_queue, self._consumers.discard
        )
        self._consumers.add(consumer)
        return consumer

    async def _wait_for_queue(self, name: str) -> None:
        if name not in self._queues:
            await self._waiters.wait(name, None)

    # Background work ----------------------------------------------------------------------

    async def start(self) -> None:
        if self._maintainer is None:
            self._stopping = False
            self._maintainer = asyncio.create_task(self._maintain(), name="postoffice-queue-maintenance")

    async def stop(self) -> None:
        self._stopping = True
        for consumer in list(self._consumers):
            await consumer.stop()
        task, self._maintainer = self._maintainer, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.gather(*self._settling_up, return_exceptions=True)
        self._waiters.wake_everyone()

    async def _maintain(self) -> None:
        while True:
            try:
                await self._maintain_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("queue maintenance failed; retrying")
                await asyncio.sleep(1.0)

    async def _maintain_once(self) -> None:
        self._kick.clear()
        now = self._clock.now()
        if self._next_cleanup == -INF:
            self._next_cleanup = now
        target = self._next_cleanup
        for queue in self._queues.values():
            target = min(target, queue.next_due, queue.next_expiry)
        if self._dropped:
            target = now
        if target > now:
            self._timer_target = target
            try:
                await self._sleep_or_kick(target)
            finally:
                self._timer_target = -INF
            return
        for queue in list(self._queues.values()):
            if min(queue.next_due, queue.next_expiry) <= now:
                name = queue.name
                await self._write(lambda conn, tally, name=name: self._settle_queue(conn, tally, name))
        if now >= self._next_cleanup:
            while await self._store.write(self._after_unwritten(lambda conn: self._prune(conn, now))):
                pass
            remaining = self._store.read(self._earliest_expiry)
            self._next_cleanup = INF if remaining is None else max(remaining, now + HOUSEKEEPING_SECONDS)
        for sid, lineage in list(self._dropped.items()):
            reap = self._after_unwritten(lambda conn, sid=sid, lineage=lineage: self._reap(conn, sid, lineage))
            while not await self._store.write(reap):
                pass

    async def _sleep_or_kick(self, target: float) -> None:
        kicked = asyncio.ensure_future(self._kick.wait())
        waits: set[asyncio.Future[Any]] = {kicked}
        if target < INF:
            waits.add(asyncio.ensure_future(self._clock.sleep_until(target)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    def _settle_queue(self, conn: Conn, tally: Tally, name: str) -> None:
        queue = self._queues.get(name)
        if queue is not None:
            self._settle(conn, queue, self._clock.now(), tally)

    def _cleanup_by(self, expires: float) -> None:
        """Housekeeping runs only while there are deduplication ids or attempts to forget,
        so an idle engine sets no timer (a virtual clock can leap a month at once)."""
        if self._next_cleanup == INF:
            self._next_cleanup = expires + HOUSEKEEPING_SECONDS
            self._kick.set()

    def _earliest_expiry(self, conn: Conn) -> float | None:
        dedup = conn.execute(self._sql.EARLIEST_DEDUP_EXPIRY).fetchone()[0]
        attempt = conn.execute(self._sql.EARLIEST_ATTEMPT_EXPIRY).fetchone()[0]
        found = [t for t in (dedup, attempt) if t is not None]
        return min(found) if found else None

    def _prune(self, conn: Conn, now: float) -> bool:
        """Forget expired deduplication ids and receive attempts; True if more may remain."""
        sql = self._sql
        pruned = conn.execute(sql.PRUNE_DEDUP, (now, CHUNK)).rowcount
        pruned = max(pruned, conn.execute(sql.PRUNE_ATTEMPTS, (now, CHUNK)).rowcount)
        return pruned >= CHUNK

    def _reap(self, conn: Conn, sid: int, lineage: int | None) -> bool:
        """Remove a chunk of a dropped queue's rows; True once nothing is left."""
        sql = self._sql
        removed = conn.execute(sql.REAP_MESSAGES, (sid, CHUNK)).rowcount
        removed += conn.execute(sql.REAP_GROUPS, (sid, CHUNK)).rowcount
        if lineage is not None:
            removed += conn.execute(sql.REAP_DEDUP, (lineage, CHUNK)).rowcount
        if removed:
            return False
        conn.execute(sql.REAP_ATTEMPTS, (sid,))
        conn.execute(sql.FORGET_DROPPED, (sid,))
        self._dropped.pop(sid, None)
        return True

    async def _write(self, change: Callable[[Conn, Tally], T]) -> T:
        """Run `change` in the store's current transaction; once durable, wake the receivers
        of the messages it made available."""
        tally = Tally()

        def run(conn: Conn) -> T:
            result = change(conn, tally)
            for sid, (ready, delayed, in_flight) in tally.counts.items():
                self._add_counts(sid, ready, delayed, in_flight)
            return result

        try:
            result = await self._store.write(self._after_unwritten(run))
        except asyncio.CancelledError:
            self._settle_up_later(tally)
            raise
        except BaseException:
            tally.settled()
            raise
        self._settle_up(tally)
        return result

    def _add_counts(self, sid: int, ready: int, delayed: int, in_flight: int) -> None:
        counts = self._pending_counts.get(sid)
        if counts is None:
            self._pending_counts[sid] = [ready, delayed, in_flight]
        else:
            counts[0] += ready
            counts[1] += delayed
            counts[2] += in_flight

    def _before_commit(self, conn: Conn) -> None:
        """The store's before-commit hook: the plain sends' waiting rows, then the
        transaction's counter changes, one statement each. Both are taken first: if this
        fails, the transaction they belong to is rolled back with them."""
        rows, self._unwritten = self._unwritten, []
        pending, self._pending_counts = self._pending_counts, {}
        if rows:
            conn.execute(self._sql.INSERT_READY[len(rows)], [value for row in rows for value in row])
        if pending:
            conn.executemany(
                self._sql.ADJUST_COUNTS, [(r, d, i, sid) for sid, (r, d, i) in pending.items() if r or d or i]
            )

    def _settle_up(self, tally: Tally) -> None:
        tally.settled()
        for name, count in tally.wake.items():
            self._waiters.wake(name, count)

    def _settle_up_later(self, tally: Tally) -> None:
        """A change whose caller was cancelled has run, or is queued to run, all the same:
        its receivers are woken once the store has caught up (a receiver waiting without end
        has no other way to learn of its messages)."""

        async def after_flush() -> None:
            try:
                await self._store.flush()
            finally:
                self._settle_up(tally)

        self._after_flush(after_flush())

    def _wake_all_later(self, name: str) -> None:
        """A plain send whose caller was cancelled: as `_settle_up_later`, without knowing how
        many of its messages are ready (waking more receivers than needed only costs a look)."""

        async def after_flush() -> None:
            try:
                await self._store.flush()
            finally:
                self._waiters.wake_all(name)

        self._after_flush(after_flush())

    def _after_flush(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._settling_up.add(task)
        task.add_done_callback(self._settling_up.discard)


class _NotPlain(Exception):
    """The queue turned out to be FIFO when the plain send ran: it goes the general way."""


def _runs_by_source(rows: list[Any]) -> list[tuple[str, list[Any]]]:
    """Consecutive rows dead-lettered from the same queue, in order."""
    runs: list[tuple[str, list[Any]]] = []
    for row in rows:
        if runs and runs[-1][0] == row[10]:
            runs[-1][1].append(row)
        else:
            runs.append((row[10], [row]))
    return runs
