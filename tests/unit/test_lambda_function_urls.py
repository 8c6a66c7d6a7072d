"""Function URL requests and answers (payload format 2.0), and which hosts are function URLs."""

from __future__ import annotations

import asyncio
import base64
from types import SimpleNamespace

import orjson

from postoffice.protocol.http import HttpRequest
from postoffice.services.lambda_.function_urls import url_event, url_response
from postoffice.services.lambda_.http_routes import LambdaHttp


def _request(**overrides: object) -> HttpRequest:
    settings: dict[str, object] = {
        "method": "GET",
        "path": "/items",
        "query_string": "a=1&a=2&b=3",
        "headers": {"host": "abc.lambda-url.us-east-1.localhost:4566", "cookie": "x=1; y=2", "user-agent": "ua"},
        "body": b"",
        "client": "10.0.0.1",
    }
    settings.update(overrides)
    return HttpRequest(**settings)  # type: ignore[arg-type]


def test_event_shape() -> None:
    request_id, event = url_event(_request(), "/items", "abc", "000000000000", "us-east-1", 1_700_000_000.5)
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/items" and event["rawQueryString"] == "a=1&a=2&b=3"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "3"}
    assert event["cookies"] == ["x=1", "y=2"]
    assert "cookie" not in event["headers"]
    http = event["requestContext"]["http"]
    assert http == {
        "method": "GET",
        "path": "/items",
        "protocol": "HTTP/1.1",
        "sourceIp": "10.0.0.1",
        "userAgent": "ua",
    }
    assert event["requestContext"]["requestId"] == request_id
    assert event["requestContext"]["timeEpoch"] == 1_700_000_000_500
    assert event["isBase64Encoded"] is False and "body" not in event


def test_binary_bodies_are_base64() -> None:
    request = _request(method="POST", body=b"\x00\xff", headers={"content-type": "application/octet-stream"})
    _, event = url_event(request, "/", "abc", "000000000000", "us-east-1", 0)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff"


def test_answers() -> None:
    shaped = orjson.dumps({"statusCode": 404, "headers": {"Content-Type": "text/plain", "X-A": "1"}, "body": "gone",
                           "cookies": ["k=v"]})  # fmt: skip
    response = url_response(shaped, False, "r")
    assert (response.status, response.body, response.content_type) == (404, b"gone", "text/plain")
    assert ("X-A", "1") in response.headers and ("Set-Cookie", "k=v") in response.headers
    plain = url_response(b'{"a": 1}', False, "r")
    assert (plain.status, plain.body, plain.content_type) == (200, b'{"a": 1}', "application/json")
    binary = url_response(orjson.dumps({"statusCode": 200, "body": "AP8=", "isBase64Encoded": True}), False, "r")
    assert binary.body == b"\x00\xff"
    assert url_response(b'{"errorType": "X"}', True, "r").status == 502


def test_function_url_hosts() -> None:
    service = SimpleNamespace(find_url=lambda url_id: None)
    routes = LambdaHttp(service)  # type: ignore[arg-type]
    assert asyncio.run(routes.by_host(_request(headers={"host": "localhost:4566"}))) is None
    host = {"host": "a" * 32 + ".lambda-url.eu-west-1.localhost:4566"}
    response = asyncio.run(routes.by_host(_request(headers=host)))
    assert response is not None and response.status == 403
