"""`position` / `limit` paging, as every API Gateway Get* list operation takes it."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from postoffice.services.apigateway import errors

DEFAULT_LIMIT = 25
MAX_LIMIT = 500


def page(items: list[Any], params: dict[str, Any]) -> dict[str, Any]:
    limit = params.get("limit")
    if limit is None:
        limit = DEFAULT_LIMIT
    if limit < 1 or limit > MAX_LIMIT:
        raise errors.bad_request(f"Invalid limit specified. Must be between 1 and {MAX_LIMIT}")
    start = 0
    if params.get("position"):
        try:
            start = int(base64.urlsafe_b64decode(params["position"].encode()).decode())
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise errors.bad_request("Invalid position parameter") from None
    chunk = items[start : start + limit]
    out: dict[str, Any] = {"items": chunk}
    if start + limit < len(items):
        out["position"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
    return out
