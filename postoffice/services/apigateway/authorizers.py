"""Who may call a method: AWS_IAM (a SigV4-signed request), Lambda authorizers (TOKEN and
REQUEST, with their answers cached per identity for authorizerResultTtlInSeconds) and Cognito
user pools (the token's claims, read without a user pool to check them against)."""

from __future__ import annotations

import base64
import binascii
import copy
import fnmatch
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from postoffice.protocol.sigv4 import account_for_key, credential_scope
from postoffice.services.apigateway.aws_integration import invoke_function, with_stage_variables
from postoffice.services.apigateway.defaults import AUTHORIZER_TTL
from postoffice.services.apigateway.integration_uri import parse_aws_uri
from postoffice.services.apigateway.invocation import GatewayError, Invocation, missing_token
from postoffice.services.apigateway.lambda_proxy import proxy_event
from postoffice.services.apigateway.vtl.java import java_regex

if TYPE_CHECKING:
    from postoffice.core.system import System

_EXPLICIT_DENY = "User is not authorized to access this resource with an explicit deny"
_NOT_ALLOWED = "User is not authorized to access this resource"


def unauthorized() -> GatewayError:
    return GatewayError("UNAUTHORIZED", "Unauthorized")


def denied(message: str) -> GatewayError:
    return GatewayError("ACCESS_DENIED", message, body=b'{"Message":' + orjson.dumps(message) + b"}")


def configuration_error() -> GatewayError:
    return GatewayError("AUTHORIZER_CONFIGURATION_ERROR", None, 500, b'{"message": null}')


@dataclass
class Decision:
    principal: str
    policy: dict[str, Any]
    context: dict[str, Any]
    usage_key: str | None
    expires: float


class AuthorizerCache:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, ...], Decision] = {}

    def get(self, key: tuple[str, ...], now: float) -> Decision | None:
        decision = self.entries.get(key)
        if decision is None or decision.expires <= now:
            self.entries.pop(key, None)
            return None
        return decision

    def put(self, key: tuple[str, ...], decision: Decision) -> None:
        self.entries[key] = decision

    def flush(self, api_id: str, stage: str) -> None:
        for key in [key for key in self.entries if key[:2] == (api_id, stage)]:
            del self.entries[key]

    def clear(self) -> None:
        self.entries.clear()


