"""What a new REST API starts with and the values AWS fills in when a request leaves them out."""

from __future__ import annotations

from typing import Any

EMPTY_SCHEMA = (
    '{\n  "$schema": "http://json-schema.org/draft-04/schema#",\n  "title" : "Empty Schema",\n  "type" : "object"\n}'
)
ERROR_SCHEMA = (
    '{\n  "$schema" : "http://json-schema.org/draft-04/schema#",\n  "title" : "Error Schema",\n'
    '  "type" : "object",\n  "properties" : {\n    "message" : { "type" : "string" }\n  }\n}'
)

ACCOUNT_RATE_LIMIT = 10000.0
ACCOUNT_BURST_LIMIT = 5000
INTEGRATION_TIMEOUT_MS = 29000
AUTHORIZER_TTL = 300

HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY")


def default_models(new_id: Any) -> dict[str, dict[str, Any]]:
    return {
        "Empty": {
            "id": new_id(),
            "name": "Empty",
            "description": "This is a default empty schema model",
            "schema": EMPTY_SCHEMA,
            "contentType": "application/json",
        },
        "Error": {
            "id": new_id(),
            "name": "Error",
            "description": "This is a default error schema model",
            "schema": ERROR_SCHEMA,
            "contentType": "application/json",
        },
    }


def method_setting_defaults() -> dict[str, Any]:
    return {
        "metricsEnabled": False,
        "loggingLevel": "OFF",
        "dataTraceEnabled": False,
        "throttlingBurstLimit": ACCOUNT_BURST_LIMIT,
        "throttlingRateLimit": ACCOUNT_RATE_LIMIT,
        "cachingEnabled": False,
        "cacheTtlInSeconds": 300,
        "cacheDataEncrypted": False,
        "requireAuthorizationForCacheControl": True,
        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
    }
