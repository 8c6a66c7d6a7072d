"""Input validation against a botocore shape: required members, enums, lengths, ranges, patterns.

Each shape is compiled once into a checker closure, so validating a hot request (SendMessage,
PutEvents) costs a walk over the members present and nothing more. Type checks and
conversions happen in the wire decoders before this runs; here values already have their
Python types.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from postoffice.protocol.errors import Violation
from postoffice.protocol.shapes import compiled, per_object, shape_key

Checker = Callable[[Any, str, list[Violation]], None]

_cache: dict[Any, Checker] = {}
_entry: dict[int, tuple[Shape, Checker]] = {}


def validate(shape: Shape | None, value: Any) -> list[Violation]:
    """All constraint violations of `value` against `shape`, in member order."""
    if shape is None:
        return []
    violations: list[Violation] = []
    per_object(_entry, shape, checker_for)(value, "", violations)
    return violations


def checker_for(shape: Shape) -> Checker:
    return compiled(_cache, shape_key(shape), lambda: _compile(shape))


def _join(path: str, name: str) -> str:
    name = name[:1].lower() + name[1:]
    return f"{path}.{name}" if path else name


def _compile(shape: Shape) -> Checker:
    kind = shape.type_name
    if kind == "structure":
        return _compile_structure(shape)
    if kind == "list":
        return _compile_list(shape)
    if kind == "map":
        return _compile_map(shape)
    if kind == "string":
        return _compile_string(shape)
    if kind in ("integer", "long", "float", "double"):
        return _compile_number(shape)
    if kind == "blob":
        return _compile_length(shape)
    return lambda value, path, out: None


def _compile_structure(shape: Shape) -> Checker:
    members = [(name, member, checker_for(member)) for name, member in shape.members.items()]
    required = tuple(shape.required_members)

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if not isinstance(value, dict):
            return
        for name in required:
            if value.get(name) is None:
                out.append(Violation(_join(path, name), None, "Member must not be null", "required"))
        for name, _member, member_check in members:
            item = value.get(name)
            if item is not None:
                member_check(item, _join(path, name), out)

    return check


def _length_bounds(shape: Shape) -> tuple[int | None, int | None]:
    meta = shape.metadata
    return meta.get("min"), meta.get("max")


def _length_checker(shape: Shape) -> Callable[[Any, int, str, list[Violation]], None] | None:
    low, high = _length_bounds(shape)
    if low is None and high is None:
        return None

    def check(value: Any, length: int, path: str, out: list[Violation]) -> None:
        if low is not None and length < low:
            out.append(Violation(path, value, f"Member must have length greater than or equal to {low}", "length"))
        if high is not None and length > high:
            out.append(Violation(path, value, f"Member must have length less than or equal to {high}", "length"))

    return check


def _compile_list(shape: Shape) -> Checker:
    item_check = checker_for(shape.member)
    length = _length_checker(shape)

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if not isinstance(value, list):
            return
        if length is not None:
            length(value, len(value), path, out)
        for index, item in enumerate(value, 1):
            if item is not None:
                item_check(item, f"{path}.{index}.member", out)

    return check


def _compile_map(shape: Shape) -> Checker:
    key_check = checker_for(shape.key)
    value_check = checker_for(shape.value)
    length = _length_checker(shape)

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if not isinstance(value, dict):
            return
        if length is not None:
            length(value, len(value), path, out)
        for key, item in value.items():
            key_check(key, f"{path}.key", out)
            if item is not None:
                value_check(item, f"{path}.value", out)

    return check


def _compile_pattern(pattern: str | None) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(pattern)
    except re.error:
        return None  # a Java-only construct: the other constraints still apply


def _compile_string(shape: Shape) -> Checker:
    enum = tuple(shape.enum) if shape.enum else ()
    length = _length_checker(shape)
    pattern_text = shape.metadata.get("pattern")
    pattern = _compile_pattern(pattern_text)
    if not enum and length is None and pattern is None:
        return lambda value, path, out: None
    enum_set = frozenset(enum)
    enum_text = "[" + ", ".join(enum) + "]"

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if not isinstance(value, str):
            return
        if enum_set and value not in enum_set:
            out.append(Violation(path, value, f"Member must satisfy enum value set: {enum_text}", "enum"))
            return
        if length is not None:
            length(value, len(value), path, out)
        if pattern is not None and pattern.fullmatch(value) is None:
            out.append(
                Violation(path, value, f"Member must satisfy regular expression pattern: {pattern_text}", "pattern")
            )

    return check


def _compile_number(shape: Shape) -> Checker:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is None and high is None:
        return lambda value, path, out: None

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        if low is not None and value < low:
            out.append(Violation(path, value, f"Member must have value greater than or equal to {low}", "range"))
        if high is not None and value > high:
            out.append(Violation(path, value, f"Member must have value less than or equal to {high}", "range"))

    return check


def _compile_length(shape: Shape) -> Checker:
    length = _length_checker(shape)
    if length is None:
        return lambda value, path, out: None

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if isinstance(value, (bytes, bytearray)):
            length(value, len(value), path, out)

    return check
