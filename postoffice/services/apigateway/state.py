"""API Gateway's resources in the store and the lookups every operation shares.

A REST API is one record: the API itself plus its resources (each with its methods, their
integrations and responses), models, request validators, authorizers, gateway responses,
deployments (each with a frozen copy of what it deployed) and stages. API keys and usage
plans are records of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from postoffice.core.store.records import RecordTable
from postoffice.services.apigateway import errors

if TYPE_CHECKING:
    from postoffice.core.system import System
    from postoffice.protocol.context import RequestContext

Doc = dict[str, Any]


@dataclass
class RestApiRecord:
    api: Doc
    resources: dict[str, Doc] = field(default_factory=dict)
    models: dict[str, Doc] = field(default_factory=dict)
    validators: dict[str, Doc] = field(default_factory=dict)
    authorizers: dict[str, Doc] = field(default_factory=dict)
    gateway_responses: dict[str, Doc] = field(default_factory=dict)
    deployments: dict[str, Doc] = field(default_factory=dict)
    stages: dict[str, Doc] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.api["id"])

    @property
    def root_id(self) -> str:
        return str(self.api["rootResourceId"])


@dataclass
class UsagePlanRecord:
    plan: Doc
    keys: list[str] = field(default_factory=list)


class ApiGatewayState:
    """Mixed into the service: record tables and the helpers built on them."""

    system: System

    def _init_state(self) -> None:
        store = self.system.store
        self.apis: RecordTable[RestApiRecord] = RecordTable(store, "apigateway.restapi", RestApiRecord)
        self.api_keys: RecordTable[Doc] = RecordTable(store, "apigateway.apikey")
        self.usage_plans: RecordTable[UsagePlanRecord] = RecordTable(store, "apigateway.usageplan", UsagePlanRecord)
        self.account_settings: RecordTable[Doc] = RecordTable(store, "apigateway.account")

    async def _clear_state(self) -> None:
        for table in (self.apis, self.api_keys, self.usage_plans, self.account_settings):
            await table.clear()

    def now(self) -> float:
        return self.system.clock.now()

    # REST APIs --------------------------------------------------------------------------

    def get_api(self, ctx: RequestContext, api_id: str) -> RestApiRecord:
        record = self.apis.get(ctx.account, ctx.region, api_id)
        if record is None:
            raise errors.api_not_found(ctx.account, api_id)
        return record

    async def save_api(self, ctx: RequestContext, record: RestApiRecord) -> None:
        await self.apis.put(ctx.account, ctx.region, record.id, record)

    def locate_api(self, api_id: str) -> tuple[str, str, RestApiRecord] | None:
        """The API with this id in any account and region (invocation URLs carry no account)."""
        for account, region, key, record in self.apis.all():
            if key == api_id:
                return account, region, record
        return None

    # Pieces of an API -------------------------------------------------------------------

    @staticmethod
    def get_resource(record: RestApiRecord, resource_id: str) -> Doc:
        resource = record.resources.get(resource_id)
        if resource is None:
            raise errors.resource_not_found()
        return resource

    def get_method(self, record: RestApiRecord, resource_id: str, http_method: str) -> Doc:
        method = self.get_resource(record, resource_id).get("resourceMethods", {}).get(http_method)
        if method is None:
            raise errors.method_not_found()
        return method  # type: ignore[no-any-return]

    def get_integration(self, record: RestApiRecord, resource_id: str, http_method: str) -> Doc:
        integration = self.get_method(record, resource_id, http_method).get("methodIntegration")
        if integration is None:
            raise errors.integration_not_found()
        return integration  # type: ignore[no-any-return]

    @staticmethod
    def get_stage(record: RestApiRecord, stage_name: str) -> Doc:
        stage = record.stages.get(stage_name)
        if stage is None:
            raise errors.stage_not_found()
        return stage

    # API keys and usage plans -----------------------------------------------------------

    def get_api_key(self, ctx: RequestContext, key_id: str) -> Doc:
        key = self.api_keys.get(ctx.account, ctx.region, key_id)
        if key is None:
            raise errors.api_key_not_found()
        return key

    def get_usage_plan(self, ctx: RequestContext, plan_id: str) -> UsagePlanRecord:
        plan = self.usage_plans.get(ctx.account, ctx.region, plan_id)
        if plan is None:
            raise errors.usage_plan_not_found(plan_id)
        return plan
