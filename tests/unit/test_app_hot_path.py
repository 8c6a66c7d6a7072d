"""The ASGI application's own work on every request: request ids, body reading, answer headers."""

from __future__ import annotations

import asyncio
import re
import tempfile
from typing import Any

import orjson
import pytest

from postoffice.config import Settings
from postoffice.server.app import Application, RequestIds
from postoffice.server.main import build_app

UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_request_ids_look_like_uuid4_and_never_repeat() -> None:
    ids = RequestIds()
    seen = [ids() for _ in range(20_000)]
    assert all(UUID_V4.match(i) for i in seen)
    assert len(set(seen)) == len(seen)


def test_two_processes_worth_of_request_ids_do_not_collide() -> None:
    first, second = RequestIds(), RequestIds()
    assert first()[:24] != second()[:24]


@pytest.fixture(scope="module")
def app() -> Application:
    settings = Settings(store="memory", data_dir=tempfile.mkdtemp(prefix="postoffice-app-"), max_body_bytes=1000)
    return build_app(settings)


def call(
    app: Application, chunks: list[bytes], headers: dict[str, str]
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """One request through the ASGI interface, its body split into `chunks`."""
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message["headers"]
        else:
            answer["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "client": ("127.0.0.1", 5000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    asyncio.run(app(scope, receive, send))
    return answer["status"], answer["headers"], answer["body"]


STS = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Host": "sts.us-east-1.localhost"}


def test_a_body_in_several_chunks_is_read_whole(app: Application) -> None:
    status, _, body = call(app, [b"Action=GetCaller", b"Identity&Version=", b"2011-06-15"], STS)
    assert status == 200, body
    assert b"<GetCallerIdentityResult>" in body


def test_a_body_over_the_limit_gets_413_in_one_chunk_or_many(app: Application) -> None:
    assert call(app, [b"x" * 1001], STS)[0] == 413
    assert call(app, [b"x" * 600, b"x" * 600, b"x" * 600], STS)[0] == 413
    assert call(app, [b"Action=GetCallerIdentity&Version=2011-06-15" + b"&" * 900], STS)[0] == 200


def test_every_answer_names_its_request_id_once(app: Application) -> None:
    _, headers, _ = call(app, [b"Action=GetCallerIdentity&Version=2011-06-15"], STS)
    ids = [value for name, value in headers if name.lower() in (b"x-amzn-requestid", b"x-amz-request-id")]
    assert len(ids) == 1 and UUID_V4.match(ids[0].decode())
    status, headers, body = call(app, [b"{}"], {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "No.Op"})
    assert status == 400 and orjson.loads(body)["__type"] == "UnrecognizedClientException"
    ids = [value for name, value in headers if name.lower() in (b"x-amzn-requestid", b"x-amz-request-id")]
    assert len(ids) == 1
    assert dict(headers)[b"content-length"] == str(len(body)).encode()


def test_many_distinct_header_names_are_all_read_and_the_name_cache_stays_bounded(app: Application) -> None:
    from postoffice.server import app as app_module

    extra = {f"X-Custom-{i}": str(i) for i in range(400)}
    status, _, body = call(app, [b"Action=GetCallerIdentity&Version=2011-06-15"], {**STS, **extra})
    assert status == 200, body
    assert len(app_module._header_names) <= app_module._HEADER_NAME_CACHE_SIZE


CREDENTIAL = re.compile(r"Credential=([^/\s,]+)/(\d{8})/([^/\s,]+)/([^/\s,]+)/aws4_request")


@pytest.mark.parametrize(
    "authorization",
    [
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-3/execute-api/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKID/2026/us-east-1/sqs/aws4_request, Credential=K2/20260101/r/s/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AK ID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_requestX,Signature=x",
        "AWS4-HMAC-SHA256 Credential=/20260101/us-east-1/sqs/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/aws4_request",
        "Bearer token",
        "",
    ],
)
def test_credential_scope_reads_what_the_credential_pattern_reads_every_time(authorization: str) -> None:
    from postoffice.protocol.http import HttpRequest
    from postoffice.protocol.sigv4 import credential_scope

    match = CREDENTIAL.search(authorization)
    expected = (match.group(1), match.group(3), match.group(4)) if match else ("", "", "")
    for _ in range(3):  # the first call parses, the next ones may come from the cache
        scope = credential_scope(HttpRequest("POST", "/", "", {"authorization": authorization}, b""))
        assert (scope.access_key, scope.region, scope.service) == expected


def test_a_route_is_built_once_per_service_and_protocol(app: Application) -> None:
    from postoffice.protocol.http import HttpRequest
    from postoffice.protocol.sigv4 import credential_scope

    def route_of(headers: dict[str, str], body: bytes = b"") -> object:
        request = HttpRequest("POST", "/", "", headers, body)
        return app.router.route(request, credential_scope(request))

    form = {"content-type": "application/x-www-form-urlencoded", "host": "sts.us-east-1.localhost"}
    first = route_of(form, b"Action=GetCallerIdentity&Version=2011-06-15")
    assert first is route_of(form, b"Action=GetCallerIdentity&Version=2011-06-15")
    json = {"x-amz-target": "AmazonSQS.SendMessage", "content-type": "application/x-amz-json-1.0"}
    assert route_of(json) is route_of(json) and route_of(json) is not first
