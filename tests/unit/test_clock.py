import asyncio

import pytest

from postoffice.core.clock import RealClock, VirtualClock, make_clock


def test_virtual_clock_stands_still_until_moved() -> None:
    clock = VirtualClock(start=1000.0)
    assert clock.now() == 1000.0
    asyncio.run(clock.advance(5))
    assert clock.now() == 1005.0


def test_virtual_clock_wakes_sleepers_in_deadline_order() -> None:
    async def scenario() -> list[tuple[str, float]]:
        clock = VirtualClock(start=0.0)
        woke: list[tuple[str, float]] = []

        async def sleeper(name: str, deadline: float) -> None:
            await clock.sleep_until(deadline)
            woke.append((name, clock.now()))

        tasks = [asyncio.create_task(sleeper(n, d)) for n, d in [("c", 30), ("a", 10), ("b", 20), ("late", 99)]]
        await asyncio.sleep(0)
        await clock.advance(25)
        assert [name for name, _ in woke] == ["a", "b"]
        await clock.advance(10)
        tasks[-1].cancel()
        return woke

    woke = asyncio.run(scenario())
    assert woke == [("a", 10.0), ("b", 20.0), ("c", 30.0)]


def test_a_woken_task_sees_the_clock_at_its_own_deadline() -> None:
    async def scenario() -> list[float]:
        clock = VirtualClock(start=0.0)
        seen: list[float] = []

        async def chain() -> None:
            await clock.sleep_until(10)
            seen.append(clock.now())
            await clock.sleep(5)
            seen.append(clock.now())

        task = asyncio.create_task(chain())
        await asyncio.sleep(0)
        await clock.set(100)
        await task
        return seen

    assert asyncio.run(scenario()) == [10.0, 15.0]


def test_virtual_clock_never_goes_backwards() -> None:
    clock = VirtualClock(start=50.0)
    with pytest.raises(ValueError):
        asyncio.run(clock.set(10))
    with pytest.raises(ValueError):
        asyncio.run(clock.advance(-1))


def test_real_clock_sleeps_on_wall_time() -> None:
    clock = RealClock()
    start = clock.now()
    asyncio.run(clock.sleep_until(start + 0.01))
    assert clock.now() >= start + 0.01


def test_make_clock_rejects_unknown_kinds() -> None:
    assert make_clock("virtual").kind == "virtual"
    with pytest.raises(ValueError):
        make_clock("sundial")
