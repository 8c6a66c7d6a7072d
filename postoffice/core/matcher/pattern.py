"""A compiled pattern: the `$or`-expanded list of conjunctions event-ruler adds to its machine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from postoffice.core.matcher.dialects import Dialect
from postoffice.core.matcher.flatten import FlatEvent, flatten, path_prefixes
from postoffice.core.matcher.operators import FieldMatcher


@dataclass(frozen=True)
class SubRule:
    """Fields that must all match (one `$or` branch combination)."""

    fields: tuple[tuple[str, FieldMatcher], ...]

    def matches(self, flat: FlatEvent) -> bool:
        constrained: list[set] | None = None
        for path, matcher in self.fields:
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

    def __post_init__(self) -> None:
        paths = frozenset(path for rule in self.sub_rules for path, _ in rule.fields)
        object.__setattr__(self, "paths", paths)
        object.__setattr__(self, "wanted", path_prefixes(paths))

    def matches(self, event: Any) -> bool:
        """Whether the event (a JSON object as a dict) matches; anything else matches only `{}`."""
        if self.matches_all:
            return True
        if type(event) is not dict:
            return False
        return self.matches_flat(flatten(event, self.wanted))

    def matches_flat(self, flat: FlatEvent) -> bool:
        """Match an event already flattened (by flatten(), with at least this pattern's paths)."""
        if self.matches_all:
            return True
        return any(rule.matches(flat) for rule in self.sub_rules)
