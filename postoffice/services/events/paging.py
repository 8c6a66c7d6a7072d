"""List pagination: name order, Limit per page, and an opaque NextToken that names where the
next page starts (so pages stay right while resources come and go)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from postoffice.core.paging import InvalidToken, after_token, page_after, token_key
from postoffice.services.events.errors import validation

T = TypeVar("T")

DEFAULT_LIMIT = 100
_URL_SAFE = b"-_"


def page(
    items: Sequence[T], key: Callable[[T], str], limit: int | None, token: str | None
) -> tuple[list[T], str | None]:
    try:
        after = token_key(token, _URL_SAFE) if token else None
    except InvalidToken:
        raise validation("The NextToken provided is not valid.") from None
    chosen, last = page_after(items, key, limit or DEFAULT_LIMIT, after)
    return chosen, (None if last is None else after_token(last, _URL_SAFE))
