"""Versions and aliases: PublishVersion, ListVersionsByFunction, CreateAlias ... ListAliases."""

from __future__ import annotations

import dataclasses
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.lambda_ import names
from postoffice.services.lambda_.api_functions import FunctionOperations
from postoffice.services.lambda_.errors import conflict, function_not_found, invalid, not_found, precondition_failed
from postoffice.services.lambda_.paging import page
from postoffice.services.lambda_.records import LATEST, Alias, Function, VersionConfig
from postoffice.services.lambda_.state import new_revision
from postoffice.services.lambda_.validation import check_revision
from postoffice.services.lambda_.views import alias as alias_view
from postoffice.services.lambda_.views import configuration, qualified

# What makes two configurations the same version (PublishVersion publishes only a change).
_IDENTITY_IGNORES = frozenset({"version", "revision_id", "last_modified", "description"})


class VersionOperations(FunctionOperations):
    async def PublishVersion(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        async with self.writing:
            ref, function = self.function(ctx, params["FunctionName"])
            latest = function.latest
            given_sha = params.get("CodeSha256")
            if given_sha is not None and given_sha != latest.code.sha256:
                raise invalid(
                    f"CodeSHA256 ({given_sha}) is different from current CodeSHA256 in $LATEST "
                    f"({latest.code.sha256}). Please try again with the current CodeSHA256."
                )
            check_revision(params.get("RevisionId"), latest.revision_id, precondition_failed())
            existing = _same_as_latest(function)
            if existing is not None:
                config = function.versions[existing]
            else:
                config = self._publish(function, params.get("Description", ""))
                await self.save(function)
        arn = qualified(function, config.version)
        return configuration(function, config, arn, self.layer_sizes(config.layers))

    def ListVersionsByFunction(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _, function = self.function(ctx, params["FunctionName"])
        entries = [configuration(function, function.latest, qualified(function, LATEST), {})]
        for number in sorted(function.versions, key=int):
            config = function.versions[number]
            entries.append(configuration(function, config, qualified(function, number), {}))
        for entry in entries:
            layers = entry.get("Layers")
            if layers:
                sizes = self.layer_sizes([layer["Arn"] for layer in layers])
                entry["Layers"] = [{"Arn": layer["Arn"], "CodeSize": sizes.get(layer["Arn"], 0)} for layer in layers]
        chunk, marker = page(entries, params.get("Marker"), params.get("MaxItems"))
        out: dict[str, Any] = {"Versions": chunk}
        if marker:
            out["NextMarker"] = marker
        return out

    # Aliases --------------------------------------------------------------------------------

    async def CreateAlias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["Name"]
        async with self.writing:
            _, function = self.function(ctx, params["FunctionName"])
            version = params["FunctionVersion"]
            _check_target(function, version, params.get("RoutingConfig"))
            if name in function.aliases:
                raise conflict(f"Alias already exists: {qualified(function, name)}")
            item = Alias(
                name=name,
                function_version=version,
                description=params.get("Description", ""),
                revision_id=new_revision(),
                routing=_weights(params.get("RoutingConfig")),
            )
            function.aliases[name] = item
            await self.save(function)
        return alias_view(function, item)

    def GetAlias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _, function = self.function(ctx, params["FunctionName"])
        return alias_view(function, _alias(function, params["Name"]))

    async def UpdateAlias(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        async with self.writing:
            _, function = self.function(ctx, params["FunctionName"])
            item = _alias(function, params["Name"])
            check_revision(params.get("RevisionId"), item.revision_id, precondition_failed())
            version = params.get("FunctionVersion", item.function_version)
            routing = params["RoutingConfig"] if "RoutingConfig" in params else None
            _check_target(function, version, routing if routing is not None else _routing_config(item))
            item.function_version = version
            if "Description" in params:
                item.description = params["Description"]
            if routing is not None:
                item.routing = _weights(routing)
            item.revision_id = new_revision()
            await self.save(function)
        return alias_view(function, item)

    async def DeleteAlias(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        async with self.writing:
            _, function = self.function(ctx, params["FunctionName"])
            name = params["Name"]
            if function.aliases.pop(name, None) is None:
                return
            function.invoke_configs.pop(name, None)
            function.policies.pop(name, None)
            function.url_configs.pop(name, None)
            await self.save(function)

    def ListAliases(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _, function = self.function(ctx, params["FunctionName"])
        wanted = params.get("FunctionVersion")
        items = [
            alias_view(function, item)
            for item in sorted(function.aliases.values(), key=lambda a: a.name)
            if wanted is None or item.function_version == wanted
        ]
        chunk, marker = page(items, params.get("Marker"), params.get("MaxItems"))
        out: dict[str, Any] = {"Aliases": chunk}
        if marker:
            out["NextMarker"] = marker
        return out


def _alias(function: Function, name: str) -> Alias:
    item = function.aliases.get(name)
    if item is None:
        raise not_found(f"Cannot find alias arn: {qualified(function, name)}")
    return item


def _check_target(function: Function, version: str, routing: dict[str, Any] | None) -> None:
    if version != LATEST and (not names.VERSION_NUMBER.match(version) or version not in function.versions):
        raise function_not_found(qualified(function, version))
    weights = _weights(routing) or {}
    if weights and version == LATEST:
        raise invalid("$LATEST is not supported for an alias pointing to more than 1 version")
    for extra in weights:
        if extra == version:
            raise invalid(
                f"Invalid function version {extra}. Function version {extra} is already included in routing "
                "configuration."
            )
        if extra not in function.versions:
            raise function_not_found(qualified(function, extra))


def _weights(routing: dict[str, Any] | None) -> dict[str, float] | None:
    if not routing:
        return None
    weights = routing.get("AdditionalVersionWeights") or {}
    return {str(version): float(weight) for version, weight in weights.items()} or None


def _routing_config(item: Alias) -> dict[str, Any] | None:
    return {"AdditionalVersionWeights": item.routing} if item.routing else None


def _identity(config: VersionConfig) -> dict[str, Any]:
    return {k: v for k, v in dataclasses.asdict(config).items() if k not in _IDENTITY_IGNORES}


def _same_as_latest(function: Function) -> str | None:
    """The newest published version identical to $LATEST, if $LATEST has not changed since."""
    if not function.versions:
        return None
    newest = max(function.versions, key=int)
    return newest if _identity(function.versions[newest]) == _identity(function.latest) else None
