"""Property tests: the compiled matcher and the RuleSet index agree with a direct evaluator.

The reference walks pattern and event side by side. Arrays follow event-ruler's
rulesForJSONEvent: an array of objects stands for one of its elements at a time (so two fields
never come from different elements), an array of scalars is a set of values. `exists: false`
asks whether the path holds no value anywhere in the event.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postoffice.core.matcher import RuleSet, compile_pattern

KEYS = ["a", "b"]
OR_KEYS = ["c", "d"]
EVENT_KEYS = KEYS + OR_KEYS
STRINGS = ["", "x", "xy", "X", "yx", "xyz"]
NUMBERS = [0, 1, -1, 2.5, 3]

scalars = st.one_of(st.sampled_from(STRINGS), st.sampled_from(NUMBERS), st.booleans(), st.none())


def event_values(depth: int) -> st.SearchStrategy:
    leaf = st.one_of(scalars, st.lists(scalars, max_size=3))
    if depth == 0:
        return leaf
    child = st.dictionaries(st.sampled_from(EVENT_KEYS), event_values(depth - 1), max_size=3)
    return st.one_of(leaf, child, st.lists(child, max_size=2))


events = st.dictionaries(st.sampled_from(EVENT_KEYS), event_values(2), max_size=4)

wildcards = st.text(alphabet="xy*", max_size=4).filter(lambda w: "**" not in w)
string_lists = st.lists(st.sampled_from(STRINGS), min_size=1, max_size=3)


@st.composite
def numeric_expressions(draw) -> list:
    low, high = sorted(draw(st.lists(st.integers(-2, 4), min_size=2, max_size=2, unique=True)))
    kind = draw(st.sampled_from(["=", "<", "<=", ">", ">=", "range"]))
    if kind == "range":
        return [draw(st.sampled_from([">", ">="])), low, draw(st.sampled_from(["<", "<="])), high]
    return [kind, low]


alternatives = st.one_of(
    scalars,
    st.builds(lambda s: {"prefix": s}, st.sampled_from(STRINGS)),
    st.builds(lambda s: {"suffix": s}, st.sampled_from(STRINGS)),
    st.builds(lambda s: {"equals-ignore-case": s}, st.sampled_from(STRINGS)),
    st.builds(lambda s: {"prefix": {"equals-ignore-case": s}}, st.sampled_from(STRINGS)),
    st.builds(lambda w: {"wildcard": w}, wildcards),
    st.builds(lambda n: {"numeric": n}, numeric_expressions()),
    st.builds(lambda b: {"exists": b}, st.booleans()),
    st.builds(lambda s: {"anything-but": s}, st.one_of(st.sampled_from(STRINGS), st.sampled_from(NUMBERS))),
    st.builds(lambda s: {"anything-but": s}, st.one_of(string_lists, st.lists(st.sampled_from(NUMBERS), min_size=1))),
    st.builds(lambda s: {"anything-but": {"prefix": s}}, st.sampled_from(STRINGS[1:])),
    st.builds(lambda s: {"anything-but": {"suffix": s}}, st.sampled_from(STRINGS[1:])),
    st.builds(lambda s: {"anything-but": {"equals-ignore-case": s}}, string_lists),
    st.builds(lambda w: {"anything-but": {"wildcard": w}}, wildcards),
)
fields = st.lists(alternatives, min_size=1, max_size=3)


def objects(keys: list[str], depth: int, with_or: bool) -> st.SearchStrategy:
    value = fields if depth == 0 else st.one_of(fields, fields, objects(KEYS, depth - 1, with_or))
    plain = st.dictionaries(st.sampled_from(keys), value, min_size=1, max_size=2)
    if not with_or:
        return plain
    branch = objects(OR_KEYS, 0, False)
    with_branches = st.builds(lambda base, bs: {**base, "$or": bs}, plain, st.lists(branch, min_size=2, max_size=3))
    return st.one_of(plain, plain, with_branches)


patterns = objects(KEYS, 2, True)


def value_near(draw, alternative: Any) -> Any:
    """A value likely (not certain) to satisfy the alternative."""
    if not isinstance(alternative, dict) or draw(st.booleans()):
        return alternative if not isinstance(alternative, dict) else draw(scalars)
    ((operator, operand),) = alternative.items()
    if operator == "prefix":
        text = operand["equals-ignore-case"].upper() if isinstance(operand, dict) else operand
        return text + draw(st.sampled_from(["", "y"]))
    if operator == "suffix":
        return draw(st.sampled_from(["", "x"])) + operand
    if operator == "equals-ignore-case":
        return operand.upper()
    if operator == "wildcard":
        return operand.replace("*", draw(st.sampled_from(["", "y", "xy"])))
    if operator == "numeric":
        return operand[1] + draw(st.sampled_from([0, 1, -1, 0.5]))
    return draw(scalars)


@st.composite
def event_for(draw, pattern: dict) -> dict:
    event: dict = {}
    for key, value in pattern.items():
        if key == "$or":
            event.update(draw(event_for(draw(st.sampled_from(value)))))
        elif draw(st.integers(0, 9)) == 0:
            continue
        elif isinstance(value, dict):
            child = draw(event_for(value))
            event[key] = [child, draw(event_for(value))] if draw(st.integers(0, 3)) == 0 else child
        else:
            picked = [value_near(draw, draw(st.sampled_from(value))) for _ in range(draw(st.integers(1, 2)))]
            event[key] = picked if len(picked) > 1 else picked[0]
    return event


@st.composite
def pattern_and_event(draw) -> tuple[dict, dict]:
    pattern = draw(patterns)
    event = draw(event_for(pattern)) if draw(st.integers(0, 4)) else {}
    noise = draw(events)
    return pattern, {**noise, **event} if draw(st.booleans()) else {**event, **noise}


# --- the reference ------------------------------------------------------------------------------

MISSING = object()


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def same(pattern_value: Any, value: Any) -> bool:
    if isinstance(pattern_value, str):
        return isinstance(value, str) and value == pattern_value
    if isinstance(pattern_value, bool) or pattern_value is None:
        return value is pattern_value
    return is_number(value) and value == pattern_value


def glob(pattern: str, value: str) -> bool:
    if not pattern:
        return not value
    if pattern[0] == "*":
        return any(glob(pattern[1:], value[i:]) for i in range(len(value) + 1))
    return bool(value) and value[0] == pattern[0] and glob(pattern[1:], value[1:])


def numeric(expression: list, value: Any) -> bool:
    if not is_number(value):
        return False
    compare = {
        "=": lambda v, n: v == n,
        "<": lambda v, n: v < n,
        "<=": lambda v, n: v <= n,
        ">": lambda v, n: v > n,
        ">=": lambda v, n: v >= n,
    }
    return all(compare[op](value, n) for op, n in zip(expression[::2], expression[1::2], strict=True))


def excluded(form: str | None, operand: Any, value: Any) -> bool:
    items = operand if isinstance(operand, list) else [operand]
    if form is None:
        return any(same(item, value) for item in items)
    if not isinstance(value, str):
        return False
    if form == "prefix":
        return any(value.startswith(item) for item in items)
    if form == "suffix":
        return any(value.endswith(item) for item in items)
    if form == "equals-ignore-case":
        return any(value.lower() == item.lower() for item in items)
    return any(glob(item, value) for item in items)


def alternative_matches(alternative: Any, value: Any) -> bool:
    if not isinstance(alternative, dict):
        return same(alternative, value)
    ((operator, operand),) = alternative.items()
    if operator == "anything-but":
        if isinstance(operand, dict):
            ((form, inner),) = operand.items()
            return not excluded(form, inner, value)
        return not excluded(None, operand, value)
    if operator == "numeric":
        return numeric(operand, value)
    if not isinstance(value, str):
        return False
    if operator in ("prefix", "suffix") and isinstance(operand, dict):
        folded, text = value.lower(), operand["equals-ignore-case"].lower()
        return folded.startswith(text) if operator == "prefix" else folded.endswith(text)
    if operator == "prefix":
        return value.startswith(operand)
    if operator == "suffix":
        return value.endswith(operand)
    if operator == "equals-ignore-case":
        return value.lower() == operand.lower()
    return glob(operand, value)


def leaves(node: Any) -> list:
    if node is MISSING or isinstance(node, dict):
        return []
    if isinstance(node, list):
        return [item for item in node if not isinstance(item, (dict, list))]
    return [node]


def anywhere(event: Any, path: tuple[str, ...]) -> list:
    if isinstance(event, list):
        return [leaf for item in event for leaf in anywhere(item, path)]
    if not path:
        return leaves(event)
    if not isinstance(event, dict) or path[0] not in event:
        return []
    return anywhere(event[path[0]], path[1:])


def field_matches(alternatives_: list, node: Any, absent: bool) -> bool:
    values = leaves(node)
    for alternative in alternatives_:
        if alternative == {"exists": False}:
            if absent:
                return True
        elif alternative == {"exists": True}:
            if values:
                return True
        elif any(alternative_matches(alternative, value) for value in values):
            return True
    return False


def object_matches(pattern: dict, node: Any, path: tuple[str, ...], event: dict) -> bool:
    for key, value in pattern.items():
        if key == "$or":
            if not any(object_matches(branch, node, path, event) for branch in value):
                return False
            continue
        child = node.get(key, MISSING) if isinstance(node, dict) else MISSING
        if isinstance(value, dict):
            if not object_matches(value, child, (*path, key), event):
                return False
        elif not field_matches(value, child, not anywhere(event, (*path, key))):
            return False
    return True


def views(node: Any) -> list:
    """The event as event-ruler sees it: each array of objects stands for one element at a time."""
    if isinstance(node, dict):
        keys = list(node)
        return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*(views(node[k]) for k in keys))]
    if isinstance(node, list) and any(isinstance(item, (dict, list)) for item in node):
        return [view for item in node for view in views(item)]
    return [node]


def reference(pattern: dict, event: dict) -> bool:
    return any(object_matches(pattern, view, (), event) for view in views(event))


# --- properties ---------------------------------------------------------------------------------

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(pattern_and_event())
def test_compiled_pattern_agrees_with_reference(case):
    pattern, event = case
    assert compile_pattern(pattern).matches(event) == reference(pattern, event)


@SETTINGS
@given(st.lists(pattern_and_event(), min_size=1, max_size=12))
def test_rule_set_agrees_with_reference(cases):
    rule_patterns = [pattern for pattern, _ in cases]
    event_list = [event for _, event in cases[:4]]
    rules: RuleSet[int] = RuleSet()
    for index, pattern in enumerate(rule_patterns):
        rules.add(index, compile_pattern(pattern))
    for event in event_list:
        expected = [index for index, pattern in enumerate(rule_patterns) if reference(pattern, event)]
        assert rules.matching(event) == expected


@settings(max_examples=150, deadline=None)
@given(pattern_and_event(), st.lists(events, min_size=1, max_size=3))
def test_pattern_is_reusable_across_events(case, more):
    pattern, event = case
    event_list = [event, *more, event]
    compiled = compile_pattern(pattern)
    assert [compiled.matches(e) for e in event_list] == [reference(pattern, e) for e in event_list]
