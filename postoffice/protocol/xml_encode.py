"""Results as AWS query-protocol XML, by string building (compiled once per shape).

A writer appends `<tag>...</tag>` for one value to a list of strings; structures write their
members in model order, flattened lists and maps repeat their element under the member's
own name, the others wrap items in `<member>` / `<entry><key/><value/></entry>` (or the
names the model gives). Timestamps are ISO 8601 with milliseconds, booleans lowercase,
blobs base64.
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from postoffice.protocol.codec import parse_timestamp
from postoffice.protocol.query_names import QueryNames
from postoffice.protocol.shapes import compiled, shape_key

Writer = Callable[[Any, str, list[str]], None]

_SPECIAL = re.compile(r"[&<>\"\r]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#xD;"}
_writers: dict[Any, Writer] = {}
_members: dict[Any, list[tuple[str, str, Writer]]] = {}


def escape(text: str) -> str:
    if _SPECIAL.search(text) is None:
        return text
    return _SPECIAL.sub(lambda match: _ESCAPES[match.group()], text)


def iso8601(value: Any) -> str:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    else:
        moment = dt.datetime.fromtimestamp(parse_timestamp(value), dt.UTC)
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def writer_for(names: QueryNames, shape: Shape, flattened: bool | None = None) -> Writer:
    flat = names.flattened(shape) if flattened is None else flattened
    key = (id(names), shape_key(shape), flat if shape.type_name in ("list", "map") else None)
    return compiled(_writers, key, lambda: _compile(names, shape, flat))


def write_members(names: QueryNames, shape: Shape, value: dict[str, Any], out: list[str]) -> None:
    """A structure's members without the enclosing element."""
    for name, wire, writer in _member_writers(names, shape):
        item = value.get(name)
        if item is not None:
            writer(item, wire, out)


def _member_writers(names: QueryNames, shape: Shape) -> list[tuple[str, str, Writer]]:
    key = (id(names), shape_key(shape))
    members = _members.get(key)
    if members is None:
        members = []
        for name, member in shape.members.items():
            wire, flattened = names.member(shape, name, member)
            members.append((name, wire, writer_for(names, member, flattened)))
        _members[key] = members
    return members


def _compile(names: QueryNames, shape: Shape, flattened: bool) -> Writer:
    kind = shape.type_name
    if kind == "structure":
        return _structure(names, shape)
    if kind == "list":
        return _list(names, shape, flattened)
    if kind == "map":
        return _map(names, shape, flattened)
    if kind == "boolean":
        return _scalar(lambda value: "true" if value else "false")
    if kind in ("integer", "long"):
        return _scalar(lambda value: str(int(value)))
    if kind in ("float", "double"):
        return _scalar(_float_text)
    if kind == "timestamp":
        return _scalar(iso8601)
    if kind == "blob":
        return _scalar(_base64)
    return _string


def _string(value: Any, tag: str, out: list[str]) -> None:
    out.append(f"<{tag}>{escape(value if isinstance(value, str) else str(value))}</{tag}>")


def _scalar(render: Callable[[Any], str]) -> Writer:
    def write(value: Any, tag: str, out: list[str]) -> None:
        out.append(f"<{tag}>{render(value)}</{tag}>")

    return write


def _base64(value: Any) -> str:
    return base64.b64encode(value if isinstance(value, (bytes, bytearray)) else str(value).encode()).decode()


def _float_text(value: Any) -> str:
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return repr(number)


def _structure(names: QueryNames, shape: Shape) -> Writer:
    members = _member_writers(names, shape)

    def write(value: Any, tag: str, out: list[str]) -> None:
        out.append(f"<{tag}>")
        for name, wire, writer in members:
            item = value.get(name)
            if item is not None:
                writer(item, wire, out)
        out.append(f"</{tag}>")

    return write


def _list(names: QueryNames, shape: Shape, flattened: bool) -> Writer:
    item_writer = writer_for(names, shape.member)
    if flattened:

        def write_flat(value: Any, tag: str, out: list[str]) -> None:
            for item in value:
                if item is not None:
                    item_writer(item, tag, out)

        return write_flat
    item_tag = names.list_item(shape) or "member"

    def write(value: Any, tag: str, out: list[str]) -> None:
        out.append(f"<{tag}>")
        for item in value:
            if item is not None:
                item_writer(item, item_tag, out)
        out.append(f"</{tag}>")

    return write


def _map(names: QueryNames, shape: Shape, flattened: bool) -> Writer:
    key_tag, value_tag = names.map_names(shape)
    key_writer = writer_for(names, shape.key)
    value_writer = writer_for(names, shape.value)

    def write_entries(value: Any, entry_tag: str, out: list[str]) -> None:
        for key, item in value.items():
            if item is None:
                continue
            out.append(f"<{entry_tag}>")
            key_writer(key, key_tag, out)
            value_writer(item, value_tag, out)
            out.append(f"</{entry_tag}>")

    if flattened:
        return write_entries

    def write(value: Any, tag: str, out: list[str]) -> None:
        out.append(f"<{tag}>")
        write_entries(value, "entry", out)
        out.append(f"</{tag}>")

    return write
