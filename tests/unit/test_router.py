"""Which service a request reaches, from each clue AWS clients leave."""

from __future__ import annotations

import pytest

from postoffice.config import Settings
from postoffice.protocol.http import HttpRequest
from postoffice.protocol.sigv4 import account_for_key, credential_scope
from postoffice.server.main import build_system
from postoffice.server.router import Router


@pytest.fixture(scope="module")
def router() -> Router:
    system = build_system(Settings(store="memory"))
    return Router(system.services)


def _request(method="POST", path="/", query="", headers=None, body=b"") -> HttpRequest:
    return HttpRequest(method, path, query, {k.lower(): v for k, v in (headers or {}).items()}, body)


def _auth(service: str, region: str = "eu-west-1", key: str = "AKIAEXAMPLE") -> dict[str, str]:
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20260101/{region}/{service}/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc"
    }


def test_sigv4_scope_names_the_service_region_and_key() -> None:
    scope = credential_scope(_request(headers=_auth("sts", "ap-south-1", "123456789012")))
    assert (scope.access_key, scope.region, scope.service) == ("123456789012", "ap-south-1", "sts")


def test_presigned_query_string_scope() -> None:
    query = "Action=GetCallerIdentity&X-Amz-Credential=AKIDX%2F20260101%2Fus-west-2%2Fsts%2Faws4_request"
    scope = credential_scope(_request("GET", query=query))
    assert (scope.access_key, scope.region, scope.service) == ("AKIDX", "us-west-2", "sts")


def test_account_comes_from_a_twelve_digit_key_or_the_default() -> None:
    assert account_for_key("111122223333", "000000000000") == "111122223333"
    assert account_for_key("AKIAIOSFODNN7EXAMPLE", "000000000000") == "000000000000"
    assert account_for_key("", "999999999999") == "999999999999"


def test_signed_query_request_goes_to_the_signing_service(router: Router) -> None:
    headers = {**_auth("iam"), "Content-Type": "application/x-www-form-urlencoded"}
    route = router.route(
        _request(headers=headers, body=b"Action=ListRoles"), credential_scope(_request(headers=headers))
    )
    assert route is not None and route.service.name == "iam" and route.protocol == "query"


def test_unsigned_query_request_is_known_by_its_api_version(router: Router) -> None:
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    request = _request(headers=headers, body=b"Action=GetCallerIdentity&Version=2011-06-15")
    route = router.route(request, credential_scope(request))
    assert route is not None and route.service.name == "sts"
    get = _request("GET", query="Action=ListRoles&Version=2010-05-08")
    route = router.route(get, credential_scope(get))
    assert route is not None and route.service.name == "iam" and route.protocol == "query"


def test_unknown_target_or_nothing_to_go_on_routes_nowhere(router: Router) -> None:
    request = _request(headers={"X-Amz-Target": "Nope_2020.Thing"})
    assert router.route(request, credential_scope(request)) is None
    bare = _request()
    assert router.route(bare, credential_scope(bare)) is None
