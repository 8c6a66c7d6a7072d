"""Shape-driven conversion between wire values and Python values for JSON-like bodies.

Decoding checks every value's type against the model (a wrong type is the client's mistake:
SerializationException, never a crash in a service), checks integer ranges, and converts
blobs (base64) and timestamps. The same decoders read CBOR bodies, whose blobs arrive as
bytes and timestamps as datetimes. A checked decoder (`decode_checked`) also tests the
model's constraints in the same walk, so that a request that meets them all is decoded and
known valid in one pass over the members present; `validate` then only runs to describe a
failure. Encoding does the reverse for results, for JSON
(`encode`) or CBOR (`encode_cbor`). Both are compiled per shape; a shape tree that needs no
conversion and no renaming encodes as-is.

Members bound to the URI, query string, headers or status code (rest protocols) are not
part of a body and are skipped here. Body members are named by their `locationName` when
the model gives one (API Gateway's `item`).

Inside postoffice, timestamps are float epoch seconds and blobs are bytes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from typing import Any

import cbor2
from botocore.model import Shape

from postoffice.protocol.errors import ServiceError, serialization_error
from postoffice.protocol.shapes import body_members, compiled, needs, per_object, shape_key
from postoffice.protocol.validate import conforms

Decoder = Callable[[Any, list[Any]], Any]
Encoder = Callable[[Any], Any]

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

_decoders: dict[Any, Decoder] = {}
_encoders: dict[Any, Encoder] = {}
_entry_decoders: dict[int, tuple[Shape, Decoder]] = {}
_entry_checked_decoders: dict[int, tuple[Shape, Decoder]] = {}
_entry_encoders: dict[int, tuple[Shape, Encoder | None]] = {}
_entry_cbor_encoders: dict[int, tuple[Shape, Encoder | None]] = {}

_JSON_TYPE_NAMES = {
    dict: "START_OBJECT",
    list: "START_ARRAY",
    str: "VALUE_STRING",
    bool: "VALUE_BOOLEAN",
    int: "VALUE_NUMBER_INT",
    float: "VALUE_NUMBER_FLOAT",
}


def _wrong_type(value: Any, expected: str) -> ServiceError:
    found = _JSON_TYPE_NAMES.get(type(value), type(value).__name__)
    return serialization_error(f"Unexpected token {found} where {expected} was expected")


def parse_timestamp(value: Any) -> float:
    """Epoch seconds from a number, a datetime, or an ISO-8601 / RFC-822 string."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            pass
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            from email.utils import parsedate_to_datetime

            parsed = parsedate_to_datetime(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.timestamp()
    raise ValueError(value)


def integer_bounds(shape: Shape) -> tuple[int, int]:
    return INT64 if shape.type_name == "long" else INT32


def wire_name(name: str, member: Shape) -> str:
    return member.serialization.get("name", name)


def decoder_for(shape: Shape, checked: bool = False) -> Decoder:
    """The decoder of `shape`: `decoder(value, misses)`. A checked decoder also tests every
    value it produces against the model's constraints and appends to `misses` what fails."""
    return compiled(_decoders, (checked, shape_key(shape)), lambda: _compile_decoder(shape, checked))


def _checked_decoder(shape: Shape) -> Decoder:
    return decoder_for(shape, True)


def decode(shape: Shape | None, value: Any) -> Any:
    if shape is None:
        return {}
    if value is None:
        value = {}
    return per_object(_entry_decoders, shape, decoder_for)(value, [])


def decode_checked(shape: Shape | None, value: Any) -> tuple[Any, bool]:
    """`decode`, in the same walk testing the constraints `validate` checks: also whether they
    all held. False means that `validate` must run to describe what failed (or to find that
    nothing did: a test may say no where `validate` finds nothing, never the reverse)."""
    if shape is None:
        return {}, True
    if value is None:
        value = {}
    entry = _entry_checked_decoders.get(id(shape))
    if entry is not None and entry[0] is shape:
        decoder = entry[1]
    else:
        decoder = per_object(_entry_checked_decoders, shape, _checked_decoder)
    misses: list[Any] = []
    decoded = decoder(value, misses)
    return decoded, not misses


def _compile_decoder(shape: Shape, checked: bool) -> Decoder:
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return lambda value, misses: value
        return _structure_decoder(shape, checked)
    if kind == "list":
        return _list_decoder(shape, checked)
    if kind == "map":
        return _map_decoder(shape, checked)
    base = _leaf_decoder(shape)
    test = conforms(shape) if checked else None
    if test is None:
        return base

    def decode_and_test(value: Any, misses: list[Any]) -> Any:
        decoded = base(value, misses)
        if not test(decoded):
            misses.append(decoded)
        return decoded

    return decode_and_test


def _leaf_decoder(shape: Shape) -> Decoder:
    kind = shape.type_name
    if kind == "string":
        return _decode_string
    if kind in ("integer", "long"):
        return _integer_decoder(shape)
    if kind in ("float", "double"):
        return _decode_float
    if kind == "boolean":
        return _decode_boolean
    if kind == "blob":
        return _decode_blob
    if kind == "timestamp":
        return _decode_timestamp
    return lambda value, misses: value


def _decode_string(value: Any, misses: list[Any]) -> Any:
    if not isinstance(value, str):
        raise _wrong_type(value, "VALUE_STRING")
    return value


def _decode_float(value: Any, misses: list[Any]) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
            return float(value)
        raise _wrong_type(value, "VALUE_NUMBER_FLOAT")
    return value


def _decode_boolean(value: Any, misses: list[Any]) -> Any:
    if not isinstance(value, bool):
        raise _wrong_type(value, "VALUE_BOOLEAN")
    return value


def _decode_blob(value: Any, misses: list[Any]) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if not isinstance(value, str):
        raise _wrong_type(value, "VALUE_STRING")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise serialization_error("Invalid base64 value") from None


def _decode_timestamp(value: Any, misses: list[Any]) -> Any:
    try:
        return parse_timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise serialization_error(f"Invalid timestamp: {value!r}") from None


def _list_decoder(shape: Shape, checked: bool) -> Decoder:
    item_decoder = decoder_for(shape.member, checked)
    test = conforms(shape) if checked else None

    def decode_list(value: Any, misses: list[Any]) -> Any:
        if not isinstance(value, list):
            raise _wrong_type(value, "START_ARRAY")
        out = [None if item is None else item_decoder(item, misses) for item in value]
        if test is not None and not test(out):
            misses.append(out)
        return out

    return decode_list


def _map_decoder(shape: Shape, checked: bool) -> Decoder:
    key_decoder = decoder_for(shape.key, checked)
    value_decoder = decoder_for(shape.value, checked)
    test = conforms(shape) if checked else None

    def decode_map(value: Any, misses: list[Any]) -> Any:
        if not isinstance(value, dict):
            raise _wrong_type(value, "START_OBJECT")
        out = {key_decoder(k, misses): (None if v is None else value_decoder(v, misses)) for k, v in value.items()}
        if test is not None and not test(out):
            misses.append(out)
        return out

    return decode_map


def _structure_decoder(shape: Shape, checked: bool) -> Decoder:
    body = body_members(shape)
    # a plain string member (the most common kind) is decoded inline: its decoder is None here
    members = {}
    for name, member in body.items():
        decoder = decoder_for(member, checked)
        members[wire_name(name, member)] = (name, None if decoder is _decode_string else decoder)
    required = tuple(shape.required_members) if checked else ()
    # `validate` also sees members bound outside the body (rest protocols), which this walk
    # never reaches: such a structure always sends the request to `validate`
    unsure = checked and len(body) != len(shape.members)

    def decode_structure(value: Any, misses: list[Any]) -> Any:
        if not isinstance(value, dict):
            raise _wrong_type(value, "START_OBJECT")
        out = {}
        for key, item in value.items():
            member = members.get(key)
            if member is None or item is None:
                continue
            name, decoder = member
            if decoder is not None:
                out[name] = decoder(item, misses)
            elif isinstance(item, str):
                out[name] = item
            else:
                raise _wrong_type(item, "VALUE_STRING")
        if unsure:
            misses.append(out)
        else:
            for name in required:
                if name not in out:
                    misses.append(name)
                    break
        return out

    return decode_structure


def _integer_decoder(shape: Shape) -> Decoder:
    low, high = integer_bounds(shape)
    kind = "int" if shape.type_name == "integer" else "long"

    def decode_integer(value: Any, misses: list[Any]) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise _wrong_type(value, "VALUE_NUMBER_INT")
        if value < low or value > high:
            raise serialization_error(f"Numeric value ({value}) out of range of {kind} ({low} - {high})")
        return value

    return decode_integer


# Encoding (results) ---------------------------------------------------------------------


def _converts_for_json(shape: Shape) -> bool:
    if shape.type_name in ("blob", "timestamp"):
        return True
    if shape.type_name == "structure" and not shape.metadata.get("document"):
        members = shape.members
        return any(
            wire_name(name, member) != name or member.serialization.get("location") for name, member in members.items()
        )
    return False


def _converts_for_cbor(shape: Shape) -> bool:
    if shape.type_name == "timestamp":
        return True
    if shape.type_name == "structure" and not shape.metadata.get("document"):
        return any(wire_name(name, member) != name for name, member in shape.members.items())
    return False


def timestamp_to_epoch(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    return value


def _blob_to_base64(value: Any) -> str:
    return base64.b64encode(value if isinstance(value, (bytes, bytearray)) else str(value).encode()).decode()


def _blob_to_bytes(value: Any) -> bytes:
    return bytes(value) if isinstance(value, (bytes, bytearray)) else str(value).encode()


def _timestamp_to_tag(value: Any) -> cbor2.CBORTag:
    return cbor2.CBORTag(1, timestamp_to_epoch(value))


_JSON = ("json", _converts_for_json, _blob_to_base64, timestamp_to_epoch)
_CBOR = ("cbor", _converts_for_cbor, _blob_to_bytes, _timestamp_to_tag)


def encoder_for(shape: Shape, flavour: tuple[Any, ...] = _JSON) -> Encoder | None:
    """None when values of this shape go on the wire unchanged."""
    if not needs(shape, flavour[1]):
        return None
    return compiled(_encoders, (flavour[0], shape_key(shape)), lambda: _compile_encoder(shape, flavour))


def cbor_encoder_for(shape: Shape) -> Encoder | None:
    return encoder_for(shape, _CBOR)


def encode(shape: Shape | None, value: Any) -> Any:
    if shape is None or value is None:
        return {} if value is None else value
    entry = _entry_encoders.get(id(shape))
    encoder = entry[1] if entry is not None and entry[0] is shape else per_object(_entry_encoders, shape, encoder_for)
    return value if encoder is None else encoder(value)


def encode_cbor(shape: Shape | None, value: Any) -> Any:
    if shape is None or value is None:
        return {} if value is None else value
    encoder = per_object(_entry_cbor_encoders, shape, cbor_encoder_for)
    return value if encoder is None else encoder(value)


def _compile_encoder(shape: Shape, flavour: tuple[Any, ...]) -> Encoder:
    kind = shape.type_name
    if kind == "structure":
        members = {
            name: (wire_name(name, member), encoder_for(member, flavour))
            for name, member in body_members(shape).items()
        }

        def encode_structure(value: Any) -> Any:
            out = {}
            for name, item in value.items():
                member = members.get(name)
                if member is None or item is None:
                    continue
                out[member[0]] = item if member[1] is None else member[1](item)
            return out

        return encode_structure
    if kind == "list":
        item_encoder = encoder_for(shape.member, flavour)
        if item_encoder is None:
            return list
        return lambda value: [None if item is None else item_encoder(item) for item in value]
    if kind == "map":
        value_encoder = encoder_for(shape.value, flavour)
        if value_encoder is None:
            return dict
        return lambda value: {k: None if v is None else value_encoder(v) for k, v in value.items()}
    if kind == "blob":
        return flavour[2]
    if kind == "timestamp":
        return flavour[3]
    return lambda value: value
