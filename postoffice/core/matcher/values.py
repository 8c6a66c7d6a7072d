"""How event values compare: typed keys, event-ruler's numbers, IP addresses.

event-ruler compares JSON tokens, so the string "5" never equals the number 5, and numbers
are compared as fixed-point values: -5.0e9..+5.0e9 with six digits after the decimal point
(ComparableNumber). A number outside that range is still matched exactly by its text, never
numerically.
"""

from __future__ import annotations

import ipaddress
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

FIVE_BILLION = 5_000_000_000
SCALE = 1_000_000
# Below this a float's rounding interval is narrower than a millionth, so when some count of
# millionths rounds to the float, that count is exactly the float's shortest decimal (its
# repr) scaled: no Decimal needed for values with at most six decimals.
FAST_FLOAT_LIMIT = 4e9
NUMBER_RANGE_MESSAGE = "Value must be between -5.0E9 and 5.0E9, inclusive"

TRUE_KEY = ("b", True)
FALSE_KEY = ("b", False)
NULL_KEY = ("null",)


def scaled_number(value: Any) -> int | None:
    """The number as an integer count of millionths, or None outside event-ruler's range."""
    kind = type(value)
    if kind is int:
        if -FIVE_BILLION <= value <= FIVE_BILLION:
            return value * SCALE
        return None
    if kind is float:
        if not math.isfinite(value) or not -5e9 <= value <= 5e9:
            return None
        if value.is_integer():
            return int(value) * SCALE
        if -FAST_FLOAT_LIMIT < value < FAST_FLOAT_LIMIT:
            millionths = round(value * SCALE)
            if millionths / SCALE == value:
                return millionths
        return math.floor(Decimal(repr(value)) * SCALE)
    if kind is Decimal:
        if not value.is_finite() or not -FIVE_BILLION <= value <= FIVE_BILLION:
            return None
        return math.floor(value * SCALE)
    return None


def number_key(value: Any) -> tuple:
    scaled = scaled_number(value)
    if scaled is not None:
        return ("n", scaled)
    try:
        integral = int(value)
    except (OverflowError, ValueError):
        return ("t", str(value))
    return ("t", str(integral)) if integral == value else ("t", str(value))


def value_key(value: Any) -> Any:
    """The key an event or pattern value is compared (and indexed) by."""
    kind = type(value)
    if kind is str:
        return value
    if kind is bool:
        return TRUE_KEY if value else FALSE_KEY
    if value is None:
        return NULL_KEY
    if kind is int or kind is float or kind is Decimal:
        return number_key(value)
    return ("other", repr(value))


def json_token_text(value: Any) -> str:
    """How Jackson's getText() renders a token, for error messages."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "{"
    if isinstance(value, list):
        return "["
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)
    return str(value)


def is_number(value: Any) -> bool:
    kind = type(value)
    return kind is int or kind is float or kind is Decimal


def parse_number_text(text: str) -> int | float | Decimal | None:
    """A number from an SNS Number attribute's string value, or None."""
    text = text.strip()
    if not text:
        return None
    try:
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_IPV6 = re.compile(r"[0-9a-fA-F:]*:[0-9a-fA-F:]*")


def looks_like_ip(text: str) -> bool:
    """event-ruler only treats strings of these shapes as IP addresses."""
    return bool(_IPV4.fullmatch(text) or _IPV6.fullmatch(text))


def ip_value(text: str) -> tuple[int, int] | None:
    """(version, integer) of an IPv4/IPv6 literal, or None when the string is not one."""
    if not looks_like_ip(text):
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return address.version, int(address)
