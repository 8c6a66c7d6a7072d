"""The MD5 digests SQS returns so clients can check what it stored.

Message attributes are digested as the SQS developer guide describes ("Calculating the MD5
message digest for message attributes"): attributes sorted by name, and for each the name,
the data type, one transport-type byte and the value, every string and binary preceded by its
length as a 4-byte big-endian integer.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from typing import Any

_STRING, _BINARY, _STRING_LIST, _BINARY_LIST = 1, 2, 3, 4


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8"), usedforsecurity=False).hexdigest()


def _sized(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes: Mapping[str, Mapping[str, Any]]) -> str:
    """Digest of attributes in wire form: DataType plus StringValue or BinaryValue (bytes)."""
    digest = hashlib.md5(usedforsecurity=False)
    for name in sorted(attributes):
        value = attributes[name]
        digest.update(_sized(name.encode("utf-8")))
        digest.update(_sized(value["DataType"].encode("utf-8")))
        if value.get("BinaryValue") is not None:
            digest.update(bytes([_BINARY]) + _sized(value["BinaryValue"]))
        elif value.get("StringValue") is not None:
            digest.update(bytes([_STRING]) + _sized(value["StringValue"].encode("utf-8")))
        elif value.get("StringListValues"):
            digest.update(bytes([_STRING_LIST]))
            for item in value["StringListValues"]:
                digest.update(_sized(item.encode("utf-8")))
        elif value.get("BinaryListValues"):
            digest.update(bytes([_BINARY_LIST]))
            for item in value["BinaryListValues"]:
                digest.update(_sized(item))
    return digest.hexdigest()
