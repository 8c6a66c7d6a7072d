"""IAM's Marker/MaxItems paging: an opaque marker names the last item a page returned."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_MAX_ITEMS = 100


def page(items: Sequence[T], key: Callable[[T], str], params: dict[str, Any]) -> tuple[list[T], dict[str, Any]]:
    """One page of `items` (already in listing order) and the IsTruncated/Marker members to answer with.

    Resuming after the named item, not at an offset, keeps a listing whole when items before
    the marker are deleted between pages (the usual "list and delete" loop).
    """
    max_items = params.get("MaxItems") or DEFAULT_MAX_ITEMS
    keys = [key(item) for item in items]
    start = 0
    marker = params.get("Marker")
    if marker:
        last = _decode(marker)
        start = keys.index(last) + 1 if last in keys else sum(1 for k in keys if k < last)
    end = start + max_items
    paging: dict[str, Any] = {"IsTruncated": end < len(items)}
    if end < len(items):
        paging["Marker"] = _encode(keys[end - 1])
    return list(items[start:end]), paging


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def _decode(marker: str) -> str:
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return marker
