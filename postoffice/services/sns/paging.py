"""List pagination: ARN order, 100 per page, and an opaque NextToken naming where the next
page starts (so pages stay right while resources come and go)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from postoffice.core.paging import InvalidToken, after_token, page_after, token_key
from postoffice.services.sns.errors import invalid_parameter

T = TypeVar("T")

PAGE_SIZE = 100


def page(
    items: Sequence[T], key: Callable[[T], str], token: str | None, size: int = PAGE_SIZE
) -> tuple[list[T], str | None]:
    try:
        after = token_key(token) if token else None
    except InvalidToken:
        raise invalid_parameter("Invalid parameter: NextToken") from None
    chosen, last = page_after(items, key, size, after)
    return chosen, (None if last is None else after_token(last))
