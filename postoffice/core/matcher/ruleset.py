"""Many compiled patterns, matched against one event without evaluating each in full.

Index: every `$or` branch (sub-rule) is filed under one key the event must carry for it to
match, whichever is rarest across the set:
- (path, value) for each value of a field whose alternatives are all exact values;
- ((path1, value1), (path2, value2)) for two such fields, so that the usual
  {"source": [...], "detail-type": [...]} rules sharing a source do not all become candidates;
- otherwise a path the branch requires to be present;
- a branch that requires nothing (only `exists: false`) is always a candidate. Per event: flatten once (only paths some
rule mentions), look each leaf up, fully evaluate only the candidates found. The index is
rebuilt lazily after add/remove (rules change rarely, events flow constantly). Not safe for
mutation from several threads at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterator
from typing import Any, Generic, TypeVar

from postoffice.core.matcher.flatten import flatten, path_prefixes
from postoffice.core.matcher.pattern import CompiledPattern, SubRule

K = TypeVar("K", bound=Hashable)

# (insertion order, rule id, sub-rule or None for a pattern that matches everything)
_Entry = tuple[int, Any, "SubRule | None"]


class RuleSet(Generic[K]):
    def __init__(self) -> None:
        self._patterns: dict[K, tuple[int, CompiledPattern]] = {}
        self._sequence = 0
        self._dirty = True
        self._by_value: dict[str, dict[Any, list[_Entry]]] = {}
        self._by_pair: dict[tuple[str, str], dict[tuple[Any, Any], list[_Entry]]] = {}
        self._by_path: dict[str, list[_Entry]] = {}
        self._always: list[_Entry] = []
        self._match_all: set = set()
        self._wanted: frozenset[str] = frozenset()

    def add(self, rule_id: K, pattern: CompiledPattern) -> None:
        """Add a rule, or replace the pattern of an existing one (keeping its position)."""
        existing = self._patterns.get(rule_id)
        if existing is not None:
            order = existing[0]
        else:
            self._sequence += 1
            order = self._sequence
        self._patterns[rule_id] = (order, pattern)
        self._dirty = True

    def remove(self, rule_id: K) -> None:
        if self._patterns.pop(rule_id, None) is not None:
            self._dirty = True

    def get(self, rule_id: K) -> CompiledPattern | None:
        entry = self._patterns.get(rule_id)
        return entry[1] if entry else None

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._patterns

    def __len__(self) -> int:
        return len(self._patterns)

    def __iter__(self) -> Iterator[K]:
        return iter(self._patterns)

    def matching(self, event: Any) -> list[K]:
        """Ids of the rules whose pattern matches the event, in the order they were added."""
        if self._dirty:
            self._rebuild()
        if type(event) is not dict:
            return [rule_id for _, rule_id, _ in self._always if rule_id in self._match_all]
        flat = flatten(event, self._wanted)
        candidates: list[_Entry] = []
        by_value, by_path = self._by_value, self._by_path
        for path, leaves in flat.items():
            values = by_value.get(path)
            if values is not None:
                for leaf in leaves:
                    bucket = values.get(leaf[1])
                    if bucket:
                        candidates.extend(bucket)
            bucket = by_path.get(path)
            if bucket:
                candidates.extend(bucket)
        for (first_path, second_path), combinations in self._by_pair.items():
            firsts = flat.get(first_path)
            seconds = flat.get(second_path) if firsts else None
            if seconds:
                for first in firsts:
                    for second in seconds:
                        bucket = combinations.get((first[1], second[1]))
                        if bucket:
                            candidates.extend(bucket)
        candidates.extend(self._always)
        matched: dict[int, K] = {}
        verdicts: dict[int, bool] = {}
        for order, rule_id, sub_rule in candidates:
            if order in matched:
                continue
            if sub_rule is None:
                matched[order] = rule_id
                continue
            verdict = verdicts.get(id(sub_rule))
            if verdict is None:
                verdict = verdicts[id(sub_rule)] = sub_rule.matches(flat)
            if verdict:
                matched[order] = rule_id
        if len(matched) > 1:
            return [matched[order] for order in sorted(matched)]
        return list(matched.values())

    def _rebuild(self) -> None:
        value_counts: Counter[tuple[str, Any]] = Counter()
        pair_counts: Counter[tuple[str, str, Any, Any]] = Counter()
        path_counts: Counter[str] = Counter()
        paths: set[str] = set()
        for _, pattern in self._patterns.values():
            paths |= pattern.paths
            for sub_rule in pattern.sub_rules:
                for path, matcher in sub_rule.fields:
                    if matcher.exact_only:
                        value_counts.update((path, key) for key in matcher.exact)
                    elif not matcher.allow_absent:
                        path_counts[path] += 1
                for first, second in _exact_pairs(sub_rule):
                    pair_counts.update(_pair_keys(first, second))
        self._by_value, self._by_pair, self._by_path, self._always = {}, {}, {}, []
        self._match_all = set()
        for rule_id, (order, pattern) in self._patterns.items():
            if pattern.matches_all:
                self._always.append((order, rule_id, None))
                self._match_all.add(rule_id)
                continue
            for sub_rule in pattern.sub_rules:
                self._file(sub_rule, (order, rule_id, sub_rule), value_counts, pair_counts, path_counts)
        self._wanted = path_prefixes(paths)
        self._dirty = False

    def _file(
        self, sub_rule: SubRule, entry: _Entry, value_counts: Counter, pair_counts: Counter, path_counts: Counter
    ) -> None:
        best_exact: tuple[int, str, Any] | None = None
        best_path: tuple[int, str] | None = None
        for path, matcher in sub_rule.fields:
            if matcher.exact_only:
                cost = sum(value_counts[(path, key)] for key in matcher.exact)
                if best_exact is None or cost < best_exact[0]:
                    best_exact = (cost, path, matcher)
            elif not matcher.allow_absent:
                cost = path_counts[path]
                if best_path is None or cost < best_path[0]:
                    best_path = (cost, path)
        best_pair = None
        for first, second in _exact_pairs(sub_rule):
            cost = sum(pair_counts[key] for key in _pair_keys(first, second))
            if best_pair is None or cost < best_pair[0]:
                best_pair = (cost, first, second)
        if best_pair is not None and (best_exact is None or best_pair[0] < best_exact[0]):
            _, (first_path, first), (second_path, second) = best_pair
            combinations = self._by_pair.setdefault((first_path, second_path), {})
            for first_key in first.exact:
                for second_key in second.exact:
                    combinations.setdefault((first_key, second_key), []).append(entry)
        elif best_exact is not None:
            _, path, matcher = best_exact
            values = self._by_value.setdefault(path, {})
            for key in matcher.exact:
                values.setdefault(key, []).append(entry)
        elif best_path is not None:
            self._by_path.setdefault(best_path[1], []).append(entry)
        else:
            self._always.append(entry)


_MAX_PAIR_KEYS = 64


def _exact_pairs(sub_rule: SubRule) -> list[tuple[tuple[str, Any], tuple[str, Any]]]:
    """Pairs of exact-only fields (in path order) small enough to index by value combination."""
    fields = sorted((path, matcher) for path, matcher in sub_rule.fields if matcher.exact_only)
    return [
        (first, second)
        for index, first in enumerate(fields)
        for second in fields[index + 1 :]
        if len(first[1].exact) * len(second[1].exact) <= _MAX_PAIR_KEYS
    ]


def _pair_keys(first: tuple[str, Any], second: tuple[str, Any]) -> list[tuple[str, str, Any, Any]]:
    return [(first[0], second[0], a, b) for a in first[1].exact for b in second[1].exact]
