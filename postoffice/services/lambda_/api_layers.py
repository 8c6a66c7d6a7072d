"""Layers: PublishLayerVersion, GetLayerVersion(ByArn), ListLayers, ListLayerVersions, DeleteLayerVersion.

A layer's zip is unpacked like function code; at run time its directory plays AWS's /opt:
`python/` and `python/lib/pythonX.Y/site-packages/` go on sys.path, `bin/` on PATH, `lib/` on
LD_LIBRARY_PATH, and a `bootstrap` there serves custom runtimes.
"""

from __future__ import annotations

from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.lambda_ import names
from postoffice.services.lambda_.api_functions import FunctionOperations
from postoffice.services.lambda_.errors import invalid, not_found
from postoffice.services.lambda_.paging import page
from postoffice.services.lambda_.records import Layer, LayerVersion
from postoffice.services.lambda_.views import layer_version


def _matches(version: LayerVersion, runtime: str | None, architecture: str | None) -> bool:
    if runtime and runtime not in version.compatible_runtimes:
        return False
    return not architecture or architecture in version.compatible_architectures


class LayerOperations(FunctionOperations):
    async def PublishLayerVersion(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account, region, name = names.parse_layer_name(ctx, params["LayerName"])
        if (account, region) != (ctx.account, ctx.region):
            raise invalid("Layers can only be published in the caller's account and region.")
        code = await self.code.from_source(params["Content"], "PublishLayerVersion")
        async with self.writing:
            layer = self.layers.get(account, region, name) or Layer(name, names.layer_arn(account, region, name))
            version = LayerVersion(
                version=layer.next_version,
                description=params.get("Description", ""),
                created=self.now_text(),
                code=code,
                compatible_runtimes=list(params.get("CompatibleRuntimes") or []),
                compatible_architectures=list(params.get("CompatibleArchitectures") or []),
                license_info=params.get("LicenseInfo"),
            )
            layer.versions[str(version.version)] = version
            layer.next_version += 1
            await self.layers.put(account, region, name, layer)
        return layer_version(layer, version, self.code_url(code))

    def GetLayerVersion(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account, region, name = names.parse_layer_name(ctx, params["LayerName"])
        return self._layer_version(account, region, name, int(params["VersionNumber"]))

    def GetLayerVersionByArn(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        parsed = names.parse_layer_version_arn(params["Arn"])
        if parsed is None:
            raise invalid(f"Invalid layer version ARN: {params['Arn']}")
        region, account, name, number = parsed
        return self._layer_version(account, region, name, number)

    def ListLayers(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        runtime, architecture = params.get("CompatibleRuntime"), params.get("CompatibleArchitecture")
        items = []
        for layer in sorted(self.layers.list(ctx.account, ctx.region), key=lambda item: item.name):
            matching = [v for v in layer.versions.values() if not v.deleted and _matches(v, runtime, architecture)]
            if not matching:
                continue
            latest = max(matching, key=lambda v: v.version)
            items.append(
                {
                    "LayerName": layer.name,
                    "LayerArn": layer.arn,
                    "LatestMatchingVersion": layer_version(layer, latest, "", full=False),
                }
            )
        chunk, marker = page(items, params.get("Marker"), params.get("MaxItems"))
        out: dict[str, Any] = {"Layers": chunk}
        if marker:
            out["NextMarker"] = marker
        return out

    def ListLayerVersions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        account, region, name = names.parse_layer_name(ctx, params["LayerName"])
        runtime, architecture = params.get("CompatibleRuntime"), params.get("CompatibleArchitecture")
        layer = self.layers.get(account, region, name)
        items = []
        if layer is not None:
            for version in sorted(layer.versions.values(), key=lambda v: -v.version):
                if not version.deleted and _matches(version, runtime, architecture):
                    items.append(layer_version(layer, version, "", full=False))
        chunk, marker = page(items, params.get("Marker"), params.get("MaxItems"))
        out: dict[str, Any] = {"LayerVersions": chunk}
        if marker:
            out["NextMarker"] = marker
        return out

    async def DeleteLayerVersion(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        account, region, name = names.parse_layer_name(ctx, params["LayerName"])
        number = str(params["VersionNumber"])
        async with self.writing:
            layer = self.layers.get(account, region, name)
            version = None if layer is None else layer.versions.get(number)
            if layer is None or version is None or version.deleted:
                return
            arn = f"{layer.arn}:{number}"
            if self._layer_in_use(arn):
                version.deleted = True
            else:
                del layer.versions[number]
            await self.layers.put(account, region, name, layer)
        self._forget_unused_code()

    def _layer_in_use(self, arn: str) -> bool:
        return any(
            arn in config.layers for _, _, _, f in self.functions.all() for config in [f.latest, *f.versions.values()]
        )

    def _layer_version(self, account: str, region: str, name: str, number: int) -> dict[str, Any]:
        layer = self.layers.get(account, region, name)
        version = None if layer is None else layer.versions.get(str(number))
        if layer is None or version is None or version.deleted:
            raise not_found()
        return layer_version(layer, version, self.code_url(version.code))
