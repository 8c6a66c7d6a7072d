"""The JSONPath that `$input.path()` and `$input.json()` read (Jayway's dialect, as API Gateway
uses it): `$`, `.name`, `['name']`, `[0]`, `[-1]`, `[0,2]`, `[1:3]`, `[*]`, `.*` and `..name`.

A definite path (no wildcard, slice, union or deep scan) gives one value or None; an indefinite
one gives the list of everything it reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_NAME = re.compile(r"[^.\[\]]+")


class JsonPathError(ValueError):
    pass


@dataclass(frozen=True)
class Step:
    kind: str  # name | index | wildcard | slice | union | deep
    value: Any = None


@lru_cache(maxsize=256)
def compile_path(path: str) -> tuple[tuple[Step, ...], bool]:
    """The steps of `path`, and whether it is definite."""
    text = path.strip()
    if not text.startswith("$"):
        text = "$." + text if text else "$"
    steps: list[Step] = []
    pos = 1
    while pos < len(text):
        if text.startswith("..", pos):
            pos += 2
            if text.startswith("[", pos):
                steps.append(Step("deep"))
                continue
            match = _NAME.match(text, pos)
            if match is None:
                raise JsonPathError(f"Path must not end with a '.' or '..': {path}")
            steps.append(Step("deep"))
            name = match.group(0)
            steps.append(Step("wildcard") if name == "*" else Step("name", name))
            pos = match.end()
        elif text[pos] == ".":
            match = _NAME.match(text, pos + 1)
            if match is None:
                raise JsonPathError(f"Path must not end with a '.' or '..': {path}")
            name = match.group(0)
            steps.append(Step("wildcard") if name == "*" else Step("name", name))
            pos = match.end()
        elif text[pos] == "[":
            end = _closing_bracket(text, pos)
            steps.append(_bracket(text[pos + 1 : end].strip(), path))
            pos = end + 1
        else:
            raise JsonPathError(f"Illegal character at position {pos} in path {path}")
    definite = all(step.kind in ("name", "index") for step in steps)
    return tuple(steps), definite


def _closing_bracket(text: str, start: int) -> int:
    quote = None
    for position in range(start + 1, len(text)):
        char = text[position]
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "]":
            return position
    raise JsonPathError(f"Unclosed bracket in path {text}")


def _bracket(inner: str, path: str) -> Step:
    if inner == "*":
        return Step("wildcard")
    if inner.startswith(("'", '"')):
        names = [part.strip()[1:-1] for part in _split_quoted(inner)]
        return Step("name", names[0]) if len(names) == 1 else Step("union", tuple(names))
    if ":" in inner:
        start, _, stop = inner.partition(":")
        return Step("slice", (int(start) if start.strip() else None, int(stop) if stop.strip() else None))
    try:
        indexes = tuple(int(part) for part in inner.split(","))
    except ValueError:
        raise JsonPathError(f"Could not parse token [{inner}] in path {path}") from None
    return Step("index", indexes[0]) if len(indexes) == 1 else Step("union", indexes)


def _split_quoted(inner: str) -> list[str]:
    parts, current, quote = [], [], None
    for char in inner:
        if quote:
            current.append(char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == ",":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


_NOTHING = object()


def read(document: Any, path: str) -> Any:
    steps, definite = compile_path(path)
    found = [document]
    for step in steps:
        found = [child for node in found for child in _apply(step, node)]
    if definite:
        return found[0] if found else None
    return found


def _apply(step: Step, node: Any) -> list[Any]:
    kind = step.kind
    if kind == "name":
        if isinstance(node, dict) and step.value in node:
            return [node[step.value]]
        return []
    if kind == "index":
        if isinstance(node, list) and -len(node) <= step.value < len(node):
            return [node[step.value]]
        return []
    if kind == "wildcard":
        if isinstance(node, dict):
            return list(node.values())
        if isinstance(node, list):
            return list(node)
        return []
    if kind == "slice":
        return list(node[step.value[0] : step.value[1]]) if isinstance(node, list) else []
    if kind == "union":
        out = []
        for key in step.value:
            if isinstance(key, str) and isinstance(node, dict) and key in node:
                out.append(node[key])
            elif isinstance(key, int) and isinstance(node, list) and -len(node) <= key < len(node):
                out.append(node[key])
        return out
    return _descendants(node)


def _descendants(node: Any) -> list[Any]:
    out = [node]
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        out.extend(_descendants(child))
    return out
