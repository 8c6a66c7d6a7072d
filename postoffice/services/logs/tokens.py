"""Paging tokens: what a Logs answer hands back to continue a listing or a read.

GetLogEvents tokens look like AWS's (`f/<56 digits>/s`, `b/<56 digits>/s`); the others are
opaque base64url strings. Every parser raises InvalidToken for anything it did not issue.
"""

from __future__ import annotations

import base64
import binascii
import re

import orjson

from postoffice.core.store.event_log import Position

_EVENTS_TOKEN = re.compile(r"([fb])/(\d{28})(\d{28})(?:/s)?")


class InvalidToken(ValueError):
    pass


def events_token(direction: str, position: Position) -> str:
    return f"{direction}/{position.timestamp:028d}{position.seq:028d}/s"


def parse_events_token(token: str) -> tuple[str, Position]:
    match = _EVENTS_TOKEN.fullmatch(token)
    if not match:
        raise InvalidToken(token)
    return match.group(1), Position(int(match.group(2)), int(match.group(3)))


def opaque_token(value: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def parse_opaque_token(token: str) -> object:
    try:
        return orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        raise InvalidToken(token) from exc
