"""Invoke (RequestResponse, Event, DryRun) and the deprecated InvokeAsync."""

from __future__ import annotations

import base64
import binascii
import random
from typing import Any

import orjson

from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.runtime import Invocation
from postoffice.services.lambda_.errors import request_too_large
from postoffice.services.lambda_.records import Function
from postoffice.services.lambda_.state import LambdaState

MAX_SYNC_PAYLOAD = 6_291_456
MAX_ASYNC_PAYLOAD = 1_048_576
MAX_CLIENT_CONTEXT = 3583
LOG_TAIL_BYTES = 4096


def invalid_content(message: str) -> ServiceError:
    return ServiceError("InvalidRequestContentException", message, 400)


def _check_json(payload: bytes) -> None:
    if not payload:
        return
    try:
        orjson.loads(payload)
    except orjson.JSONDecodeError as error:
        raise invalid_content(
            f"Could not parse request body into json: Could not parse payload into json: {error}"
        ) from None


def _client_context(value: str | None) -> str | None:
    if not value:
        return None
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
        document = orjson.loads(text)
    except (binascii.Error, UnicodeDecodeError, orjson.JSONDecodeError):
        raise invalid_content("Client context must be a valid Base64-encoded JSON object.") from None
    if not isinstance(document, dict) or len(text.encode()) > MAX_CLIENT_CONTEXT:
        raise invalid_content("Client context must be a valid Base64-encoded JSON object.")
    return text


def _routed_version(function: Function, qualifier: str | None, version: str) -> str:
    """An alias with AdditionalVersionWeights sends that share of invocations to the other versions."""
    alias = function.aliases.get(qualifier or "")
    if alias is None or not alias.routing:
        return version
    draw = random.random()
    for other, weight in alias.routing.items():
        if draw < weight:
            return other
        draw -= weight
    return version


def log_tail(lines: list[str]) -> str:
    text = ("\n".join(lines) + "\n").encode()
    return base64.b64encode(text[-LOG_TAIL_BYTES:]).decode()


class InvokeOperations(LambdaState):
    async def Invoke(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
        kind = params.get("InvocationType", "RequestResponse")
        payload: bytes = params.get("Payload") or b""
        if isinstance(payload, str):
            payload = payload.encode()
        limit = MAX_ASYNC_PAYLOAD if kind == "Event" else MAX_SYNC_PAYLOAD
        if len(payload) > limit:
            raise request_too_large(limit)
        _check_json(payload)
        client_context = _client_context(params.get("ClientContext"))
        version, config = self.version_of(function, ref.qualifier)
        invoked_arn = ref.qualified_arn
        if kind == "DryRun":
            return {"StatusCode": 204}
        if kind == "Event":
            await self.async_invocations.enqueue(function, ref.qualifier, payload, ctx.request_id, invoked_arn)
            return {"StatusCode": 202}
        routed = _routed_version(function, ref.qualifier, version)
        if routed != version:
            version = routed
            config = function.versions[routed]
        invocation = Invocation(
            request_id=ctx.request_id,
            payload=payload or b"{}",
            invoked_arn=invoked_arn,
            client_context=client_context,
            tenant_id=params.get("TenantId"),
        )
        outcome = await self.executor.invoke(function, version, config, invocation, wait=False)
        out: dict[str, Any] = {"StatusCode": 200, "Payload": outcome.payload, "ExecutedVersion": version}
        if outcome.failed:
            out["FunctionError"] = "Unhandled"
        if params.get("LogType") == "Tail":
            out["LogResult"] = log_tail(outcome.log_lines)
        return out

    async def InvokeAsync(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, function = self.function(ctx, params["FunctionName"])
        body = params.get("InvokeArgs") or b""
        payload = body if isinstance(body, bytes) else body.read() if hasattr(body, "read") else str(body).encode()
        if len(payload) > MAX_ASYNC_PAYLOAD:
            raise request_too_large(MAX_ASYNC_PAYLOAD)
        _check_json(payload)
        self.version_of(function, None)
        await self.async_invocations.enqueue(function, None, payload, ctx.request_id, ref.arn)
        return {"Status": 202}
