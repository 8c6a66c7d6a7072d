"""API destinations: a real HTTP call to the endpoint with the connection's authorization,
rate-limited to the destination's InvocationRateLimitPerSecond.

EventBridge retries 401, 407, 409, 429 and 5xx answers and network failures (honouring
Retry-After); other answers are final. A call times out after 5 seconds, as AWS's does.
"""

from __future__ import annotations

import base64
import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from postoffice.core import http_client
from postoffice.core.http_client import HttpFailure
from postoffice.core.throttle import TokenBuckets
from postoffice.services.events.arns import name_from_arn, parse_arn
from postoffice.services.events.delivery import Delivery, Failure, Outcome, Throttled

if TYPE_CHECKING:
    from postoffice.services.events.api import Events
    from postoffice.services.events.models import Connection

TIMEOUT_SECONDS = 5.0
RETRIED_STATUSES = frozenset({401, 407, 409, 429})
USER_AGENT = "Amazon/EventBridge/ApiDestinations"
DEFAULT_RATE_LIMIT = 300
_NO_BODY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class ApiDestinationInvoker:
    def __init__(self, service: Events) -> None:
        self.service = service
        self.limiter = TokenBuckets()
        self._tokens: dict[str, tuple[str, float]] = {}  # connection ARN -> (Authorization, expiry)

    async def invoke(self, delivery: Delivery, payload: str) -> Outcome:
        arn = delivery.target["Arn"]
        parsed = parse_arn(arn)
        name = name_from_arn(arn, "api-destination")
        if parsed is None or name is None:
            return Failure("NO_RESOURCE", f"API destination {arn} does not exist.", retriable=False)
        destination = self.service.destinations.get(parsed.account, parsed.region, name)
        if destination is None or destination.arn != arn:
            return Failure("NO_RESOURCE", f"API destination {name} does not exist.", retriable=False)
        connection_name = name_from_arn(destination.connection_arn, "connection") or ""
        connection = self.service.connections.get(parsed.account, parsed.region, connection_name)
        if connection is None or connection.state != "AUTHORIZED":
            reason = "does not exist" if connection is None else f"is {connection.state}"
            return Failure("NO_PERMISSIONS", f"Connection {connection_name} {reason}.", retriable=False)
        rate = destination.rate_limit
        wait = self.limiter.take(destination.arn, rate, rate, self.service.system.clock.now())
        if wait > 0:
            return Throttled(wait)
        try:
            authorization = await self._authorization(connection)
        except _CallFailed as failed:
            return failed.failure
        http = delivery.target.get("HttpParameters") or {}
        invocation = connection.auth_parameters.get("InvocationHttpParameters") or {}
        url = _url(destination.endpoint, http, invocation)
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        headers.update(http.get("HeaderParameters") or {})
        headers.update({item["Key"]: item.get("Value", "") for item in invocation.get("HeaderParameters") or []})
        headers.update(authorization)
        body = None if destination.method in _NO_BODY_METHODS else _body(payload, invocation).encode()
        try:
            response = await _request(destination.method, url, headers, body)
        except _CallFailed as failed:
            return failed.failure
        return _outcome(response, f"{destination.method} {destination.endpoint}")

    async def _authorization(self, connection: Connection) -> dict[str, str]:
        params = connection.auth_parameters
        if connection.authorization_type == "BASIC":
            basic = params.get("BasicAuthParameters") or {}
            token = base64.b64encode(f"{basic.get('Username', '')}:{basic.get('Password', '')}".encode()).decode()
            return {"Authorization": f"Basic {token}"}
        if connection.authorization_type == "API_KEY":
            api_key = params.get("ApiKeyAuthParameters") or {}
            return {api_key.get("ApiKeyName", "x-api-key"): api_key.get("ApiKeyValue", "")}
        cached = self._tokens.get(connection.arn)
        if cached is not None and cached[1] > self.service.system.clock.now():
            return {"Authorization": cached[0]}
        authorization, lifetime = await self._fetch_token(params.get("OAuthParameters") or {})
        self._tokens[connection.arn] = (authorization, self.service.system.clock.now() + lifetime)
        return {"Authorization": authorization}

    async def _fetch_token(self, oauth: dict[str, Any]) -> tuple[str, float]:
        client = oauth.get("ClientParameters") or {}
        extra = oauth.get("OAuthHttpParameters") or {}
        secret = base64.b64encode(f"{client.get('ClientID', '')}:{client.get('ClientSecret', '')}".encode()).decode()
        headers = {"Authorization": f"Basic {secret}", "User-Agent": USER_AGENT}
        headers.update({item["Key"]: item.get("Value", "") for item in extra.get("HeaderParameters") or []})
        url = _with_query(oauth.get("AuthorizationEndpoint", ""), extra.get("QueryStringParameters") or [])
        fields = {item["Key"]: item.get("Value", "") for item in extra.get("BodyParameters") or []}
        method = oauth.get("HttpMethod", "POST")
        body = None
        if method != "GET":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(fields).encode()
        response = await _request(method, url, headers, body)
        if not 200 <= response.status < 300:
            failure = _outcome(response, f"OAuth token request to {oauth.get('AuthorizationEndpoint')}")
            raise _CallFailed(failure or Failure("NO_PERMISSIONS", "The OAuth endpoint refused the client.", False))
        try:
            token = orjson.loads(response.body)
            access = token["access_token"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise _CallFailed(
                Failure("NO_PERMISSIONS", "The OAuth endpoint returned no access_token.", False)
            ) from None
        token_type = token.get("token_type") or "Bearer"
        lifetime = float(token.get("expires_in") or 3600)
        return f"{token_type[:1].upper()}{token_type[1:]} {access}", lifetime


class _CallFailed(Exception):
    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _url(endpoint: str, http: dict[str, Any], invocation: dict[str, Any]) -> str:
    for value in http.get("PathParameterValues") or []:
        endpoint = endpoint.replace("*", urllib.parse.quote(value, safe=""), 1)
    query = [{"Key": key, "Value": value} for key, value in (http.get("QueryStringParameters") or {}).items()]
    query += invocation.get("QueryStringParameters") or []
    return _with_query(endpoint, query)


def _with_query(url: str, parameters: list[dict[str, Any]]) -> str:
    if not parameters:
        return url
    merged = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    merged.update({item["Key"]: item.get("Value", "") for item in parameters})
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(merged)))


