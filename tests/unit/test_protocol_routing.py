"""rest-json services are found by their request URIs when nothing else names the service."""

from __future__ import annotations

import pytest

from postoffice.protocol.http import HttpRequest
from postoffice.protocol.sigv4 import credential_scope
from postoffice.server.router import Router
from postoffice.services.base import Service


class Lambda(Service):
    name = "lambda"
    protocols = ("rest-json",)


class ApiGateway(Service):
    name = "apigateway"
    protocols = ("rest-json",)


class Scheduler(Service):
    name = "scheduler"
    protocols = ("rest-json",)


class Sts(Service):
    name = "sts"
    protocols = ("query",)


@pytest.fixture(scope="module")
def router() -> Router:
    services = [cls(None) for cls in (Lambda, ApiGateway, Scheduler, Sts)]  # type: ignore[arg-type]
    return Router({service.name: service for service in services})


def _route(router: Router, method: str, path: str, query: str = "", headers: dict[str, str] | None = None) -> str:
    request = HttpRequest(method, path, query, headers or {}, b"")
    route = router.route(request, credential_scope(request))
    return f"{route.service.name}/{route.protocol}" if route else ""


@pytest.mark.parametrize(
    ("method", "path", "query", "expected"),
    [
        ("GET", "/2015-03-31/functions/", "", "lambda/rest-json"),
        ("POST", "/2015-03-31/functions/f/invocations", "", "lambda/rest-json"),
        ("GET", "/2018-10-31/layers", "find=LayerVersion&Arn=a", "lambda/rest-json"),
        ("GET", "/restapis", "", "apigateway/rest-json"),
        ("POST", "/restapis", "mode=import", "apigateway/rest-json"),
        ("GET", "/schedules", "", "scheduler/rest-json"),
        ("POST", "/schedule-groups/g", "", "scheduler/rest-json"),
        ("GET", "/tags/arn:aws:scheduler:us-east-1:000000000000:schedule-group/g", "", "apigateway/rest-json"),
        ("GET", "/nowhere", "", ""),
    ],
)
def test_unsigned_rest_requests_route_by_path(
    router: Router, method: str, path: str, query: str, expected: str
) -> None:
    assert _route(router, method, path, query) == expected


def test_the_signature_scope_wins_over_the_path(router: Router) -> None:
    auth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/scheduler/aws4_request, SignedHeaders=host, Signature=x"
    path = "/tags/arn:aws:scheduler:us-east-1:000000000000:schedule-group/g"
    assert _route(router, "GET", path, headers={"authorization": auth}) == "scheduler/rest-json"


def test_the_table_comes_from_the_models(router: Router) -> None:
    assert set(router.by_rest_segment) >= {"2015-03-31", "restapis", "schedules", "schedule-groups", "tags"}
    assert [service.name for service in router.by_rest_segment["tags"]] == ["apigateway", "scheduler"]
