"""AWS Lambda without Docker: functions, versions and aliases, layers, invocation (sync, async,
event source mappings from SQS), permissions, tags and function URLs.

The operations live with their resources, one module each, all mixed into `Lambda`:

- api_functions.py    CreateFunction ... DeleteFunction, ListFunctions, concurrency, account settings
- api_versions.py     PublishVersion, ListVersionsByFunction, CreateAlias ... ListAliases
- api_layers.py       PublishLayerVersion ... DeleteLayerVersion
- api_invoke.py       Invoke, InvokeAsync
- api_event_invoke.py Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s)
- api_policy.py       AddPermission, RemovePermission, GetPolicy, TagResource, UntagResource, ListTags
- api_mappings.py     Create/Get/Update/Delete/ListEventSourceMappings
- api_urls.py         Create/Get/Update/Delete/ListFunctionUrlConfig(s)

How an invocation runs: execution.py (concurrency, the worker pool of postoffice/runtime,
logs) <- api_invoke.py (sync), async_invocations.py (Event, on the queue engine, retries,
destinations.py) and sqs_source.py (event source mappings).
"""

from __future__ import annotations

from typing import Any

from postoffice.core.system import System
from postoffice.services.base import Service
from postoffice.services.lambda_.api_event_invoke import EventInvokeOperations
from postoffice.services.lambda_.api_invoke import InvokeOperations
from postoffice.services.lambda_.api_layers import LayerOperations
from postoffice.services.lambda_.api_mappings import MappingOperations
from postoffice.services.lambda_.api_policy import PolicyOperations
from postoffice.services.lambda_.api_urls import UrlOperations
from postoffice.services.lambda_.api_versions import VersionOperations
from postoffice.services.lambda_.async_invocations import AsyncInvocations
from postoffice.services.lambda_.execution import Executor
from postoffice.services.lambda_.http_routes import LambdaHttp
from postoffice.services.lambda_.sqs_source import SqsPollers


class Lambda(
    VersionOperations,
    LayerOperations,
    InvokeOperations,
    EventInvokeOperations,
    PolicyOperations,
    MappingOperations,
    UrlOperations,
    Service,
):
    name = "lambda"
    protocols = ("rest-json",)

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self._init_state()
        self.executor = Executor(self)
        self.async_invocations = AsyncInvocations(self)
        self.pollers = SqsPollers(self)
        self.http = LambdaHttp(self)

    async def start(self) -> None:
        await self.async_invocations.start()
        self.pollers.resume_all()

    async def stop(self) -> None:
        await self.pollers.stop_all()
        await self.async_invocations.stop()
        await self.executor.close()

    async def reset(self) -> None:
        await self.pollers.stop_all()
        for _, _, _, function in list(self.functions.all()):
            await self.async_invocations.function_deleted(function)
        await self.executor.reset()
        self.async_invocations.retries_scheduled = self.async_invocations.finished = 0
        for table in (self.functions, self.layers, self.mappings):
            await table.clear()
        self.code.clear()

    def status(self) -> dict[str, Any]:
        return {
            **super().status(),
            "functions": sum(1 for _ in self.functions.all()),
            "environments": self.executor.pool.counts(),
            "asynchronous": {
                "retries_scheduled": self.async_invocations.retries_scheduled,
                "finished": self.async_invocations.finished,
            },
        }
