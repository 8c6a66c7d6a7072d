"""The matcher's fast paths give the answers of the plain ones: flattening by path tree,
floats scaled without Decimal, and index keys that settle a rule's fields on their own."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from postoffice.core.matcher import RuleSet, compile_pattern
from postoffice.core.matcher.flatten import FlatEvent, flatten, flatten_paths, path_prefixes, path_tree
from postoffice.core.matcher.ruleset import MAX_PAIR_PATHS
from postoffice.core.matcher.values import scaled_number

KEYS = ["a", "b", "a.b", "b.a", "c"]
scalars = st.one_of(st.sampled_from(["x", "y", ""]), st.integers(-2, 2), st.floats(-10, 10), st.booleans(), st.none())
nodes = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.sampled_from(KEYS), children)),
    max_leaves=12,
)
events = st.dictionaries(st.sampled_from(KEYS), nodes, max_size=4)
paths = st.lists(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3).map(".".join), min_size=1, max_size=5)


def normalized(flat: FlatEvent) -> dict[str, list]:
    """Leaves by path, array ids left out (only their equality matters) and order ignored."""
    return {
        path: sorted((repr(raw), repr(key), tuple(index for _, index in membership)) for raw, key, membership in leaves)
        for path, leaves in flat.items()
    }


@settings(max_examples=300, deadline=None)
@given(events, paths)
def test_flatten_by_path_tree_equals_flatten_by_wanted_paths(event, wanted):
    assert normalized(flatten_paths(event, path_tree(wanted))) == normalized(flatten(event, path_prefixes(wanted)))


def test_event_keys_with_dots_reach_the_same_path_as_nesting():
    rules: RuleSet[str] = RuleSet()
    rules.add("dotted", compile_pattern({"a.b": ["x"]}))
    rules.add("nested", compile_pattern({"a": {"b": ["y"]}}))
    assert rules.matching({"a": {"b": "x"}}) == ["dotted"]
    assert rules.matching({"a.b": "y"}) == ["nested"]
    assert rules.matching({"a.b": "x", "a": {"b": "y"}}) == ["dotted", "nested"]
    assert compile_pattern({"a": {"b": {"c": [1]}}}).matches({"a.b": {"c": 1}})
    assert compile_pattern({"a": {"b": {"c": [1]}}}).matches({"a": {"b.c": 1}})


def leaf_pairs(node: Any, path: str, found: set) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            leaf_pairs(value, f"{path}.{key}" if path else key, found)
    elif isinstance(node, list):
        for item in node:
            leaf_pairs(item, path, found)
    else:
        found.add((path, repr(node)))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from(KEYS), st.lists(st.sampled_from(["x", "y", ""]), min_size=1, max_size=2)),
        min_size=1,
        max_size=8,
    ).filter(lambda patterns: all(patterns)),
    st.dictionaries(
        st.sampled_from(KEYS),
        st.one_of(
            st.sampled_from(["x", "y", ""]),
            st.dictionaries(st.sampled_from(KEYS), st.sampled_from(["x", "y", ""])),
        ),
    ),
)
def test_rule_set_with_dotted_keys_matches_by_joined_path(patterns, event):
    """Exact values only and no arrays: a field matches when its joined path holds one of its values."""
    found: set = set()
    leaf_pairs(event, "", found)
    expected = [
        index
        for index, pattern in enumerate(patterns)
        if all(any((path, repr(value)) in found for value in values) for path, values in pattern.items())
    ]
    rules: RuleSet[int] = RuleSet()
    for index, pattern in enumerate(patterns):
        rules.add(index, compile_pattern(pattern))
    assert rules.matching(event) == expected
    assert [index for index, pattern in enumerate(patterns) if compile_pattern(pattern).matches(event)] == expected


def reference_scaled(value: float) -> int | None:
    if not -5e9 <= value <= 5e9:
        return None
    return math.floor(Decimal(repr(value)) * 1_000_000)


@settings(max_examples=2000, deadline=None)
@given(
    st.one_of(
        st.floats(-5e9, 5e9),
        st.builds(round, st.floats(-5e9, 5e9), st.integers(0, 8)),
        st.builds(lambda n, places: n / 10**places, st.integers(-(10**15), 10**15), st.integers(0, 9)),
    )
)
def test_floats_scale_like_their_shortest_decimal(value):
    assert scaled_number(value) == reference_scaled(value)


def test_floats_near_the_fast_limit_and_below_a_millionth():
    for value in (3999999999.999999, -3999999999.999999, 4000000000.5, 4999999999.25, 1e-7, -1e-7, 9.999999e-7, 0.3):
        assert scaled_number(value) == reference_scaled(value)


def test_index_keys_inside_arrays_of_objects_still_need_one_element():
    rules: RuleSet[str] = RuleSet()
    rules.add("pair-in-array", compile_pattern({"items": {"sku": ["A"], "qty": [2]}}))
    rules.add("value-in-array", compile_pattern({"items": {"sku": ["A"], "qty": [{"numeric": [">", 1]}]}}))
    # indexed by the pair (account, items.sku) and by (items.sku, source): one value in an array each
    for name, top in (("first-top", "account"), ("second-top", "source")):
        rules.add(name, compile_pattern({top: ["s"], "items": {"sku": ["A"], "qty": [{"numeric": [">", 1]}]}}))
    split = {"account": "s", "source": "s", "items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]}
    assert rules.matching(split) == []
    together = {"account": "s", "source": "s", "items": [{"sku": "B", "qty": 1}, {"sku": "A", "qty": 2}]}
    assert rules.matching(together) == ["pair-in-array", "value-in-array", "first-top", "second-top"]


def test_a_rule_its_index_key_covers_whole_matches_and_others_are_still_checked():
    rules: RuleSet[str] = RuleSet()
    rules.add("exact", compile_pattern({"source": ["s"], "detail-type": ["t"]}))
    rules.add(
        "more", compile_pattern({"source": ["s"], "detail-type": ["t"], "detail": {"n": [{"numeric": [">", 5]}]}})
    )
    rules.add("absent", compile_pattern({"source": ["s"], "detail": {"gone": [{"exists": False}]}}))
    assert rules.matching({"source": "s", "detail-type": "t", "detail": {"n": 6}}) == ["exact", "more", "absent"]
    assert rules.matching({"source": "s", "detail-type": "t", "detail": {"n": 5, "gone": 1}}) == ["exact"]
    assert rules.matching({"source": "s", "detail-type": "u"}) == ["absent"]


def test_many_distinct_pairs_of_paths_are_capped_and_still_match():
    patterns = {}
    for i in range(300):
        patterns[i] = {"source": ["s"], "detail-type": ["t"], "detail": {f"f{i}": ["v", "w"]}}
        patterns[300 + i] = {"source": [f"s{i % 10}"], "detail": {f"g{i // 2}": ["v"]}}
    rules: RuleSet[int] = RuleSet()
    compiled = {index: compile_pattern(pattern) for index, pattern in patterns.items()}
    for index, pattern in compiled.items():
        rules.add(index, pattern)
    for event in (
        {"source": "s", "detail-type": "t", "detail": {"f5": "w", "g7": "v"}},
        {"source": "s4", "detail-type": "t", "detail": {"f5": "x", "g7": "v", "g8": "v"}},
        {"source": "s5", "detail": {"g7": ["x", "v"], "f299": "v"}},
    ):
        expected = [index for index, pattern in compiled.items() if pattern.matches(event)]
        assert expected
        assert rules.matching(event) == expected
    assert sum(len(partners) for _, partners in rules._by_pair) <= MAX_PAIR_PATHS
