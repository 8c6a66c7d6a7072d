"""One field's list of alternatives, validated with event-ruler's reasons and compiled to tests.

A field matches when any event value at its path satisfies any alternative (or, with an
`{"exists": false}` alternative, when the path holds no value at all). Tests receive the raw
value and its key (values.value_key) and only ever see leaf values: strings, numbers,
booleans and null.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from postoffice.core.matcher.dialects import Dialect
from postoffice.core.matcher.errors import PatternError
from postoffice.core.matcher.values import (
    NUMBER_RANGE_MESSAGE,
    ip_value,
    is_number,
    json_token_text,
    looks_like_ip,
    scaled_number,
    value_key,
)
from postoffice.core.matcher.wildcard import parse_wildcard, wildcard_regex

Test = Callable[[Any, Any], bool]

TOO_MANY_ELEMENTS = "Too many elements in numeric expression"
ONLY_ONE_KEY = "Only one key allowed in match expression"


@dataclass(frozen=True)
class FieldMatcher:
    exact: frozenset
    tests: tuple[Test, ...]
    allow_absent: bool
    wildcards: tuple[str, ...]

    @property
    def exact_only(self) -> bool:
        return bool(self.exact) and not self.tests and not self.allow_absent


def compile_field(values: Any, dialect: Dialect) -> FieldMatcher:
    if not values:
        raise PatternError("Empty arrays are not allowed")
    exact: set = set()
    tests: list[Test] = []
    wildcards: list[str] = []
    allow_absent = False
    for value in values:
        if isinstance(value, dict):
            outcome = _match_expression(value, dialect, wildcards)
            if outcome is _ABSENT:
                allow_absent = True
            elif isinstance(outcome, _Exact):
                exact.add(outcome.key)
            else:
                tests.append(outcome)
        elif isinstance(value, list):
            raise PatternError("Match value must be String, number, true, false, or null")
        else:
            exact.add(value_key(value))
    return FieldMatcher(frozenset(exact), tuple(tests), allow_absent, tuple(wildcards))


class _Exact:
    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key


_ABSENT = object()


def _single_key(expression: dict, message: str = ONLY_ONE_KEY) -> None:
    if len(expression) > 1:
        raise PatternError(message)


def _match_expression(expression: dict, dialect: Dialect, wildcards: list[str]) -> Any:
    if not expression:
        raise PatternError("Match expression name not found")
    operator, operand = next(iter(expression.items()))
    if operator not in dialect.operators:
        raise PatternError(f"Unrecognized match type {operator}")
    if operator == "exactly":
        if not isinstance(operand, str):
            raise PatternError("exact match pattern must be a string")
        _single_key(expression)
        return _Exact(operand)
    if operator in ("prefix", "suffix"):
        return _affix(operator, operand, expression, dialect)
    if operator == "equals-ignore-case":
        if not isinstance(operand, str):
            raise PatternError("equals-ignore-case match pattern must be a string")
        _single_key(expression)
        return _equals_ignore_case(operand)
    if operator == "wildcard":
        if not isinstance(operand, str):
            raise PatternError("wildcard match pattern must be a string")
        regex = wildcard_regex(parse_wildcard(operand))
        _single_key(expression)
        wildcards.append(operand)
        return _wildcard(regex)
    if operator == "numeric":
        if not isinstance(operand, list):
            raise PatternError("Value of numeric must be an array.")
        test = _numeric(operand)
        _single_key(expression, TOO_MANY_ELEMENTS)
        return test
    if operator == "exists":
        if not isinstance(operand, bool):
            raise PatternError("exists match pattern must be either true or false.")
        _single_key(expression)
        return _exists if operand else _ABSENT
    if operator == "cidr":
        if not isinstance(operand, str):
            raise PatternError("prefix match pattern must be a string")
        test = _cidr(operand)
        _single_key(expression)
        return test
    return _anything_but(operand, expression, dialect, wildcards)


def _affix(operator: str, operand: Any, expression: dict, dialect: Dialect) -> Test:
    if isinstance(operand, dict) and dialect.ignore_case_affixes:
        name = "Prefix" if operator == "prefix" else "Suffix"
        if not operand:
            raise PatternError(f"{name} expression name not found")
        inner, text = next(iter(operand.items()))
        if inner != "equals-ignore-case":
            raise PatternError(f"Unsupported {operator} pattern: {inner}")
        if not isinstance(text, str):
            raise PatternError("equals-ignore-case match pattern must be a string")
        _single_key(operand)
        _single_key(expression)
        return _prefix_ignore_case(text) if operator == "prefix" else _suffix_ignore_case(text)
    if not isinstance(operand, str):
        raise PatternError(f"{operator} match pattern must be a string")
    _single_key(expression)
    return _prefix(operand) if operator == "prefix" else _suffix(operand)


def _prefix(text: str) -> Test:
    return lambda raw, key: type(raw) is str and raw.startswith(text)


def _suffix(text: str) -> Test:
    return lambda raw, key: type(raw) is str and raw.endswith(text)


def _prefix_ignore_case(text: str) -> Test:
    folded = text.lower()
    return lambda raw, key: type(raw) is str and raw.lower().startswith(folded)


def _suffix_ignore_case(text: str) -> Test:
    folded = text.lower()
    return lambda raw, key: type(raw) is str and raw.lower().endswith(folded)


def _equals_ignore_case(text: str) -> Test:
    folded = text.lower()
    return lambda raw, key: type(raw) is str and raw.lower() == folded


def _wildcard(regex: Any) -> Test:
    fullmatch = regex.fullmatch
    return lambda raw, key: type(raw) is str and fullmatch(raw) is not None


def _exists(raw: Any, key: Any) -> bool:
    return True


def _pattern_number(value: Any) -> int:
    scaled = scaled_number(value)
    if scaled is None:
        raise PatternError(NUMBER_RANGE_MESSAGE)
    return scaled


def _numeric(items: list) -> Test:
    end = object()

    def token(index: int) -> Any:
        return items[index] if index < len(items) else end

    def text(value: Any) -> str:
        return "]" if value is end else json_token_text(value)

    def numeric(value: Any) -> bool:
        return value is not end and is_number(value) and not isinstance(value, bool)

    operator = token(0)
    if not isinstance(operator, str):
        raise PatternError(f"Invalid member in numeric match: {text(operator)}")
    first = token(1)
    if operator == "=":
        if not numeric(first):
            raise PatternError("Value of equals must be numeric")
        if token(2) is not end:
            raise PatternError(TOO_MANY_ELEMENTS)
        target = _pattern_number(first)
        return _range(target, False, target, False)
    if operator in (">", ">="):
        if not numeric(first):
            raise PatternError(f"Value of {operator} must be numeric")
        second = token(2)
        if second is end:
            return _range(_pattern_number(first), operator == ">", None, False)
        if not isinstance(second, str):
            raise PatternError(f"Bad value in numeric range: {text(second)}")
        if second not in ("<", "<="):
            raise PatternError(f"Bad numeric range operator: {second}")
        top = token(3)
        if not numeric(top):
            raise PatternError(f"Value of {second} must be numeric")
        if token(4) is not end:
            raise PatternError("Too many terms in numeric range expression")
        bottom_value, top_value = _pattern_number(first), _pattern_number(top)
        if bottom_value >= top_value:
            raise PatternError("Bottom must be less than top")
        return _range(bottom_value, operator == ">", top_value, second == "<")
    if operator in ("<", "<="):
        if not numeric(first):
            raise PatternError(f"Value of {operator} must be numeric")
        if token(2) is not end:
            raise PatternError(TOO_MANY_ELEMENTS)
        return _range(None, False, _pattern_number(first), operator == "<")
    raise PatternError(f"Unrecognized numeric range operator: {operator}")


def _range(bottom: int | None, open_bottom: bool, top: int | None, open_top: bool) -> Test:
    def test(raw: Any, key: Any) -> bool:
        if type(key) is not tuple or key[0] != "n":
            return False
        number = key[1]
        if bottom is not None and (number <= bottom if open_bottom else number < bottom):
            return False
        if top is not None and (number >= top if open_top else number > top):
            return False
        return True

    return test


def _cidr(text: str) -> Test:
    parts = text.split("/")
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if len(parts) != 2:
        raise PatternError("Malformed CIDR, one '/' required")
    address, mask_text = parts
    try:
        mask = int(mask_text)
    except ValueError:
        raise PatternError("Malformed CIDR, mask bits must be an integer") from None
    if mask < 0:
        raise PatternError("Malformed CIDR, mask bits must not be negative")
    parsed = ip_value(address)
    if parsed is None:
        if looks_like_ip(address):
            raise PatternError(f"Invalid IP address: {address}")
        raise PatternError(f"Nonstandard IP address: {address}")
    version, base = parsed
    width = 32 if version == 4 else 128
    if mask > width - 1:
        raise PatternError(f"IPv{version} mask bits must be < {width}")
    # event-ruler keeps the given address as the bottom of the range (it does not clear host bits).
    top = base | ((1 << (width - mask)) - 1)

    def test(raw: Any, key: Any) -> bool:
        if type(raw) is not str:
            return False
        ip = ip_value(raw)
        return ip is not None and ip[0] == version and base <= ip[1] <= top

    return test


_ANYTHING_BUT_TYPE = "Value of anything-but must be an array or single string/number value."


def _anything_but(operand: Any, expression: dict, dialect: Dialect, wildcards: list[str]) -> Test:
    form = None
    if isinstance(operand, dict):
        if not operand:
            raise PatternError("Anything-But expression name not found")
        form, operand_value = next(iter(operand.items()))
        if form not in dialect.anything_but_forms:
            raise PatternError(f"Unsupported anything-but pattern: {form}")
        inner_extra = len(operand) > 1
        operand = operand_value
    else:
        inner_extra = False
    if not (isinstance(operand, (list, str)) or (is_number(operand) and not isinstance(operand, bool))):
        raise PatternError(_ANYTHING_BUT_TYPE)
    items = operand if isinstance(operand, list) else [operand]
    test = _anything_but_values(items, form, isinstance(operand, list), wildcards)
    if inner_extra or len(expression) > 1:
        raise PatternError(TOO_MANY_ELEMENTS)
    return test


def _anything_but_values(items: list, form: str | None, is_list: bool, wildcards: list[str]) -> Test:
    if form is None:
        strings = [item for item in items if isinstance(item, str)]
        numbers = [item for item in items if is_number(item) and not isinstance(item, bool)]
        if len(strings) + len(numbers) != len(items):
            if is_list:
                raise PatternError("Inside anything but list, start|null|boolean is not supported.")
            raise PatternError("Inside anything-but list, start|null|boolean is not supported.")
        if bool(strings) == bool(numbers):
            raise PatternError(
                "Inside anything but list, either all values are number or string, mixed type is not supported"
            )
        excluded = frozenset(strings) if strings else frozenset(("n", _pattern_number(n)) for n in numbers)
        return lambda raw, key: key not in excluded
    texts: list[str] = []
    for item in items:
        if not isinstance(item, str):
            if form == "equals-ignore-case":
                raise PatternError(
                    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
                )
            if form == "wildcard":
                raise PatternError("wildcard match pattern must be a string")
            raise PatternError("prefix/suffix match pattern must be a string")
        if form in ("prefix", "suffix") and not item:
            raise PatternError("Null prefix/suffix not allowed")
        texts.append(item)
    if form == "prefix":
        prefixes = tuple(texts)
        return lambda raw, key: type(raw) is not str or not raw.startswith(prefixes)
    if form == "suffix":
        suffixes = tuple(texts)
        return lambda raw, key: type(raw) is not str or not raw.endswith(suffixes)
    if form == "equals-ignore-case":
        folded = frozenset(text.lower() for text in texts)
        return lambda raw, key: type(raw) is not str or raw.lower() not in folded
    regexes = tuple(wildcard_regex(parse_wildcard(text)) for text in texts)
    wildcards.extend(texts)
    return lambda raw, key: type(raw) is not str or not any(regex.fullmatch(raw) for regex in regexes)
