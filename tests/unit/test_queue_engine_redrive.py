"""Dead-letter queues (redrive on receive) and the move primitive of message move tasks."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_queue_engine_harness import STORES, Env, bodies, handles, new_queue, run, send_bodies

from postoffice.core.queues.engine import Counts, MessageSourceUnknown, NewMessage, QueueNotFound


async def with_dead_letters(env: Env, fifo: bool = False, max_receive_count: int = 2) -> tuple[str, str]:
    suffix = ".fifo" if fifo else ""
    dlq = await new_queue(env.engine, f"dlq{suffix}", fifo=fifo, visibility_timeout=10.0)
    source = await new_queue(
        env.engine,
        f"source{suffix}",
        fifo=fifo,
        visibility_timeout=10.0,
        max_receive_count=max_receive_count,
        dead_letter_queue=dlq,
    )
    return source, dlq


@STORES
def test_the_receive_past_max_receive_count_dead_letters_the_message(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        source, dlq = await with_dead_letters(env)
        attributes = {"a": 1}
        [sent] = await env.engine.send(source, [NewMessage("poison", attributes)])
        for count in (1, 2):
            [message] = await env.engine.receive(source)
            assert message.receive_count == count
            await env.advance(10)
        assert await env.engine.receive(source, 10) == []
        assert env.engine.counts(source) == Counts(visible=0, in_flight=0, delayed=0)
        assert env.engine.counts(dlq) == Counts(visible=1, in_flight=0, delayed=0)
        await env.reopen()
        [dead] = await env.engine.receive(dlq)
        assert (dead.message_id, dead.body, dead.attributes) == (sent.message_id, "poison", attributes)
        assert dead.sent_at == message.sent_at
        assert dead.dead_letter_source == source
        assert dead.receive_count == 3

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_dead_lettered_message_is_replaced_in_the_same_receive(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        source, dlq = await with_dead_letters(env, max_receive_count=1)
        await send_bodies(env.engine, source, "poison")
        await env.engine.receive(source)
        await env.advance(10)
        await send_bodies(env.engine, source, "good")
        assert bodies(await env.engine.receive(source, 1)) == ["good"]
        assert bodies(await env.engine.receive(dlq)) == ["poison"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_without_its_dead_letter_queue_a_message_stays(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        source, dlq = await with_dead_letters(env, max_receive_count=1)
        await env.engine.delete_queue(dlq)
        await send_bodies(env.engine, source, "m")
        await env.engine.receive(source)
        await env.advance(10)
        [again] = await env.engine.receive(source)
        assert again.receive_count == 2

    run(store_kind, tmp_path, scenario)


@STORES
def test_fifo_dead_letters_keep_group_and_order(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        source, dlq = await with_dead_letters(env, fifo=True, max_receive_count=1)
        await send_bodies(env.engine, source, "1", "2", "3", group="g")
        await env.engine.receive(source, 2)
        await env.advance(10)
        assert bodies(await env.engine.receive(source, 10)) == ["3"]
        dead = await env.engine.receive(dlq, 10)
        assert bodies(dead) == ["1", "2"]
        assert {message.group_id for message in dead} == {"g"}
        assert int(dead[0].sequence_number or 0) < int(dead[1].sequence_number or 0)

    run(store_kind, tmp_path, scenario)


@STORES
def test_move_messages_redrives_visible_messages_as_new_messages(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        source, dlq = await with_dead_letters(env, max_receive_count=1)
        await env.engine.send(source, [NewMessage(f"m{i}", {"n": i}) for i in range(5)])
        first = await env.engine.receive(source, 5)
        await env.advance(10)
        await env.engine.receive(source, 5)
        assert env.engine.counts(dlq).visible == 5
        held = await env.engine.receive(dlq, 1)
        await env.advance(7)
        moved_at = env.clock.now()
        assert await env.engine.move_messages(dlq, source, 3) == 3
        assert await env.engine.move_messages(dlq, source, 10) == 1
        assert await env.engine.move_messages(dlq, source, 10) == 0
        assert env.engine.counts(dlq) == Counts(visible=0, in_flight=1, delayed=0)
        back = await env.engine.receive(source, 10)
        expected = {m.body: m.attributes for m in first if m.message_id != held[0].message_id}
        assert {message.body: message.attributes for message in back} == expected
        assert not {message.message_id for message in back} & {message.message_id for message in first}
        assert all(message.sent_at == moved_at for message in back)
        assert all(message.receive_count == 1 and message.dead_letter_source is None for message in back)
        await env.engine.delete(dlq, handles(held))
        with pytest.raises(QueueNotFound):
            await env.engine.move_messages(dlq, "missing", 1)

    run(store_kind, tmp_path, scenario)


@STORES
def test_moved_messages_are_retained_from_the_move(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        dlq = await new_queue(env.engine, "dlq", retention=100.0)
        target = await new_queue(env.engine, "target", retention=100.0)
        await send_bodies(env.engine, dlq, "old")
        await env.advance(90)
        assert await env.engine.move_messages(dlq, target, 1) == 1
        await env.advance(60)
        assert bodies(await env.engine.receive(target)) == ["old"]

    run(store_kind, tmp_path, scenario)


async def dlq_with_sources(env: Env, *names: str) -> tuple[str, list[str]]:
    """A dead-letter queue "dlq" and source queues that dead-letter on the second receive."""
    dlq = await new_queue(env.engine, "dlq")
    return dlq, [await new_queue(env.engine, name, max_receive_count=1, dead_letter_queue=dlq) for name in names]


async def dead_letter_from(env: Env, source: str, *texts: str) -> None:
    """Send `texts` to `source` (max_receive_count 1) and receive them twice: they are dead-lettered."""
    await send_bodies(env.engine, source, *texts)
    await env.engine.receive(source, 10, visibility_timeout=0)
    assert await env.engine.receive(source, 10) == []
    await env.advance(1)


@STORES
def test_move_messages_back_to_the_queues_they_were_dead_lettered_from(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        dlq, (first, second) = await dlq_with_sources(env, "first", "second")
        await dead_letter_from(env, first, "a1", "a2")
        await dead_letter_from(env, second, "b1")
        dead = {message.body: message.message_id for message in await env.engine.receive(dlq, 10, 0)}
        assert await env.engine.move_messages(dlq, None, 10) == 3
        assert env.engine.counts(dlq) == Counts(visible=0, in_flight=0, delayed=0)
        back = await env.engine.receive(first, 10) + await env.engine.receive(second, 10)
        assert sorted((message.queue, message.body) for message in back) == [
            (first, "a1"),
            (first, "a2"),
            (second, "b1"),
        ]
        assert all(message.message_id != dead[message.body] for message in back)
        assert all(message.receive_count == 1 and message.dead_letter_source is None for message in back)

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_move_back_stops_at_a_message_that_cannot_go_back(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        dlq, (first, gone) = await dlq_with_sources(env, "first", "gone")
        await dead_letter_from(env, first, "a1", "a2")
        await send_bodies(env.engine, dlq, "sent to the dlq")
        await env.advance(1)
        await dead_letter_from(env, first, "a3")
        assert await env.engine.move_messages(dlq, None, 10) == 2
        with pytest.raises(MessageSourceUnknown):
            await env.engine.move_messages(dlq, None, 10)
        assert env.engine.counts(dlq).visible == 2
        [direct] = await env.engine.receive(dlq)
        assert direct.body == "sent to the dlq"
        await env.engine.delete(dlq, [direct.receipt_handle])
        await dead_letter_from(env, gone, "g1")
        await env.engine.delete_queue(gone)
        assert await env.engine.move_messages(dlq, None, 10) == 1
        with pytest.raises(QueueNotFound):
            await env.engine.move_messages(dlq, None, 10)
        assert bodies(await env.engine.receive(dlq)) == ["g1"]
        assert sorted(bodies(await env.engine.receive(first, 10))) == ["a1", "a2", "a3"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_fifo_dead_letters_are_deduplicated_by_their_message_id(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        source, dlq = await with_dead_letters(env, fifo=True, max_receive_count=1)
        [sent] = await env.engine.send(source, [NewMessage("m", group_id="g", deduplication_id="d-1")])
        await env.engine.receive(source)
        await env.advance(10)
        assert await env.engine.receive(source) == []
        [dead] = await env.engine.receive(dlq)
        assert (dead.message_id, dead.deduplication_id) == (sent.message_id, sent.message_id)

    run(store_kind, tmp_path, scenario)


@STORES
def test_move_messages_between_fifo_queues_keeps_group_order(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        source = await new_queue(env.engine, "a.fifo", fifo=True)
        target = await new_queue(env.engine, "b.fifo", fifo=True)
        await send_bodies(env.engine, target, "already", group="g")
        await send_bodies(env.engine, source, "1", "2", group="g")
        await send_bodies(env.engine, source, "x", group="h")
        assert await env.engine.move_messages(source, target, 10) == 3
        assert bodies(await env.engine.receive(target, 10)) == ["already", "1", "2", "x"]

    run(store_kind, tmp_path, scenario)