def _wildcard(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def evaluate_policy(policy: dict[str, Any], method_arn: str) -> bool:
    """True when the policy allows invoking `method_arn`; an explicit deny raises ACCESS_DENIED."""
    allowed = False
    statements = policy.get("Statement") or []
    for statement in _as_list(statements):
        if not isinstance(statement, dict):
            continue
        actions = [str(action) for action in _as_list(statement.get("Action", []))]
        if not any(_wildcard(action, "execute-api:Invoke") for action in actions):
            continue
        resources = [str(resource) for resource in _as_list(statement.get("Resource", []))]
        if not any(_wildcard(resource, method_arn) for resource in resources):
            continue
        if str(statement.get("Effect", "")).lower() == "deny":
            raise denied(_EXPLICIT_DENY)
        if str(statement.get("Effect", "")).lower() == "allow":
            allowed = True
    return allowed


def _identity_value(invocation: Invocation, source: str) -> str | None:
    params = invocation.params()
    for prefix, location in (
        ("method.request.header.", "header"),
        ("method.request.multivalueheader.", "header"),
        ("method.request.querystring.", "querystring"),
        ("method.request.multivaluequerystring.", "querystring"),
        ("method.request.path.", "path"),
    ):
        if source.startswith(prefix):
            value = params[location].get(source[len(prefix) :])
            return value if value else None
    if source.startswith("stageVariables."):
        return invocation.stage_variables.get(source[len("stageVariables.") :]) or None
    if source.startswith("context."):
        value: Any = invocation.context
        for part in source[len("context.") :].split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return None if value is None else str(value)
    return None


class Authorization:
    def __init__(self, system: System) -> None:
        self.system = system
        self.cache = AuthorizerCache()

    async def check(self, invocation: Invocation) -> None:
        kind = invocation.method.get("authorizationType", "NONE")
        if kind == "AWS_IAM":
            self._iam(invocation)
        elif kind == "CUSTOM":
            await self._custom(invocation)
        elif kind == "COGNITO_USER_POOLS":
            self._cognito(invocation)

    def _iam(self, invocation: Invocation) -> None:
        request = invocation.request
        signed = request.headers.get("authorization", "").startswith("AWS4-HMAC-SHA256") or (
            request.query_value("X-Amz-Signature") is not None
        )
        if not signed:
            raise missing_token()
        scope = credential_scope(request)
        account = account_for_key(scope.access_key, self.system.settings.default_account)
        identity = invocation.context["identity"]
        identity.update(
            {
                "accessKey": scope.access_key,
                "accountId": account,
                "caller": scope.access_key,
                "user": scope.access_key,
                "userArn": f"arn:aws:iam::{account}:root",
            }
        )

    def _cognito(self, invocation: Invocation) -> None:
        token = invocation.request.headers.get("authorization", "")
        parts = token.removeprefix("Bearer ").split(".")
        if len(parts) != 3:
            raise unauthorized()
        try:
            padded = parts[1] + "=" * (-len(parts[1]) % 4)
            claims = orjson.loads(base64.urlsafe_b64decode(padded))
        except (binascii.Error, ValueError, orjson.JSONDecodeError):
            raise unauthorized() from None
        if not isinstance(claims, dict):
            raise unauthorized()
        if claims.get("exp") is not None and float(claims["exp"]) < invocation.now:
            raise unauthorized()
        invocation.authorizer = {"claims": claims}
        invocation.context["authorizer"] = {"claims": claims, "principalId": claims.get("sub")}

    async def _custom(self, invocation: Invocation) -> None:
        authorizer = invocation.snapshot.get("authorizers", {}).get(invocation.method.get("authorizerId", ""))
        if authorizer is None:
            raise configuration_error()
        kind = authorizer.get("type")
        ttl = int(authorizer.get("authorizerResultTtlInSeconds", AUTHORIZER_TTL) or 0)
        sources = [part.strip() for part in (authorizer.get("identitySource") or "").split(",") if part.strip()]
        values = [_identity_value(invocation, source) for source in sources]
        if kind == "TOKEN":
            token = values[0] if values else None
            if not token:
                raise unauthorized()
            expression = authorizer.get("identityValidationExpression")
            if expression:
                if java_regex(expression).fullmatch(token) is None:
                    raise unauthorized()
        elif any(value is None for value in values) and (ttl > 0 or sources):
            raise unauthorized()
        key = (invocation.api_id, invocation.stage_name, authorizer["id"], *[value or "" for value in values])
        decision = self.cache.get(key, invocation.now) if ttl > 0 else None
        if decision is None:
            decision = await self._ask(invocation, authorizer, values[0] if kind == "TOKEN" else None, ttl)
            if ttl > 0:
                self.cache.put(key, decision)
        if not evaluate_policy(decision.policy, invocation.method_arn):
            raise denied(_NOT_ALLOWED)
        context = {"principalId": decision.principal, **decision.context}
        invocation.authorizer = {**decision.context, "principalId": decision.principal, "integrationLatency": 0}
        invocation.context["authorizer"] = context
        if decision.usage_key is not None:
            invocation.context["_usageIdentifierKey"] = decision.usage_key

    async def _ask(self, invocation: Invocation, authorizer: dict[str, Any], token: str | None, ttl: int) -> Decision:
        uri = parse_aws_uri(with_stage_variables(authorizer.get("authorizerUri", ""), invocation.stage_variables))
        function = uri.function_arn if uri is not None else None
        if function is None:
            raise configuration_error()
        if authorizer.get("type") == "TOKEN":
            event: dict[str, Any] = {"type": "TOKEN", "methodArn": invocation.method_arn, "authorizationToken": token}
        else:
            event = proxy_event(invocation)
            event.pop("body", None)
            event.pop("isBase64Encoded", None)
            event = {"type": "REQUEST", "methodArn": invocation.method_arn, **event}
            event["requestContext"] = copy.deepcopy(event["requestContext"])
            event["requestContext"].pop("authorizer", None)
        answer, failed = await invoke_function(
            self.system, invocation.account, uri.region if uri and uri.region else invocation.region, function,
            orjson.dumps(event), str(uuid.uuid4()),
        )  # fmt: skip
        try:
            document = orjson.loads(answer) if answer else None
        except orjson.JSONDecodeError:
            raise configuration_error() from None
        if failed:
            if isinstance(document, dict) and document.get("errorMessage") == "Unauthorized":
                raise unauthorized()
            raise configuration_error()
        if not isinstance(document, dict) or not isinstance(document.get("policyDocument"), dict):
            raise configuration_error()
        if "principalId" not in document:
            raise configuration_error()
        context = document.get("context") or {}
        if not isinstance(context, dict) or any(isinstance(value, dict | list) for value in context.values()):
            raise configuration_error()
        usage_key = document.get("usageIdentifierKey")
        return Decision(
            principal=str(document["principalId"]),
            policy=document["policyDocument"],
            context=context,
            usage_key=str(usage_key) if usage_key is not None else None,
            expires=invocation.now + ttl,
        )
