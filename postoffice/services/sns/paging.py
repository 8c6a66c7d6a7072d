"""List pagination: ARN order, 100 per page, and an opaque NextToken naming where the next
page starts (so pages stay right while resources come and go)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from postoffice.services.sns.errors import invalid_parameter

T = TypeVar("T")

PAGE_SIZE = 100
_MARK = "after:"


def page(
    items: Sequence[T], key: Callable[[T], str], token: str | None, size: int = PAGE_SIZE
) -> tuple[list[T], str | None]:
    ordered = sorted(items, key=key)
    if token:
        after = _decode(token)
        ordered = [item for item in ordered if key(item) > after]
    chosen = ordered[:size]
    following = _encode(key(chosen[-1])) if len(ordered) > size else None
    return chosen, following


def _encode(key: str) -> str:
    return base64.b64encode((_MARK + key).encode()).decode()


def _decode(token: str) -> str:
    try:
        text = base64.b64decode(token.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.startswith(_MARK):
        raise invalid_parameter("Invalid parameter: NextToken")
    return text[len(_MARK) :]
