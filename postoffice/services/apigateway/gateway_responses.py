"""Gateway responses: what API Gateway answers when it refuses or fails a request itself, per
response type, with AWS's default status codes and the DEFAULT_4XX / DEFAULT_5XX fallbacks."""

from __future__ import annotations

import copy
from typing import Any

DEFAULT_TEMPLATE = {"application/json": '{"message":$context.error.messageString}'}

STATUS = {
    "ACCESS_DENIED": "403",
    "API_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "AUTHORIZER_FAILURE": "500",
    "BAD_REQUEST_PARAMETERS": "400",
    "BAD_REQUEST_BODY": "400",
    "DEFAULT_4XX": None,
    "DEFAULT_5XX": None,
    "EXPIRED_TOKEN": "403",
    "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504",
    "INVALID_API_KEY": "403",
    "INVALID_SIGNATURE": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403",
    "QUOTA_EXCEEDED": "429",
    "REQUEST_TOO_LARGE": "413",
    "RESOURCE_NOT_FOUND": "404",
    "THROTTLED": "429",
    "UNAUTHORIZED": "401",
    "UNSUPPORTED_MEDIA_TYPE": "415",
    "WAF_FILTERED": "403",
}
TYPES = tuple(STATUS)


def default_response(response_type: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "responseType": response_type,
        "responseParameters": {},
        "responseTemplates": dict(DEFAULT_TEMPLATE),
        "defaultResponse": True,
    }
    if STATUS[response_type]:
        response["statusCode"] = STATUS[response_type]
    return response


def effective(response_type: str, configured: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The response a type gets: its own if set, else DEFAULT_4XX/5XX's settings, else AWS's default."""
    own = configured.get(response_type)
    if own is not None:
        out = copy.deepcopy(own)
        if "statusCode" not in out and STATUS[response_type]:
            out["statusCode"] = STATUS[response_type]
        return out
    status = STATUS[response_type]
    family = "DEFAULT_5XX" if status and status >= "500" else "DEFAULT_4XX"
    fallback = configured.get(family) if status else None
    response = default_response(response_type)
    if fallback is not None:
        response["defaultResponse"] = False
        response["responseParameters"] = copy.deepcopy(fallback.get("responseParameters") or {})
        if fallback.get("responseTemplates"):
            response["responseTemplates"] = copy.deepcopy(fallback["responseTemplates"])
    return response
