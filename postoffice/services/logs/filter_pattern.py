"""CloudWatch Logs filter patterns, compiled once into a predicate over an event's message.

Four kinds, told apart by their first character:

- terms: ``ERROR``, ``"exact phrase"``, ``?ERROR ?WARN`` (any group), ``ERROR -Exiting`` (exclusion).
  Matching is case-sensitive and by substring (AWS's own example: ``ERROR`` matches
  ``Exiting with ERRORCODE: -1``). A ``?`` starts a new group: the pattern matches when every
  term of some group is present and none of that group's excluded terms is.
- JSON: ``{ $.level = "ERROR" && ($.latency > 500 || $.user.id NOT EXISTS) }``.
- space-delimited: ``[ip, user, ..., status = 4*, size > 1000]``.
- regex: ``%ERROR 4[0-9]+%``, alone or as a value inside JSON and space-delimited patterns.

String values may start and/or end with ``*`` as a wildcard; numeric comparisons need a number.
A malformed pattern raises `InvalidFilterPattern`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

Matcher = Callable[[str], bool]

MAX_REGEXES_PER_PATTERN = 2
_REGEX_ALLOWED = re.compile(r"[A-Za-z0-9_#=@/;,:\-^$?\[\]{}|\\*+. ]*")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_COLUMN_NAME = re.compile(r"[A-Za-z0-9_\-]+")
_SELECTOR_KEY = re.compile(r"[A-Za-z0-9_\-@:]+")


class InvalidFilterPattern(ValueError):
    pass


def matches_everything(message: str) -> bool:
    return True


@lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> Matcher:
    """A predicate for `pattern`; raises InvalidFilterPattern when it is malformed."""
    text = pattern.strip()
    if not text:
        return matches_everything
    if text[0] == "{":
        return _compile_json(text)
    if text[0] == "[":
        return _compile_delimited(text)
    if len(text) >= 2 and text[0] == "%" and text[-1] == "%" and "%" not in text[1:-1]:
        regex = _compile_regex(text[1:-1])
        return lambda message: regex.search(message) is not None
    return _compile_terms(text)


def _compile_regex(body: str) -> re.Pattern[str]:
    if not body or not body.isascii() or "(" in body or ")" in body or not _REGEX_ALLOWED.fullmatch(body):
        raise InvalidFilterPattern(body)
    try:
        return re.compile(body)
    except re.error as exc:
        raise InvalidFilterPattern(body) from exc


# Terms ---------------------------------------------------------------------------------


@dataclass
class _TermGroup:
    required: list[str]
    excluded: list[str]

    def matches(self, message: str) -> bool:
        return all(term in message for term in self.required) and not any(term in message for term in self.excluded)


def _compile_terms(text: str) -> Matcher:
    groups: list[_TermGroup] = []
    prefix = ""
    for raw, quoted in _split_terms(text):
        if not quoted and raw in ("?", "-"):
            if prefix:
                raise InvalidFilterPattern(text)
            prefix = raw
            continue
        if not quoted and raw[0] in "?-":
            prefix, raw = raw[0], _unquote_term(raw[1:], text)
        if prefix == "?" or not groups:
            groups.append(_TermGroup([], []))
        if prefix == "-":
            groups[-1].excluded.append(raw)
        elif raw.strip():
            groups[-1].required.append(raw)
        prefix = ""
    if prefix:
        raise InvalidFilterPattern(text)
    if len(groups) == 1:
        return groups[0].matches
    return lambda message: any(group.matches(message) for group in groups)


def _unquote_term(raw: str, text: str) -> str:
    if raw.startswith('"'):
        if len(raw) < 2 or not raw.endswith('"'):
            raise InvalidFilterPattern(text)
        return _unescape(raw[1:-1])
    if not raw:
        raise InvalidFilterPattern(text)
    return raw


def _split_terms(text: str) -> list[tuple[str, bool]]:
    """Whitespace-separated terms; a double-quoted term (backslash escapes) is one term."""
    terms: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        if text[i] == '"':
            end = _closing_quote(text, i)
            terms.append((_unescape(text[i + 1 : end]), True))
            i = end + 1
            continue
        start = i
        if text[i] in "?-" and i + 1 < n and text[i + 1] == '"':
            end = _closing_quote(text, i + 1)
            terms.append((text[i : end + 1], False))
            i = end + 1
            continue
        while i < n and not text[i].isspace() and text[i] != '"':
            i += 1
        terms.append((text[start:i], False))
    return terms


def _closing_quote(text: str, opening: int) -> int:
    i = opening + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == '"':
            return i
        i += 1
    raise InvalidFilterPattern(text)


def _unescape(body: str) -> str:
    return re.sub(r"\\(.)", r"\1", body)


# Values and comparisons shared by JSON and space-delimited patterns ---------------------


@dataclass(frozen=True)
class _Value:
    text: str
    number: float | None
    regex: re.Pattern[str] | None
    quoted: bool


def _string_equals(expected: _Value, actual: str) -> bool:
    if expected.regex is not None:
        return expected.regex.search(actual) is not None
    text = expected.text
    if text == "*":
        return True
    starts, ends = text.startswith("*"), text.endswith("*") and len(text) > 1
    core = text[1 if starts else 0 : len(text) - 1 if ends else len(text)]
    if starts and ends:
        return core in actual
    if starts:
        return actual.endswith(core)
    if ends:
        return actual.startswith(core)
    return actual == text


_NUMERIC = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _to_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _compare(op: str, expected: _Value, actual: Any) -> bool:
    """One condition against a scalar value (str, number, bool or None)."""
    if op in ("<", ">", "<=", ">="):
        number = _to_number(actual)
        return number is not None and expected.number is not None and _NUMERIC[op](number, expected.number)
    if expected.number is not None and not expected.quoted and not isinstance(actual, str):
        number = _to_number(actual)
        equal = number is not None and number == expected.number
    else:
        equal = _string_equals(expected, _as_text(actual))
    return equal if op == "=" else not equal


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# Expression parsing ---------------------------------------------------------------------

Condition = Callable[[Any], bool]
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")
_VALUE_END = re.compile(r"\s|\)|&&|\|\||\]|,|}")


class _Parser:
    """A small recursive-descent parser for `a op v && (b op v || c IS NULL)` expressions.

    `subject` parses what a condition is about ($.path or a column name) and returns a
    resolver; conditions compile to closures over the context the matcher passes in.
    """

    def __init__(self, text: str, subject: Callable[[_Parser], Callable[[Any], list[Any]]], postfix: bool) -> None:
        self.text = text
        self.pos = 0
        self.subject = subject
        self.postfix = postfix
        self.regexes = 0

    def fail(self) -> InvalidFilterPattern:
        return InvalidFilterPattern(self.text)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self, token: str) -> bool:
        self.skip_space()
        return self.text.startswith(token, self.pos)

    def take(self, token: str) -> bool:
        if self.peek(token):
            self.pos += len(token)
            return True
        return False

    def at_end(self) -> bool:
        self.skip_space()
        return self.pos >= len(self.text)

    def expression(self) -> Condition:
        left = self.conjunction()
        while self.take("||"):
            right = self.conjunction()
            left = (lambda a, b: lambda ctx: a(ctx) or b(ctx))(left, right)
        return left

    def conjunction(self) -> Condition:
        left = self.unary()
        while self.take("&&"):
            right = self.unary()
            left = (lambda a, b: lambda ctx: a(ctx) and b(ctx))(left, right)
        return left

    def unary(self) -> Condition:
        if self.take("("):
            inner = self.expression()
            if not self.take(")"):
                raise self.fail()
            return inner
        return self.condition()

    def keyword(self, word: str) -> bool:
        self.skip_space()
        end = self.pos + len(word)
        if self.text[self.pos : end].upper() == word and (end >= len(self.text) or not self.text[end].isalnum()):
            self.pos = end
            return True
        return False

    def condition(self) -> Condition:
        self.skip_space()
        resolve = self.subject(self)
        if self.postfix:
            if self.keyword("IS"):
                for word, test in (("NULL", _is_null), ("TRUE", _is_true), ("FALSE", _is_false)):
                    if self.keyword(word):
                        return lambda ctx, test=test: any(test(v) for v in resolve(ctx))
                raise self.fail()
            if self.keyword("NOT"):
                if not self.keyword("EXISTS"):
                    raise self.fail()
                return lambda ctx: not resolve(ctx)
        self.skip_space()
        op = next((o for o in _OPERATORS if self.text.startswith(o, self.pos)), None)
        if op is None:
            raise self.fail()
        self.pos += len(op)
        value = self.value()
        if op in ("<", ">", "<=", ">=") and value.number is None:
            raise self.fail()
        return lambda ctx: any(_is_scalar(v) and _compare(op, value, v) for v in resolve(ctx))

    def value(self) -> _Value:
        self.skip_space()
        text = self.text
        if self.pos >= len(text):
            raise self.fail()
        if text[self.pos] == '"':
            end = _closing_quote(text, self.pos)
            raw = _unescape(text[self.pos + 1 : end])
            self.pos = end + 1
            return _Value(raw, None, None, True)
        if text[self.pos] == "%":
            end = text.find("%", self.pos + 1)
            if end < 0:
                raise self.fail()
            self.regexes += 1
            if self.regexes > MAX_REGEXES_PER_PATTERN:
                raise self.fail()
            body = text[self.pos + 1 : end]
            self.pos = end + 1
            return _Value(body, None, _compile_regex(body), False)
        match = _VALUE_END.search(text, self.pos)
        end = match.start() if match else len(text)
        raw = text[self.pos : end]
        if not raw:
            raise self.fail()
        self.pos = end
        number = float(raw) if _NUMBER.fullmatch(raw) else None
        return _Value(raw, number, None, False)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


def _is_null(value: Any) -> bool:
    return value is None


def _is_true(value: Any) -> bool:
    return value is True


def _is_false(value: Any) -> bool:
    return value is False


# JSON patterns --------------------------------------------------------------------------

_MISSING = object()


def _json_subject(parser: _Parser) -> Callable[[Any], list[Any]]:
    text = parser.text
    if not parser.take("$"):
        raise parser.fail()
    steps: list[str | int | None] = []
    while parser.pos < len(text) and text[parser.pos] in ".[":
        if text[parser.pos] == ".":
            match = _SELECTOR_KEY.match(text, parser.pos + 1)
            if not match:
                raise parser.fail()
            steps.append(match.group())
            parser.pos = match.end()
        else:
            close = text.find("]", parser.pos)
            index = text[parser.pos + 1 : close].strip() if close > 0 else ""
            if index == "*":
                steps.append(None)
            elif index.isdigit():
                steps.append(int(index))
            else:
                raise parser.fail()
            parser.pos = close + 1
    if not steps:
        raise parser.fail()
    return lambda document: _select(document, steps)


def _select(document: Any, steps: list[str | int | None]) -> list[Any]:
    nodes = [document]
    for step in steps:
        following: list[Any] = []
        for node in nodes:
            if isinstance(step, str):
                if isinstance(node, dict) and step in node:
                    following.append(node[step])
            elif step is None:
                if isinstance(node, list):
                    following.extend(node)
            elif isinstance(node, list) and step < len(node):
                following.append(node[step])
        nodes = following
        if not nodes:
            break
    return nodes


def _compile_json(text: str) -> Matcher:
    if not text.endswith("}"):
        raise InvalidFilterPattern(text)
    parser = _Parser(text[1:-1], _json_subject, postfix=True)
    if parser.at_end():
        raise InvalidFilterPattern(text)
    condition = parser.expression()
    if not parser.at_end():
        raise InvalidFilterPattern(text)

    def match(message: str) -> bool:
        stripped = message.lstrip()
        if not stripped.startswith(("{", "[")):
            return False
        try:
            document = orjson.loads(message)
        except orjson.JSONDecodeError:
            return False
        return condition(document)

    return match


# Space-delimited patterns ---------------------------------------------------------------

_ELLIPSIS = "..."


def _split_columns(body: str) -> list[str]:
    """Comma-separated elements, ignoring commas inside quotes and %regex%."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == '"':
            end = _closing_quote(body, i)
            current.append(body[i : end + 1])
            i = end + 1
            continue
        if char == "%":
            end = body.find("%", i + 1)
            if end < 0:
                raise InvalidFilterPattern(body)
            current.append(body[i : end + 1])
            i = end + 1
            continue
        if char == ",":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current).strip())
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def split_delimited_message(message: str) -> list[str]:
    """Fields of a space-delimited event; text inside "..." or [...] is one field."""
    fields: list[str] = []
    i, n = 0, len(message)
    while i < n:
        char = message[i]
        if char.isspace():
            i += 1
            continue
        closer = {'"': '"', "[": "]"}.get(char)
        if closer is not None:
            end = message.find(closer, i + 1)
            if end >= 0:
                fields.append(message[i + 1 : end])
                i = end + 1
                continue
        start = i
        while i < n and not message[i].isspace():
            i += 1
        fields.append(message[start:i])
    return fields


