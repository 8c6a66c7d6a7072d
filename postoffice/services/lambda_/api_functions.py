"""Functions: CreateFunction ... DeleteFunction, ListFunctions, reserved concurrency, account settings."""

from __future__ import annotations

import dataclasses
from typing import Any

from postoffice.protocol.context import RequestContext
from postoffice.services.lambda_ import names, validation
from postoffice.services.lambda_.code import MAX_UNZIPPED_BYTES, MAX_ZIP_BYTES
from postoffice.services.lambda_.errors import (
    conflict,
    function_not_found,
    invalid,
    precondition_failed,
    role_cannot_be_assumed,
)
from postoffice.services.lambda_.execution import ACCOUNT_CONCURRENCY, MINIMUM_UNRESERVED
from postoffice.services.lambda_.paging import page
from postoffice.services.lambda_.records import LATEST, Code, Function, VersionConfig
from postoffice.services.lambda_.state import LambdaState, new_revision, partition_of
from postoffice.services.lambda_.views import CREATING, UPDATING, configuration, qualified

TOTAL_CODE_SIZE = 80_530_636_800
# ListFunctions returns a subset of FunctionConfiguration; GetFunction has these.
_NOT_LISTED = (
    "State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason",
    "LastUpdateStatusReasonCode", "RuntimeVersionConfig",
)  # fmt: skip
# Settings kept and returned as given, not acted on.
_EXTRA_SETTINGS = ("KMSKeyArn", "FileSystemConfigs")


