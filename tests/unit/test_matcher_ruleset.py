"""RuleSet: many rules, one event, the same answers as evaluating every rule."""

from __future__ import annotations

import random

from postoffice.core.matcher import RuleSet, compile_filter_policy, compile_pattern, message_attributes_event
from postoffice.core.matcher.bench import make_event, make_rule, run

SEED_RULES = {
    "route-to-process-order": {"source": ["orders.api"], "detail-type": ["OrderPlaced"]},
    "route-to-inventory-queue": {"source": ["orders.api"], "detail-type": ["OrderPlaced"]},
    "order-placed": {"source": ["com.orders"], "detail-type": ["OrderPlaced"]},
    "high-value-orders": {
        "source": ["com.myapp.orders"],
        "detail-type": ["OrderCreated"],
        "detail": {"amount": [{"numeric": [">=", 1000]}], "status": ["confirmed"]},
    },
    "big-totals": {"detail": {"total": [{"numeric": [">", 500]}]}},
    "s3-uploads": {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["my-bucket"]}, "object": {"key": [{"prefix": "uploads/"}]}},
    },
    "ec2-instance-stopped": {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        "detail": {"state": ["stopped", "terminated"]},
    },
    "ec2-state-change": {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        "detail": {"state": ["running", "stopped"]},
    },
}


def seed_rule_set() -> RuleSet[str]:
    rules: RuleSet[str] = RuleSet()
    for name, pattern in SEED_RULES.items():
        rules.add(name, compile_pattern(pattern))
    return rules


def test_seed_rules_route_their_events():
    rules = seed_rule_set()
    placed = {"source": "orders.api", "detail-type": "OrderPlaced", "detail": {"orderId": "o-1", "total": 42}}
    assert rules.matching(placed) == ["route-to-process-order", "route-to-inventory-queue"]
    assert rules.matching({**placed, "source": "com.orders", "detail": {"total": 900}}) == [
        "order-placed",
        "big-totals",
    ]
    high = {
        "source": "com.myapp.orders",
        "detail-type": "OrderCreated",
        "detail": {"amount": 1200, "status": "confirmed"},
    }
    assert rules.matching(high) == ["high-value-orders"]
    assert rules.matching({**high, "detail": {"amount": 10, "status": "confirmed"}}) == []
    upload = {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": "my-bucket"}, "object": {"key": "uploads/a.png"}},
    }
    assert rules.matching(upload) == ["s3-uploads"]
    stopped = {
        "source": "aws.ec2",
        "detail-type": "EC2 Instance State-change Notification",
        "detail": {"state": "stopped"},
    }
    assert rules.matching(stopped) == ["ec2-instance-stopped", "ec2-state-change"]
    assert rules.matching({**stopped, "detail": {"state": "running"}}) == ["ec2-state-change"]
    assert rules.matching({**stopped, "detail": {"state": "pending"}}) == []


def test_add_replace_remove():
    rules: RuleSet[str] = RuleSet()
    rules.add("a", compile_pattern({"x": ["1"]}))
    rules.add("b", compile_pattern({"x": ["1"]}))
    assert rules.matching({"x": "1"}) == ["a", "b"]
    rules.add("a", compile_pattern({"x": ["2"]}))
    assert rules.matching({"x": "1"}) == ["b"]
    assert rules.matching({"x": "2"}) == ["a"]
    rules.remove("b")
    rules.remove("missing")
    assert rules.matching({"x": "1"}) == []
    assert len(rules) == 1 and "a" in rules and list(rules) == ["a"]
    assert rules.get("a") is not None and rules.get("b") is None


def test_one_compiled_pattern_shared_by_several_rules():
    shared = compile_pattern({"source": ["orders.api"], "detail-type": ["OrderPlaced"]})
    rules: RuleSet[str] = RuleSet()
    rules.add("lambda-target", shared)
    rules.add("sqs-target", shared)
    assert rules.matching({"source": "orders.api", "detail-type": "OrderPlaced"}) == ["lambda-target", "sqs-target"]


def test_rules_without_exact_values_are_still_found():
    rules: RuleSet[int] = RuleSet()
    rules.add(1, compile_pattern({"n": [{"numeric": [">", 5]}]}))
    rules.add(2, compile_pattern({"s": [{"prefix": "ab"}], "t": [{"exists": True}]}))
    rules.add(3, compile_pattern({"gone": [{"exists": False}]}))
    rules.add(4, compile_pattern({"$or": [{"k": ["v"]}, {"n": [{"numeric": ["<", 0]}]}]}))
    assert rules.matching({"n": 6}) == [1, 3]
    assert rules.matching({"n": -1, "gone": 1}) == [4]
    assert rules.matching({"s": "abc", "t": None, "k": "v"}) == [2, 3, 4]
    assert rules.matching({"gone": "here"}) == []


def test_exact_values_inside_arrays_and_numbers_are_indexed():
    rules: RuleSet[str] = RuleSet()
    rules.add("resource", compile_pattern({"resources": ["arn:1"], "detail": {"n": [5]}}))
    assert rules.matching({"resources": ["arn:0", "arn:1"], "detail": {"n": 5.0}}) == ["resource"]
    assert rules.matching({"resources": ["arn:0"], "detail": {"n": 5}}) == []


def test_sns_subscriptions_in_a_rule_set():
    rules: RuleSet[str] = RuleSet()
    rules.add("all", compile_filter_policy({}))
    rules.add("premium", compile_filter_policy({"order_value": [{"numeric": [">=", 1000]}]}))
    event = message_attributes_event({"order_value": {"DataType": "Number", "StringValue": "1200"}})
    assert rules.matching(event) == ["all", "premium"]
    assert rules.matching(None) == ["all"]


def test_non_object_events_match_no_pattern_with_keys():
    rules = seed_rule_set()
    assert rules.matching(["source"]) == []


def test_index_agrees_with_evaluating_every_rule():
    rng = random.Random(11)
    patterns = {f"r{i}": compile_pattern(make_rule(rng)) for i in range(400)}
    rules: RuleSet[str] = RuleSet()
    for name, pattern in patterns.items():
        rules.add(name, pattern)
    total = 0
    for _ in range(400):
        event = make_event(rng)
        expected = [name for name, pattern in patterns.items() if pattern.matches(event)]
        assert rules.matching(event) == expected
        total += len(expected)
    assert total > 20


def test_bench_runs():
    result = run(events=200, rules=50, seed=3)
    assert result["events"] == 200 and result["rules"] == 50
    assert result["events_per_second"] > 0
