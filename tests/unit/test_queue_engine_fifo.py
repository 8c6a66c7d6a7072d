"""FIFO queues: order per group, group locks, deduplication, sequence numbers, attempt ids."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from test_queue_engine_harness import STORES, Env, bodies, handles, new_queue, run, send_bodies

from postoffice.core.queues.engine import (
    RECEIPT_EXPIRED,
    Counts,
    NewMessage,
    ReceiptHandleRejected,
    ReceiveAttemptNotRetryable,
)


async def fifo(env: Env, name: str = "f.fifo", **config: object) -> str:
    return await new_queue(env.engine, name, fifo=True, **config)


@STORES
def test_a_group_is_delivered_in_order_and_locked_while_in_flight(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env, visibility_timeout=30.0)
        for i in range(4):
            await send_bodies(env.engine, queue, f"a{i}", group="A")
        await send_bodies(env.engine, queue, "b0", "b1", group="B")
        first = await env.engine.receive(queue, 3)
        assert bodies(first) == ["a0", "a1", "a2"]
        assert all(message.group_id == "A" for message in first)
        second = await env.engine.receive(queue, 10)
        assert bodies(second) == ["b0", "b1"]
        assert await env.engine.receive(queue, 10) == []
        await env.engine.delete(queue, handles(first[:2]))
        assert await env.engine.receive(queue, 10) == []  # a2 still in flight: A stays locked
        await env.engine.delete(queue, handles(first[2:]))
        assert bodies(await env.engine.receive(queue, 10)) == ["a3"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_messages_come_back_in_order_after_the_visibility_timeout(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env, visibility_timeout=10.0)
        await send_bodies(env.engine, queue, "1", "2", "3", group="g")
        first = await env.engine.receive(queue, 2)
        await env.engine.change_visibility(queue, [(first[1].receipt_handle, 0)])
        assert await env.engine.receive(queue, 10) == []  # "1" is still in flight
        await env.advance(10)
        again = await env.engine.receive(queue, 10)
        assert bodies(again) == ["1", "2", "3"]
        assert [message.receive_count for message in again] == [2, 2, 1]

    run(store_kind, tmp_path, scenario)


@STORES
def test_groups_fill_a_batch_oldest_group_first(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env)
        await send_bodies(env.engine, queue, "x0", group="X")
        await send_bodies(env.engine, queue, "y0", "y1", group="Y")
        await send_bodies(env.engine, queue, "x1", group="X")
        received = await env.engine.receive(queue, 10)
        assert bodies(received) == ["x0", "x1", "y0", "y1"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_sequence_numbers_increase_and_look_like_aws(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env)
        sent = await env.engine.send(queue, [NewMessage(str(i), group_id=str(i % 3)) for i in range(10)])
        numbers = [message.sequence_number for message in sent]
        assert all(number is not None and len(number) == 20 and number.isdigit() for number in numbers)
        assert [int(number) for number in numbers if number] == sorted({int(number) for number in numbers if number})
        await env.engine.purge(queue)
        [later] = await env.engine.send(queue, [NewMessage("after purge", group_id="0")])
        assert int(later.sequence_number or 0) > int(numbers[-1] or 0)
        [message] = await env.engine.receive(queue)
        assert message.sequence_number == later.sequence_number

    run(store_kind, tmp_path, scenario)


@STORES
def test_deduplication_id_within_five_minutes(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env)
        [original] = await env.engine.send(queue, [NewMessage("one", group_id="g", deduplication_id="d")])
        duplicates = await env.engine.send(
            queue,
            [NewMessage("two", group_id="other", deduplication_id="d"), NewMessage("new", group_id="g")],
        )
        assert (duplicates[0].message_id, duplicates[0].sequence_number) == (
            original.message_id,
            original.sequence_number,
        )
        assert duplicates[0].duplicate and not original.duplicate and not duplicates[1].duplicate
        [message] = await env.engine.receive(queue)
        assert message.deduplication_id == "d"
        await env.engine.delete(queue, [message.receipt_handle])
        await env.advance(299)
        [still] = await env.engine.send(queue, [NewMessage("three", group_id="g", deduplication_id="d")])
        assert still.duplicate and still.message_id == original.message_id
        await env.advance(1)
        [fresh] = await env.engine.send(queue, [NewMessage("four", group_id="g", deduplication_id="d")])
        assert not fresh.duplicate and fresh.message_id != original.message_id
        assert bodies(await env.engine.receive(queue, 10)) == ["new", "four"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_duplicates_within_one_batch(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env)
        sent = await env.engine.send(queue, [NewMessage("a", group_id="g", deduplication_id="same") for _ in range(3)])
        assert [item.duplicate for item in sent] == [False, True, True]
        assert len({item.message_id for item in sent}) == 1
        assert env.engine.counts(queue) == Counts(visible=1, in_flight=0, delayed=0)

    run(store_kind, tmp_path, scenario)


@STORES
def test_content_based_deduplication_hashes_the_body(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env, content_based_deduplication=True)
        first, second, explicit = await env.engine.send(
            queue,
            [
                NewMessage("same body", group_id="g"),
                NewMessage("same body", group_id="h"),
                NewMessage("same body", group_id="g", deduplication_id="explicit"),
            ],
        )
        assert second.duplicate and second.message_id == first.message_id
        assert not explicit.duplicate
        received = await env.engine.receive(queue, 10)
        assert [message.deduplication_id for message in received] == [
            hashlib.sha256(b"same body").hexdigest(),
            "explicit",
        ]

    run(store_kind, tmp_path, scenario)


@STORES
def test_deduplication_scoped_by_message_group(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env, deduplication_scope="messageGroup")
        sent = await env.engine.send(
            queue,
            [
                NewMessage("a", group_id="g1", deduplication_id="d"),
                NewMessage("b", group_id="g2", deduplication_id="d"),
                NewMessage("c", group_id="g1", deduplication_id="d"),
            ],
        )
        assert [item.duplicate for item in sent] == [False, False, True]
        assert sent[2].message_id == sent[0].message_id

    run(store_kind, tmp_path, scenario)


@STORES
def test_deduplication_history_survives_purge_and_restart(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env)
        [original] = await env.engine.send(queue, [NewMessage("a", group_id="g", deduplication_id="d")])
        await env.engine.purge(queue)
        await env.reopen()
        [again] = await env.engine.send(queue, [NewMessage("a", group_id="g", deduplication_id="d")])
        assert again.duplicate and again.message_id == original.message_id
        await env.engine.delete_queue(queue)
        await fifo(env)
        [recreated] = await env.engine.send(queue, [NewMessage("a", group_id="g", deduplication_id="d")])
        assert not recreated.duplicate

    run(store_kind, tmp_path, scenario)


@STORES
def test_fifo_rejects_deleting_with_an_expired_handle(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env, visibility_timeout=10.0)
        await send_bodies(env.engine, queue, "m", group="g")
        [old] = await env.engine.receive(queue)
        await env.advance(10)
        [expired] = await env.engine.delete(queue, [old.receipt_handle])
        assert isinstance(expired.error, ReceiptHandleRejected) and expired.error.reason == RECEIPT_EXPIRED
        [new] = await env.engine.receive(queue)
        [stale] = await env.engine.delete(queue, [old.receipt_handle])
        assert isinstance(stale.error, ReceiptHandleRejected)
        [ok] = await env.engine.delete(queue, [new.receipt_handle])
        assert ok.error is None
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=0, delayed=0)

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_retried_receive_attempt_returns_the_same_messages(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env, visibility_timeout=30.0)
        await send_bodies(env.engine, queue, "1", "2", group="g")
        await send_bodies(env.engine, queue, "x", group="h")
        first = await env.engine.receive(queue, 2, attempt_id="try-1")
        await env.advance(20)
        retried = await env.engine.receive(queue, 2, attempt_id="try-1")
        assert handles(retried) == handles(first) and bodies(retried) == ["1", "2"]
        assert [message.receive_count for message in retried] == [1, 1]
        await env.advance(20)  # the retry reset the visibility timeout: still invisible at 40 s
        assert bodies(await env.engine.receive(queue, 10)) == ["x"]
        await env.advance(10)
        assert bodies(await env.engine.receive(queue, 10, attempt_id="try-2")) == ["1", "2"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_an_attempt_cannot_be_retried_once_its_messages_changed(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env, visibility_timeout=30.0)
        await send_bodies(env.engine, queue, "1", "2", group="g")
        await send_bodies(env.engine, queue, "3", group="h")
        deleted = await env.engine.receive(queue, 1, attempt_id="a")
        await env.engine.delete(queue, handles(deleted))
        with pytest.raises(ReceiveAttemptNotRetryable):
            await env.engine.receive(queue, 1, attempt_id="a")
        changed = await env.engine.receive(queue, 1, attempt_id="b")
        await env.engine.change_visibility(queue, [(changed[0].receipt_handle, 60)])
        with pytest.raises(ReceiveAttemptNotRetryable):
            await env.engine.receive(queue, 1, attempt_id="b")

    run(store_kind, tmp_path, scenario)


@STORES
def test_an_attempt_id_is_forgotten_after_five_minutes(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env, visibility_timeout=600.0)
        await send_bodies(env.engine, queue, "1", group="g")
        await send_bodies(env.engine, queue, "2", group="h")
        first = await env.engine.receive(queue, 1, attempt_id="a")
        await env.advance(300)
        second = await env.engine.receive(queue, 1, attempt_id="a")
        assert bodies(first) == ["1"] and bodies(second) == ["2"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_fifo_queue_delay(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await fifo(env, delay=5.0)
        await send_bodies(env.engine, queue, "1", "2", group="g")
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=0, delayed=2)
        assert await env.engine.receive(queue, 10) == []
        await env.advance(5)
        assert bodies(await env.engine.receive(queue, 10)) == ["1", "2"]

    run(store_kind, tmp_path, scenario)
