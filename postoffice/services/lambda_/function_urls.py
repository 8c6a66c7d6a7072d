"""Requests to a function URL, as Lambda hands them to the function (payload format 2.0), and the
function's answer turned back into an HTTP response."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

import orjson

from postoffice.protocol.http import HttpRequest, HttpResponse

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript", "application/x-www-form")


def _is_text(content_type: str) -> bool:
    return not content_type or content_type.startswith(_TEXT_TYPES)


def url_event(
    request: HttpRequest, path: str, url_id: str, account: str, region: str, now: float
) -> tuple[str, dict[str, Any]]:
    """The request id and the event a function URL request becomes."""
    request_id = str(uuid.uuid4())
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers.items():
        if name == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
        else:
            headers[name] = value
    query: dict[str, str] = {}
    for key, value in request.query:
        query[key] = f"{query[key]},{value}" if key in query else value
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    body_is_text = _is_text(request.content_type)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": request.query_string,
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": url_id,
            "domainName": request.host.split(":", 1)[0] or f"{url_id}.lambda-url.{region}.localhost",
            "domainPrefix": url_id,
            "http": {
                "method": request.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.client or "127.0.0.1",
                "userAgent": request.headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": moment.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": not body_is_text,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if request.body:
        body = request.body
        event["body"] = body.decode("utf-8", "replace") if body_is_text else base64.b64encode(body).decode()
    return request_id, event


def url_response(payload: bytes, failed: bool, request_id: str) -> HttpResponse:
    """Lambda's reading of the function's answer: a response object, or any JSON as the body."""
    headers = [("x-amzn-RequestId", request_id)]
    if failed:
        return HttpResponse(502, b"Internal Server Error", headers, "text/plain")
    try:
        document = orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError:
        return HttpResponse(502, b"Internal Server Error", headers, "text/plain")
    if not isinstance(document, dict) or "statusCode" not in document:
        return HttpResponse(200, payload, headers, "application/json")
    content_type = "application/json"
    for name, value in (document.get("headers") or {}).items():
        if name.lower() == "content-type":
            content_type = str(value)
        else:
            headers.append((str(name), str(value)))
    for cookie in document.get("cookies") or []:
        headers.append(("Set-Cookie", str(cookie)))
    body = document.get("body")
    if body is None:
        data = b""
    elif document.get("isBase64Encoded"):
        data = base64.b64decode(str(body))
    else:
        data = body.encode() if isinstance(body, str) else orjson.dumps(body)
    try:
        status = int(document["statusCode"])
    except (TypeError, ValueError):
        return HttpResponse(502, b"Internal Server Error", headers, "text/plain")
    return HttpResponse(status, data, headers, content_type)
