"""STS: who is calling, and temporary credentials (issued and remembered, not enforced).

Issued keys are kept (and survive restarts) so that requests signed with them run in the
role's account and GetCallerIdentity names the assumed role. They are forgotten a day after
they expire.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from postoffice.core.arns import parse_arn
from postoffice.core.store.records import RecordTable
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.protocol.sigv4 import register_key_resolver, unregister_key_resolver
from postoffice.services.base import Service
from postoffice.services.iam.api import Iam
from postoffice.services.iam.records import Role
from postoffice.services.sts.credentials import IssuedCredentials, new_credentials
from postoffice.services.sts.identity import Caller, assumed_role_arn, root, stand_in_role_id

if TYPE_CHECKING:
    from postoffice.core.system import System

GLOBAL = "global"
DEFAULT_DURATION = 3600
ROOT_SESSION_MAX = 3600
CHAINED_SESSION_MAX = 3600
FORGET_AFTER_EXPIRY = 86400

Params = dict[str, Any]


class Sts(Service):
    name = "sts"
    protocols = ("query",)
    validation_error_code = "ValidationError"

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self.issued: RecordTable[IssuedCredentials] = RecordTable(system.store, "sts.credentials", IssuedCredentials)
        self._account_of = {key: account for account, _, key, _ in self.issued.all()}

    async def start(self) -> None:
        register_key_resolver(self.account_for_key)

    async def stop(self) -> None:
        unregister_key_resolver(self.account_for_key)

    async def reset(self) -> None:
        await self.issued.clear()
        self._account_of.clear()

    # Identity of issued keys (used by the router through sigv4.account_for_key) ----------------

    def account_for_key(self, access_key: str) -> str | None:
        return self._account_of.get(access_key)

    def issued_to(self, access_key: str) -> Caller | None:
        account = self._account_of.get(access_key)
        record = self.issued.get(account, GLOBAL, access_key) if account is not None else None
        if record is None:
            return None
        return Caller(record.account, record.arn, record.user_id, temporary=True)

    def caller(self, ctx: RequestContext) -> Caller:
        return self.issued_to(ctx.access_key) or root(ctx.account)

    # Operations --------------------------------------------------------------------------------

    def GetCallerIdentity(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return self.caller(ctx).wire()

    async def AssumeRole(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        role_arn, session_name = params["RoleArn"], params["RoleSessionName"]
        caller = self.caller(ctx)
        role = self._role_for(role_arn)
        if role is None:
            raise ServiceError(
                "AccessDenied",
                f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                status=403,
            )
        duration = params.get("DurationSeconds")
        if duration is not None and duration > role.max_session_duration:
            raise _validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
        if caller.temporary and duration is not None and duration > CHAINED_SESSION_MAX:
            raise _validation(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
            )
        _check_session_tags(params)
        account = role.arn.split(":")[4]
        arn = assumed_role_arn(account, role.name, session_name)
        user_id = f"{role.role_id}:{session_name}"
        source_identity = params.get("SourceIdentity")
        issued = await self._issue(account, arn, user_id, duration or DEFAULT_DURATION, source_identity)
        iam = self._iam()
        if iam is not None:
            await iam.note_role_used(account, role.name, self.system.clock.now(), ctx.region)
        answer: dict[str, Any] = {
            "Credentials": issued.wire(),
            "AssumedRoleUser": {"AssumedRoleId": user_id, "Arn": arn},
        }
        if source_identity is not None:
            answer["SourceIdentity"] = source_identity
        return answer

    async def GetSessionToken(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        caller = self.caller(ctx)
        if caller.temporary:
            raise ServiceError("AccessDenied", "Cannot call GetSessionToken with session credentials", status=403)
        # Every long-term key here is an account's root user, whose sessions last an hour at most.
        duration = min(params.get("DurationSeconds") or ROOT_SESSION_MAX, ROOT_SESSION_MAX)
        issued = await self._issue(caller.account, caller.arn, caller.user_id, duration)
        return {"Credentials": issued.wire()}

    # In-process use (e.g. Lambda execution environments) ---------------------------------------

    async def credentials_for_role(
        self, role_arn: str, session_name: str, duration: int = DEFAULT_DURATION
    ) -> IssuedCredentials:
        """Credentials for a role session without AssumeRole's checks: the role need not exist."""
        role = self._role_for(role_arn)
        account = role_arn.split(":")[4]
        role_name = role.name if role is not None else role_arn.rsplit("/", 1)[-1]
        role_id = role.role_id if role is not None else stand_in_role_id(role_arn)
        arn = assumed_role_arn(account, role_name, session_name)
        return await self._issue(account, arn, f"{role_id}:{session_name}", duration)

    # Helpers -----------------------------------------------------------------------------------

    def _iam(self) -> Iam | None:
        iam = self.system.services.get("iam")
        return iam if isinstance(iam, Iam) else None

    def _role_for(self, role_arn: str) -> Role | None:
        arn = parse_arn(role_arn)
        if arn is None or not arn.partition or not arn.resource:
            raise _validation(f"{role_arn} is invalid")
        service, region, account, resource = arn.service, arn.region, arn.account, arn.resource
        iam = self._iam()
        if iam is None or service != "iam" or region or not resource.startswith("role/"):
            return None
        path, _, name = resource[len("role") :].rpartition("/")
        role = iam.find_role(account, name)
        if role is None or role.path != path + "/":
            return None
        return role

    async def _issue(
        self, account: str, arn: str, user_id: str, duration: int, source_identity: str | None = None
    ) -> IssuedCredentials:
        now = self.system.clock.now()
        await self._forget_long_expired(now)
        issued = new_credentials(account, arn, user_id, now + duration, source_identity)
        await self.issued.put(account, GLOBAL, issued.access_key_id, issued)
        self._account_of[issued.access_key_id] = account
        return issued

    async def _forget_long_expired(self, now: float) -> None:
        for account, _, key, record in list(self.issued.all()):
            if record.expiration + FORGET_AFTER_EXPIRY < now:
                await self.issued.delete(account, GLOBAL, key)
                self._account_of.pop(key, None)


def _validation(message: str) -> ServiceError:
    return ServiceError("ValidationError", message, status=400)


def _check_session_tags(params: Params) -> None:
    keys = [tag["Key"].lower() for tag in params.get("Tags") or []]
    if len(set(keys)) < len(keys):
        raise ServiceError(
            "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive."
        )
    transitive = {key.lower() for key in params.get("TransitiveTagKeys") or []}
    if not transitive <= set(keys):
        raise ServiceError(
            "InvalidParameterValue", "The specified transitive tag key must be included in the requested tags."
        )
