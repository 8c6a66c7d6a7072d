"""Marker paging as Lambda's List operations do it: an opaque marker, MaxItems per page."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from postoffice.services.lambda_.errors import invalid

T = TypeVar("T")

DEFAULT_MAX_ITEMS = 50


def page(items: Sequence[T], marker: str | None, max_items: int | None) -> tuple[list[T], str | None]:
    start = _position(marker)
    size = max_items or DEFAULT_MAX_ITEMS
    chunk = list(items[start : start + size])
    following = start + size
    return chunk, (_marker(following) if following < len(items) else None)


def _marker(position: int) -> str:
    return base64.urlsafe_b64encode(f"postoffice:{position}".encode()).decode()


def _position(marker: str | None) -> int:
    if not marker:
        return 0
    try:
        text = base64.urlsafe_b64decode(marker.encode()).decode()
        prefix, _, number = text.partition(":")
        if prefix != "postoffice":
            raise ValueError(marker)
        return max(0, int(number))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid(f"Invalid pagination marker: {marker}") from None
