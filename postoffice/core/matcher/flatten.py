"""An event as (dotted path -> leaf values), computed once per event.

Each leaf carries its array membership: the (array id, element index) of every array of
objects it sits in. event-ruler's rulesForJSONEvent refuses a match that takes two fields
from different elements of the same array; memberships let the matcher enforce that.
Scalars directly inside an array need no entry for that array: no other path can share it.
Objects and arrays are never leaves (exists only sees leaf values).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from postoffice.core.matcher.values import value_key

Leaf = tuple[Any, Any, tuple[tuple[int, int], ...]]
FlatEvent = dict[str, list[Leaf]]


def flatten(event: Any, wanted: Collection[str] | None = None) -> FlatEvent:
    """Leaves of `event` by path; with `wanted` (paths and all their prefixes) only those paths.

    Iterative, so an event nested as deep as a JSON parser allows cannot exhaust the stack.
    """
    flat: FlatEvent = {}
    if type(event) is not dict:
        return flat
    # (object or array, its path, its membership)
    pending: list[tuple[Any, str | None, tuple]] = [(event, None, ())]
    array_id = 0
    while pending:
        node, node_path, membership = pending.pop()
        if type(node) is dict:
            for name, value in node.items():
                path = name if node_path is None else f"{node_path}.{name}"
                if wanted is not None and path not in wanted:
                    continue
                kind = type(value)
                if kind is dict or kind is list:
                    pending.append((value, path, membership))
                    continue
                leaf = (value, value if kind is str else value_key(value), membership)
                leaves = flat.get(path)
                if leaves is None:
                    flat[path] = [leaf]
                else:
                    leaves.append(leaf)
        else:
            array_id += 1
            for index, element in enumerate(node):
                kind = type(element)
                if kind is dict or kind is list:
                    pending.append((element, node_path, (*membership, (array_id, index))))
                    continue
                leaf = (element, element if kind is str else value_key(element), membership)
                leaves = flat.get(node_path)
                if leaves is None:
                    flat[node_path] = [leaf]
                else:
                    leaves.append(leaf)
    return flat


def path_prefixes(paths: Collection[str]) -> frozenset[str]:
    """Every path plus every dotted prefix of it (what `flatten(wanted=...)` must descend into)."""
    result: set[str] = set()
    for path in paths:
        result.add(path)
        index = path.find(".")
        while index != -1:
            result.add(path[:index])
            index = path.find(".", index + 1)
    return frozenset(result)
