"""Query-protocol parameters (`Name.member.N`, `Name.N.key`, ...) into typed input values.

The flat form is first folded into a tree on the dots (`Attribute.1.Name=x` ->
{"Attribute": {"1": {"Name": "x"}}}); a decoder compiled once per shape then walks the tree
with the names `QueryNames` gives. Strings become int, bool, float, timestamp or bytes as
the model says; a value that does not convert is the client's `InvalidParameterValue`,
named by its full parameter path. A checked decoder (`decode_params_checked`) also tests the
model's constraints as it goes, as codec.decode_checked does for JSON.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from botocore.model import Shape

from postoffice.protocol.codec import integer_bounds, parse_timestamp
from postoffice.protocol.errors import ServiceError, invalid_parameter_value
from postoffice.protocol.query_names import QueryNames
from postoffice.protocol.shapes import compiled, shape_key
from postoffice.protocol.validate import conforms

Tree = dict[str, Any]
Decoder = Callable[[Any, list[Any]], Any]

_INTEGER = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|NaN|[+-]?Infinity")
_LEAF = ""  # where a value lives when the same key is also a prefix (`A=1&A.B=2`)
_decoders: dict[Any, Decoder] = {}
_entries: dict[int, tuple[Shape, QueryNames, Decoder]] = {}


class BadParameter(Exception):
    """A value that does not convert; `path` grows as the error unwinds to the top."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(reason)
        self.value = value
        self.reason = reason
        self.path: list[str] = []

    def to_error(self) -> ServiceError:
        return invalid_parameter_value(".".join(self.path), self.value, self.reason)


def fold(pairs: Iterable[tuple[str, str]]) -> Tree:
    root: Tree = {}
    for key, value in pairs:
        if "." not in key:
            existing = root.get(key)
            if isinstance(existing, dict):
                existing[_LEAF] = value
            else:
                root[key] = value
            continue
        node = root
        *parents, last = key.split(".")
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {} if child is None else {_LEAF: child}
                node[part] = child
            node = child
        existing = node.get(last)
        if isinstance(existing, dict):
            existing[_LEAF] = value
        else:
            node[last] = value
    return root


def decode_params(names: QueryNames, shape: Shape | None, tree: Tree) -> dict[str, Any]:
    if shape is None:
        return {}
    try:
        return decoder_for(names, shape)(tree, [])
    except BadParameter as bad:
        raise bad.to_error() from None


def decode_params_checked(names: QueryNames, shape: Shape | None, tree: Tree) -> tuple[dict[str, Any], bool]:
    """`decode_params`, in the same walk testing the constraints `validate` checks (see
    codec.decode_checked): also whether they all held."""
    if shape is None:
        return {}, True
    entry = _entries.get(id(shape))  # found by the operation's own input shape object
    if entry is not None and entry[0] is shape and entry[1] is names:
        decoder = entry[2]
    else:
        decoder = decoder_for(names, shape, checked=True)
        _entries[id(shape)] = (shape, names, decoder)
    misses: list[Any] = []
    try:
        decoded = decoder(tree, misses)
    except BadParameter as bad:
        raise bad.to_error() from None
    return decoded, not misses


def decoder_for(names: QueryNames, shape: Shape, flattened: bool | None = None, checked: bool = False) -> Decoder:
    """`decoder(node, misses)`; a checked decoder appends to `misses` what fails a constraint."""
    flat = names.flattened(shape) if flattened is None else flattened
    key = (id(names), shape_key(shape), flat if shape.type_name in ("list", "map") else None, checked)
    return compiled(_decoders, key, lambda: _compile(names, shape, flat, checked))


def _text(node: Any) -> str:
    if isinstance(node, dict):
        leaf = node.get(_LEAF)
        if isinstance(leaf, str):
            return leaf
        raise BadParameter("", "a single value is expected here")
    return node


def _indexed(node: Any) -> list[Any]:
    """The items of `{"1": a, "2": b}` in index order; '' (an empty list on the wire) is none."""
    if not isinstance(node, dict):
        if node == "":
            return []
        raise BadParameter(node, "a list is expected here")
    items = []
    for index, item in node.items():
        if index.isdigit():
            items.append((int(index), index, item))
    items.sort(key=lambda entry: entry[0])
    return [(index, item) for _, index, item in items]


def _nested(decoder: Decoder, item: Any, misses: list[Any], *path: str) -> Any:
    try:
        return decoder(item, misses)
    except BadParameter as bad:
        bad.path[:0] = path
        raise


