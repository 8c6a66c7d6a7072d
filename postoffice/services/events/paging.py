"""List pagination: name order, Limit per page, and an opaque NextToken that names where the
next page starts (so pages stay right while resources come and go)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from postoffice.services.events.errors import validation

T = TypeVar("T")

DEFAULT_LIMIT = 100


def page(
    items: Sequence[T], key: Callable[[T], str], limit: int | None, token: str | None
) -> tuple[list[T], str | None]:
    ordered = sorted(items, key=key)
    if token:
        after = _decode(token)
        ordered = [item for item in ordered if key(item) > after]
    size = limit or DEFAULT_LIMIT
    chosen = ordered[:size]
    following = _encode(key(chosen[-1])) if len(ordered) > size else None
    return chosen, following


_MARK = "after:"


def _encode(key: str) -> str:
    return base64.b64encode((_MARK + key).encode(), altchars=b"-_").decode()


def _decode(token: str) -> str:
    try:
        text = base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_MARK):
        raise validation("The NextToken provided is not valid.")
    return text[len(_MARK) :]
