"""The queue engine's schema and statements for SQLite (the `sqlite` and `memory` stores).

Every statement the engine runs is here, so a PostgreSQL module with the same names can
follow (claims there would add `FOR UPDATE SKIP LOCKED`).

A message is in one of three states: ready (visible now), delayed (sent with a delay, not yet
visible) or in flight (received, invisible until its visibility timeout ends). Two partial
indexes split them: `q_messages_ready` orders ready messages per (queue, group) by `rank`
(the time it became visible on standard queues, its sequence number on FIFO queues), and
`q_messages_timed` orders delayed and in-flight messages by the time they become visible.
Receive reads the head of the first; the timers (engine maintenance) promote due messages
from the second. Both are index seeks: nothing scans a queue's backlog.

`q_groups` has one row per message group holding messages (FIFO queues, and standard queues
whose messages carry a group id: fair queues). `rank` is the rank of the group's first ready
message while the group can give one (a FIFO group with a message in flight cannot), else
NULL, so the open groups of a queue are one index range in `q_groups_open`.

Queue counters (ready, delayed, in flight) are kept in `q_queues` in the same transaction as
the messages they count. A purged or deleted queue's rows are removed in the background
(`q_dropped`), by chunks; the queue itself starts afresh under a new `sid` at once.
"""

from __future__ import annotations

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS q_queues (
        sid INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        config BLOB NOT NULL,
        lineage INTEGER,
        ready INTEGER NOT NULL DEFAULT 0,
        delayed INTEGER NOT NULL DEFAULT 0,
        inflight INTEGER NOT NULL DEFAULT 0,
        next_seqno INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE IF NOT EXISTS q_messages (
        id INTEGER PRIMARY KEY,
        queue_id INTEGER NOT NULL,
        state INTEGER NOT NULL,
        grp TEXT,
        rank REAL NOT NULL,
        visible_at REAL NOT NULL,
        enqueued_at REAL NOT NULL,
        sent_at REAL NOT NULL,
        message_id TEXT NOT NULL,
        body TEXT NOT NULL,
        attributes BLOB,
        receive_count INTEGER NOT NULL DEFAULT 0,
        first_received_at REAL,
        received_at REAL,
        receipt INTEGER,
        dedup_id TEXT,
        seqno INTEGER,
        dead_letter_source TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS q_messages_ready ON q_messages (queue_id, grp, rank) WHERE state = 0",
    "CREATE INDEX IF NOT EXISTS q_messages_timed ON q_messages (queue_id, state, visible_at) WHERE state <> 0",
    "CREATE INDEX IF NOT EXISTS q_messages_age ON q_messages (queue_id, enqueued_at)",
    """CREATE TABLE IF NOT EXISTS q_groups (
        queue_id INTEGER NOT NULL,
        grp TEXT NOT NULL,
        total INTEGER NOT NULL,
        inflight INTEGER NOT NULL,
        rank REAL,
        PRIMARY KEY (queue_id, grp)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS q_groups_open ON q_groups (queue_id, rank) WHERE rank IS NOT NULL",
    """CREATE TABLE IF NOT EXISTS q_dedup (
        lineage INTEGER NOT NULL,
        scope TEXT NOT NULL,
        dedup_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        seqno INTEGER,
        expires_at REAL NOT NULL,
        PRIMARY KEY (lineage, scope, dedup_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS q_dedup_expiry ON q_dedup (expires_at)",
    """CREATE TABLE IF NOT EXISTS q_attempts (
        queue_id INTEGER NOT NULL,
        attempt_id TEXT NOT NULL,
        expires_at REAL NOT NULL,
        handles BLOB NOT NULL,
        PRIMARY KEY (queue_id, attempt_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS q_attempts_expiry ON q_attempts (expires_at)",
    "CREATE TABLE IF NOT EXISTS q_dropped (queue_id INTEGER PRIMARY KEY, lineage INTEGER)",
]

# Queues ---------------------------------------------------------------------------------

SELECT_QUEUES = "SELECT sid, name, config, lineage FROM q_queues"
INSERT_QUEUE = "INSERT INTO q_queues (name, config, lineage, next_seqno) VALUES (?, ?, ?, ?) RETURNING sid"
SET_LINEAGE = "UPDATE q_queues SET lineage = sid WHERE sid = ?"
UPDATE_CONFIG = "UPDATE q_queues SET config = ? WHERE sid = ?"
DELETE_QUEUE = "DELETE FROM q_queues WHERE sid = ? RETURNING next_seqno"
ADJUST_COUNTS = "UPDATE q_queues SET ready = ready + ?, delayed = delayed + ?, inflight = inflight + ? WHERE sid = ?"
TAKE_SEQNOS = "UPDATE q_queues SET next_seqno = next_seqno + ? WHERE sid = ? RETURNING next_seqno"
SELECT_COUNTS = "SELECT ready, delayed, inflight FROM q_queues WHERE sid = ?"
SELECT_INFLIGHT = "SELECT inflight FROM q_queues WHERE sid = ?"

# Messages -------------------------------------------------------------------------------

INSERT_MESSAGE = (
    "INSERT INTO q_messages (queue_id, state, grp, rank, visible_at, enqueued_at, sent_at, message_id, body,"
    " attributes, dedup_id, seqno) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

# Plain sends (standard queue, no group or deduplication id). Their ready rows are kept
# back and written together, up to UNWRITTEN_ROWS in one statement, before the next statement
# of the transaction that reads or changes messages, or when it commits: per row the queue,
# the time of the send, the message id, body and attributes. A send with delayed messages
# writes its rows at once, in one statement: ?1 is the queue, ?2 the time of the send, then
# per row state, visibility time, message id, body and attributes.
UNWRITTEN_ROWS = 32
PLAIN_ROWS = 10
_PLAIN_INSERT = (
    "INSERT INTO q_messages (queue_id, state, rank, visible_at, enqueued_at, sent_at, message_id, body, attributes)"
    " VALUES "
)


def _ready_row(index: int) -> str:
    first = 1 + 5 * index
    sid, now = first, first + 1
    return f"(?{sid}, 0, ?{now}, ?{now}, ?{now}, ?{now}, ?{first + 2}, ?{first + 3}, ?{first + 4})"


def _timed_row(index: int) -> str:
    first = 3 + 5 * index
    state, visible = first, first + 1
    return f"(?1, ?{state}, ?{visible}, ?{visible}, ?2, ?2, ?{first + 2}, ?{first + 3}, ?{first + 4})"


INSERT_READY = [""] + [_PLAIN_INSERT + ", ".join(map(_ready_row, range(n))) for n in range(1, UNWRITTEN_ROWS + 1)]
INSERT_TIMED = [""] + [_PLAIN_INSERT + ", ".join(map(_timed_row, range(n))) for n in range(1, PLAIN_ROWS + 1)]

# The columns a received message is built from, in the order engine code unpacks them.
_MESSAGE = (
    "id, message_id, body, attributes, sent_at, receive_count, first_received_at, grp, dedup_id, seqno,"
    " dead_letter_source, enqueued_at, rank"
)
_READY = "q_messages INDEXED BY q_messages_ready"
SELECT_READY_UNGROUPED = (
    f"SELECT {_MESSAGE} FROM {_READY} WHERE queue_id = ? AND grp IS NULL AND state = 0 ORDER BY rank LIMIT ?"
)
SELECT_READY_IN_GROUP = (
    f"SELECT {_MESSAGE} FROM {_READY} WHERE queue_id = ? AND grp = ? AND state = 0 ORDER BY rank LIMIT ?"
)
SELECT_ANY_READY = f"SELECT {_MESSAGE} FROM {_READY} WHERE queue_id = ? AND state = 0 LIMIT ?"
SELECT_MESSAGE = f"SELECT {_MESSAGE}, queue_id, state, receipt, visible_at, received_at FROM q_messages WHERE id = ?"
SELECT_HANDLE_TARGET = (
    "SELECT state, grp, receipt, visible_at, received_at FROM q_messages WHERE id = ? AND queue_id = ?"
)
HAS_READY = f"SELECT 1 FROM {_READY} WHERE queue_id = ? AND state = 0 LIMIT 1"

CLAIM = (
    "UPDATE q_messages SET state = 2, visible_at = ?, receipt = ?, receive_count = receive_count + 1,"
    " first_received_at = COALESCE(first_received_at, ?), received_at = ? WHERE id = ?"
)
EXTEND = "UPDATE q_messages SET visible_at = ? WHERE id = ?"
RELEASE_STANDARD = "UPDATE q_messages SET state = 0, visible_at = ?, rank = ? WHERE id = ?"
RELEASE_FIFO = "UPDATE q_messages SET state = 0, visible_at = ? WHERE id = ?"
DELETE_MESSAGE = "DELETE FROM q_messages WHERE id = ?"
MOVE_MESSAGE = (
    "UPDATE q_messages SET queue_id = ?, state = 0, grp = ?, rank = ?, visible_at = ?, enqueued_at = ?, seqno = ?,"
    " receipt = NULL, received_at = NULL, receive_count = ?, first_received_at = ?, dead_letter_source = ?,"
    " message_id = ?, sent_at = ?, dedup_id = ? WHERE id = ?"
)

# Timers: delayed (1) and in-flight (2) messages whose time has come become ready. Each
# statement repeats the partial index's condition (`state <> 0`): SQLite uses a partial index
# only when the query's WHERE contains its condition word for word.
_TIMED = "q_messages INDEXED BY q_messages_timed"
# At most `?` of them per statement (oldest due first), so a burst never stalls the loop.
PROMOTE_STANDARD = {
    state: "UPDATE q_messages SET state = 0, rank = visible_at WHERE id IN"
    f" (SELECT id FROM {_TIMED} WHERE queue_id = ? AND state <> 0 AND state = {state} AND visible_at <= ?"
    " ORDER BY visible_at LIMIT ?) RETURNING grp"
    for state in (1, 2)
}
PROMOTE_FIFO = {
    state: "UPDATE q_messages SET state = 0 WHERE id IN"
    f" (SELECT id FROM {_TIMED} WHERE queue_id = ? AND state <> 0 AND state = {state} AND visible_at <= ?"
    " ORDER BY visible_at LIMIT ?) RETURNING grp"
    for state in (1, 2)
}
NEXT_VISIBLE = {
    state: f"SELECT MIN(visible_at) FROM {_TIMED} WHERE queue_id = ? AND state <> 0 AND state = {state}"
    for state in (1, 2)
}
COUNT_DUE = {
    state: f"SELECT COUNT(*) FROM {_TIMED} WHERE queue_id = ? AND state <> 0 AND state = {state} AND visible_at <= ?"
    for state in (1, 2)
}

# Retention.
EXPIRE = (
    "DELETE FROM q_messages WHERE id IN (SELECT id FROM q_messages INDEXED BY q_messages_age"
    " WHERE queue_id = ? AND enqueued_at <= ? ORDER BY enqueued_at LIMIT ?) RETURNING state, grp"
)
OLDEST = "SELECT MIN(enqueued_at) FROM q_messages WHERE queue_id = ?"
SELECT_EXPIRED = "SELECT state, visible_at FROM q_messages WHERE queue_id = ? AND enqueued_at <= ?"

# Groups ---------------------------------------------------------------------------------

SELECT_OPEN_GROUPS = (
    "SELECT grp, rank, inflight FROM q_groups WHERE queue_id = ? AND rank IS NOT NULL ORDER BY rank LIMIT ?"
)
HAS_OPEN_GROUP = "SELECT 1 FROM q_groups WHERE queue_id = ? AND rank IS NOT NULL LIMIT 1"
# Parameters: queue, group, added messages, the smallest rank among them that are ready (or
# NULL), fifo flag. A group keeps its rank if it has one; a FIFO group with messages in flight
# stays closed.
ADD_TO_GROUP = (
    "INSERT INTO q_groups (queue_id, grp, total, inflight, rank) VALUES (?, ?, ?, 0, ?)"
    " ON CONFLICT (queue_id, grp) DO UPDATE SET total = total + excluded.total,"
    " rank = CASE WHEN excluded.rank IS NULL THEN rank"
    " WHEN rank IS NOT NULL THEN min(rank, excluded.rank)"
    " WHEN ? AND inflight > 0 THEN NULL ELSE excluded.rank END"
)
# Parameters: total delta, in-flight delta, fifo flag, in-flight delta, queue, group, queue, group.
REFRESH_GROUP = (
    "UPDATE q_groups SET total = total + ?, inflight = inflight + ?,"
    " rank = CASE WHEN ? AND inflight + ? > 0 THEN NULL ELSE"
    " (SELECT m.rank FROM q_messages AS m INDEXED BY q_messages_ready"
    " WHERE m.queue_id = ? AND m.grp = ? AND m.state = 0 ORDER BY m.rank LIMIT 1)"
    " END WHERE queue_id = ? AND grp = ?"
)
DROP_EMPTY_GROUP = "DELETE FROM q_groups WHERE queue_id = ? AND grp = ? AND total <= 0"

# FIFO deduplication and receive attempts ---------------------------------------------------

SELECT_DEDUP = (
    "SELECT message_id, seqno FROM q_dedup WHERE lineage = ? AND scope = ? AND dedup_id = ? AND expires_at > ?"
)
PUT_DEDUP = (
    "INSERT OR REPLACE INTO q_dedup (lineage, scope, dedup_id, message_id, seqno, expires_at) VALUES (?, ?, ?, ?, ?, ?)"
)
PRUNE_DEDUP = (
    "DELETE FROM q_dedup WHERE (lineage, scope, dedup_id) IN"
    " (SELECT lineage, scope, dedup_id FROM q_dedup WHERE expires_at <= ? LIMIT ?)"
)
EARLIEST_DEDUP_EXPIRY = "SELECT MIN(expires_at) FROM q_dedup"
EARLIEST_ATTEMPT_EXPIRY = "SELECT MIN(expires_at) FROM q_attempts"
SELECT_ATTEMPT = "SELECT expires_at, handles FROM q_attempts WHERE queue_id = ? AND attempt_id = ?"
PUT_ATTEMPT = "INSERT OR REPLACE INTO q_attempts (queue_id, attempt_id, expires_at, handles) VALUES (?, ?, ?, ?)"
UPDATE_ATTEMPT = "UPDATE q_attempts SET handles = ? WHERE queue_id = ? AND attempt_id = ?"
PRUNE_ATTEMPTS = (
    "DELETE FROM q_attempts WHERE (queue_id, attempt_id) IN"
    " (SELECT queue_id, attempt_id FROM q_attempts WHERE expires_at <= ? LIMIT ?)"
)

# Dropped queues (purged or deleted), removed by chunks ------------------------------------

INSERT_DROPPED = "INSERT OR REPLACE INTO q_dropped (queue_id, lineage) VALUES (?, ?)"
SELECT_DROPPED = "SELECT queue_id, lineage FROM q_dropped"
REAP_MESSAGES = "DELETE FROM q_messages WHERE id IN (SELECT id FROM q_messages WHERE queue_id = ? LIMIT ?)"
REAP_GROUPS = (
    "DELETE FROM q_groups WHERE (queue_id, grp) IN (SELECT queue_id, grp FROM q_groups WHERE queue_id = ? LIMIT ?)"
)
REAP_ATTEMPTS = "DELETE FROM q_attempts WHERE queue_id = ?"
REAP_DEDUP = (
    "DELETE FROM q_dedup WHERE (lineage, scope, dedup_id) IN"
    " (SELECT lineage, scope, dedup_id FROM q_dedup WHERE lineage = ? LIMIT ?)"
)
FORGET_DROPPED = "DELETE FROM q_dropped WHERE queue_id = ?"
