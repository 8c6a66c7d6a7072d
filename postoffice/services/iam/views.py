"""How roles, policies and versions appear in IAM's answers.

Each operation returns its own subset of attributes, as IAM does: CreateRole leaves out the
description, session duration and last use; ListRoles leaves out tags, boundary and last use;
ListPolicies leaves out description and tags.
"""

from __future__ import annotations

from typing import Any

from postoffice.services.iam import policies
from postoffice.services.iam.managed import AwsManagedPolicy
from postoffice.services.iam.records import ManagedPolicy, PolicyVersion, Role

AnyPolicy = ManagedPolicy | AwsManagedPolicy


def _role_core(role: Role) -> dict[str, Any]:
    return {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": role.create_date,
        "AssumeRolePolicyDocument": policies.encode(role.trust_policy),
    }


def _boundary(role: Role) -> dict[str, Any]:
    if role.permissions_boundary is None:
        return {}
    return {
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": role.permissions_boundary,
        }
    }


def _description(role: Role) -> dict[str, Any]:
    return {} if role.description is None else {"Description": role.description}


def _tags(tags: list[dict[str, str]]) -> dict[str, Any]:
    return {"Tags": [dict(tag) for tag in tags]} if tags else {}


def last_used(role: Role) -> dict[str, Any]:
    if role.last_used_date is None:
        return {}
    return {"LastUsedDate": role.last_used_date, "Region": role.last_used_region}


def created_role(role: Role) -> dict[str, Any]:
    return {**_role_core(role), **_boundary(role), **_tags(role.tags)}


def listed_role(role: Role) -> dict[str, Any]:
    return {**_role_core(role), **_description(role), "MaxSessionDuration": role.max_session_duration}


def described_role(role: Role) -> dict[str, Any]:
    return {**_role_core(role), **_description(role), **_boundary(role), **_tags(role.tags)}


def full_role(role: Role) -> dict[str, Any]:
    return {
        **_role_core(role),
        **_description(role),
        "MaxSessionDuration": role.max_session_duration,
        **_boundary(role),
        **_tags(role.tags),
        "RoleLastUsed": last_used(role),
    }


def role_detail(role: Role, attached: list[dict[str, str]]) -> dict[str, Any]:
    """A role as GetAccountAuthorizationDetails describes it."""
    return {
        **_role_core(role),
        "InstanceProfileList": [],
        "RolePolicyList": [
            {"PolicyName": name, "PolicyDocument": policies.encode(document)}
            for name, document in sorted(role.inline_policies.items())
        ],
        "AttachedManagedPolicies": attached,
        **_boundary(role),
        **_tags(role.tags),
        "RoleLastUsed": last_used(role),
    }


def policy(item: AnyPolicy, attachments: int, boundaries: int, *, description: bool, tags: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "PolicyName": item.name,
        "PolicyId": item.policy_id,
        "Arn": item.arn,
        "Path": item.path,
        "DefaultVersionId": item.default_version_id,
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": boundaries,
        "IsAttachable": True,
    }
    if description and item.description is not None:
        view["Description"] = item.description
    view["CreateDate"] = item.create_date
    view["UpdateDate"] = item.update_date
    if tags:
        view["Tags"] = [dict(tag) for tag in item.tags]
    return view


def version(item: PolicyVersion, default_version_id: str, *, document: bool) -> dict[str, Any]:
    view: dict[str, Any] = {}
    if document:
        view["Document"] = policies.encode(item.document)
    view["VersionId"] = item.version_id
    view["IsDefaultVersion"] = item.version_id == default_version_id
    view["CreateDate"] = item.create_date
    return view


def aws_version(item: AwsManagedPolicy, *, document: bool) -> dict[str, Any]:
    return version(PolicyVersion(item.version_id, item.document, item.update_date), item.version_id, document=document)


def attached(arn: str) -> dict[str, str]:
    return {"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}
