"""The HTTP POST SNS makes to an HTTP/S subscriber: run in a thread, answered with a status.

http.client rather than urllib, so the x-amz-sns-* header names go out in lower case as AWS
sends them (urllib capitalizes every header name).
"""

from __future__ import annotations

import asyncio
import http.client
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 15.0  # AWS gives an endpoint about 15 seconds to answer
USER_AGENT = "Amazon Simple Notification Service Agent"


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, timed out, unreachable)
    reason: str


async def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    return await asyncio.to_thread(_post, url, body, headers)


def _post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, parts.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        else:
            connection = http.client.HTTPConnection(host, parts.port, timeout=TIMEOUT_SECONDS)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        all_headers = {
            **headers,
            "Content-Length": str(len(body)),
            "User-Agent": USER_AGENT,
            "Accept-Encoding": "gzip,deflate",
        }
        try:
            connection.request("POST", target, body=body, headers=all_headers)
            response = connection.getresponse()
            response.read()
            return Answer(response.status, response.reason or "")
        finally:
            connection.close()
    except (OSError, http.client.HTTPException, ValueError) as error:
        return Answer(None, str(error) or type(error).__name__)
