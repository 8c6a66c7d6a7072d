"""Results as AWS query-protocol XML, by string building (compiled once per shape and tag).

A writer appends `<tag>...</tag>` for one value to a list of strings, its start and end tags
built when it was compiled. Structures write their members in model order (string members
inline, without a call), flattened lists and maps repeat their element under the member's
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

Writer = Callable[[Any, list[str]], None]  # appends the element(s) of one value

_SPECIAL = re.compile(r"[&<>\"\r]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\r": "&#xD;"}
_writers: dict[Any, Writer] = {}
_member_lists: dict[Any, list[Any]] = {}


def escape(text: str) -> str:
    # five substring tests beat one regex search several times over on the short texts of
    # an answer, and stay cheap on long ones
    if "&" in text or "<" in text or ">" in text or '"' in text or "\r" in text:
        return _SPECIAL.sub(lambda match: _ESCAPES[match.group()], text)
    return text


def iso8601(value: Any) -> str:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    else:
        moment = dt.datetime.fromtimestamp(parse_timestamp(value), dt.UTC)
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def writer_for(names: QueryNames, shape: Shape, tag: str, flattened: bool | None = None) -> Writer:
    """The writer of `shape`'s values as `<tag>` elements (its tags built once, here)."""
    flat = names.flattened(shape) if flattened is None else flattened
    key = (id(names), shape_key(shape), flat if shape.type_name in ("list", "map") else None, tag)
    return compiled(_writers, key, lambda: _compile(names, shape, flat, tag))


def members_writer(names: QueryNames, shape: Shape) -> Writer:
    """A structure's members without the enclosing element."""
    return _structure_writer(_member_writers(names, shape), None)


def write_members(names: QueryNames, shape: Shape, value: dict[str, Any], out: list[str]) -> None:
    members_writer(names, shape)(value, out)


Member = tuple[str, str, str, Writer | None]  # name, start tag, end tag, writer (None: a string)


def _member_writers(names: QueryNames, shape: Shape) -> list[Member]:
    key = (id(names), shape_key(shape))
    members = _member_lists.get(key)
    if members is None:
        members = []
        for name, member in shape.members.items():
            wire, flattened = names.member(shape, name, member)
            writer = None if member.type_name == "string" else writer_for(names, member, wire, flattened)
            members.append((name, f"<{wire}>", f"</{wire}>", writer))
        _member_lists[key] = members
    return members


def _structure_writer(members: list[Member], tag: str | None) -> Writer:
    """Members in model order, string members written inline (most of an answer's members)."""

    def write_members(value: Any, out: list[str]) -> None:
        for name, start, end, writer in members:
            item = value.get(name)
            if item is None:
                continue
            if writer is not None:
                writer(item, out)
                continue
            text = item if isinstance(item, str) else str(item)
            if "&" in text or "<" in text or ">" in text or '"' in text or "\r" in text:
                text = escape(text)
            out.append(f"{start}{text}{end}")

    if tag is None:
        return write_members
    start, end = f"<{tag}>", f"</{tag}>"

    def write(value: Any, out: list[str]) -> None:
        out.append(start)
        write_members(value, out)
        out.append(end)

    return write


def _compile(names: QueryNames, shape: Shape, flattened: bool, tag: str) -> Writer:
    kind = shape.type_name
    if kind == "structure":
        return _structure(names, shape, tag)
    if kind == "list":
        return _list(names, shape, flattened, tag)
    if kind == "map":
        return _map(names, shape, flattened, tag)
    if kind == "boolean":
        return _scalar(lambda value: "true" if value else "false", tag)
    if kind in ("integer", "long"):
        return _scalar(lambda value: str(int(value)), tag)
    if kind in ("float", "double"):
        return _scalar(_float_text, tag)
    if kind == "timestamp":
        return _scalar(iso8601, tag)
    if kind == "blob":
        return _scalar(_base64, tag)
    return _string(tag)


def _string(tag: str) -> Writer:
    start, end = f"<{tag}>", f"</{tag}>"

    def write(value: Any, out: list[str]) -> None:
        text = value if isinstance(value, str) else str(value)
        if "&" in text or "<" in text or ">" in text or '"' in text or "\r" in text:
            text = escape(text)
        out.append(f"{start}{text}{end}")

    return write


def _scalar(render: Callable[[Any], str], tag: str) -> Writer:
    start, end = f"<{tag}>", f"</{tag}>"

    def write(value: Any, out: list[str]) -> None:
        out.append(f"{start}{render(value)}{end}")

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


def _structure(names: QueryNames, shape: Shape, tag: str) -> Writer:
    return _structure_writer(_member_writers(names, shape), tag)


def _list(names: QueryNames, shape: Shape, flattened: bool, tag: str) -> Writer:
    if flattened:
        flat_item_writer = writer_for(names, shape.member, tag)

        def write_flat(value: Any, out: list[str]) -> None:
            for item in value:
                if item is not None:
                    flat_item_writer(item, out)

        return write_flat
    item_writer = writer_for(names, shape.member, names.list_item(shape) or "member")
    start, end = f"<{tag}>", f"</{tag}>"

    def write(value: Any, out: list[str]) -> None:
        out.append(start)
        for item in value:
            if item is not None:
                item_writer(item, out)
        out.append(end)

    return write


def _map(names: QueryNames, shape: Shape, flattened: bool, tag: str) -> Writer:
    key_tag, value_tag = names.map_names(shape)
    key_writer = writer_for(names, shape.key, key_tag)
    value_writer = writer_for(names, shape.value, value_tag)
    entry_tag = tag if flattened else "entry"
    entry_start, entry_end = f"<{entry_tag}>", f"</{entry_tag}>"

    def write_entries(value: Any, out: list[str]) -> None:
        for key, item in value.items():
            if item is None:
                continue
            out.append(entry_start)
            key_writer(key, out)
            value_writer(item, out)
            out.append(entry_end)

    if flattened:
        return write_entries
    start, end = f"<{tag}>", f"</{tag}>"

    def write(value: Any, out: list[str]) -> None:
        out.append(start)
        write_entries(value, out)
        out.append(end)

    return write
