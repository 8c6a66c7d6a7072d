import math

from postoffice.core.throttle import TokenBuckets


def test_a_bucket_starts_full_and_refills_at_its_rate() -> None:
    buckets = TokenBuckets()
    assert [buckets.take("stage", 1.0, 2, 100.0) for _ in range(3)] == [0.0, 0.0, 1.0]
    assert buckets.take("stage", 1.0, 2, 100.5) == 0.5
    assert buckets.take("stage", 1.0, 2, 101.0) == 0.0


def test_refill_stops_at_the_burst() -> None:
    buckets = TokenBuckets()
    assert buckets.take("k", 10, 2, 0.0) == 0.0
    assert [buckets.take("k", 10, 2, 60.0) for _ in range(3)] == [0.0, 0.0, 0.1]


def test_keys_are_independent() -> None:
    buckets = TokenBuckets()
    assert buckets.take(("a",), 1, 1, 0.0) == 0.0
    assert buckets.take(("b",), 1, 1, 0.0) == 0.0
    assert buckets.take(("a",), 1, 1, 0.0) == 1.0


def test_new_limits_start_a_full_bucket() -> None:
    buckets = TokenBuckets()
    assert buckets.take("k", 1, 1, 0.0) == 0.0
    assert buckets.take("k", 1, 1, 0.0) > 0
    assert buckets.take("k", 5, 5, 0.0) == 0.0


def test_a_clock_going_back_does_not_drain_the_bucket() -> None:
    buckets = TokenBuckets()
    assert buckets.take("k", 1, 2, 10.0) == 0.0
    assert buckets.take("k", 1, 2, 5.0) == 0.0


def test_no_rate_or_no_burst_never_lets_a_call_through() -> None:
    buckets = TokenBuckets()
    assert buckets.take("zero-burst", 5.0, 0, 100.0) == math.inf
    assert buckets.take("zero-rate", 0.0, 1, 100.0) == 0.0
    assert buckets.take("zero-rate", 0.0, 1, 500.0) == math.inf


def test_clear_forgets_every_bucket() -> None:
    buckets = TokenBuckets()
    buckets.take("k", 1, 1, 0.0)
    buckets.clear()
    assert buckets.take("k", 1, 1, 0.0) == 0.0
