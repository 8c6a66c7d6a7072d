"""The JSONPath subset EventBridge evaluates in InputPath and InputPathsMap.

`$`, dot notation (`$.detail.instance-id`, names with dashes, underscores and slashes),
bracket notation (`$['detail']`), array indices (`$.items[0]`) and wildcards (`$.items[*]`,
`$.detail.*`). A path with a wildcard selects a list of every match; any other path selects
one value or nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_MISSING = object()
_TOKEN = re.compile(
    r"""\.(?P<name>[^.\[\]\s]+)"""
    r"""|\[\s*(?P<index>-?\d+)\s*\]"""
    r"""|\[\s*(?P<star>\*)\s*\]"""
    r"""|\[\s*'(?P<single>[^']*)'\s*\]"""
    r"""|\[\s*"(?P<double>[^"]*)"\s*\]"""
)

Step = tuple[str, Any]  # ("key", name) | ("index", n) | ("all", None)


class JsonPathError(ValueError):
    pass


@dataclass(frozen=True)
class JsonPath:
    text: str
    steps: tuple[Step, ...]

    @property
    def has_wildcard(self) -> bool:
        return any(kind == "all" for kind, _ in self.steps)

    def select(self, document: Any) -> Any:
        """The selected value; `MISSING` when the path selects nothing."""
        if not self.has_wildcard:
            value = document
            for kind, key in self.steps:
                value = _step(value, kind, key)
                if value is _MISSING:
                    return _MISSING
            return value
        matches = [document]
        for kind, key in self.steps:
            matches = [found for value in matches for found in _expand(value, kind, key)]
        return matches


MISSING = _MISSING


def compile_path(text: str) -> JsonPath:
    if not text.startswith("$"):
        raise JsonPathError(text)
    steps: list[Step] = []
    position = 1
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise JsonPathError(text)
        if match.group("name") is not None:
            name = match.group("name")
            steps.append(("all", None) if name == "*" else ("key", name))
        elif match.group("index") is not None:
            steps.append(("index", int(match.group("index"))))
        elif match.group("star") is not None:
            steps.append(("all", None))
        else:
            steps.append(("key", match.group("single") if match.group("single") is not None else match.group("double")))
        position = match.end()
    return JsonPath(text, tuple(steps))


def _step(value: Any, kind: str, key: Any) -> Any:
    if kind == "key":
        return value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
    if isinstance(value, list) and -len(value) <= key < len(value):
        return value[key]
    return _MISSING


def _expand(value: Any, kind: str, key: Any) -> list[Any]:
    if kind == "all":
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []
    found = _step(value, kind, key)
    return [] if found is _MISSING else [found]
