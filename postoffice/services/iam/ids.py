"""Unique ids in AWS's shape: a four-letter kind prefix, then uppercase base32 characters."""

from __future__ import annotations

import secrets

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

ROLE_PREFIX = "AROA"
POLICY_PREFIX = "ANPA"


def unique_id(prefix: str, length: int = 21) -> str:
    """`prefix` followed by random characters, `length` characters in all (AROA... is 21)."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length - len(prefix)))


def role_id() -> str:
    return unique_id(ROLE_PREFIX)


def policy_id() -> str:
    return unique_id(POLICY_PREFIX)
