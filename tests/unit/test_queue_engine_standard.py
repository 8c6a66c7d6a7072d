"""Standard queues: visibility, delays, retention, counts, receipt handles, purge, restart."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from test_queue_engine_harness import STORES, Env, bodies, handles, new_queue, run, send_bodies

from postoffice.core.queues import sql_engine
from postoffice.core.queues.engine import (
    MESSAGE_NOT_AVAILABLE,
    Counts,
    MessageNotInflight,
    NewMessage,
    QueueConfig,
    QueueNotFound,
    ReceiptHandleInvalid,
    ReceiptHandleRejected,
    VisibilityTimeoutTooLong,
)


@STORES
def test_a_message_comes_back_as_it_was_sent(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        attributes = {"MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}, "n": 3}
        [sent] = await env.engine.send(queue, [NewMessage("hello", attributes)])
        assert uuid.UUID(sent.message_id).version == 4
        assert sent.sequence_number is None and not sent.duplicate
        await env.advance(2)
        [message] = await env.engine.receive(queue)
        assert message.queue == queue
        assert (message.message_id, message.body, message.attributes) == (sent.message_id, "hello", attributes)
        assert message.sent_at == env.clock.now() - 2
        assert message.receive_count == 1
        assert message.first_received_at == env.clock.now()
        assert message.group_id is None and message.dead_letter_source is None

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_received_message_is_invisible_for_the_visibility_timeout(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=30.0)
        await send_bodies(env.engine, queue, "m")
        [first] = await env.engine.receive(queue)
        await env.advance(29.75)
        assert await env.engine.receive(queue) == []
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=1, delayed=0)
        await env.advance(0.25)
        assert env.engine.counts(queue) == Counts(visible=1, in_flight=0, delayed=0)
        [second] = await env.engine.receive(queue, visibility_timeout=5.0)
        assert second.message_id == first.message_id
        assert second.receive_count == 2
        assert second.first_received_at == first.first_received_at
        assert second.receipt_handle != first.receipt_handle
        await env.advance(5)
        [third] = await env.engine.receive(queue)
        assert third.receive_count == 3
        assert len({first.receipt_handle, second.receipt_handle, third.receipt_handle}) == 3

    run(store_kind, tmp_path, scenario)


@STORES
def test_queue_and_message_delays(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, delay=10.0)
        await env.engine.send(queue, [NewMessage("queue-delay"), NewMessage("now", delay=0), NewMessage("x", delay=3)])
        assert env.engine.counts(queue) == Counts(visible=1, in_flight=0, delayed=2)
        assert bodies(await env.engine.receive(queue, 10)) == ["now"]
        await env.advance(3)
        assert env.engine.counts(queue) == Counts(visible=1, in_flight=1, delayed=1)
        assert bodies(await env.engine.receive(queue, 10)) == ["x"]
        await env.advance(6.5)
        assert await env.engine.receive(queue, 10) == []
        await env.advance(0.5)
        assert bodies(await env.engine.receive(queue, 10)) == ["queue-delay"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_messages_expire_after_the_retention_period(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, retention=60.0, visibility_timeout=5.0)
        await send_bodies(env.engine, queue, "old", "received")
        assert bodies(await env.engine.receive(queue)) == ["old"]
        await env.advance(30)
        await send_bodies(env.engine, queue, "young")
        await env.clock.advance(30)  # "old" and "received" reach 60 s; maintenance may not have run
        assert bodies(await env.engine.receive(queue, 10)) == ["young"]
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=1, delayed=0)
        await env.advance(30)
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=0, delayed=0)
        assert env.rows(queue) == 0

    run(store_kind, tmp_path, scenario)


@STORES
def test_expired_messages_are_removed_without_any_receive(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, retention=120.0)
        await send_bodies(env.engine, queue, *[f"m{i}" for i in range(50)])
        await env.advance(119)
        assert env.rows(queue) == 50
        await env.advance(1)
        assert env.rows(queue) == 0
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=0, delayed=0)

    run(store_kind, tmp_path, scenario)


@STORES
def test_shorter_retention_applies_to_messages_already_queued(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, retention=3600.0)
        await send_bodies(env.engine, queue, "m")
        await env.advance(100)
        await env.engine.create_queue(queue, QueueConfig(retention=60.0))
        await env.advance(0)
        assert env.engine.counts(queue).visible == 0
        assert await env.engine.receive(queue) == []

    run(store_kind, tmp_path, scenario)


@STORES
def test_counts_follow_every_transition(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=10.0)
        await env.engine.send(queue, [NewMessage(f"m{i}") for i in range(5)] + [NewMessage("d", delay=20)])
        assert env.engine.counts(queue) == Counts(visible=5, in_flight=0, delayed=1)
        received = await env.engine.receive(queue, 3)
        assert env.engine.counts(queue) == Counts(visible=2, in_flight=3, delayed=1)
        await env.engine.delete(queue, handles(received[:1]))
        assert env.engine.counts(queue) == Counts(visible=2, in_flight=2, delayed=1)
        await env.engine.change_visibility(queue, [(received[1].receipt_handle, 0)])
        assert env.engine.counts(queue) == Counts(visible=3, in_flight=1, delayed=1)
        await env.clock.advance(10)  # counts are exact even before anything promoted the message
        assert env.engine.counts(queue) == Counts(visible=4, in_flight=0, delayed=1)
        await env.advance(10)
        assert env.engine.counts(queue) == Counts(visible=5, in_flight=0, delayed=0)
        await env.reopen()
        assert env.engine.counts(queue) == Counts(visible=5, in_flight=0, delayed=0)

    run(store_kind, tmp_path, scenario)


@STORES
def test_malformed_and_foreign_receipt_handles_are_invalid(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        other = await new_queue(env.engine, "other")
        await send_bodies(env.engine, other, "elsewhere")
        [foreign] = await env.engine.receive(other)
        for handle in ("", "not-a-handle", "A" * 32, foreign.receipt_handle):
            [deleted] = await env.engine.delete(queue, [handle])
            assert isinstance(deleted.error, ReceiptHandleInvalid)
            [changed] = await env.engine.change_visibility(queue, [(handle, 10)])
            assert isinstance(changed.error, ReceiptHandleInvalid)
        assert env.engine.counts(other).in_flight == 1

    run(store_kind, tmp_path, scenario)


@STORES
def test_deleting_a_message_already_deleted_succeeds(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        await send_bodies(env.engine, queue, "m")
        [message] = await env.engine.receive(queue)
        first, again = await env.engine.delete(queue, [message.receipt_handle, message.receipt_handle])
        assert first.error is None and again.error is None
        [later] = await env.engine.delete(queue, [message.receipt_handle])
        assert later.error is None
        assert env.rows(queue) == 0

    run(store_kind, tmp_path, scenario)


@STORES
def test_an_older_handle_succeeds_but_does_not_delete_a_message_received_again(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=10.0)
        await send_bodies(env.engine, queue, "m")
        [old] = await env.engine.receive(queue)
        await env.advance(10)
        [new] = await env.engine.receive(queue)
        [result] = await env.engine.delete(queue, [old.receipt_handle])
        assert result.error is None
        assert env.engine.counts(queue).in_flight == 1
        [changed] = await env.engine.change_visibility(queue, [(old.receipt_handle, 0)])
        assert isinstance(changed.error, ReceiptHandleRejected) and changed.error.reason == MESSAGE_NOT_AVAILABLE
        [result] = await env.engine.delete(queue, [new.receipt_handle])
        assert result.error is None
        assert env.rows(queue) == 0

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_handle_whose_timeout_expired_still_deletes_on_a_standard_queue(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=10.0)
        await send_bodies(env.engine, queue, "m")
        [message] = await env.engine.receive(queue)
        await env.advance(60)
        [result] = await env.engine.delete(queue, [message.receipt_handle])
        assert result.error is None
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=0, delayed=0)

    run(store_kind, tmp_path, scenario)


@STORES
def test_change_visibility_extends_and_releases(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=30.0)
        await send_bodies(env.engine, queue, "a", "b")
        a, b = await env.engine.receive(queue, 2)
        await env.advance(20)
        results = await env.engine.change_visibility(queue, [(a.receipt_handle, 60), (b.receipt_handle, 0)])
        assert [result.error for result in results] == [None, None]
        [again] = await env.engine.receive(queue)
        assert again.message_id == b.message_id
        await env.engine.delete(queue, [again.receipt_handle])
        await env.advance(59)
        assert await env.engine.receive(queue) == []
        await env.advance(1)
        assert bodies(await env.engine.receive(queue)) == ["a"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_visibility_zero_is_visible_at_once_while_the_timers_commit(store_kind: str, tmp_path: Path) -> None:
    """A message whose visibility ended is promoted by whichever transaction comes first; the
    timers' own (the maintenance) may still be committing when the next receive looks."""

    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        await send_bodies(env.engine, queue, "m")
        for _ in range(3):
            assert bodies(await env.engine.receive(queue, visibility_timeout=0)) == ["m"]
            timers = asyncio.ensure_future(
                env.engine._write(lambda conn, tally: env.engine._settle_queue(conn, tally, queue))
            )
            await asyncio.sleep(0)  # the timers' transaction has run; its commit has not returned
            assert bodies(await env.engine.receive(queue, visibility_timeout=0)) == ["m"]
            await timers

    run(store_kind, tmp_path, scenario)


