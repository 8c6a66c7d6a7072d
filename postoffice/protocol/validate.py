"""Input validation against a botocore shape: required members, enums, lengths, ranges, patterns.

Each shape is compiled once into a checker closure that describes every violation the way
AWS words it. Type checks and conversions happen in the wire decoders before this runs; here
values already have their Python types.

The hot path rarely needs the descriptions: the decoders (codec.decode_checked, the query
decoders) also ask `conforms(shape)`, a yes/no test of one value's own constraints, as they
walk the parameters, and dispatch runs `validate` only when one of those tests said no.
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


Conforms = Callable[[Any], bool]
_UNBOUNDED = (-1, float("inf"))
_conforms: dict[Any, Conforms | None] = {}


def conforms(shape: Shape) -> Conforms | None:
    """A test of one (already decoded) value against the shape's own constraints, the ones
    `validate` checks at that value (not its members or items: the decoders test those as they
    reach them). True exactly when `validate` records no violation there; None when the shape
    has no such constraints. A structure's `required` is not here: decoders check it on what
    they built."""
    key = shape_key(shape)
    if key not in _conforms:
        _conforms[key] = _compile_conforms(shape)
    return _conforms[key]


def _compile_conforms(shape: Shape) -> Conforms | None:
    kind = shape.type_name
    if kind == "string":
        return _string_conforms(shape)
    if kind in ("list", "map", "blob"):
        low, high = _length_bounds(shape)
        if low is None and high is None:
            return None
        low = _UNBOUNDED[0] if low is None else low
        high = _UNBOUNDED[1] if high is None else high
        return lambda value: low <= len(value) <= high
    if kind in ("integer", "long", "float", "double"):
        low = shape.metadata.get("min")
        high = shape.metadata.get("max")
        if low is None and high is None:
            return None
        low = -float("inf") if low is None else low
        high = float("inf") if high is None else high
        # NaN fails both comparisons here but breaks no range in `validate`: a false "no"
        # only costs a `validate` run, which then finds nothing.
        return lambda value: low <= value <= high
    return None


def _string_conforms(shape: Shape) -> Conforms | None:
    enum = frozenset(shape.enum) if shape.enum else frozenset()
    low, high = _length_bounds(shape)
    pattern = _compile_pattern(shape.metadata.get("pattern"))
    if not enum and low is None and high is None and pattern is None:
        return None
    low = _UNBOUNDED[0] if low is None else low
    high = _UNBOUNDED[1] if high is None else high
    if enum:
        if pattern is None:
            return lambda value: value in enum and low <= len(value) <= high
        return lambda value: value in enum and low <= len(value) <= high and pattern.fullmatch(value) is not None
    if pattern is None:
        return lambda value: low <= len(value) <= high
    return lambda value: low <= len(value) <= high and pattern.fullmatch(value) is not None


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _nothing(value: Any, path: str, out: list[Violation]) -> None:
    """The checker of a shape with nothing to check: its members are skipped, paths unbuilt."""


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
    return _nothing


def _compile_structure(shape: Shape) -> Checker:
    members = []
    for name, member in shape.members.items():
        member_check = checker_for(member)
        if member_check is not _nothing:
            members.append((name, _lower_first(name), member_check))
    required = tuple((name, _lower_first(name)) for name in shape.required_members)
    if not members and not required:
        return _nothing

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if not isinstance(value, dict):
            return
        for name, lowered in required:
            if value.get(name) is None:
                where = f"{path}.{lowered}" if path else lowered
                out.append(Violation(where, None, "Member must not be null", "required"))
        for name, lowered, member_check in members:
            item = value.get(name)
            if item is not None:
                member_check(item, f"{path}.{lowered}" if path else lowered, out)

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
    if item_check is _nothing and length is None:
        return _nothing

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
    if key_check is _nothing and value_check is _nothing and length is None:
        return _nothing

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
        return _nothing
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
        return _nothing

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
        return _nothing

    def check(value: Any, path: str, out: list[Violation]) -> None:
        if isinstance(value, (bytes, bytearray)):
            length(value, len(value), path, out)

    return check
