"""Random operation sequences: after every step, the counters and group rows the engine keeps
must agree with its message rows, `counts()` must be exact, and every FIFO batch must hold
its groups' first messages in order."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from test_queue_engine_harness import Env, run

from postoffice.core.queues.engine import Counts, Message, NewMessage, QueueConfig

QUEUES = {
    "std": QueueConfig(visibility_timeout=7.0, retention=120.0),
    "fair": QueueConfig(visibility_timeout=5.0, delay=1.0, max_receive_count=3, dead_letter_queue="dlq"),
    "dlq": QueueConfig(visibility_timeout=4.0),
    "f.fifo": QueueConfig(fifo=True, visibility_timeout=6.0, max_receive_count=2, dead_letter_queue="dlq.fifo"),
    "dlq.fifo": QueueConfig(fifo=True, visibility_timeout=3.0, content_based_deduplication=True),
}


def check_invariants(env: Env) -> None:
    now = env.clock.now()

    def look(conn: Any) -> None:
        for name, queue in env.engine._queues.items():
            sid = queue.sid
            rows = conn.execute(
                "SELECT state, grp, rank, visible_at, enqueued_at FROM q_messages WHERE queue_id = ?", (sid,)
            ).fetchall()
            stored = conn.execute("SELECT ready, delayed, inflight FROM q_queues WHERE sid = ?", (sid,)).fetchone()
            by_state = [sum(1 for row in rows if row[0] == state) for state in (0, 1, 2)]
            assert list(stored) == by_state, (name, stored, by_state)
            groups = {
                grp: (total, inflight, rank)
                for grp, total, inflight, rank in conn.execute(
                    "SELECT grp, total, inflight, rank FROM q_groups WHERE queue_id = ?", (sid,)
                ).fetchall()
            }
            expected = {}
            for grp in {row[1] for row in rows if row[1] is not None}:
                members = [row for row in rows if row[1] == grp]
                held = sum(1 for row in members if row[0] == 2)
                ready_ranks = [row[2] for row in members if row[0] == 0]
                blocked = queue.config.fifo and held > 0
                rank = None if blocked or not ready_ranks else min(ready_ranks)
                expected[grp] = (len(members), held, rank)
            assert groups == expected, (name, groups, expected)
            cutoff = now - queue.config.retention
            live = [row for row in rows if row[4] > cutoff]
            visible = sum(1 for row in live if row[0] == 0 or row[3] <= now)
            in_flight = sum(1 for row in live if row[0] == 2 and row[3] > now)
            delayed = sum(1 for row in live if row[0] == 1 and row[3] > now)
            assert env.engine.counts(name) == Counts(visible, in_flight, delayed), name

    env.store.read(look)


def check_fifo_batch(env: Env, name: str, received: list[Message]) -> None:
    """Each group's messages in a FIFO batch are that group's first messages, in order."""
    sid = env.engine._queues[name].sid
    for group in {message.group_id for message in received}:
        batch = [message.message_id for message in received if message.group_id == group]
        queued = env.store.read(
            lambda conn, group=group: [
                row[0]
                for row in conn.execute(
                    "SELECT message_id FROM q_messages WHERE queue_id = ? AND grp = ? ORDER BY seqno", (sid, group)
                ).fetchall()
            ]
        )
        assert queued[: len(batch)] == batch, f"FIFO group {group} of {name} delivered out of order"


async def step(env: Env, rng: random.Random, held: dict[str, list[Message]]) -> None:
    engine = env.engine
    name = rng.choice(list(QUEUES))
    fifo = QUEUES[name].fifo
    action = rng.random()
    if action < 0.35:
        messages = []
        for _ in range(rng.randint(1, 4)):
            body = str(rng.randint(0, 10**9))
            group = rng.choice(["a", "b", "c"]) if fifo or (name == "fair" and rng.random() < 0.7) else None
            delay = rng.choice([None, None, 0, 2.0]) if not fifo else None
            dedup = str(rng.randint(0, 30)) if fifo and rng.random() < 0.5 else None
            messages.append(NewMessage(body, group_id=group, delay=delay, deduplication_id=dedup))
        if fifo and not QUEUES[name].content_based_deduplication:
            for message in messages:
                message.deduplication_id = message.deduplication_id or str(rng.random())
        await engine.send(name, messages)
    elif action < 0.65:
        received = await engine.receive(name, rng.randint(1, 10), visibility_timeout=rng.choice([None, 2.0]))
        if fifo:
            check_fifo_batch(env, name, received)
        held[name] = (held.get(name, []) + received)[-30:]
    elif action < 0.8 and held.get(name):
        chosen = rng.sample(held[name], rng.randint(1, len(held[name])))
        await engine.delete(name, [message.receipt_handle for message in chosen])
    elif action < 0.9 and held.get(name):
        chosen = rng.sample(held[name], rng.randint(1, len(held[name])))
        await engine.change_visibility(name, [(m.receipt_handle, rng.choice([0.0, 3.0])) for m in chosen])
    elif action < 0.93:
        source, target = ("dlq", "fair") if rng.random() < 0.5 else ("dlq.fifo", "f.fifo")
        await engine.move_messages(source, target, rng.randint(1, 5))
    elif action < 0.94:
        await engine.purge(name)
    else:
        await env.advance(rng.choice([0.5, 1.0, 3.0, 7.0, 40.0]))


@pytest.mark.parametrize("seed", range(6))
def test_counters_groups_and_order_stay_consistent(seed: int, tmp_path: Path) -> None:
    store_kind = "sqlite" if seed % 2 else "memory"

    async def scenario(env: Env) -> None:
        rng = random.Random(seed)
        for name, config in QUEUES.items():
            await env.engine.create_queue(name, config)
        held: dict[str, list[Message]] = {}
        for index in range(400):
            await step(env, rng, held)
            check_invariants(env)
            if index % 150 == 149:
                await env.reopen()
                check_invariants(env)

    run(store_kind, tmp_path, scenario, timeout=120)