class FunctionOperations(LambdaState):
    # Create, read --------------------------------------------------------------------------

    async def CreateFunction(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref = names.resolve(ctx, params["FunctionName"])
        if ref.qualifier is not None:
            raise invalid(f"Invalid function name: {params['FunctionName']}")
        package_type = params.get("PackageType", "Zip")
        if package_type != "Zip":
            raise invalid("postoffice runs Zip functions only: container images (PackageType Image) need Docker.")
        runtime, handler = params.get("Runtime"), params.get("Handler")
        validation.check_runtime(runtime)
        validation.check_handler(runtime, handler, package_type)
        validation.check_sizes(params)
        variables = validation.environment_variables(params.get("Environment"))
        layers = self._checked_layers(params.get("Layers") or [])
        self.check_role(params["Role"])
        dead_letter = validation.dead_letter_target(params.get("DeadLetterConfig"))
        if self.find_function(ref) is not None:
            raise conflict(f"Function already exist: {ref.name}")
        code = await self.code.from_source(params["Code"], "CreateFunction")
        config = VersionConfig(
            version=LATEST,
            runtime=runtime,
            handler=handler,
            role=params["Role"],
            description=params.get("Description", ""),
            timeout=params.get("Timeout", 3),
            memory_size=params.get("MemorySize", 128),
            code=code,
            last_modified=self.now_text(),
            revision_id=new_revision(),
            environment=variables,
            layers=layers,
            dead_letter_target=dead_letter,
            architectures=list(params.get("Architectures") or ["x86_64"]),
            package_type=package_type,
        )
        _apply_options(config, params)
        async with self.writing:
            if self.find_function(ref) is not None:
                raise conflict(f"Function already exist: {ref.name}")
            function = Function(
                name=ref.name, arn=ref.arn, latest=config, created=self.now(), tags=dict(params.get("Tags") or {})
            )
            shown, arn = config, function.arn
            if params.get("Publish"):
                shown = self._publish(function, "")
                arn = qualified(function, shown.version)
            await self.save(function)
        await self.async_invocations.function_changed(function)
        if runtime and runtime.startswith("python"):
            self.executor.prewarm()
        return configuration(function, shown, arn, self.layer_sizes(config.layers), CREATING)

    def GetFunction(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
        out: dict[str, Any] = {
            "Configuration": self._configuration(function, ref.qualifier),
            "Code": {"RepositoryType": "S3", "Location": self.code_location(function, ref.qualifier)},
        }
        if function.tags:
            out["Tags"] = dict(function.tags)
        if function.reserved_concurrency is not None:
            out["Concurrency"] = {"ReservedConcurrentExecutions": function.reserved_concurrency}
        return out

    def GetFunctionConfiguration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, function = self.function(ctx, params["FunctionName"], params.get("Qualifier"))
        return self._configuration(function, ref.qualifier)

    def ListFunctions(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        every_version = params.get("FunctionVersion") == "ALL"
        entries: list[dict[str, Any]] = []
        for function in sorted(self.functions.list(ctx.account, ctx.region), key=lambda f: f.name):
            sizes = self.layer_sizes(function.latest.layers)
            latest_arn = qualified(function, LATEST) if every_version else function.arn
            entries.append(configuration(function, function.latest, latest_arn, sizes))
            if every_version:
                for number in sorted(function.versions, key=int):
                    config = function.versions[number]
                    entries.append(
                        configuration(function, config, qualified(function, number), self.layer_sizes(config.layers))
                    )
        for entry in entries:
            for name in _NOT_LISTED:
                entry.pop(name, None)
        chunk, marker = page(entries, params.get("Marker"), params.get("MaxItems"))
        out: dict[str, Any] = {"Functions": chunk}
        if marker:
            out["NextMarker"] = marker
        return out

    # Update ---------------------------------------------------------------------------------

    async def UpdateFunctionCode(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, function = self.function(ctx, params["FunctionName"])
        validation.check_revision(params.get("RevisionId"), function.latest.revision_id, precondition_failed())
        code = await self.code.from_source(params, "UpdateFunctionCode")
        if params.get("DryRun"):
            architectures = list(params.get("Architectures") or function.latest.architectures)
            preview = dataclasses.replace(function.latest, code=code, architectures=architectures)
            return configuration(function, preview, function.arn, self.layer_sizes(preview.layers), UPDATING)
        async with self.writing:
            _, function = self.function(ctx, params["FunctionName"])
            validation.check_revision(params.get("RevisionId"), function.latest.revision_id, precondition_failed())
            config = function.latest
            config.code = code
            self._touch(config)
            if params.get("Architectures"):
                config.architectures = list(params["Architectures"])
            shown, arn = config, function.arn
            if params.get("Publish"):
                shown = self._publish(function, "")
                arn = qualified(function, shown.version)
            await self.save(function)
        await self.executor.retire(function.arn)
        self._forget_unused_code()
        return configuration(function, shown, arn, self.layer_sizes(config.layers), UPDATING)

    async def UpdateFunctionConfiguration(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, function = self.function(ctx, params["FunctionName"])
        validation.check_sizes(params)
        variables = validation.environment_variables(params.get("Environment"))
        layers = self._checked_layers(params["Layers"]) if "Layers" in params else None
        if "Role" in params:
            self.check_role(params["Role"])
        if "Runtime" in params:
            validation.check_runtime(params["Runtime"])
        dead_letter = validation.dead_letter_target(params.get("DeadLetterConfig"))
        async with self.writing:
            _, function = self.function(ctx, params["FunctionName"])
            config = function.latest
            validation.check_revision(params.get("RevisionId"), config.revision_id, precondition_failed())
            runtime = params.get("Runtime", config.runtime)
            handler = params.get("Handler", config.handler)
            validation.check_handler(runtime, handler, config.package_type)
            config.runtime, config.handler = runtime, handler
            for name, attribute in (("Role", "role"), ("Description", "description"), ("Timeout", "timeout"),
                                    ("MemorySize", "memory_size")):  # fmt: skip
                if name in params:
                    setattr(config, attribute, params[name])
            if "Environment" in params:
                config.environment = variables
            if layers is not None:
                config.layers = layers
            if "DeadLetterConfig" in params:
                config.dead_letter_target = dead_letter
            _apply_options(config, params)
            self._touch(config)
            await self.save(function)
        await self.executor.retire(function.arn)
        await self.async_invocations.function_changed(function)
        return configuration(function, config, function.arn, self.layer_sizes(config.layers), UPDATING)

    # Delete ---------------------------------------------------------------------------------

    async def DeleteFunction(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        qualifier = params.get("Qualifier")
        async with self.writing:
            ref, function = self.function(ctx, params["FunctionName"], qualifier)
            qualifier = ref.qualifier
            if qualifier is None:
                account, region = partition_of(function.arn)
                await self.functions.delete(account, region, function.name)
            elif qualifier == LATEST:
                raise invalid("$LATEST version cannot be deleted without deleting the function.")
            elif not names.VERSION_NUMBER.match(qualifier):
                raise invalid("Deletion of aliases is not supported.")
            else:
                if qualifier not in function.versions:
                    raise function_not_found(qualified(function, qualifier))
                referencing = sorted(a.name for a in function.aliases.values() if _alias_uses(a, qualifier))
                if referencing:
                    listed = ", ".join(referencing)
                    raise conflict(f"Unable to delete version because the following aliases reference it: [{listed}]")
                del function.versions[qualifier]
                function.invoke_configs.pop(qualifier, None)
                function.policies.pop(qualifier, None)
                await self.save(function)
        if qualifier is None:
            await self.async_invocations.function_deleted(function)
            self.executor.forget(function)
        await self.executor.retire(function.arn)
        self._forget_unused_code()
        return {"StatusCode": 204}

    # Concurrency ----------------------------------------------------------------------------

    async def PutFunctionConcurrency(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        reserved = params["ReservedConcurrentExecutions"]
        async with self.writing:
            ref, function = self.function(ctx, params["FunctionName"])
            account, region = partition_of(function.arn)
            others = self.reserved_total(account, region) - (function.reserved_concurrency or 0)
            if ACCOUNT_CONCURRENCY - others - reserved < MINIMUM_UNRESERVED:
                raise invalid(
                    "Specified ReservedConcurrentExecutions for function decreases account's "
                    f"UnreservedConcurrentExecution below its minimum value of [{MINIMUM_UNRESERVED}]."
                )
            function.reserved_concurrency = reserved
            await self.save(function)
        await self.async_invocations.function_changed(function)
        return {"ReservedConcurrentExecutions": reserved}

    def GetFunctionConcurrency(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _, function = self.function(ctx, params["FunctionName"])
        if function.reserved_concurrency is None:
            return {}
        return {"ReservedConcurrentExecutions": function.reserved_concurrency}

    async def DeleteFunctionConcurrency(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        async with self.writing:
            _, function = self.function(ctx, params["FunctionName"])
            function.reserved_concurrency = None
            await self.save(function)
        self.executor.forget(function)
        await self.async_invocations.function_changed(function)

    def GetAccountSettings(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        functions = self.functions.list(ctx.account, ctx.region)
        code_size = sum(
            config.code.size for f in functions for config in [f.latest, *f.versions.values()] if config is not None
        )
        return {
            "AccountLimit": {
                "TotalCodeSize": TOTAL_CODE_SIZE,
                "CodeSizeUnzipped": MAX_UNZIPPED_BYTES,
                "CodeSizeZipped": MAX_ZIP_BYTES,
                "ConcurrentExecutions": ACCOUNT_CONCURRENCY,
                "UnreservedConcurrentExecutions": ACCOUNT_CONCURRENCY - self.reserved_total(ctx.account, ctx.region),
            },
            "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": len(functions)},
        }

    # Helpers --------------------------------------------------------------------------------

    def reserved_total(self, account: str, region: str) -> int:
        return sum(f.reserved_concurrency or 0 for f in self.functions.list(account, region))

    def check_role(self, role: str) -> None:
        """The execution role must exist in IAM (when IAM runs here)."""
        iam = self.system.services.get("iam")
        find_role = getattr(iam, "find_role", None)
        if find_role is None:
            return
        parts = role.split(":", 5)
        account = parts[4] if len(parts) > 5 else ""
        name = parts[5].rsplit("/", 1)[-1] if len(parts) > 5 else ""
        if find_role(account, name) is None:
            raise role_cannot_be_assumed()

    def _configuration(self, function: Function, qualifier: str | None) -> dict[str, Any]:
        version, config = self.version_of(function, qualifier)
        arn = function.arn if qualifier is None else qualified(function, qualifier)
        return configuration(function, config, arn, self.layer_sizes(config.layers))

    def code_location(self, function: Function, qualifier: str | None) -> str:
        _, config = self.version_of(function, qualifier)
        return self.code_url(config.code)

    def code_url(self, code: Code) -> str:
        settings = self.system.settings
        if code.hot_reload:
            return f"file://{code.root}"
        return f"{settings.endpoint}/_lambda/code/{code.zip_path.rsplit('/', 1)[-1]}"

    def _checked_layers(self, layers: list[str]) -> list[str]:
        validation.check_layer_count(layers)
        for arn in layers:
            if names.parse_layer_version_arn(arn) is None:
                raise invalid(f"Layer version {arn} does not exist.")
            found = self.find_layer_version(arn)
            if found is None or found[1].deleted:
                raise invalid(f"Layer version {arn} does not exist.")
        return list(layers)

    def _touch(self, config: VersionConfig) -> None:
        config.last_modified = self.now_text()
        config.revision_id = new_revision()

    def _publish(self, function: Function, description: str) -> VersionConfig:
        number = str(function.next_version)
        function.next_version += 1
        published = dataclasses.replace(
            function.latest,
            version=number,
            description=description or function.latest.description,
            revision_id=new_revision(),
            layers=list(function.latest.layers),
            environment=dict(function.latest.environment) if function.latest.environment is not None else None,
            extra=dict(function.latest.extra),
        )
        function.versions[number] = published
        function.latest.revision_id = new_revision()
        return published

    def _forget_unused_code(self) -> None:
        used = [config.code.root for _, _, _, f in self.functions.all() for config in [f.latest, *f.versions.values()]]
        used += [v.code.root for _, _, _, layer in self.layers.all() for v in layer.versions.values()]
        self.code.forget_unused(used)


def _alias_uses(alias: Any, version: str) -> bool:
    return alias.function_version == version or version in (alias.routing or {})


def _apply_options(config: VersionConfig, params: dict[str, Any]) -> None:
    """Settings that change how postoffice reports the function, not how it runs."""
    if "TracingConfig" in params:
        config.tracing_mode = (params["TracingConfig"] or {}).get("Mode", "PassThrough")
    if "EphemeralStorage" in params:
        config.ephemeral_storage = params["EphemeralStorage"]["Size"]
    logging = params.get("LoggingConfig")
    if logging:
        config.log_format = logging.get("LogFormat", config.log_format)
        config.log_group = logging.get("LogGroup", config.log_group)
        config.application_log_level = logging.get("ApplicationLogLevel", config.application_log_level)
        config.system_log_level = logging.get("SystemLogLevel", config.system_log_level)
    if "VpcConfig" in params:
        vpc = params["VpcConfig"] or {}
        config.extra["VpcConfig"] = {
            "SubnetIds": list(vpc.get("SubnetIds") or []),
            "SecurityGroupIds": list(vpc.get("SecurityGroupIds") or []),
            "VpcId": "",
            "Ipv6AllowedForDualStack": bool(vpc.get("Ipv6AllowedForDualStack", False)),
        }
    for name in _EXTRA_SETTINGS:
        if name in params:
            config.extra[name] = params[name]
