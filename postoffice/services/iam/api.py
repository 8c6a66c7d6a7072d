"""IAM: roles and policies, stored faithfully, not enforced.

IAM is global: whatever region a request is signed for, everything lives under the region
"global" of the caller's account. Names of roles and policies are unique per account without
regard to case, as in IAM.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from postoffice.core.store.records import RecordTable
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.services.base import Service
from postoffice.services.iam import ids, policies, tags, views
from postoffice.services.iam.errors import (
    access_denied,
    delete_conflict,
    entity_already_exists,
    invalid_arn,
    invalid_input,
    limit_exceeded,
    no_such_entity,
    policy_not_attachable,
    policy_not_found,
    quota,
    role_not_found,
    version_not_found,
)
from postoffice.services.iam.managed import AWS_MANAGED_POLICIES, AwsManagedPolicy, aws_managed_policy, is_aws_managed
from postoffice.services.iam.paging import page
from postoffice.services.iam.records import ManagedPolicy, PolicyVersion, Role

if TYPE_CHECKING:
    from postoffice.core.system import System

GLOBAL = "global"

ROLES_PER_ACCOUNT = 1000
POLICIES_PER_ACCOUNT = 1500
POLICIES_PER_ROLE = 10
VERSIONS_PER_POLICY = 5

_POLICY_ARN = re.compile(r"arn:aws:iam::(\d{12}|aws):policy(/.*)?/[^/]+")

Params = dict[str, Any]


class Iam(Service):
    name = "iam"
    protocols = ("query",)
    validation_error_code = "ValidationError"

    def __init__(self, system: System) -> None:
        super().__init__(system)
        self.roles: RecordTable[Role] = RecordTable(system.store, "iam.role", Role)
        self.policies: RecordTable[ManagedPolicy] = RecordTable(system.store, "iam.policy", ManagedPolicy)
        # Checks and the write they guard must not interleave with another writer's.
        self._writing = asyncio.Lock()

    async def reset(self) -> None:
        await self.roles.clear()
        await self.policies.clear()

    # In-process use by other services (STS) --------------------------------------------------

    def find_role(self, account: str, name: str) -> Role | None:
        return self.roles.get(account, GLOBAL, name.lower())

    async def note_role_used(self, account: str, name: str, when: float, region: str) -> None:
        async with self._writing:
            role = self.find_role(account, name)
            if role is not None:
                role.last_used_date = when
                role.last_used_region = region
                await self._save_role(account, role)

    # Roles ------------------------------------------------------------------------------------

    async def CreateRole(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        name, document = params["RoleName"], params["AssumeRolePolicyDocument"]
        path = params.get("Path") or "/"
        _check_trust_policy(document)
        role_tags = params.get("Tags") or []
        tags.check_unique(role_tags, case_insensitive=True)
        boundary = params.get("PermissionsBoundary")
        if boundary is not None:
            self._check_boundary(ctx.account, boundary)
        async with self._writing:
            if self.find_role(ctx.account, name) is not None:
                raise entity_already_exists(f"Role with name {name} already exists.")
            if len(self.roles.list(ctx.account, GLOBAL)) >= ROLES_PER_ACCOUNT:
                raise quota("RolesPerAccount", ROLES_PER_ACCOUNT)
            role = Role(
                name=name,
                role_id=ids.role_id(),
                path=path,
                arn=f"arn:aws:iam::{ctx.account}:role{path}{name}",
                create_date=self.system.clock.now(),
                trust_policy=document,
                max_session_duration=params.get("MaxSessionDuration") or 3600,
                description=params.get("Description"),
                permissions_boundary=boundary,
                tags=[{"Key": t["Key"], "Value": t["Value"]} for t in role_tags],
            )
            await self._save_role(ctx.account, role)
        return {"Role": views.created_role(role)}

    def GetRole(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        return {"Role": views.full_role(self._role(ctx, params["RoleName"]))}

    def ListRoles(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        prefix = params.get("PathPrefix") or "/"
        roles = sorted(
            (role for role in self.roles.list(ctx.account, GLOBAL) if role.path.startswith(prefix)),
            key=lambda role: role.name.lower(),
        )
        listed, paging = page(roles, lambda role: role.name.lower(), params)
        return {"Roles": [views.listed_role(role) for role in listed], **paging}

    async def UpdateRole(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            if params.get("Description") is not None:
                role.description = params["Description"]
            if params.get("MaxSessionDuration") is not None:
                role.max_session_duration = params["MaxSessionDuration"]
            await self._save_role(ctx.account, role)
        return {}

    async def UpdateRoleDescription(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            role.description = params["Description"]
            await self._save_role(ctx.account, role)
        return {"Role": views.described_role(role)}

    async def UpdateAssumeRolePolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        document = params["PolicyDocument"]
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            _check_trust_policy(document)
            role.trust_policy = document
            await self._save_role(ctx.account, role)
        return {}

    async def DeleteRole(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            if role.attached_policies:
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            if role.inline_policies:
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            await self.roles.delete(ctx.account, GLOBAL, role.name.lower())
        return {}

    async def PutRolePermissionsBoundary(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            self._check_boundary(ctx.account, params["PermissionsBoundary"])
            role.permissions_boundary = params["PermissionsBoundary"]
            await self._save_role(ctx.account, role)
        return {}

    async def DeleteRolePermissionsBoundary(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            role.permissions_boundary = None
            await self._save_role(ctx.account, role)
        return {}

    # Inline role policies ---------------------------------------------------------------------

    async def PutRolePolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        policy_name, document = params["PolicyName"], params["PolicyDocument"]
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            policies.check_permission_policy(document)
            others = sum(policies.size(doc) for name, doc in role.inline_policies.items() if name != policy_name)
            limit = policies.INLINE_POLICIES_PER_ROLE_MAX
            if others + policies.size(document) > limit:
                raise limit_exceeded(f"Maximum policy size of {limit} bytes exceeded for role {role.name}")
            role.inline_policies[policy_name] = document
            await self._save_role(ctx.account, role)
        return {}

    def GetRolePolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        role = self._role(ctx, params["RoleName"])
        policy_name = params["PolicyName"]
        document = role.inline_policies.get(policy_name)
        if document is None:
            raise _no_role_policy(policy_name)
        return {"RoleName": role.name, "PolicyName": policy_name, "PolicyDocument": policies.encode(document)}

    async def DeleteRolePolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            policy_name = params["PolicyName"]
            if policy_name not in role.inline_policies:
                raise _no_role_policy(policy_name)
            del role.inline_policies[policy_name]
            await self._save_role(ctx.account, role)
        return {}

    def ListRolePolicies(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        role = self._role(ctx, params["RoleName"])
        names, paging = page(sorted(role.inline_policies), lambda name: name, params)
        return {"PolicyNames": names, **paging}

    # Managed policies -------------------------------------------------------------------------

    async def CreatePolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        name, document = params["PolicyName"], params["PolicyDocument"]
        path = params.get("Path") or "/"
        _check_managed_policy(document)
        policy_tags = params.get("Tags") or []
        tags.check_unique(policy_tags, case_insensitive=False)
        async with self._writing:
            existing = self.policies.list(ctx.account, GLOBAL)
            if any(policy.name.lower() == name.lower() for policy in existing):
                raise entity_already_exists(f"A policy called {name} already exists. Duplicate names are not allowed.")
            if len(existing) >= POLICIES_PER_ACCOUNT:
                raise quota("PoliciesPerAccount", POLICIES_PER_ACCOUNT)
            now = self.system.clock.now()
            policy = ManagedPolicy(
                name=name,
                policy_id=ids.policy_id(),
                path=path,
                arn=f"arn:aws:iam::{ctx.account}:policy{path}{name}",
                create_date=now,
                update_date=now,
                default_version_id="v1",
                versions=[PolicyVersion("v1", document, now)],
                description=params.get("Description"),
                tags=[{"Key": t["Key"], "Value": t["Value"]} for t in policy_tags],
            )
            await self.policies.put(ctx.account, GLOBAL, policy.arn, policy)
        return {"Policy": self._policy_view(ctx.account, policy, description=False, tags=bool(policy.tags))}

    def GetPolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        policy = self._any_policy(ctx, _policy_arn(params))
        return {"Policy": self._policy_view(ctx.account, policy, description=True, tags=True)}

    def ListPolicies(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        scope = params.get("Scope") or "All"
        prefix = params.get("PathPrefix") or "/"
        attachments, boundaries = self._usage(ctx.account)
        candidates: list[tuple[str, ManagedPolicy | AwsManagedPolicy]] = []
        if scope in ("All", "Local"):
            local = sorted(self.policies.list(ctx.account, GLOBAL), key=lambda p: p.name.lower())
            candidates.extend((f"0/{p.name.lower()}", p) for p in local)
        if scope in ("All", "AWS"):
            managed = sorted(AWS_MANAGED_POLICIES.values(), key=lambda p: p.name.lower())
            candidates.extend((f"1/{p.name.lower()}", p) for p in managed)

        def wanted(policy: ManagedPolicy | AwsManagedPolicy) -> bool:
            if not policy.path.startswith(prefix):
                return False
            if not params.get("OnlyAttached"):
                return True
            if params.get("PolicyUsageFilter") == "PermissionsBoundary":
                return boundaries[policy.arn] > 0
            return attachments[policy.arn] > 0

        chosen = [(key, policy) for key, policy in candidates if wanted(policy)]
        listed, paging = page(chosen, lambda entry: entry[0], params)
        return {
            "Policies": [
                views.policy(policy, attachments[policy.arn], boundaries[policy.arn], description=False, tags=False)
                for _, policy in listed
            ],
            **paging,
        }

    async def DeletePolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn = _policy_arn(params)
        if not _owned_by(arn, ctx.account):
            raise access_denied("Cannot delete policies outside your own account.")
        async with self._writing:
            policy = self._local_policy(ctx, arn)
            attachments, boundaries = self._usage(ctx.account)
            if attachments[arn] or boundaries[arn]:
                raise delete_conflict("Cannot delete a policy attached to entities.")
            if len(policy.versions) > 1:
                raise delete_conflict(
                    "This policy has more than one version. Before you delete a policy, you must delete the "
                    "policy's versions. The default version is deleted with the policy."
                )
            await self.policies.delete(ctx.account, GLOBAL, arn)
        return {}

    # Policy versions --------------------------------------------------------------------------

    async def CreatePolicyVersion(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn, document = _policy_arn(params), params["PolicyDocument"]
        async with self._writing:
            policy = self._local_policy(ctx, arn)
            _check_managed_policy(document)
            if len(policy.versions) >= VERSIONS_PER_POLICY:
                raise limit_exceeded(
                    f"A managed policy can have up to {VERSIONS_PER_POLICY} versions. "
                    "Before you create a new version, you must delete an existing version."
                )
            now = self.system.clock.now()
            version = PolicyVersion(f"v{policy.next_version}", document, now)
            policy.next_version += 1
            policy.versions.append(version)
            if params.get("SetAsDefault"):
                policy.default_version_id = version.version_id
                policy.update_date = now
            await self.policies.put(ctx.account, GLOBAL, arn, policy)
        return {"PolicyVersion": views.version(version, policy.default_version_id, document=False)}

    def GetPolicyVersion(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn, version_id = _policy_arn(params), params["VersionId"]
        managed = aws_managed_policy(arn)
        if managed is not None:
            if version_id != managed.version_id:
                raise version_not_found(arn, version_id)
            return {"PolicyVersion": views.aws_version(managed, document=True)}
        policy = self.policies.get(ctx.account, GLOBAL, arn)
        version = policy.version(version_id) if policy is not None else None
        if policy is None or version is None:
            raise version_not_found(arn, version_id)
        return {"PolicyVersion": views.version(version, policy.default_version_id, document=True)}

    def ListPolicyVersions(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn = _policy_arn(params)
        managed = aws_managed_policy(arn)
        if managed is not None:
            return {"Versions": [views.aws_version(managed, document=False)], "IsTruncated": False}
        policy = self._local_policy(ctx, arn)
        newest_first = sorted(policy.versions, key=lambda v: v.number, reverse=True)
        listed, paging = page(newest_first, lambda v: v.version_id, params)
        return {
            "Versions": [views.version(v, policy.default_version_id, document=False) for v in listed],
            **paging,
        }

    async def DeletePolicyVersion(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn, version_id = _policy_arn(params), params["VersionId"]
        if not _owned_by(arn, ctx.account):
            raise access_denied("Cannot delete policy versions for policies outside your own account.")
        async with self._writing:
            policy = self._local_policy(ctx, arn)
            version = policy.version(version_id)
            if version is None:
                raise version_not_found(arn, version_id)
            if version_id == policy.default_version_id:
                raise delete_conflict("Cannot delete the default version of a policy.")
            policy.versions.remove(version)
            await self.policies.put(ctx.account, GLOBAL, arn, policy)
        return {}

    async def SetDefaultPolicyVersion(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn, version_id = _policy_arn(params), params["VersionId"]
        if not _owned_by(arn, ctx.account):
            raise access_denied("Cannot update policies outside your own account.")
        async with self._writing:
            policy = self.policies.get(ctx.account, GLOBAL, arn)
            if policy is None or policy.version(version_id) is None:
                raise version_not_found(arn, version_id)
            policy.default_version_id = version_id
            policy.update_date = self.system.clock.now()
            await self.policies.put(ctx.account, GLOBAL, arn, policy)
        return {}

    # Attachments ------------------------------------------------------------------------------

    async def AttachRolePolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn = _policy_arn(params)
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            if not self._policy_exists(ctx.account, arn):
                raise policy_not_attachable(arn)
            if arn in role.attached_policies:
                return {}
            if len(role.attached_policies) >= POLICIES_PER_ROLE:
                raise quota("PoliciesPerRole", POLICIES_PER_ROLE)
            role.attached_policies.append(arn)
            await self._save_role(ctx.account, role)
        return {}

    async def DetachRolePolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn = _policy_arn(params)
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            if arn not in role.attached_policies:
                raise policy_not_found(arn)
            role.attached_policies.remove(arn)
            await self._save_role(ctx.account, role)
        return {}

    def ListAttachedRolePolicies(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        role = self._role(ctx, params["RoleName"])
        prefix = params.get("PathPrefix") or "/"
        arns = [arn for arn in role.attached_policies if _path_of(arn).startswith(prefix)]
        listed, paging = page(arns, lambda arn: arn, params)
        return {"AttachedPolicies": [views.attached(arn) for arn in listed], **paging}

    # Tags -------------------------------------------------------------------------------------

    async def TagRole(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        new = params["Tags"]
        tags.check_unique(new, case_insensitive=True)
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            role.tags = tags.merge(role.tags, new, case_insensitive=True)
            await self._save_role(ctx.account, role)
        return {}

    async def UntagRole(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        async with self._writing:
            role = self._role(ctx, params["RoleName"])
            role.tags = tags.remove(role.tags, params["TagKeys"], case_insensitive=True)
            await self._save_role(ctx.account, role)
        return {}

    def ListRoleTags(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        role = self._role(ctx, params["RoleName"])
        listed, paging = page(tags.listing_order(role.tags), lambda tag: tag["Key"], params)
        return {"Tags": [dict(tag) for tag in listed], **paging}

    async def TagPolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn, new = _policy_arn(params), params["Tags"]
        tags.check_unique(new, case_insensitive=False)
        async with self._writing:
            policy = self._local_policy(ctx, arn)
            policy.tags = tags.merge(policy.tags, new, case_insensitive=False)
            await self.policies.put(ctx.account, GLOBAL, arn, policy)
        return {}

    async def UntagPolicy(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        arn = _policy_arn(params)
        async with self._writing:
            policy = self._local_policy(ctx, arn)
            policy.tags = tags.remove(policy.tags, params["TagKeys"], case_insensitive=False)
            await self.policies.put(ctx.account, GLOBAL, arn, policy)
        return {}

    def ListPolicyTags(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        policy = self._local_policy(ctx, _policy_arn(params))
        listed, paging = page(tags.listing_order(policy.tags), lambda tag: tag["Key"], params)
        return {"Tags": [dict(tag) for tag in listed], **paging}

    # Account summary --------------------------------------------------------------------------

    def GetAccountAuthorizationDetails(self, ctx: RequestContext, params: Params) -> dict[str, Any]:
        kinds = set(params.get("Filter") or ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"])
        attachments, boundaries = self._usage(ctx.account)
        entries: list[tuple[str, dict[str, Any], str]] = []
        if "Role" in kinds:
            for role in sorted(self.roles.list(ctx.account, GLOBAL), key=lambda r: r.name.lower()):
                attached = [views.attached(arn) for arn in role.attached_policies]
                entries.append((f"0/{role.name.lower()}", views.role_detail(role, attached), "RoleDetailList"))
        if "LocalManagedPolicy" in kinds:
            for policy in sorted(self.policies.list(ctx.account, GLOBAL), key=lambda p: p.name.lower()):
                detail = self._policy_detail(policy, attachments, boundaries)
                entries.append((f"1/{policy.name.lower()}", detail, "Policies"))
        if "AWSManagedPolicy" in kinds:
            for managed in sorted(AWS_MANAGED_POLICIES.values(), key=lambda p: p.name.lower()):
                if attachments[managed.arn] or boundaries[managed.arn]:
                    detail = self._policy_detail(managed, attachments, boundaries)
                    entries.append((f"2/{managed.name.lower()}", detail, "Policies"))
        listed, paging = page(entries, lambda entry: entry[0], params)
        answer: dict[str, Any] = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
        for _, detail, bucket in listed:
            answer[bucket].append(detail)
        return {**answer, **paging}

    # Helpers ----------------------------------------------------------------------------------

    def _role(self, ctx: RequestContext, name: str) -> Role:
        role = self.find_role(ctx.account, name)
        if role is None:
            raise role_not_found(name)
        return role

    async def _save_role(self, account: str, role: Role) -> None:
        await self.roles.put(account, GLOBAL, role.name.lower(), role)

    def _local_policy(self, ctx: RequestContext, arn: str) -> ManagedPolicy:
        policy = self.policies.get(ctx.account, GLOBAL, arn)
        if policy is None:
            raise policy_not_found(arn)
        return policy

    def _any_policy(self, ctx: RequestContext, arn: str) -> ManagedPolicy | AwsManagedPolicy:
        return aws_managed_policy(arn) or self._local_policy(ctx, arn)

    def _policy_exists(self, account: str, arn: str) -> bool:
        if is_aws_managed(arn):
            return aws_managed_policy(arn) is not None
        return self.policies.get(account, GLOBAL, arn) is not None

    def _check_boundary(self, account: str, arn: str) -> None:
        if not _POLICY_ARN.fullmatch(arn):
            raise invalid_input(f"ARN {arn} is not valid.")
        if not self._policy_exists(account, arn):
            raise no_such_entity(f"Scope ARN: {arn} does not exist or is not attachable.")

    def _usage(self, account: str) -> tuple[Counter[str], Counter[str]]:
        """How many roles attach each policy, and use each as a permissions boundary."""
        attachments: Counter[str] = Counter()
        boundaries: Counter[str] = Counter()
        for role in self.roles.list(account, GLOBAL):
            attachments.update(role.attached_policies)
            if role.permissions_boundary:
                boundaries[role.permissions_boundary] += 1
        return attachments, boundaries

    def _policy_view(
        self, account: str, policy: ManagedPolicy | AwsManagedPolicy, *, description: bool, tags: bool
    ) -> dict[str, Any]:
        attachments, boundaries = self._usage(account)
        return views.policy(policy, attachments[policy.arn], boundaries[policy.arn], description=description, tags=tags)

    @staticmethod
    def _policy_detail(
        policy: ManagedPolicy | AwsManagedPolicy, attachments: Counter[str], boundaries: Counter[str]
    ) -> dict[str, Any]:
        detail = views.policy(policy, attachments[policy.arn], boundaries[policy.arn], description=True, tags=False)
        if isinstance(policy, AwsManagedPolicy):
            detail["PolicyVersionList"] = [views.aws_version(policy, document=True)]
        else:
            detail["PolicyVersionList"] = [
                views.version(v, policy.default_version_id, document=True) for v in policy.versions
            ]
        return detail


def _check_trust_policy(document: str) -> None:
    policies.check_trust_policy(document)
    if policies.size(document) > policies.TRUST_POLICY_MAX:
        raise quota("ACLSizePerRole", policies.TRUST_POLICY_MAX)


def _check_managed_policy(document: str) -> None:
    policies.check_permission_policy(document)
    if policies.size(document) > policies.MANAGED_POLICY_MAX:
        raise quota("PolicySize", policies.MANAGED_POLICY_MAX)


def _policy_arn(params: Params) -> str:
    arn: str = params["PolicyArn"]
    if not _POLICY_ARN.fullmatch(arn):
        raise invalid_arn(arn)
    return arn


def _owned_by(arn: str, account: str) -> bool:
    return arn.split(":", 5)[4] == account


def _path_of(arn: str) -> str:
    resource = arn.split(":policy", 1)[1]
    return resource.rsplit("/", 1)[0] + "/"


def _no_role_policy(name: str) -> ServiceError:
    return no_such_entity(f"The role policy with name {name} cannot be found.")
