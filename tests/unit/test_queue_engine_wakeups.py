"""Every way a message becomes available wakes a receiver waiting without end (`math.inf`, as
internal consumers wait): no timer backs such a wait, so a missed wake-up is a lost message."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from test_queue_engine_harness import STORES, Env, bodies, new_queue, run, send_bodies, settle

from postoffice.core.queues.engine import Message, NewMessage

Waiting = asyncio.Task[list[Message]]


async def park(env: Env, queue: str) -> Waiting:
    """A receive that waits without end, parked (no transaction, no clock timer of its own)."""
    waiting = asyncio.ensure_future(env.engine.receive(queue, 10, wait_seconds=math.inf))
    await settle(env)
    assert not waiting.done()
    assert env.engine._waiters.waiting(queue) == 1
    return waiting


async def by_send(env: Env) -> Waiting:
    queue = await new_queue(env.engine)
    waiting = await park(env, queue)
    await send_bodies(env.engine, queue, "m")
    return waiting


async def by_delay_ending(env: Env) -> Waiting:
    queue = await new_queue(env.engine)
    await env.engine.send(queue, [NewMessage("m", delay=300)])
    waiting = await park(env, queue)
    await env.advance(300)
    return waiting


async def in_flight(env: Env) -> tuple[str, Message, Waiting]:
    """Message "m" received (invisible for an hour), and a receiver parked on its queue."""
    queue = await new_queue(env.engine, visibility_timeout=3600.0)
    await send_bodies(env.engine, queue, "m")
    [message] = await env.engine.receive(queue)
    return queue, message, await park(env, queue)


async def by_visibility_ending(env: Env) -> Waiting:
    _, _, waiting = await in_flight(env)
    await env.advance(3600)
    return waiting


async def by_change_visibility_to_zero(env: Env) -> Waiting:
    queue, message, waiting = await in_flight(env)
    await env.engine.change_visibility(queue, [(message.receipt_handle, 0)])
    return waiting


async def by_move_to_the_queue(env: Env) -> Waiting:
    queue = await new_queue(env.engine)
    other = await new_queue(env.engine, "other")
    await send_bodies(env.engine, other, "m")
    waiting = await park(env, queue)
    assert await env.engine.move_messages(other, queue, 10) == 1
    return waiting


async def by_move_back_to_the_source(env: Env) -> Waiting:
    dlq = await new_queue(env.engine, "dlq")
    queue = await new_queue(env.engine, max_receive_count=1, dead_letter_queue=dlq)
    await send_bodies(env.engine, queue, "m")
    await env.engine.receive(queue, visibility_timeout=0)
    assert await env.engine.receive(queue) == []
    waiting = await park(env, queue)
    assert await env.engine.move_messages(dlq, None, 10) == 1
    return waiting


async def by_dead_lettering(env: Env) -> Waiting:
    dlq = await new_queue(env.engine, "dlq")
    source = await new_queue(env.engine, "source", max_receive_count=1, dead_letter_queue=dlq)
    await send_bodies(env.engine, source, "m")
    await env.engine.receive(source, visibility_timeout=0)
    waiting = await park(env, dlq)
    assert await env.engine.receive(source) == []
    return waiting


async def by_fifo_group_unblocked_by_delete(env: Env) -> Waiting:
    queue = await new_queue(env.engine, "q.fifo", fifo=True)
    await send_bodies(env.engine, queue, "first", "m", group="g")
    [first] = await env.engine.receive(queue)
    waiting = await park(env, queue)
    await env.engine.delete(queue, [first.receipt_handle])
    return waiting


async def by_fifo_group_unblocked_by_retention(env: Env) -> Waiting:
    queue = await new_queue(env.engine, "q.fifo", fifo=True, retention=60.0, visibility_timeout=3600.0)
    await send_bodies(env.engine, queue, "first", group="g")
    await env.advance(10)
    await send_bodies(env.engine, queue, "m", group="g")
    await env.engine.receive(queue)
    waiting = await park(env, queue)
    await env.advance(50)
    return waiting


async def by_send_whose_caller_was_cancelled(env: Env) -> Waiting:
    queue = await new_queue(env.engine)
    waiting = await park(env, queue)
    sending = asyncio.ensure_future(send_bodies(env.engine, queue, "m"))
    await asyncio.sleep(0)  # the send has run; on SQLite its commit is under way
    sending.cancel()
    return waiting


WAYS: dict[str, Callable[[Env], Awaitable[Waiting]]] = {
    "send": by_send,
    "send whose caller was cancelled": by_send_whose_caller_was_cancelled,
    "delay ending": by_delay_ending,
    "visibility timeout ending": by_visibility_ending,
    "change visibility to 0": by_change_visibility_to_zero,
    "move into the queue": by_move_to_the_queue,
    "move back to the source": by_move_back_to_the_source,
    "dead-lettering into the queue": by_dead_lettering,
    "FIFO group unblocked by a delete": by_fifo_group_unblocked_by_delete,
    "FIFO group unblocked by retention": by_fifo_group_unblocked_by_retention,
}


@STORES
@pytest.mark.parametrize("way", list(WAYS))
def test_an_endless_wait_is_woken(store_kind: str, tmp_path: Path, way: str) -> None:
    async def scenario(env: Env) -> None:
        waiting = await WAYS[way](env)
        assert bodies(await asyncio.wait_for(waiting, 5)) == ["m"]

    run(store_kind, tmp_path, scenario)