def _compile_delimited(text: str) -> Matcher:
    if not text.endswith("]"):
        raise InvalidFilterPattern(text)
    columns: list[str | None] = []
    conditions: list[Condition] = []
    regexes = 0
    for element in _split_columns(text[1:-1]):
        if element == _ELLIPSIS:
            columns.append(None)
            continue
        match = _COLUMN_NAME.match(element)
        if not match:
            raise InvalidFilterPattern(text)
        columns.append(match.group())
        if match.end() == len(element):
            continue
        parser = _Parser(element, _column_subject, postfix=False)
        parser.regexes = regexes
        conditions.append(parser.expression())
        regexes = parser.regexes
        if not parser.at_end():
            raise InvalidFilterPattern(text)
    names = {name for name in columns if name is not None}
    if len(names) != sum(1 for name in columns if name is not None):
        raise InvalidFilterPattern(text)
    referenced = _referenced_columns(text[1:-1])
    if not referenced <= names:
        raise InvalidFilterPattern(text)

    def match(message: str) -> bool:
        fields = split_delimited_message(message)
        binding = _bind(columns, fields)
        return binding is not None and all(condition(binding) for condition in conditions)

    return match


def _column_subject(parser: _Parser) -> Callable[[Any], list[Any]]:
    match = _COLUMN_NAME.match(parser.text, parser.pos)
    if not match:
        raise parser.fail()
    parser.pos = match.end()
    name = match.group()
    return lambda binding: [binding[name]] if name in binding else []


def _referenced_columns(body: str) -> set[str]:
    stripped = re.sub(r'"(?:\\.|[^"\\])*"|%[^%]*%', "", body)
    return set(re.findall(r"([A-Za-z0-9_\-]+)\s*(?:!=|<=|>=|=|<|>)", stripped))


def _bind(columns: list[str | None], fields: list[str]) -> dict[str, str] | None:
    """Assign fields to named columns; `None` (an ellipsis) takes any number of fields."""
    if None not in columns:
        if len(columns) != len(fields):
            return None
        return {name: value for name, value in zip(columns, fields, strict=True) if name is not None}
    first = columns.index(None)
    head, tail = columns[:first], columns[first + 1 :]
    if len(fields) < len(head):
        return None
    binding = {name: value for name, value in zip(head, fields, strict=False) if name is not None}
    rest = fields[len(head) :]
    for skip in range(len(rest) + 1):
        tail_binding = _bind(tail, rest[skip:])
        if tail_binding is not None:
            return {**binding, **tail_binding}
    return None
