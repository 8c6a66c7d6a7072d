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


class PathTree:
    """The paths below one object of the event (or above the top level), as flatten_paths walks them.

    An event key may itself contain dots ({"a.b": 1} and {"a": {"b": 1}} both hold "a.b"), so a
    node lists every wanted path below it by its remainder (`steps`), not only its children.
    `plain` are the remainders without a dot: when the object has none of the `dotted` ones as a
    key, looking those up is all it takes, and cheaper than reading every key the object has.
    """

    __slots__ = ("dotted", "plain", "steps")

    def __init__(self) -> None:
        self.steps: dict[str, tuple[str, PathTree | None]] = {}
        self.plain: tuple[tuple[str, str, PathTree | None], ...] = ()
        self.dotted: frozenset[str] | None = None


def path_tree(paths: Collection[str]) -> PathTree:
    """The tree flatten_paths follows from the event's top level to reach `paths`."""
    wanted = path_prefixes(paths)
    remainders: dict[str | None, dict[str, str]] = {None: {path: path for path in wanted}}
    for path in wanted:
        index = path.find(".")
        while index != -1:
            remainders.setdefault(path[:index], {})[path[index + 1 :]] = path
            index = path.find(".", index + 1)
    nodes = {parent: PathTree() for parent in remainders}
    for parent, below in remainders.items():
        node = nodes[parent]
        node.steps = {name: (path, nodes.get(path)) for name, path in below.items()}
        node.plain = tuple((name, path, nodes.get(path)) for name, path in below.items() if "." not in name)
        node.dotted = frozenset(name for name in below if "." in name) or None
    return nodes[None]


_MISSING = object()


def flatten_paths(event: Any, tree: PathTree) -> FlatEvent:
    """flatten(event, wanted) for the paths of path_tree(paths), without building a path string
    for every key the event has."""
    flat: FlatEvent = {}
    if type(event) is not dict:
        return flat
    # (object with its node, or array with its path's node and its path; membership)
    pending: list[tuple[Any, Any, str, tuple]] = [(event, tree, "", ())]
    array_id = 0
    while pending:
        node, below, node_path, membership = pending.pop()
        if type(node) is dict:
            plain = below.plain
            dotted = below.dotted
            if len(plain) < len(node) and (dotted is None or dotted.isdisjoint(node)):
                # the object's keys the paths name, looked up
                for name, path, child in plain:
                    value = node.get(name, _MISSING)
                    if value is _MISSING:
                        continue
                    kind = type(value)
                    if kind is str:
                        leaf = (value, value, membership)
                    elif kind is dict:
                        if child is not None:
                            pending.append((value, child, path, membership))
                        continue
                    elif kind is list:
                        pending.append((value, child, path, membership))
                        continue
                    else:
                        leaf = (value, value_key(value), membership)
                    leaves = flat.get(path)
                    if leaves is None:
                        flat[path] = [leaf]
                    else:
                        leaves.append(leaf)
                continue
            # every key of the object, looked up in the paths
            get_step = below.steps.get
            for name, value in node.items():
                step = get_step(name)
                if step is None:
                    continue
                path, child = step
                kind = type(value)
                if kind is str:
                    leaf = (value, value, membership)
                elif kind is dict:
                    if child is not None:
                        pending.append((value, child, path, membership))
                    continue
                elif kind is list:
                    pending.append((value, child, path, membership))
                    continue
                else:
                    leaf = (value, value_key(value), membership)
                leaves = flat.get(path)
                if leaves is None:
                    flat[path] = [leaf]
                else:
                    leaves.append(leaf)
            continue
        array_id += 1
        leaves = flat.get(node_path)
        for index, element in enumerate(node):
            kind = type(element)
            if kind is str:
                leaf = (element, element, membership)
            elif kind is dict or kind is list:
                if below is not None or kind is list:
                    pending.append((element, below, node_path, (*membership, (array_id, index))))
                continue
            else:
                leaf = (element, value_key(element), membership)
            if leaves is None:
                leaves = flat[node_path] = [leaf]
            else:
                leaves.append(leaf)
    return flat
