"""Which resource and method of a deployment answer a method and path.

The most specific resource wins, segment by segment: a literal part beats `{param}`, which
beats `{proxy+}` (greedy: one or more segments). A resource answers a method it has, or ANY.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Route:
    resource: dict[str, Any]
    method: dict[str, Any]
    path_params: dict[str, str]


def _match(template: list[str], parts: list[str]) -> tuple[tuple[int, ...], dict[str, str]] | None:
    params: dict[str, str] = {}
    score: list[int] = []
    for index, part in enumerate(template):
        if part.startswith("{") and part.endswith("+}"):
            rest = parts[index:]
            if not rest:
                return None
            params[part[1:-2]] = "/".join(rest)
            score.append(0)
            return tuple(score), params
        if index >= len(parts):
            return None
        if part.startswith("{") and part.endswith("}"):
            if not parts[index]:
                return None
            params[part[1:-1]] = parts[index]
            score.append(1)
        elif part == parts[index]:
            score.append(2)
        else:
            return None
    if len(template) != len(parts):
        return None
    return tuple(score), params


def split_path(path: str) -> list[str]:
    trimmed = path.strip("/")
    return trimmed.split("/") if trimmed else []


def find_route(resources: dict[str, dict[str, Any]], http_method: str, path: str) -> Route | None:
    parts = split_path(path)
    best: tuple[tuple[int, ...], Route] | None = None
    for resource in resources.values():
        methods = resource.get("resourceMethods") or {}
        method = methods.get(http_method) or methods.get("ANY")
        if method is None:
            continue
        found = _match(split_path(resource.get("path", "/")), parts)
        if found is None:
            continue
        score, params = found
        if best is None or score > best[0]:
            best = (score, Route(resource, method, params))
    return best[1] if best else None
