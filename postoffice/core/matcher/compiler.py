"""Pattern JSON -> CompiledPattern, with event-ruler's validation and each dialect's limits.

Walks the pattern the way event-ruler's JsonRuleCompiler does: nested objects extend the
dotted path, an array is a field's list of alternatives, and `$or` forks every branch built so
far into one copy per alternative object (keys after it apply to all copies).
"""

from __future__ import annotations

import json
from typing import Any

from postoffice.core.matcher.dialects import Dialect, resolve_dialect
from postoffice.core.matcher.errors import PatternError
from postoffice.core.matcher.operators import FieldMatcher, compile_field
from postoffice.core.matcher.pattern import CompiledPattern, SubRule
from postoffice.core.matcher.sns_limits import check_sns_limits
from postoffice.core.matcher.wildcard import TOO_COMPLEX, check_wildcard_complexity

OR = "$or"
RESERVED_IN_OR = frozenset(
    {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric",
        "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after",
        "date-on-or-after", "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range",
        "ip-address-not-in-range",
    }
)  # fmt: skip
MAX_BRANCHES = 4096

Branch = dict[str, FieldMatcher]


def compile_pattern(pattern: dict | str | bytes, dialect: str | Dialect = "eventbridge") -> CompiledPattern:
    """Validate and compile an event pattern / filter policy; raises PatternError with AWS's reason.

    dialect: "eventbridge", "lambda", "sns" (filter policy, MessageAttributes scope) or
    "sns-body" (MessageBody scope), or a Dialect.
    """
    rules = resolve_dialect(dialect)
    try:
        return _compile(pattern, rules)
    except RecursionError:
        raise PatternError("Filter policy is too complex" if rules.sns_limits else TOO_COMPLEX) from None


def _compile(pattern: Any, rules: Dialect) -> CompiledPattern:
    size = None
    if isinstance(pattern, (str, bytes, bytearray)):
        size = len(pattern.encode("utf-8") if isinstance(pattern, str) else pattern)
        pattern = _parse_json(pattern, rules)
    if not isinstance(pattern, dict):
        raise PatternError("Filter is not an object")
    if not pattern and rules.empty_pattern_matches_all:
        return CompiledPattern(rules, pattern, (), matches_all=True)
    branches = _parse_object(pattern, None, [], False, rules)
    if rules.sns_limits:
        check_sns_limits(pattern, branches, rules, size)
    if rules.wildcard_complexity_limit is not None:
        check_wildcard_complexity(_wildcards_by_path(branches), rules.wildcard_complexity_limit)
    sub_rules = tuple(SubRule(tuple(sorted(branch.items(), key=_cheapest_first))) for branch in branches)
    return CompiledPattern(rules, pattern, sub_rules)


def _cheapest_first(field: tuple[str, FieldMatcher]) -> tuple[bool, bool]:
    """Exact-value fields fail fastest; `exists: false` alternatives say least."""
    matcher = field[1]
    return not matcher.exact_only, matcher.allow_absent


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Non-standard token '{name}'")


def _parse_json(text: str | bytes, rules: Dialect) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as error:
        if rules.sns_limits:
            raise PatternError("failed to parse JSON.") from None
        if isinstance(error, json.JSONDecodeError):
            raise PatternError(f"{error.msg}: line {error.lineno}, column {error.colno}") from None
        raise PatternError(str(error)) from None


def _parse_object(obj: dict, path: str | None, branches: list[Branch], inside_or: bool, rules: Dialect) -> list[Branch]:
    if not obj:
        raise PatternError("Empty objects are not allowed")
    for key, value in obj.items():
        if key == OR:
            branches = _parse_or(value, path, branches, rules)
            continue
        if inside_or and key in RESERVED_IN_OR:
            raise PatternError(f"{key} is Ruler reserved fieldName which cannot be used inside {OR}.")
        child = key if path is None else f"{path}.{key}"
        if isinstance(value, dict):
            branches = _parse_object(value, child, branches, inside_or, rules)
        elif isinstance(value, list):
            matcher = compile_field(value, rules)
            if not branches:
                branches = [{}]
            for branch in branches:
                branch[child] = matcher
        else:
            raise PatternError(f'"{key}" must be an object or an array')
    return branches


def _parse_or(value: Any, path: str | None, branches: list[Branch], rules: Dialect) -> list[Branch]:
    if not isinstance(value, list):
        raise PatternError(f"It must be an Array followed with {OR}.")
    forked: list[Branch] = []
    for alternative in value:
        if not isinstance(alternative, dict):
            raise PatternError(f"Only JSON object is allowed in array of {OR} relationship.")
        copies = [dict(branch) for branch in branches] or [{}]
        forked.extend(_parse_object(alternative, path, copies, True, rules))
        if len(forked) > MAX_BRANCHES:
            raise PatternError(TOO_COMPLEX)
    if len(value) < 2:
        raise PatternError(f"There must have at least 2 Objects in {OR} relationship.")
    return forked


def _wildcards_by_path(branches: list[Branch]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    seen: set[int] = set()
    for branch in branches:
        for path, matcher in branch.items():
            if matcher.wildcards and id(matcher) not in seen:
                seen.add(id(matcher))
                found.setdefault(path, []).extend(matcher.wildcards)
    return found
