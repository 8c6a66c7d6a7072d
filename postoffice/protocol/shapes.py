"""Compile-once caches keyed by a shape's identity in its model.

botocore builds a new Shape object every time a member is resolved, so a recursive shape
(DynamoDB's AttributeValue -> MapAttributeValue -> AttributeValue) never repeats an object
id. Compiled functions are therefore cached by (model, shape name), and recursion goes
through a trampoline that is installed before the members are compiled.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from botocore.model import Shape

F = TypeVar("F", bound=Callable[..., Any])

_models_alive: dict[int, object] = {}
LOCATED = frozenset(("uri", "querystring", "header", "headers", "statusCode"))


def shape_key(shape: Shape) -> tuple[int, str]:
    resolver = shape._shape_resolver
    key = id(resolver)
    _models_alive.setdefault(key, resolver)
    return key, shape.name


def compiled(cache: dict[Hashable, Any], key: Hashable, build: Callable[[], F]) -> F:
    """The cached function for `key`, building it once; recursive references see a trampoline."""
    fn = cache.get(key)
    if fn is None:
        holder: list[Callable[..., Any]] = []

        def trampoline(*args: Any) -> Any:
            return holder[0](*args)

        cache[key] = trampoline
        try:
            fn = build()
        except BaseException:
            del cache[key]
            raise
        holder.append(fn)
        cache[key] = fn
    return fn


def per_object(cache: dict[int, tuple[Shape, Any]], shape: Shape, build: Callable[[Shape], Any]) -> Any:
    """`build(shape)` remembered for this very Shape object: a fast front for the entry points,
    which always receive the same cached operation input and output shapes."""
    entry = cache.get(id(shape))
    if entry is not None and entry[0] is shape:
        return entry[1]
    value = build(shape)
    cache[id(shape)] = (shape, value)
    return value


def is_located(shape: Shape) -> bool:
    """True for a rest member bound to the URI, query string, headers or status code."""
    return shape.serialization.get("location") in LOCATED


def body_members(shape: Shape) -> dict[str, Shape]:
    return {name: member for name, member in shape.members.items() if not is_located(member)}


_needs_cache: dict[tuple[int, tuple[int, str]], bool] = {}


def needs(shape: Shape, predicate: Callable[[Shape], bool]) -> bool:
    """Whether `predicate` holds for `shape` or any shape reachable from its body members."""
    key = (id(predicate), shape_key(shape))
    found = _needs_cache.get(key)
    if found is None:
        found = _needs_cache[key] = _reaches(shape, predicate, set())
    return found


def _reaches(shape: Shape, predicate: Callable[[Shape], bool], seen: set[tuple[int, str]]) -> bool:
    key = shape_key(shape)
    if key in seen:
        return False
    seen.add(key)
    if predicate(shape):
        return True
    kind = shape.type_name
    if kind == "structure":
        return any(_reaches(member, predicate, seen) for member in body_members(shape).values())
    if kind == "list":
        return _reaches(shape.member, predicate, seen)
    if kind == "map":
        return _reaches(shape.key, predicate, seen) or _reaches(shape.value, predicate, seen)
    return False
