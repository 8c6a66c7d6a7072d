"""The syntax tree of a Velocity template."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Text:
    text: str


@dataclass
class Property:
    name: str


@dataclass
class Call:
    name: str
    args: list[Any]


@dataclass
class Index:
    key: Any


@dataclass
class Reference:
    """`$a.b.c(1)[0]`; `source` is the text printed when it has no value and is not quiet."""

    name: str
    accessors: list[Property | Call | Index] = field(default_factory=list)
    quiet: bool = False
    source: str = ""


@dataclass
class Literal:
    value: Any


@dataclass
class Interpolated:
    """A double-quoted string: rendered as a template each time it is evaluated."""

    body: list[Any]


@dataclass
class ListLiteral:
    items: list[Any]


@dataclass
class RangeLiteral:
    start: Any
    end: Any


@dataclass
class MapLiteral:
    entries: list[tuple[Any, Any]]


@dataclass
class Unary:
    op: str
    operand: Any


@dataclass
class Binary:
    op: str
    left: Any
    right: Any


@dataclass
class Set:
    target: Reference
    value: Any


@dataclass
class If:
    branches: list[tuple[Any, list[Any]]]
    otherwise: list[Any] | None = None


@dataclass
class Foreach:
    variable: str
    iterable: Any
    body: list[Any]


@dataclass
class Break:
    pass


@dataclass
class Stop:
    pass
