import asyncio
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from postoffice.core.store import open_store
from postoffice.core.store.base import Store
from postoffice.core.store.records import SCHEMA, RecordTable
from postoffice.core.store.sqlite import SqliteStore

SCHEMA_T = ["CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v TEXT)"]


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    opened = open_store(request.param, str(tmp_path))
    opened.migrate("records", SCHEMA)
    opened.migrate("t", SCHEMA_T)
    yield opened
    opened.close()


def _count(store: Store) -> int:
    return store.read(lambda conn: conn.execute("SELECT COUNT(*) FROM t").fetchone()[0])


def test_concurrent_writers_each_get_their_result_after_commit(store: Store) -> None:
    async def scenario() -> list[int]:
        async def insert(k: int) -> int:
            await store.write(lambda conn: conn.execute("INSERT INTO t VALUES (?, ?)", (k, str(k))))
            return _count(store)  # committed: a reader sees it

        return await asyncio.gather(*(insert(k) for k in range(200)))

    counts = asyncio.run(scenario())
    assert all(count >= 1 for count in counts)
    assert _count(store) == 200


def test_a_failing_writer_changes_nothing_and_does_not_hurt_its_group(store: Store) -> None:
    def bad(conn: object) -> None:
        conn.execute("INSERT INTO t VALUES (1, 'partial')")  # type: ignore[attr-defined]
        raise RuntimeError("boom")

    async def scenario() -> list[object]:
        good = [store.write(lambda conn, k=k: conn.execute("INSERT INTO t VALUES (?, 'ok')", (k,))) for k in (2, 3)]
        return await asyncio.gather(store.write(bad), *good, return_exceptions=True)

    results = asyncio.run(scenario())
    assert isinstance(results[0], RuntimeError)
    rows = store.read(lambda conn: conn.execute("SELECT k, v FROM t ORDER BY k").fetchall())
    assert rows == [(2, "ok"), (3, "ok")]


def test_sqlite_group_commit_shares_fsyncs(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path))
    store.migrate("t", SCHEMA_T)
    commits = 0
    original = store._start_commit

    def counting(loop: asyncio.AbstractEventLoop) -> None:
        nonlocal commits
        if store._in_transaction:
            commits += 1
        original(loop)

    store._start_commit = counting  # type: ignore[method-assign]

    async def scenario() -> None:
        await asyncio.gather(
            *(store.write(lambda conn, k=k: conn.execute("INSERT INTO t VALUES (?, '')", (k,))) for k in range(500))
        )

    asyncio.run(scenario())
    store.close()
    assert _count_file(tmp_path) == 500
    assert commits < 50, f"{commits} commits for 500 concurrent writers"


def _count_file(tmp_path: Path) -> int:
    reopened = SqliteStore(str(tmp_path))
    try:
        return reopened.read(lambda conn: conn.execute("SELECT COUNT(*) FROM t").fetchone()[0])
    finally:
        reopened.close()


def test_record_tables_are_partitioned_and_written_through(store: Store) -> None:
    async def scenario() -> None:
        table: RecordTable[dict] = RecordTable(store, "test.thing")
        await table.put("111111111111", "us-east-1", "a", {"n": 1})
        await table.put("222222222222", "us-east-1", "a", {"n": 2})
        await table.put("111111111111", "eu-west-1", "a", {"n": 3})
        assert table.get("111111111111", "us-east-1", "a") == {"n": 1}
        assert table.get("333333333333", "us-east-1", "a") is None
        reloaded: RecordTable[dict] = RecordTable(store, "test.thing")
        assert sorted(r["n"] for _, _, _, r in reloaded.all()) == [1, 2, 3]
        await table.delete("111111111111", "us-east-1", "a")
        assert RecordTable(store, "test.thing").get("111111111111", "us-east-1", "a") is None

    asyncio.run(scenario())


CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from postoffice.core.store.sqlite import SqliteStore
    from postoffice.core.store.records import SCHEMA, RecordTable

    store = SqliteStore(sys.argv[1])
    store.migrate("records", SCHEMA)
    table = RecordTable(store, "test.acked")

    async def writer(w):
        n = 0
        while True:
            key = f"{w}-{n}"
            await table.put("000000000000", "us-east-1", key, {"w": w})
            print(key, flush=True)
            n += 1

    async def main():
        await asyncio.gather(*(writer(w) for w in range(8)))

    asyncio.run(main())
    """
)


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    acknowledged = []
    assert process.stdout is not None
    for line in process.stdout:
        acknowledged.append(line.strip())
        if len(acknowledged) >= 2000:
            break
    process.kill()
    process.wait()
    store = SqliteStore(str(tmp_path))
    try:
        stored = {key for _, _, key, _ in RecordTable(store, "test.acked").all()}
    finally:
        store.close()
    missing = [key for key in acknowledged if key not in stored]
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:5]}"


def test_a_failing_one_statement_writer_changes_nothing_and_does_not_hurt_its_group(store: Store) -> None:
    async def scenario() -> list[object]:
        await store.write(lambda conn: conn.execute("INSERT INTO t VALUES (1, 'first')"))
        duplicate = store.write(lambda conn: conn.execute("INSERT INTO t VALUES (1, 'again')"), one_statement=True)
        good = [
            store.write(lambda conn, k=k: conn.execute("INSERT INTO t VALUES (?, 'ok')", (k,)), one_statement=True)
            for k in (2, 3)
        ]
        return await asyncio.gather(duplicate, *good, return_exceptions=True)

    results = asyncio.run(scenario())
    assert isinstance(results[0], sqlite3.IntegrityError)
    rows = store.read(lambda conn: conn.execute("SELECT k, v FROM t ORDER BY k").fetchall())
    assert rows == [(1, "first"), (2, "ok"), (3, "ok")]


def test_before_commit_hooks_write_with_the_transaction_they_close(store: Store) -> None:
    store.migrate("tally", ["CREATE TABLE IF NOT EXISTS tally (n INTEGER NOT NULL)", "INSERT INTO tally VALUES (0)"])
    pending: list[int] = []
    runs: list[int] = []

    def hook(conn: Any) -> None:
        runs.append(len(pending))
        if pending:
            conn.execute("UPDATE tally SET n = n + ?", (len(pending),))
            pending.clear()

    store.before_commit("tally", hook)

    def insert(conn: Any, k: int) -> None:
        conn.execute("INSERT INTO t VALUES (?, '')", (k,))
        pending.append(k)

    async def scenario() -> None:
        await asyncio.gather(*(store.write(lambda conn, k=k: insert(conn, k), one_statement=True) for k in range(50)))

    asyncio.run(scenario())
    assert store.read(lambda conn: conn.execute("SELECT n FROM tally").fetchone()[0]) == _count(store) == 50
    assert sum(runs) == 50 and len([n for n in runs if n]) < 10, runs  # once per transaction, not per writer


def test_a_failing_hook_fails_its_whole_group(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path))
    store.migrate("t", SCHEMA_T)

    def hook(conn: Any) -> None:
        raise sqlite3.OperationalError("disk on fire")

    store.before_commit("broken", hook)

    async def scenario() -> list[object]:
        writes = [store.write(lambda conn, k=k: conn.execute("INSERT INTO t VALUES (?, '')", (k,))) for k in range(5)]
        return await asyncio.gather(*writes, return_exceptions=True)

    results = asyncio.run(scenario())
    store.before_commit("broken", lambda conn: None)
    assert all(isinstance(result, sqlite3.OperationalError) for result in results)
    assert _count(store) == 0
    asyncio.run(store.write(lambda conn: conn.execute("INSERT INTO t VALUES (9, '')")))
    assert _count(store) == 1  # the store goes on after a failed transaction
    store.close()


def test_a_memory_store_runs_its_hooks_before_a_read(tmp_path: Path) -> None:
    store = open_store("memory", str(tmp_path))
    store.migrate("tally", ["CREATE TABLE tally (n INTEGER NOT NULL)", "INSERT INTO tally VALUES (0)"])
    store.before_commit("tally", lambda conn: conn.execute("UPDATE tally SET n = n + 1"))

    async def scenario() -> int:
        await store.write(lambda conn: None, one_statement=True)
        return store.read(lambda conn: conn.execute("SELECT n FROM tally").fetchone()[0])  # same tick

    assert asyncio.run(scenario()) == 1


def test_a_read_sees_one_snapshot(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path))
    store.migrate("t", SCHEMA_T)
    inside = store.read(lambda conn: (conn.in_transaction, store.read(lambda inner: inner.in_transaction)))
    assert inside == (True, True)
    store.close()


def test_a_memory_store_commits_on_a_new_loop_when_the_old_one_closed_first(tmp_path: Path) -> None:
    store = open_store("memory", str(tmp_path))
    store.migrate("t", SCHEMA_T)

    async def insert(k: int) -> None:
        await store.write(lambda conn: conn.execute("INSERT INTO t VALUES (?, '')", (k,)), one_statement=True)

    old = asyncio.new_event_loop()
    old.run_until_complete(insert(1))
    store._conn.execute("BEGIN")  # as if the old loop had closed before the commit it scheduled ran
    store._in_transaction = True
    store._commit_on = old
    old.close()

    async def scenario() -> bool:
        await insert(2)
        await asyncio.sleep(0)
        return store._in_transaction

    assert asyncio.run(scenario()) is False
    assert _count(store) == 2
    store.close()
