"""Lambda's resources in the store and the lookups every operation shares."""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING

from postoffice.core.store.records import RecordTable
from postoffice.protocol.context import RequestContext
from postoffice.services.lambda_ import names
from postoffice.services.lambda_.code import CodeStore
from postoffice.services.lambda_.errors import function_not_found, not_found
from postoffice.services.lambda_.names import VERSION_NUMBER, FunctionRef
from postoffice.services.lambda_.records import LATEST, Function, Layer, LayerVersion, Mapping, VersionConfig
from postoffice.services.lambda_.views import timestamp

if TYPE_CHECKING:
    from postoffice.core.system import System
    from postoffice.services.lambda_.async_invocations import AsyncInvocations
    from postoffice.services.lambda_.execution import Executor
    from postoffice.services.lambda_.sqs_source import SqsPollers


def new_revision() -> str:
    return str(uuid.uuid4())


class LambdaState:
    """Mixed into the service: record tables and the helpers built on them."""

    system: System
    executor: Executor
    async_invocations: AsyncInvocations
    pollers: SqsPollers

    def _init_state(self) -> None:
        store = self.system.store
        self.functions: RecordTable[Function] = RecordTable(store, "lambda.function", Function)
        self.layers: RecordTable[Layer] = RecordTable(store, "lambda.layer", Layer)
        self.mappings: RecordTable[Mapping] = RecordTable(store, "lambda.mapping", Mapping)
        self.code = CodeStore(self.system.settings.data_dir)
        # Read-check-write sequences on one function or layer must not interleave.
        self.writing = asyncio.Lock()

    def now(self) -> float:
        return self.system.clock.now()

    def now_text(self) -> str:
        return timestamp(self.now())

    # Functions ------------------------------------------------------------------------------

    def find_function(self, ref: FunctionRef) -> Function | None:
        return self.functions.get(ref.account, ref.region, ref.name)

    def function(self, ctx: RequestContext, name: str, qualifier: str | None = None) -> tuple[FunctionRef, Function]:
        """The function a FunctionName (and Qualifier) names; ResourceNotFound if there is none."""
        ref = names.resolve(ctx, name, qualifier)
        function = self.find_function(ref)
        if function is None:
            raise function_not_found(ref.qualified_arn if ref.qualifier not in (None, LATEST) else ref.arn)
        return ref, function

    def version_of(self, function: Function, qualifier: str | None) -> tuple[str, VersionConfig]:
        """The version a qualifier (None, $LATEST, a number or an alias) runs, and its configuration."""
        if qualifier is None or qualifier == LATEST:
            return LATEST, function.latest
        if VERSION_NUMBER.match(qualifier):
            config = function.versions.get(qualifier)
            if config is None:
                raise function_not_found(f"{function.arn}:{qualifier}")
            return qualifier, config
        alias = function.aliases.get(qualifier)
        if alias is None:
            raise function_not_found(f"{function.arn}:{qualifier}")
        version = alias.function_version
        config = function.config(version)
        if config is None:
            raise function_not_found(f"{function.arn}:{version}")
        return version, config

    async def save(self, function: Function) -> None:
        account, region = _partition(function.arn)
        await self.functions.put(account, region, function.name, function)

    # Layers ---------------------------------------------------------------------------------

    def layer_sizes(self, arns: list[str]) -> dict[str, int]:
        sizes = {}
        for arn in arns:
            version = self.find_layer_version(arn)
            if version is not None:
                sizes[arn] = version[1].code.size
        return sizes

    def find_layer_version(self, arn: str) -> tuple[Layer, LayerVersion] | None:
        parsed = names.parse_layer_version_arn(arn)
        if parsed is None:
            return None
        region, account, name, number = parsed
        layer = self.layers.get(account, region, name)
        if layer is None:
            return None
        version = layer.versions.get(str(number))
        return None if version is None else (layer, version)

    # Event source mappings ------------------------------------------------------------------

    def mapping(self, ctx: RequestContext, uuid_: str) -> Mapping:
        mapping = self.mappings.get(ctx.account, ctx.region, uuid_)
        if mapping is None:
            raise not_found()
        return mapping


def _partition(arn: str) -> tuple[str, str]:
    parts = arn.split(":")
    return parts[4], parts[3]


def partition_of(arn: str) -> tuple[str, str]:
    """(account, region) of a Lambda ARN."""
    return _partition(arn)
