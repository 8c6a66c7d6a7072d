"""Function URLs: Create/Get/Update/Delete/ListFunctionUrlConfigs.

A URL is `http://<url-id>.lambda-url.<region>.localhost:<port>/`, the local form of AWS's
`https://<url-id>.lambda-url.<region>.on.aws/`.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.lambda_ import names
from postoffice.services.lambda_.errors import conflict, invalid, not_found
from postoffice.services.lambda_.paging import page
from postoffice.services.lambda_.records import LATEST, Function
from postoffice.services.lambda_.state import LambdaState

_ALPHABET = string.ascii_lowercase + string.digits


def url_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(32))


class UrlOperations(LambdaState):
    async def CreateFunctionUrlConfig(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        async with self.writing:
            ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
            key = self._url_key(function, ref.qualifier)
            if key in function.url_configs:
                arn = function.arn if not key else f"{function.arn}:{key}"
                raise conflict(
                    f"Failed to create function url config for [functionArn = {arn}]. Error message:  "
                    "FunctionUrlConfig exists for this Lambda function"
                )
            now = self.now_text()
            settings: dict[str, Any] = {
                "UrlId": url_id(),
                "AuthType": params["AuthType"],
                "InvokeMode": params.get("InvokeMode", "BUFFERED"),
                "CreationTime": now,
                "LastModifiedTime": now,
            }
            if params.get("Cors"):
                settings["Cors"] = params["Cors"]
            function.url_configs[key] = settings
            await self.save(function)
        out = self._url_view(function, key, settings)
        out.pop("LastModifiedTime")
        return out

    def GetFunctionUrlConfig(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
        key = self._url_key(function, ref.qualifier)
        settings = function.url_configs.get(key)
        if settings is None:
            raise not_found()
        return self._url_view(function, key, settings)

    async def UpdateFunctionUrlConfig(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        async with self.writing:
            ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
            key = self._url_key(function, ref.qualifier)
            settings = function.url_configs.get(key)
            if settings is None:
                raise not_found()
            for name in ("AuthType", "InvokeMode", "Cors"):
                if name in params:
                    settings[name] = params[name]
            settings["LastModifiedTime"] = self.now_text()
            await self.save(function)
        return self._url_view(function, key, settings)

    async def DeleteFunctionUrlConfig(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        async with self.writing:
            ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
            key = self._url_key(function, ref.qualifier)
            if function.url_configs.pop(key, None) is None:
                raise not_found()
            await self.save(function)

    def ListFunctionUrlConfigs(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _, function = self.function(ctx, params["FunctionName"])
        items = [self._url_view(function, key, settings) for key, settings in sorted(function.url_configs.items())]
        chunk, marker = page(items, params.get("Marker"), params.get("MaxItems"))
        out: dict[str, Any] = {"FunctionUrlConfigs": chunk}
        if marker:
            out["NextMarker"] = marker
        return out

    def find_url(self, url_id_: str) -> tuple[Function, str] | None:
        for _, _, _, function in self.functions.all():
            for key, settings in function.url_configs.items():
                if settings.get("UrlId") == url_id_:
                    return function, key
        return None

    def _url_key(self, function: Function, qualifier: str | None) -> str:
        if qualifier is None:
            return ""
        if qualifier == LATEST:
            return LATEST
        if names.VERSION_NUMBER.match(qualifier):
            raise invalid(
                f"The qualifier {qualifier} is a function version. Function URLs can only be created for an alias or "
                "$LATEST."
            )
        self.version_of(function, qualifier)
        return qualifier

    def _url_view(self, function: Function, key: str, settings: dict[str, Any]) -> dict[str, Any]:
        region = function.arn.split(":")[3]
        port = self.system.settings.port
        out: dict[str, Any] = {
            "FunctionUrl": f"http://{settings['UrlId']}.lambda-url.{region}.localhost:{port}/",
            "FunctionArn": function.arn if not key else f"{function.arn}:{key}",
            "AuthType": settings["AuthType"],
            "CreationTime": settings["CreationTime"],
            "LastModifiedTime": settings["LastModifiedTime"],
            "InvokeMode": settings.get("InvokeMode", "BUFFERED"),
        }
        if settings.get("Cors"):
            out["Cors"] = settings["Cors"]
        return out
