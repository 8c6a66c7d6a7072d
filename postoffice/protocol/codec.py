"""Shape-driven conversion between wire values and Python values for JSON-like protocols.

Decoding checks every value's type against the model (a wrong type is the client's mistake:
SerializationException, never a crash in a service) and converts blobs (base64) and
timestamps. Encoding does the reverse for results. Both are compiled per shape; a shape tree
without blobs or timestamps encodes as-is.

Inside postoffice, timestamps are float epoch seconds and blobs are bytes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from postoffice.protocol.errors import ServiceError, serialization_error

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]

_decoders: dict[int, Decoder] = {}
_encoders: dict[int, Encoder | None] = {}

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
    """Epoch seconds from a JSON number or an ISO-8601 / RFC-822 string."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        return float(value)
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


def decoder_for(shape: Shape) -> Decoder:
    key = id(shape)
    decoder = _decoders.get(key)
    if decoder is None:
        holder: list[Decoder] = []
        _decoders[key] = lambda value: holder[0](value)
        decoder = _compile_decoder(shape)
        holder.append(decoder)
        _decoders[key] = decoder
    return decoder


def decode(shape: Shape | None, value: Any) -> Any:
    if shape is None:
        return {}
    if value is None:
        value = {}
    return decoder_for(shape)(value)


def _compile_decoder(shape: Shape) -> Decoder:
    kind = shape.type_name
    if kind == "structure":
        members = {name: decoder_for(member) for name, member in shape.members.items()}

        def decode_structure(value: Any) -> Any:
            if not isinstance(value, dict):
                raise _wrong_type(value, "START_OBJECT")
            out = {}
            for name, item in value.items():
                member = members.get(name)
                if member is not None and item is not None:
                    out[name] = member(item)
            return out

        return decode_structure
    if kind == "list":
        item_decoder = decoder_for(shape.member)

        def decode_list(value: Any) -> Any:
            if not isinstance(value, list):
                raise _wrong_type(value, "START_ARRAY")
            return [None if item is None else item_decoder(item) for item in value]

        return decode_list
    if kind == "map":
        key_decoder = decoder_for(shape.key)
        value_decoder = decoder_for(shape.value)

        def decode_map(value: Any) -> Any:
            if not isinstance(value, dict):
                raise _wrong_type(value, "START_OBJECT")
            return {key_decoder(k): (None if v is None else value_decoder(v)) for k, v in value.items()}

        return decode_map
    if kind == "string":

        def decode_string(value: Any) -> Any:
            if not isinstance(value, str):
                raise _wrong_type(value, "VALUE_STRING")
            return value

        return decode_string
    if kind in ("integer", "long"):

        def decode_integer(value: Any) -> Any:
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    return int(value)
                raise _wrong_type(value, "VALUE_NUMBER_INT")
            return value

        return decode_integer
    if kind in ("float", "double"):

        def decode_float(value: Any) -> Any:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                if isinstance(value, str) and value in ("NaN", "Infinity", "-Infinity"):
                    return float(value)
                raise _wrong_type(value, "VALUE_NUMBER_FLOAT")
            return value

        return decode_float
    if kind == "boolean":

        def decode_boolean(value: Any) -> Any:
            if not isinstance(value, bool):
                raise _wrong_type(value, "VALUE_BOOLEAN")
            return value

        return decode_boolean
    if kind == "blob":

        def decode_blob(value: Any) -> Any:
            if isinstance(value, (bytes, bytearray)):
                return bytes(value)
            if not isinstance(value, str):
                raise _wrong_type(value, "VALUE_STRING")
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise serialization_error("Invalid base64 value") from None

        return decode_blob
    if kind == "timestamp":

        def decode_timestamp(value: Any) -> Any:
            try:
                return parse_timestamp(value)
            except (ValueError, TypeError, OverflowError):
                raise serialization_error(f"Invalid timestamp: {value!r}") from None

        return decode_timestamp
    return lambda value: value


# Encoding (results) ---------------------------------------------------------------------


def encoder_for(shape: Shape) -> Encoder | None:
    """None when values of this shape go on the wire unchanged."""
    key = id(shape)
    if key in _encoders:
        return _encoders[key]
    _encoders[key] = None  # recursion guard: a recursive shape without conversions stays None
    encoder = _compile_encoder(shape)
    _encoders[key] = encoder
    return encoder


def encode(shape: Shape | None, value: Any) -> Any:
    if shape is None or value is None:
        return {} if value is None else value
    encoder = encoder_for(shape)
    return value if encoder is None else encoder(value)


def timestamp_to_epoch(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    return value


def _compile_encoder(shape: Shape) -> Encoder | None:
    kind = shape.type_name
    if kind == "structure":
        members = {name: encoder_for(member) for name, member in shape.members.items()}
        converting = {name: enc for name, enc in members.items() if enc is not None}
        if not converting:
            return None

        def encode_structure(value: Any) -> Any:
            out = dict(value)
            for name, enc in converting.items():
                item = out.get(name)
                if item is not None:
                    out[name] = enc(item)
            return out

        return encode_structure
    if kind == "list":
        item_encoder = encoder_for(shape.member)
        if item_encoder is None:
            return None
        return lambda value: [item_encoder(item) if item is not None else None for item in value]
    if kind == "map":
        value_encoder = encoder_for(shape.value)
        if value_encoder is None:
            return None
        return lambda value: {k: value_encoder(v) if v is not None else None for k, v in value.items()}
    if kind == "blob":
        return lambda value: base64.b64encode(value if isinstance(value, bytes) else value.encode()).decode()
    if kind == "timestamp":
        return timestamp_to_epoch
    return None
