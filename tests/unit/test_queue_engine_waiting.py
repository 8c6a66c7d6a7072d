"""Long polling and background consumers, on the virtual clock: nothing polls, nothing sleeps."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from test_queue_engine_harness import STORES, Env, bodies, handles, new_queue, run, send_bodies, settle

from postoffice.core.queues.engine import Message, NewMessage


def long_poll(env: Env, queue: str, wait: float = 20.0, **options: Any) -> asyncio.Task[list[Message]]:
    return asyncio.ensure_future(env.engine.receive(queue, wait_seconds=wait, **options))


async def still_waiting(env: Env, task: asyncio.Task[list[Message]]) -> bool:
    await settle(env)
    return not task.done()


async def result(task: asyncio.Task[list[Message]]) -> list[Message]:
    return await asyncio.wait_for(task, 5)


def count_claims(env: Env) -> list[int]:
    """Wrap the engine's claim so a test can see how many receive transactions ran."""
    calls = [0]
    claim = env.engine._claim

    def counted(*args: Any) -> Any:
        calls[0] += 1
        return claim(*args)

    env.engine._claim = counted  # type: ignore[method-assign]
    return calls


@STORES
def test_a_send_answers_a_waiting_receive_at_once(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        claims = count_claims(env)
        waiting = long_poll(env, queue)
        assert await still_waiting(env, waiting)
        await env.advance(10)
        assert await still_waiting(env, waiting)
        assert claims[0] == 0  # parked: an empty queue costs no transaction, however long the wait
        await send_bodies(env.engine, queue, "hello")
        assert bodies(await result(waiting)) == ["hello"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_waiting_receive_ends_empty_at_its_deadline(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        waiting = long_poll(env, queue, wait=5)
        assert await still_waiting(env, waiting)
        await env.advance(4.75)
        assert await still_waiting(env, waiting)
        await env.advance(0.25)
        assert await result(waiting) == []

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_delay_ending_answers_a_waiting_receive(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        waiting = long_poll(env, queue)
        assert await still_waiting(env, waiting)
        await env.engine.send(queue, [NewMessage("later", delay=7)])
        await env.advance(6)
        assert await still_waiting(env, waiting)
        await env.advance(1)
        assert bodies(await result(waiting)) == ["later"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_an_expired_visibility_timeout_answers_a_waiting_receive(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=8.0)
        await send_bodies(env.engine, queue, "again")
        await env.engine.receive(queue)
        waiting = long_poll(env, queue)
        assert await still_waiting(env, waiting)
        await env.advance(7.5)
        assert await still_waiting(env, waiting)
        await env.advance(0.5)
        [message] = await result(waiting)
        assert message.receive_count == 2

    run(store_kind, tmp_path, scenario)


@STORES
def test_releasing_a_message_answers_a_waiting_receive(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=300.0)
        await send_bodies(env.engine, queue, "m")
        [message] = await env.engine.receive(queue)
        waiting = long_poll(env, queue)
        assert await still_waiting(env, waiting)
        await env.engine.change_visibility(queue, [(message.receipt_handle, 0)])
        assert bodies(await result(waiting)) == ["m"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_fifo_group_unlocked_by_a_delete_answers_a_waiting_receive(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, "f.fifo", fifo=True)
        await send_bodies(env.engine, queue, "1", "2", group="g")
        [first] = await env.engine.receive(queue)
        waiting = long_poll(env, queue)
        assert await still_waiting(env, waiting)
        await env.engine.delete(queue, [first.receipt_handle])
        assert bodies(await result(waiting)) == ["2"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_each_message_wakes_one_waiting_receiver(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        waiting = [long_poll(env, queue) for _ in range(3)]
        await settle(env)
        await send_bodies(env.engine, queue, "one")
        await settle(env)
        done = [task for task in waiting if task.done()]
        assert len(done) == 1 and bodies(done[0].result()) == ["one"]
        await send_bodies(env.engine, queue, "two", "three")
        results = [bodies(await result(task)) for task in waiting if task not in done]
        assert sorted(sum(results, [])) == ["three", "two"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_deleting_or_purging_the_queue_wakes_waiting_receivers(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        purged = long_poll(env, queue)
        assert await still_waiting(env, purged)
        await env.engine.purge(queue)
        assert await still_waiting(env, purged)  # woken, found nothing, parked again
        deleted = long_poll(env, queue)
        assert await still_waiting(env, deleted)
        await env.engine.delete_queue(queue)
        assert await result(deleted) == [] and await result(purged) == []

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_cancelled_waiter_passes_its_wake_up_on(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        first = long_poll(env, queue)
        await settle(env)
        second = long_poll(env, queue)
        await settle(env)
        env.engine._waiters.wake(queue, 1)  # the wake-up reaches `first`, which is cancelled
        first.cancel()
        await send_bodies(env.engine, queue, "m")
        assert bodies(await result(second)) == ["m"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_consumer_deletes_done_messages_and_retries_others(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=30.0)
        seen: list[tuple[str, int]] = []

        async def handler(message: Message) -> float | None:
            seen.append((message.body, message.receive_count))
            if message.body == "retry" and message.receive_count == 1:
                return 5.0
            if message.body == "boom" and message.receive_count == 1:
                raise RuntimeError("handler failure")
            return None

        consumer = env.engine.consume(queue, handler, concurrency=2, batch_size=2)
        await env.engine.send(queue, [NewMessage("ok"), NewMessage("retry"), NewMessage("boom")])
        await settle(env)
        assert sorted(seen) == [("boom", 1), ("ok", 1), ("retry", 1)]
        await env.advance(5)
        assert ("retry", 2) in seen and ("boom", 2) not in seen
        await env.advance(25)
        assert ("boom", 2) in seen
        await settle(env)
        assert env.engine.counts(queue).visible + env.engine.counts(queue).in_flight == 0
        await consumer.stop()
        await send_bodies(env.engine, queue, "after stop")
        await settle(env)
        assert ("after stop", 1) not in seen

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_consumer_waits_for_its_queue_to_exist(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        seen: list[str] = []

        async def handler(message: Message) -> None:
            seen.append(message.body)

        env.engine.consume("later", handler)
        await settle(env)
        await new_queue(env.engine, "later")
        await send_bodies(env.engine, "later", "first")
        await settle(env)
        assert seen == ["first"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_stopping_the_engine_ends_waiting_receives(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        waiting = long_poll(env, queue)
        assert await still_waiting(env, waiting)
        await env.engine.stop()
        assert await result(waiting) == []
        await env.engine.start()
        assert handles(await env.engine.receive(queue)) == []

    run(store_kind, tmp_path, scenario)


@STORES
def test_dead_letters_and_moves_answer_receivers_waiting_on_their_target(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        dlq = await new_queue(env.engine, "dlq")
        source = await new_queue(
            env.engine, "source", visibility_timeout=5.0, max_receive_count=1, dead_letter_queue=dlq
        )
        other = await new_queue(env.engine, "other")
        await send_bodies(env.engine, source, "poison")
        await env.engine.receive(source)
        await env.advance(5)
        on_dead_letters = long_poll(env, dlq)
        assert await still_waiting(env, on_dead_letters)
        assert await env.engine.receive(source) == []
        assert bodies(await result(on_dead_letters)) == ["poison"]
        await env.advance(30)
        on_other = long_poll(env, other)
        assert await still_waiting(env, on_other)
        assert await env.engine.move_messages(dlq, other, 10) == 1
        assert bodies(await result(on_other)) == ["poison"]

    run(store_kind, tmp_path, scenario)
