"""Dead-letter queues (redrive on receive) and the move primitive of message move tasks."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_queue_engine_harness import STORES, Env, bodies, handles, new_queue, run, send_bodies

from postoffice.core.queues.engine import Counts, NewMessage, QueueNotFound


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
def test_move_messages_redrives_visible_messages(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        source, dlq = await with_dead_letters(env, max_receive_count=1)
        await env.engine.send(source, [NewMessage(f"m{i}") for i in range(5)])
        first = await env.engine.receive(source, 5)
        await env.advance(10)
        await env.engine.receive(source, 5)
        assert env.engine.counts(dlq).visible == 5
        held = await env.engine.receive(dlq, 1)
        assert await env.engine.move_messages(dlq, source, 3) == 3
        assert await env.engine.move_messages(dlq, source, 10) == 1
        assert await env.engine.move_messages(dlq, source, 10) == 0
        assert env.engine.counts(dlq) == Counts(visible=0, in_flight=1, delayed=0)
        back = await env.engine.receive(source, 10)
        assert {message.message_id for message in back} == {m.message_id for m in first} - {held[0].message_id}
        assert all(message.receive_count == 1 and message.dead_letter_source is None for message in back)
        await env.engine.delete(dlq, handles(held))
        with pytest.raises(QueueNotFound):
            await env.engine.move_messages(dlq, "missing", 1)

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
