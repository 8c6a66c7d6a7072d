import asyncio
from pathlib import Path

import pytest

from postoffice.core.store import open_store
from postoffice.core.store.base import Store
from postoffice.core.store.event_log import EventLog, Position, StreamExists, StreamNotFound
from postoffice.core.store.sqlite import SqliteStore


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    opened = open_store(request.param, str(tmp_path))
    yield opened
    opened.close()


def run(coroutine):
    return asyncio.run(coroutine)


def _fill(log: EventLog) -> None:
    async def fill() -> None:
        await log.create_stream("g", "a", 1)
        await log.create_stream("g", "b", 2)
        await log.append("g", "a", [(10, b"a10"), (30, b"a30"), (50, b"a50")], 100)
        await log.append("g", "b", [(20, b"b20"), (30, b"b30"), (60, b"b60")], 101)
        await log.append("other", "a", [(15, b"x15")], 102, create=True)

    run(fill())


def _payloads(records) -> list[bytes]:
    return [record.payload for record in records]


def test_a_stream_reads_in_time_order_within_a_window(store: Store) -> None:
    log = EventLog(store, "test")
    _fill(log)
    assert _payloads(log.read("g", streams=["a"])) == [b"a10", b"a30", b"a50"]
    assert _payloads(log.read("g", streams=["a"], start=30, end=50)) == [b"a30"]
    assert _payloads(log.read("g", streams=["a"], descending=True, limit=2)) == [b"a50", b"a30"]
    assert log.read("g", streams=[]) == []


def test_a_group_reads_merged_by_time_with_ties_in_ingestion_order(store: Store) -> None:
    log = EventLog(store, "test")
    _fill(log)
    assert _payloads(log.read("g")) == [b"a10", b"b20", b"a30", b"b30", b"a50", b"b60"]
    assert _payloads(log.read("g", prefix="b")) == [b"b20", b"b30", b"b60"]
    assert _payloads(log.read("other")) == [b"x15"]


def test_cursors_page_forward_and_backward_without_gaps_or_repeats(store: Store) -> None:
    log = EventLog(store, "test")
    _fill(log)
    seen: list[bytes] = []
    cursor = None
    while True:
        page = log.read("g", cursor=cursor, limit=2)
        if not page:
            break
        seen += _payloads(page)
        cursor = page[-1].position
    assert seen == [b"a10", b"b20", b"a30", b"b30", b"a50", b"b60"]
    backwards = log.read("g", cursor=Position(30, 10**9), descending=True, limit=10)
    assert _payloads(backwards) == [b"b30", b"a30", b"b20", b"a10"]


def test_sequence_numbers_are_unique_and_increasing_across_streams(store: Store) -> None:
    log = EventLog(store, "test")
    _fill(log)
    seqs = [record.seq for record in log.read("g")] + [record.seq for record in log.read("other")]
    assert len(set(seqs)) == len(seqs)
    assert sorted(seqs) == list(range(1, 8))


def test_stream_statistics_follow_appends(store: Store) -> None:
    log = EventLog(store, "test")
    _fill(log)
    info = log.stream("g", "a")
    assert info is not None
    assert (info.records, info.bytes, info.first_timestamp, info.last_timestamp) == (3, 9, 10, 50)
    assert info.last_ingested == 100
    assert log.group_size("g") == (6, 18)
    assert log.oldest("g") == 10
    assert log.stream("g", "missing") is None


def test_streams_list_by_name_or_last_timestamp_with_keyset_paging(store: Store) -> None:
    log = EventLog(store, "test")
    _fill(log)
    run(log.create_stream("g", "c", 3))
    assert [s.name for s in log.streams("g")] == ["a", "b", "c"]
    assert [s.name for s in log.streams("g", after="a", limit=1)] == ["b"]
    assert [s.name for s in log.streams("g", descending=True)] == ["c", "b", "a"]
    assert [s.name for s in log.streams("g", by_last_timestamp=True, descending=True)] == ["b", "a", "c"]
    assert [s.name for s in log.streams("g", by_last_timestamp=True, after=(50, "a"))] == ["b"]
    assert [s.name for s in log.streams("g", prefix="b")] == ["b"]


def test_creating_twice_and_appending_to_a_missing_stream_fail(store: Store) -> None:
    log = EventLog(store, "test")
    run(log.create_stream("g", "a", 1))
    with pytest.raises(StreamExists):
        run(log.create_stream("g", "a", 1))
    assert run(log.create_stream("g", "a", 1, exist_ok=True)) is False
    with pytest.raises(StreamNotFound):
        run(log.append("g", "nope", [(1, b"x")], 1))
    assert log.read("g") == []


def test_expire_deletes_only_older_records_and_updates_statistics(store: Store) -> None:
    log = EventLog(store, "test")
    _fill(log)
    assert run(log.expire("g", 30)) == 2
    assert _payloads(log.read("g")) == [b"a30", b"b30", b"a50", b"b60"]
    info = log.stream("g", "a")
    assert info is not None and (info.records, info.first_timestamp) == (2, 30)
    assert log.group_size("g") == (4, 12)
    assert _payloads(log.read("other")) == [b"x15"]
    assert run(log.expire("g", 30)) == 0


def test_deleting_streams_groups_and_namespaces(store: Store) -> None:
    log = EventLog(store, "test")
    neighbour = EventLog(store, "neighbour")
    _fill(log)
    run(neighbour.append("g", "a", [(1, b"n")], 1, create=True))
    assert run(log.delete_stream("g", "a")) is True
    assert run(log.delete_stream("g", "a")) is False
    assert _payloads(log.read("g")) == [b"b20", b"b30", b"b60"]
    run(log.delete_group("g"))
    assert log.read("g") == [] and log.streams("g") == []
    run(log.clear())
    assert log.read("other") == []
    assert _payloads(neighbour.read("g")) == [b"n"]


def test_records_survive_reopening_the_sqlite_file(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path))
    _fill(EventLog(store, "test"))
    store.close()
    reopened = SqliteStore(str(tmp_path))
    try:
        log = EventLog(reopened, "test")
        assert len(log.read("g")) == 6
        appended = run(log.append("g", "a", [(70, b"a70")], 200))
        assert appended.first_seq == 8
    finally:
        reopened.close()
