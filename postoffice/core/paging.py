"""Key-ordered listing pages whose continuation token names the last key handed out, so a
listing stays whole while resources come and go between pages. Each service wraps this with
its own page size, parameter names, token alphabet and error for a token it did not issue."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

_MARK = "after:"


class InvalidToken(ValueError):
    pass


def page_after(
    items: Sequence[T], key: Callable[[T], str], size: int, after: str | None
) -> tuple[list[T], str | None]:
    """Up to `size` items in key order from past `after`, and the last one's key when more follow."""
    ordered = sorted(items, key=key)
    if after is not None:
        ordered = [item for item in ordered if key(item) > after]
    chosen = ordered[:size]
    return chosen, (key(chosen[-1]) if len(ordered) > size else None)


def after_token(key: str, altchars: bytes | None = None) -> str:
    return base64.b64encode((_MARK + key).encode(), altchars=altchars).decode()


def token_key(token: str, altchars: bytes | None = None) -> str:
    """The key an `after_token` names; InvalidToken for anything else."""
    try:
        text = base64.b64decode(token.encode(), altchars=altchars, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidToken(token) from None
    if not text.startswith(_MARK):
        raise InvalidToken(token)
    return text[len(_MARK) :]
