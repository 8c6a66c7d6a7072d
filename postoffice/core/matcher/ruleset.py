"""Many compiled patterns, matched against one event without evaluating each in full.

Index: every `$or` branch (sub-rule) is filed under one key the event must carry for it to
match, whichever is rarest across the set:
- (path, value) for each value of a field whose alternatives are all exact values;
- ((path1, value1), (path2, value2)) for two such fields, so that the usual
  {"source": [...], "detail-type": [...]} rules sharing a source do not all become candidates
  (on a tie with a single value the pair wins: events carry a pair more rarely);
- otherwise a path the branch requires to be present;
- a branch that requires nothing (only `exists: false`) is always a candidate.

Per event: flatten once (only paths some rule mentions), look each leaf up, evaluate only the
candidates found. A candidate found through values outside any array of objects has its
indexed fields settled already: only the rest of its fields are checked (its residual), and a
branch of exact fields only that the key covers whole matches without a check. The index is
rebuilt lazily after add/remove (rules change rarely, events flow constantly). Not safe for
mutation from several threads at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterator
from typing import Any, Generic, TypeVar

from postoffice.core.matcher.flatten import PathTree, flatten_paths, path_tree
from postoffice.core.matcher.pattern import Check, CompiledPattern, SubRule, compile_check

K = TypeVar("K", bound=Hashable)

# (insertion order, rule id, verdict key, check or None when nothing is left to check)
_Entry = tuple[int, Any, int, "Check | None"]
# A key's entries twice: with their residual checks (the key's values were met outside any array
# of objects) and with their full checks.
_Bucket = tuple[list[_Entry], list[_Entry]]


class RuleSet(Generic[K]):
    def __init__(self) -> None:
        self._patterns: dict[K, tuple[int, CompiledPattern]] = {}
        self._sequence = 0
        self._dirty = True
        # path -> (value key -> bucket, or None; entries requiring the path, or None)
        self._by_path: dict[str, tuple[dict[Any, _Bucket] | None, list[_Entry] | None]] = {}
        # (first path, [(second path, first value key -> second value key -> bucket)])
        self._by_pair: list[tuple[str, list[tuple[str, dict[Any, dict[Any, _Bucket]]]]]] = []
        self._always: list[_Entry] = []
        self._match_all: set = set()
        self._tree = PathTree()

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
            return [entry[1] for entry in self._always if entry[1] in self._match_all]
        flat = flatten_paths(event, self._tree)
        candidates: list[_Entry] = []
        by_path = self._by_path
        if not by_path:
            found = []
        elif len(by_path) < len(flat):
            found = [(leaves, indexed) for path, indexed in by_path.items() if (leaves := flat.get(path))]
        else:
            found = [(leaves, indexed) for path, leaves in flat.items() if (indexed := by_path.get(path))]
        for leaves, (values, required) in found:
            if values is not None:
                for _, key, membership in leaves:
                    bucket = values.get(key)
                    if bucket is not None:
                        candidates.extend(bucket[1] if membership else bucket[0])
            if required:
                candidates.extend(required)
        for first_path, partners in self._by_pair:
            firsts = flat.get(first_path)
            if firsts is None:
                continue
            for second_path, combinations in partners:
                seconds = None
                for _, first, first_membership in firsts:
                    by_second = combinations.get(first)
                    if by_second is None:
                        continue
                    if seconds is None:
                        seconds = flat.get(second_path)
                        if seconds is None:
                            break
                    for _, second, second_membership in seconds:
                        bucket = by_second.get(second)
                        if bucket is not None:
                            candidates.extend(bucket[1] if first_membership or second_membership else bucket[0])
        if self._always:
            candidates.extend(self._always)
        matched: dict[int, K] = {}
        verdicts: dict[int, bool] = {}
        for order, rule_id, verdict_key, check in candidates:
            if order in matched:
                continue
            if check is not None:
                verdict = verdicts.get(verdict_key)
                if verdict is None:
                    verdict = verdicts[verdict_key] = check(flat)
                if not verdict:
                    continue
            matched[order] = rule_id
        if len(matched) > 1:
            return [matched[order] for order in sorted(matched)]
        return list(matched.values())

    def _rebuild(self) -> None:
        counts = _KeyCounts()
        paths: set[str] = set()
        for _, pattern in self._patterns.values():
            paths |= pattern.paths
            for sub_rule in pattern.sub_rules:
                counts.add(sub_rule)
        index = _Index(counts)
        self._always, self._match_all = index.always, set()
        for rule_id, (order, pattern) in self._patterns.items():
            if pattern.matches_all:
                self._always.append((order, rule_id, 0, None))
                self._match_all.add(rule_id)
                continue
            for sub_rule in pattern.sub_rules:
                index.file(sub_rule, order, rule_id)
        self._by_path = {
            path: (index.by_value.get(path), index.by_required.get(path))
            for path in index.by_value.keys() | index.by_required.keys()
        }
        partners: dict[str, list] = {}
        for (first, second), combinations in index.by_pair.items():
            partners.setdefault(first, []).append((second, combinations))
        self._by_pair = list(partners.items())
        self._tree = path_tree(paths)
        self._dirty = False


# Every pair of paths indexed costs each event a probe; past this many, the pairs of paths the
# fewest sub-rules could use are left out (those sub-rules go under one value or a path).
MAX_PAIR_PATHS = 16


class _KeyCounts:
    """How many sub-rules each possible index key would hold."""

    def __init__(self) -> None:
        self.values: Counter[tuple[str, Any]] = Counter()
        self.pairs: Counter[tuple[str, str, Any, Any]] = Counter()
        self.paths: Counter[str] = Counter()
        self.pair_paths: Counter[tuple[str, str]] = Counter()

    def add(self, sub_rule: SubRule) -> None:
        for path, matcher in sub_rule.fields:
            if matcher.exact_only:
                self.values.update((path, key) for key in matcher.exact)
            elif not matcher.allow_absent:
                self.paths[path] += 1
        for first, second in _exact_pairs(sub_rule):
            self.pairs.update(_pair_keys(first, second))
            self.pair_paths[(first[0], second[0])] += 1

    def usable_pair_paths(self) -> set[tuple[str, str]]:
        ranked = sorted(self.pair_paths.items(), key=lambda item: (-item[1], item[0]))
        return {paths for paths, _ in ranked[:MAX_PAIR_PATHS]}


class _Index:
    """Files each sub-rule under its rarest key, with the check left once that key is met."""

    def __init__(self, counts: _KeyCounts) -> None:
        self.counts = counts
        self.pair_paths = counts.usable_pair_paths()
        self.by_value: dict[str, dict[Any, _Bucket]] = {}
        self.by_pair: dict[tuple[str, str], dict[Any, dict[Any, _Bucket]]] = {}
        self.by_required: dict[str, list[_Entry]] = {}
        self.always: list[_Entry] = []

    def file(self, sub_rule: SubRule, order: int, rule_id: Any) -> None:
        counts = self.counts
        best_exact: tuple[int, str, Any] | None = None
        best_path: tuple[int, str] | None = None
        for path, matcher in sub_rule.fields:
            if matcher.exact_only:
                cost = sum(counts.values[(path, key)] for key in matcher.exact)
                if best_exact is None or cost < best_exact[0]:
                    best_exact = (cost, path, matcher)
            elif not matcher.allow_absent:
                cost = counts.paths[path]
                if best_path is None or cost < best_path[0]:
                    best_path = (cost, path)
        best_pair = None
        for first, second in _exact_pairs(sub_rule):
            if (first[0], second[0]) not in self.pair_paths:
                continue
            cost = sum(counts.pairs[key] for key in _pair_keys(first, second))
            if best_pair is None or cost < best_pair[0]:
                best_pair = (cost, first, second)
        full = (order, rule_id, id(sub_rule), sub_rule.check)
        if best_pair is not None and (best_exact is None or best_pair[0] <= best_exact[0]):
            _, (first_path, first), (second_path, second) = best_pair
            settled = _settled(sub_rule, full, {first_path, second_path})
            combinations = self.by_pair.setdefault((first_path, second_path), {})
            for first_key in first.exact:
                by_second = combinations.setdefault(first_key, {})
                for second_key in second.exact:
                    bucket = by_second.setdefault(second_key, ([], []))
                    bucket[0].append(settled)
                    bucket[1].append(full)
        elif best_exact is not None:
            _, path, matcher = best_exact
            settled = _settled(sub_rule, full, {path})
            values = self.by_value.setdefault(path, {})
            for key in matcher.exact:
                bucket = values.setdefault(key, ([], []))
                bucket[0].append(settled)
                bucket[1].append(full)
        elif best_path is not None:
            self.by_required.setdefault(best_path[1], []).append(full)
        else:
            self.always.append(full)


def _settled(sub_rule: SubRule, full: _Entry, paths: set[str]) -> _Entry:
    """The entry checking only the fields outside `paths`, which the index key satisfied."""
    residual = tuple(item for item in sub_rule.fields if item[0] not in paths)
    return (*full[:3], compile_check(residual))


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
