"""Asynchronous invocation settings: Put/Get/Update/Delete/ListFunctionEventInvokeConfigs."""

from __future__ import annotations

from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.services.lambda_.destinations import destination_service
from postoffice.services.lambda_.errors import invalid, not_found
from postoffice.services.lambda_.paging import page
from postoffice.services.lambda_.records import LATEST, Function
from postoffice.services.lambda_.state import LambdaState


def _destinations(config: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for condition in ("OnSuccess", "OnFailure"):
        destination = ((config or {}).get(condition) or {}).get("Destination")
        if destination:
            if destination_service(destination) is None and not destination.startswith("arn:aws:s3:::"):
                raise invalid(f"The provided destination config DestinationConfig(on{condition[2:]}) is invalid.")
            out[condition] = {"Destination": destination}
        else:
            out[condition] = {}
    return out


class EventInvokeOperations(LambdaState):
    async def PutFunctionEventInvokeConfig(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self._put_invoke_config(ctx, params, replace=True)

    async def UpdateFunctionEventInvokeConfig(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return await self._put_invoke_config(ctx, params, replace=False)

    def GetFunctionEventInvokeConfig(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
        qualifier = ref.qualifier or LATEST
        self.version_of(function, qualifier)
        settings = function.invoke_configs.get(qualifier)
        if settings is None:
            raise _no_config(function, qualifier)
        return _view(function, qualifier, settings)

    async def DeleteFunctionEventInvokeConfig(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        async with self.writing:
            ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
            qualifier = ref.qualifier or LATEST
            self.version_of(function, qualifier)
            if function.invoke_configs.pop(qualifier, None) is None:
                raise _no_config(function, qualifier)
            await self.save(function)

    def ListFunctionEventInvokeConfigs(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _, function = self.function(ctx, params["FunctionName"])
        items = [_view(function, q, s) for q, s in sorted(function.invoke_configs.items())]
        chunk, marker = page(items, params.get("Marker"), params.get("MaxItems"))
        out: dict[str, Any] = {"FunctionEventInvokeConfigs": chunk}
        if marker:
            out["NextMarker"] = marker
        return out

    async def _put_invoke_config(self, ctx: RequestContext, params: dict[str, Any], replace: bool) -> dict[str, Any]:
        destinations = _destinations(params.get("DestinationConfig")) if "DestinationConfig" in params else None
        async with self.writing:
            ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
            qualifier = ref.qualifier or LATEST
            self.version_of(function, qualifier)
            current = function.invoke_configs.get(qualifier)
            if current is None and not replace:
                raise _no_config(function, qualifier)
            settings: dict[str, Any] = {} if replace or current is None else dict(current)
            for name in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
                if name in params:
                    settings[name] = params[name]
            if destinations is not None:
                settings["DestinationConfig"] = destinations
            settings.setdefault("DestinationConfig", {"OnSuccess": {}, "OnFailure": {}})
            settings["LastModified"] = self.now()
            function.invoke_configs[qualifier] = settings
            await self.save(function)
        return _view(function, qualifier, settings)


def _no_config(function: Function, qualifier: str) -> ServiceError:
    return not_found(f"The function {function.arn}:{qualifier} doesn't have an EventInvokeConfig")


def _view(function: Function, qualifier: str, settings: dict[str, Any]) -> dict[str, Any]:
    return {"FunctionArn": f"{function.arn}:{qualifier}", **settings}
