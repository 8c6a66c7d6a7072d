"""Fair queues: standard queues whose messages carry a group id share receives between groups."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from test_queue_engine_harness import STORES, Env, bodies, handles, new_queue, run

from postoffice.core.queues.engine import Counts, NewMessage


@STORES
def test_a_noisy_backlog_does_not_starve_quiet_groups(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        await env.engine.send(queue, [NewMessage(f"noisy{i}", group_id="noisy") for i in range(500)])
        await env.advance(1)
        for tenant in ("a", "b", "c"):
            await env.engine.send(queue, [NewMessage(f"{tenant}0", group_id=tenant)])
        received = await env.engine.receive(queue, 10)
        assert {"a0", "b0", "c0"} <= set(bodies(received))
        assert len(received) == 10

    run(store_kind, tmp_path, scenario)


@STORES
def test_a_group_busy_in_flight_gives_way_to_newer_quiet_messages(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=300.0)
        await env.engine.send(queue, [NewMessage(f"noisy{i}", group_id="noisy") for i in range(200)])
        in_flight = []
        for _ in range(5):
            in_flight += await env.engine.receive(queue, 10)
        assert Counter(message.group_id for message in in_flight) == {"noisy": 50}
        await env.advance(1)
        await env.engine.send(queue, [NewMessage("quiet", group_id="q"), NewMessage("solo")])
        assert sorted(bodies(await env.engine.receive(queue, 2))) == ["quiet", "solo"]
        await env.engine.send(queue, [NewMessage(f"t{i}", group_id=f"t{i}") for i in range(5)])
        assert sorted(bodies(await env.engine.receive(queue, 5))) == [f"t{i}" for i in range(5)]
        assert bodies(await env.engine.receive(queue, 1)) == ["noisy50"]

    run(store_kind, tmp_path, scenario)


@STORES
def test_noisy_groups_share_by_fewest_in_flight(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine, visibility_timeout=300.0)
        await env.engine.send(queue, [NewMessage(f"x{i}", group_id="x") for i in range(100)])
        await env.engine.send(queue, [NewMessage(f"y{i}", group_id="y") for i in range(100)])
        for _ in range(10):
            await env.engine.receive(queue, 10)
        assert env.engine.counts(queue) == Counts(visible=100, in_flight=100, delayed=0)
        taken = Counter(message.group_id for message in await env.engine.receive(queue, 10))
        assert abs(taken["x"] - taken["y"]) <= 1

    run(store_kind, tmp_path, scenario)


@STORES
def test_one_group_alone_is_not_locked_like_fifo(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        await env.engine.send(queue, [NewMessage(f"m{i}", group_id="only") for i in range(25)])
        first = await env.engine.receive(queue, 10)
        second = await env.engine.receive(queue, 10)
        assert bodies(first) == [f"m{i}" for i in range(10)]
        assert bodies(second) == [f"m{i}" for i in range(10, 20)]
        await env.engine.delete(queue, handles(first + second))
        assert len(await env.engine.receive(queue, 10)) == 5
        assert env.engine.counts(queue) == Counts(visible=0, in_flight=5, delayed=0)

    run(store_kind, tmp_path, scenario)


@STORES
def test_grouped_and_ungrouped_messages_are_served_oldest_first(store_kind: str, tmp_path: Path) -> None:
    async def scenario(env: Env) -> None:
        queue = await new_queue(env.engine)
        for message in (NewMessage("g1", group_id="g"), NewMessage("solo"), NewMessage("h1", group_id="h")):
            await env.engine.send(queue, [message])
            await env.advance(1)
        assert bodies(await env.engine.receive(queue, 1)) == ["g1"]
        assert bodies(await env.engine.receive(queue, 1)) == ["solo"]
        assert bodies(await env.engine.receive(queue, 1)) == ["h1"]

    run(store_kind, tmp_path, scenario)