def _compile(names: QueryNames, shape: Shape, flattened: bool, checked: bool) -> Decoder:
    kind = shape.type_name
    if kind == "structure":
        return _structure(names, shape, checked)
    if kind == "list":
        return _with_test(_list(names, shape, flattened, checked), shape, checked)
    if kind == "map":
        return _with_test(_map(names, shape, flattened, checked), shape, checked)
    if kind in ("integer", "long"):
        base = _integer(shape)
    elif kind in ("float", "double"):
        base = _float
    elif kind == "boolean":
        base = _boolean
    elif kind == "timestamp":
        base = _timestamp
    elif kind == "blob":
        base = _blob
    else:
        base = _string
    return _with_test(base, shape, checked)


def _with_test(decoder: Decoder, shape: Shape, checked: bool) -> Decoder:
    test = conforms(shape) if checked else None
    if test is None:
        return decoder

    def decode_and_test(node: Any, misses: list[Any]) -> Any:
        value = decoder(node, misses)
        if not test(value):
            misses.append(value)
        return value

    return decode_and_test


def _structure(names: QueryNames, shape: Shape, checked: bool) -> Decoder:
    members = []
    for name, member in shape.members.items():
        wire, flattened = names.member(shape, name, member)
        members.append((wire, name, decoder_for(names, member, flattened, checked)))
    required = tuple(shape.required_members) if checked else ()

    def decode_structure(node: Any, misses: list[Any]) -> Any:
        if not isinstance(node, dict):
            if node == "":
                out: dict[str, Any] = {}
                if required:
                    misses.append(node)
                return out
            raise BadParameter(node, "a structure is expected here")
        out = {}
        for wire, name, decoder in members:
            item = node.get(wire)
            if item is not None:
                try:
                    out[name] = decoder(item, misses)
                except BadParameter as bad:
                    bad.path.insert(0, wire)
                    raise
        for name in required:
            if name not in out:
                misses.append(name)
                break
        return out

    return decode_structure


def _list(names: QueryNames, shape: Shape, flattened: bool, checked: bool) -> Decoder:
    item_name = names.list_item(shape) or "member"
    item_decoder = decoder_for(names, shape.member, checked=checked)

    def decode_list(node: Any, misses: list[Any]) -> Any:
        if not flattened and isinstance(node, dict) and item_name in node:
            return [_nested(item_decoder, item, misses, item_name, index) for index, item in _indexed(node[item_name])]
        return [_nested(item_decoder, item, misses, index) for index, item in _indexed(node)]

    return decode_list


def _map(names: QueryNames, shape: Shape, flattened: bool, checked: bool) -> Decoder:
    key_name, value_name = names.map_names(shape)
    key_decoder = decoder_for(names, shape.key, checked=checked)
    value_decoder = decoder_for(names, shape.value, checked=checked)

    def decode_map(node: Any, misses: list[Any]) -> Any:
        prefix: tuple[str, ...] = ()
        if not flattened and isinstance(node, dict) and "entry" in node:
            node = node["entry"]
            prefix = ("entry",)
        out = {}
        for index, entry in _indexed(node):
            if not isinstance(entry, dict):
                raise BadParameter(entry, "a map entry is expected here")
            key = entry.get(key_name)
            value = entry.get(value_name)
            if key is None or value is None:
                continue
            decoded_key = _nested(key_decoder, key, misses, *prefix, index, key_name)
            out[decoded_key] = _nested(value_decoder, value, misses, *prefix, index, value_name)
        return out

    return decode_map


def _string(node: Any, misses: list[Any]) -> str:
    if isinstance(node, dict):
        return _text(node)
    return node


def _integer(shape: Shape) -> Decoder:
    low, high = integer_bounds(shape)
    reason = f"must be an integer from {low} to {high}"

    def decode_integer(node: Any, misses: list[Any]) -> int:
        text = _text(node)
        if _INTEGER.fullmatch(text) is None:
            raise BadParameter(text, reason)
        value = int(text)
        if value < low or value > high:
            raise BadParameter(text, reason)
        return value

    return decode_integer


def _float(node: Any, misses: list[Any]) -> float:
    text = _text(node)
    if _FLOAT.fullmatch(text) is None:
        raise BadParameter(text, "must be a number")
    value = float(text)
    if math.isinf(value) and "Infinity" not in text:
        raise BadParameter(text, "must be a number")
    return value


def _boolean(node: Any, misses: list[Any]) -> bool:
    text = _text(node)
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    raise BadParameter(text, "must be true or false")


def _timestamp(node: Any, misses: list[Any]) -> float:
    text = _text(node)
    try:
        return parse_timestamp(text)
    except (ValueError, TypeError, OverflowError, IndexError):
        raise BadParameter(text, "must be an ISO 8601 timestamp") from None


def _blob(node: Any, misses: list[Any]) -> bytes:
    text = _text(node)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise BadParameter(text, "must be base64-encoded") from None
