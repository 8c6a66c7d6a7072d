"""Identifiers shaped like API Gateway's: lowercase letters and digits (REST API and API key ids
have 10, resources, deployments, models and the rest 6), and 40-character API key values."""

from __future__ import annotations

import secrets
import string

_LOWER = string.ascii_lowercase + string.digits
_KEY = string.ascii_letters + string.digits


def new_id(length: int = 6) -> str:
    return "".join(secrets.choice(_LOWER) for _ in range(length))


def new_api_key_value() -> str:
    return "".join(secrets.choice(_KEY) for _ in range(40))
