"""Receipt handles: which queue, which message, which receive.

A handle packs the queue's name tag (so a handle from another queue is recognised as
malformed), the queue's storage id (a purged or deleted-and-recreated queue has a new one),
the message row and the random token stored with the message at that receive. A later
receive stores a new token, so older handles stop matching.
"""

from __future__ import annotations

import base64
import binascii
import random
import struct
import zlib
from typing import NamedTuple

_LAYOUT = struct.Struct(">IIQQ")
_ENCODED_LENGTH = 32
_TOKEN_BITS = 62


class Receipt(NamedTuple):
    sid: int
    row: int
    token: int


def queue_tag(name: str) -> int:
    return zlib.crc32(name.encode())


def new_token() -> int:
    return random.getrandbits(_TOKEN_BITS)


def encode(tag: int, sid: int, row: int, token: int) -> str:
    return base64.urlsafe_b64encode(_LAYOUT.pack(tag, sid, row, token)).decode()


def decode(handle: str, tag: int) -> Receipt | None:
    """The receipt a handle names on the queue with `tag`, or None if it is not one of its handles."""
    if not isinstance(handle, str) or len(handle) != _ENCODED_LENGTH:
        return None
    try:
        handle_tag, sid, row, token = _LAYOUT.unpack(base64.urlsafe_b64decode(handle.encode()))
    except (binascii.Error, struct.error, ValueError):
        return None
    if handle_tag != tag:
        return None
    return Receipt(sid, row, token)
