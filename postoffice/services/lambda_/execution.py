"""Running a function version: concurrency, fresh code, the worker pool, and the function's logs.

Concurrency follows AWS: a function with reserved concurrency has exactly that many slots;
the others share what the account (1000 per region) has left unreserved. A synchronous caller
over the limit is throttled at once; asynchronous and event-source callers wait their turn.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import logging
import os
import re
from typing import TYPE_CHECKING

from postoffice.runtime import FunctionSpec, Invocation, Outcome, Pool, Slots
from postoffice.services.lambda_.code import tree_signature
from postoffice.services.lambda_.errors import too_many_requests
from postoffice.services.lambda_.records import Function, VersionConfig
from postoffice.services.lambda_.state import partition_of
from postoffice.services.lambda_.views import log_group_of

if TYPE_CHECKING:
    from postoffice.services.lambda_.api import Lambda

log = logging.getLogger("postoffice.lambda")

ACCOUNT_CONCURRENCY = 1000
MINIMUM_UNRESERVED = 100
FUNCTION_THROTTLED = "ReservedFunctionConcurrentInvocationLimitExceeded"
ACCOUNT_THROTTLED = "ConcurrentInvocationLimitExceeded"
# What AWS's Python runtimes ship beside the interpreter: boto3 and its dependencies
# (module name, distribution name).
SDK_MODULES = (
    ("boto3", "boto3"), ("botocore", "botocore"), ("s3transfer", "s3transfer"), ("jmespath", "jmespath"),
    ("dateutil", "python-dateutil"), ("urllib3", "urllib3"), ("six", "six"),
)  # fmt: skip
_REQUIRES = re.compile(r">=\s*3\.(\d+)")


class Executor:
    def __init__(self, service: Lambda) -> None:
        self.service = service
        self.pool = Pool(service.system.clock, self._write_logs)
        self._function_slots: dict[tuple[str, str, str], Slots] = {}
        self._account_slots: dict[tuple[str, str], Slots] = {}
        self._keys: dict[tuple[str, str], str] = {}
        self._sdk_path: str | None = None
        self._sdk_minor = 0
        self._prewarm: asyncio.Task[object] | None = None

    async def close(self) -> None:
        if self._prewarm is not None:
            self._prewarm.cancel()
        await self.pool.close()

    async def reset(self) -> None:
        """Stop every environment and forget concurrency state; interpreters found stay known."""
        await self.pool.close()
        self._function_slots.clear()
        self._account_slots.clear()
        self._keys.clear()

    def prewarm(self) -> None:
        """Look for local Python interpreters in the background, before the first cold start needs them."""
        if self._prewarm is None:
            self._prewarm = asyncio.get_running_loop().create_task(self.pool.interpreters.discover())

    # Concurrency ----------------------------------------------------------------------------

    def slots(self, function: Function) -> tuple[Slots, str]:
        account, region = partition_of(function.arn)
        if function.reserved_concurrency is not None:
            slots = self._function_slots.get((account, region, function.name))
            if slots is None:
                slots = self._function_slots[(account, region, function.name)] = Slots(function.reserved_concurrency)
            elif slots.limit != function.reserved_concurrency:
                slots.set_limit(function.reserved_concurrency)
            return slots, FUNCTION_THROTTLED
        unreserved = ACCOUNT_CONCURRENCY - self.service.reserved_total(account, region)
        slots = self._account_slots.get((account, region))
        if slots is None:
            slots = self._account_slots[(account, region)] = Slots(unreserved)
        elif slots.limit != unreserved:
            slots.set_limit(unreserved)
        return slots, ACCOUNT_THROTTLED

    def in_flight(self, function: Function) -> int:
        account, region = partition_of(function.arn)
        slots = self._function_slots.get((account, region, function.name))
        return slots.in_use if slots is not None else 0

    # Invocation -----------------------------------------------------------------------------

    async def invoke(
        self, function: Function, version: str, config: VersionConfig, invocation: Invocation, wait: bool
    ) -> Outcome:
        """Run one invocation; `wait` for a free slot, or throttle (TooManyRequestsException)."""
        slots, reason = self.slots(function)
        if wait:
            await slots.acquire()
        elif not slots.try_acquire():
            raise too_many_requests(reason)
        try:
            spec = await self.spec(function, version, config)
            return await self.pool.invoke(spec, invocation)
        finally:
            slots.release()

    async def spec(self, function: Function, version: str, config: VersionConfig) -> FunctionSpec:
        account, region = partition_of(function.arn)
        layers = [found[1].code for found in map(self.service.find_layer_version, config.layers) if found is not None]
        key_parts = [function.arn, version, config.revision_id]
        for code in (config.code, *layers):
            if code.hot_reload:
                key_parts.append(await asyncio.to_thread(tree_signature, code.root))
        key = "|".join(key_parts)
        previous = self._keys.get((function.arn, version))
        if previous is not None and previous != key:
            await self.pool.retire(lambda spec: spec.function_arn == function.arn and spec.key == previous)
        self._keys[(function.arn, version)] = key
        settings = self.service.system.settings
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
        return FunctionSpec(
            key=key,
            account=account,
            region=region,
            function_name=function.name,
            function_arn=function.arn,
            version=version,
            runtime=config.runtime or "",
            handler=config.handler or "",
            task_root=config.code.root,
            layer_roots=tuple(code.root for code in layers),
            environment=tuple((config.environment or {}).items()),
            memory_mb=config.memory_size,
            timeout=config.timeout,
            log_group=log_group_of(function, config),
            endpoint=f"http://{host}:{settings.port}",
            sdk_path=self.sdk_path(),
            sdk_min_minor=self._sdk_minor,
        )

    async def retire(self, function_arn: str) -> None:
        """Replace the warm environments of a function whose code or configuration changed."""
        for key in [key for key in self._keys if key[0] == function_arn]:
            del self._keys[key]
        await self.pool.retire(lambda spec: spec.function_arn == function_arn)

    def forget(self, function: Function) -> None:
        account, region = partition_of(function.arn)
        self._function_slots.pop((account, region, function.name), None)

    # Support --------------------------------------------------------------------------------

    def sdk_path(self) -> str:
        """A directory with the AWS SDK for Python, put last on a Python function's sys.path."""
        if self._sdk_path is None:
            path = os.path.join(os.path.abspath(self.service.system.settings.data_dir), "lambda", "sdk")
            os.makedirs(path, exist_ok=True)
            for module, distribution in SDK_MODULES:
                spec = importlib.util.find_spec(module)
                if spec is None or spec.origin is None:
                    continue
                self._sdk_minor = max(self._sdk_minor, _oldest_minor(distribution))
                source = os.path.dirname(spec.origin) if spec.submodule_search_locations else spec.origin
                link = os.path.join(path, os.path.basename(source))
                if not os.path.lexists(link):
                    try:
                        os.symlink(source, link)
                    except OSError:
                        log.warning("cannot link %s into %s", source, path)
            self._sdk_path = path
        return self._sdk_path

    async def _write_logs(self, spec: FunctionSpec, stream: str, lines: list[tuple[int, str]]) -> None:
        logs = self.service.system.services.get("logs")
        if logs is None or not lines:
            return
        write = getattr(logs, "write_lines", None)
        if write is not None:
            await write(spec.account, spec.region, spec.log_group, stream, lines)


def _oldest_minor(distribution: str) -> int:
    """The oldest Python 3 minor version a distribution supports (its Requires-Python)."""
    try:
        requires = importlib.metadata.metadata(distribution).get("Requires-Python") or ""
    except importlib.metadata.PackageNotFoundError:
        return 0
    found = _REQUIRES.search(requires)
    return int(found.group(1)) if found else 0