def _body(payload: str, invocation: dict[str, Any]) -> str:
    extra = invocation.get("BodyParameters") or []
    if not extra:
        return payload
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload
    if not isinstance(document, dict):
        return payload
    document.update({item["Key"]: item.get("Value", "") for item in extra})
    return orjson.dumps(document).decode()


def _outcome(response: Response, what: str) -> Outcome:
    status = response.status
    if 200 <= status < 300:
        return None
    message = f"{what} answered {status}: {response.body[:256].decode(errors='replace')}"
    retriable = status in RETRIED_STATUSES or status >= 500
    retry_after = _retry_after(response.headers) if retriable else None
    code = "THROTTLING" if status == 429 else "ERROR_FROM_TARGET"
    return Failure(code, message, retriable=retriable, retry_after=retry_after)


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


async def _request(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Response:
    try:
        answer = await http_client.request(method, url, headers, body, TIMEOUT_SECONDS)
    except HttpFailure as failure:
        if failure.timed_out:
            raise _CallFailed(Failure("TIMEOUT", f"{method} {url} timed out after 5 seconds.", True)) from None
        raise _CallFailed(Failure("CONNECTION_FAILURE", f"{method} {url} failed: {failure.reason}", True)) from None
    return Response(answer.status, _lower(answer.headers.items()), answer.body)


def _lower(items: Any) -> dict[str, str]:
    return {key.lower(): value for key, value in items}
