"""A compiled pattern: the `$or`-expanded list of conjunctions event-ruler adds to its machine.

Each conjunction is compiled once into a check over a flattened event, specialised for its
shape: one field (no array-membership bookkeeping), one field of exact values only, or the
general case that keeps two fields from coming from different elements of one array.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from postoffice.core.matcher.dialects import Dialect
from postoffice.core.matcher.flatten import FlatEvent, PathTree, flatten_paths, path_prefixes, path_tree
from postoffice.core.matcher.operators import FieldMatcher

Fields = tuple[tuple[str, FieldMatcher], ...]
Check = Callable[[FlatEvent], bool]


def compile_check(fields: Fields) -> Check | None:
    """A check that the fields all match a flattened event; None when there are no fields."""
    if not fields:
        return None
    if len(fields) == 1:
        return _one_field(*fields[0])
    return _all_fields(fields)


def _one_field(path: str, matcher: FieldMatcher) -> Check:
    """With one field any satisfying value will do: no memberships to reconcile."""
    exact, tests, absent = matcher.exact, matcher.tests, matcher.allow_absent
    if not tests:

        def exact_check(flat: FlatEvent) -> bool:
            leaves = flat.get(path)
            if leaves is None:
                return absent
            for leaf in leaves:
                if leaf[1] in exact:
                    return True
            return False

        return exact_check
    if not exact and len(tests) == 1:
        test = tests[0]

        def test_check(flat: FlatEvent) -> bool:
            leaves = flat.get(path)
            if leaves is None:
                return absent
            for raw, key, _ in leaves:
                if test(raw, key):
                    return True
            return False

        return test_check

    def check(flat: FlatEvent) -> bool:
        leaves = flat.get(path)
        if leaves is None:
            return absent
        for raw, key, _ in leaves:
            if key in exact or _any_test(tests, raw, key):
                return True
        return False

    return check


def _all_fields(fields: Fields) -> Check:
    def check(flat: FlatEvent) -> bool:
        constrained: list[set] | None = None
        for path, matcher in fields:
            leaves = flat.get(path)
            if not leaves:
                if matcher.allow_absent:
                    continue
                return False
            exact = matcher.exact
            tests = matcher.tests
            memberships: set | None = None
            unconstrained = False
            for raw, key, membership in leaves:
                if key in exact or (tests and _any_test(tests, raw, key)):
                    if not membership:
                        unconstrained = True
                        break
                    if memberships is None:
                        memberships = {membership}
                    else:
                        memberships.add(membership)
            if unconstrained:
                continue
            if memberships is None:
                return False
            if constrained is None:
                constrained = [memberships]
            else:
                constrained.append(memberships)
        if constrained is None or len(constrained) == 1:
            return True
        return _consistent(constrained)

    return check


def _no_fields(flat: FlatEvent) -> bool:
    return True


@dataclass(frozen=True)
class SubRule:
    """Fields that must all match (one `$or` branch combination)."""

    fields: Fields
    check: Check = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "check", compile_check(self.fields) or _no_fields)

    def matches(self, flat: FlatEvent) -> bool:
        return self.check(flat)


def _any_test(tests: tuple, raw: Any, key: Any) -> bool:
    for test in tests:
        if test(raw, key):
            return True
    return False


def _consistent(choices: list[set]) -> bool:
    """Whether one membership per field can be picked without two elements of one array."""
    ordered = sorted(choices, key=len)
    assignment: dict[int, int] = {}

    def solve(position: int) -> bool:
        if position == len(ordered):
            return True
        for membership in ordered[position]:
            added: list[int] = []
            fits = True
            for array_id, index in membership:
                current = assignment.get(array_id)
                if current is None:
                    assignment[array_id] = index
                    added.append(array_id)
                elif current != index:
                    fits = False
                    break
            if fits and solve(position + 1):
                return True
            for array_id in added:
                del assignment[array_id]
        return False

    return solve(0)


@dataclass(frozen=True, eq=False)
class CompiledPattern:
    """A validated pattern, ready to match events (see compile_pattern)."""

    dialect: Dialect
    source: dict
    sub_rules: tuple[SubRule, ...]
    matches_all: bool = False
    paths: frozenset[str] = field(init=False)
    wanted: frozenset[str] = field(init=False)
    tree: PathTree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        paths = frozenset(path for rule in self.sub_rules for path, _ in rule.fields)
        object.__setattr__(self, "paths", paths)
        object.__setattr__(self, "wanted", path_prefixes(paths))
        object.__setattr__(self, "tree", path_tree(paths))

    def matches(self, event: Any) -> bool:
        """Whether the event (a JSON object as a dict) matches; anything else matches only `{}`."""
        if self.matches_all:
            return True
        if type(event) is not dict:
            return False
        return self.matches_flat(flatten_paths(event, self.tree))

    def matches_flat(self, flat: FlatEvent) -> bool:
        """Match an event already flattened (by flatten(), with at least this pattern's paths)."""
        if self.matches_all:
            return True
        for rule in self.sub_rules:
            if rule.check(flat):
                return True
        return False