@STORES
def test_change_visibility_of_a_message_not_in_flight(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=10.0)
        await send_bodies(env.engine, queue, "m", "gone")
        message, gone = await env.engine.receive(queue, 2)
        await env.engine.delete(queue, [gone.receipt_handle])
        await env.advance(10)
        [result] = await env.engine.change_visibility(queue, [(message.receipt_handle, 30)])
        assert isinstance(result.error, MessageNotInflight)
        [result] = await env.engine.change_visibility(queue, [(gone.receipt_handle, 30)])
        assert isinstance(result.error, ReceiptHandleRejected) and result.error.reason == MESSAGE_NOT_AVAILABLE

    run(store_kind, tmp_path, scenario)


@STORES
def test_visibility_cannot_reach_past_twelve_hours_from_the_receive(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=7200.0)
        await send_bodies(env.engine, queue, "m")
        [message] = await env.engine.receive(queue)
        await env.advance(3600)
        [too_long] = await env.engine.change_visibility(queue, [(message.receipt_handle, 39_601)])
        assert isinstance(too_long.error, VisibilityTimeoutTooLong)
        [ok] = await env.engine.change_visibility(queue, [(message.receipt_handle, 39_600)])
        assert ok.error is None
        await env.advance(39_599)
        assert await env.engine.receive(queue) == []
        await env.advance(1)
        assert bodies(await env.engine.receive(queue)) == ["m"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_purge_empties_the_queue_and_keeps_it_working(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        await env.engine.send(queue, [NewMessage(f"m{i}") for i in range(20)] + [NewMessage("late", delay=5)])
        received = await env.engine.receive(queue, 2)
        await env.engine.purge(queue)
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=0, delayed=0)
        assert await env.engine.receive(queue, 10) == []
        [deleted] = await env.engine.delete(queue, [received[0].receipt_handle])
        assert deleted.error is None
        [changed] = await env.engine.change_visibility(queue, [(received[1].receipt_handle, 10)])
        assert isinstance(changed.error, ReceiptHandleRejected)
        await env.advance(5)
        assert await env.engine.receive(queue, 10) == []
        await send_bodies(env.engine, queue, "after")
        assert bodies(await env.engine.receive(queue, 10)) == ["after"]
        assert env.rows() == 1  # the purged rows were removed in the background

    run(store_kind, tmp_path, scenario)


@STORES
def test_deleted_queues_are_gone_and_come_back_empty(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        await send_bodies(env.engine, queue, "old")
        [message] = await env.engine.receive(queue)
        await env.engine.delete_queue(queue)
        await env.engine.delete_queue(queue)
        assert env.engine.config(queue) is None
        with pytest.raises(QueueNotFound):
            await env.engine.send(queue, [NewMessage("x")])
        with pytest.raises(QueueNotFound):
            await env.engine.receive(queue)
        with pytest.raises(QueueNotFound):
            env.engine.counts(queue)
        await new_queue(env.engine)
        assert await env.engine.receive(queue) == []
        [result] = await env.engine.delete(queue, [message.receipt_handle])
        assert result.error is None
        await env.advance(0)
        assert env.rows() == 0

    run(store_kind, tmp_path, scenario)


@STORES
def test_queues_messages_and_handles_survive_a_restart(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=20.0, delay=1.0)
        await send_bodies(env.engine, queue, "a", "b")
        await env.advance(1)
        a, b = await env.engine.receive(queue, 2)
        await env.engine.delete(queue, [b.receipt_handle])
        await env.reopen()
        assert env.engine.config(queue) == QueueConfig(visibility_timeout=20.0, delay=1.0)
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=1, delayed=0)
        assert await env.engine.receive(queue) == []
        [changed] = await env.engine.change_visibility(queue, [(a.receipt_handle, 0)])
        assert changed.error is None
        [again] = await env.engine.receive(queue)
        assert (again.message_id, again.receive_count) == (a.message_id, 2)

    run(store_kind, tmp_path, scenario)


@STORES
def test_reconfiguring_a_queue_changes_later_behaviour_only(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=30.0)
        await send_bodies(env.engine, queue, "m")
        await env.engine.create_queue(queue, QueueConfig(visibility_timeout=5.0, delay=2.0))
        assert env.engine.config(queue) == QueueConfig(visibility_timeout=5.0, delay=2.0)
        [message] = await env.engine.receive(queue)
        await env.advance(5)
        [again] = await env.engine.receive(queue)
        assert again.message_id == message.message_id
        await send_bodies(env.engine, queue, "delayed")
        assert env.engine.counts(queue).delayed == 1

    run(store_kind, tmp_path, scenario)


@STORES
def test_receive_takes_the_oldest_visible_first(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=10.0)
        for text in ("a", "b", "c"):
            await send_bodies(env.engine, queue, text)
            await env.advance(1)
        assert bodies(await env.engine.receive(queue, 1)) == ["a"]
        assert bodies(await env.engine.receive(queue, 5)) == ["b", "c"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_bursts_larger_than_a_chunk_are_promoted_and_expired_in_steps(
    store_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_engine, "CHUNK", 3)

    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, retention=100.0)
        await env.engine.send(queue, [NewMessage(f"m{i}", delay=10) for i in range(10)])
        await env.advance(10)
        assert env.engine.counts(queue) == Counts(visible=10, in_flight=0, delayed=0)
        assert len(await env.engine.receive(queue, 10)) == 10
        await env.clock.advance(90)  # past retention; no sweep has run yet
        assert await env.engine.receive(queue, 10) == []
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=0, delayed=0)
        await env.advance(0)
        assert env.rows(queue) == 0

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_receive_never_returns_a_message_past_retention(
    store_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_engine, "CHUNK", 2)

    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, retention=60.0)
        await send_bodies(env.engine, queue, *[f"old{i}" for i in range(8)])
        await env.engine.stop()  # no background sweep: only the receive itself can notice
        await env.clock.advance(30)
        await send_bodies(env.engine, queue, "young")
        await env.clock.advance(30)
        assert bodies(await env.engine.receive(queue, 10)) == ["young"]
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=1, delayed=0)
        assert env.rows(queue) == 1

    run(store_kind, tmp_path, scenario)


@STORES
def test_sends_waiting_to_be_written_survive_a_failing_call_in_their_transaction(
    store_kind: str, tmp_path: Path
) -> None:
    """A plain send's rows are written by the next call that touches messages; when that call
    fails, its savepoint takes them back out, and they must still be written at commit."""

    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        sent, failed = await asyncio.gather(
            env.engine.send(queue, [NewMessage("a"), NewMessage("b")]),
            env.engine.move_messages(queue, "no-such-queue", 10),  # same transaction; raises
            return_exceptions=True,
        )
        assert isinstance(failed, QueueNotFound)
        assert len(sent) == 2
        await env.store.flush()
        assert env.rows(queue) == 2
        assert env.engine.counts(queue).visible == 2
        assert sorted(bodies(await env.engine.receive(queue, 10))) == ["a", "b"]

    run(store_kind, tmp_path, scenario)
