"""IAM's logic called in-process (no HTTP): documents, quotas, paging, persistence.

The HTTP behaviour, as boto3 sees it, is in test_iam.py. `Harness` is shared with
test_sts_operations.py.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from postoffice.config import Settings
from postoffice.core.clock import VirtualClock
from postoffice.core.store.records import SCHEMA
from postoffice.core.store.sqlite import MemoryStore, SqliteStore
from postoffice.core.system import System
from postoffice.protocol.context import RequestContext
from postoffice.protocol.errors import ServiceError
from postoffice.services.iam import paging, policies
from postoffice.services.iam.api import Iam
from postoffice.services.iam.managed import AWS_MANAGED_POLICIES
from postoffice.services.sts.api import Sts

ACCOUNT = "123456789012"
START = 1_700_000_000.0

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
POLICY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}
)


class Harness:
    """IAM and STS over one store and a virtual clock; operations called as the protocol layer would."""

    def __init__(self, store: Any = None) -> None:
        self.store = store or MemoryStore()
        self.store.migrate("records", SCHEMA)
        self.clock = VirtualClock(START)
        self.system = System(settings=Settings(store="memory"), store=self.store, clock=self.clock)
        self.loop = asyncio.new_event_loop()
        self.iam = Iam(self.system)
        self.sts = Sts(self.system)
        self.system.services.update({"sts": self.sts, "iam": self.iam})

    def ctx(self, account: str = ACCOUNT, access_key: str = "", region: str = "us-east-1") -> RequestContext:
        return RequestContext(service="", account=account, region=region, request_id="req", access_key=access_key)

    def call(self, service: Any, operation: str, ctx: RequestContext | None = None, **params: Any) -> Any:
        result = getattr(service, operation)(ctx or self.ctx(), params)
        if inspect.isawaitable(result):
            result = self.loop.run_until_complete(result)
        return result

    def error(self, service: Any, operation: str, ctx: RequestContext | None = None, **params: Any) -> ServiceError:
        with pytest.raises(ServiceError) as caught:
            self.call(service, operation, ctx, **params)
        return caught.value

    def run(self, awaitable: Any) -> Any:
        return self.loop.run_until_complete(awaitable)

    def close(self) -> None:
        self.loop.close()


@pytest.fixture
def h() -> Any:
    harness = Harness()
    yield harness
    harness.close()


def create_role(h: Harness, name: str = "app", **params: Any) -> dict[str, Any]:
    return h.call(h.iam, "CreateRole", RoleName=name, AssumeRolePolicyDocument=TRUST, **params)["Role"]


# Documents -------------------------------------------------------------------------------------


def _statement(**extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", **extra}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ('{"Version": "2012-10-17", "Statement": [}', "Syntax errors in policy."),
        ("[]", "Syntax errors in policy."),
        ('{"Version": "2012-10-17"}', "Syntax errors in policy."),
        ('{"Version": "2012-10-17", "Statement": []}', "Syntax errors in policy."),
        (json.dumps({"Version": "2012-10-17", "Statement": [_statement(Effect="Maybe")]}), "Syntax errors in policy."),
        (json.dumps({"Version": "2012-10-17", "Statement": [_statement(Colour="red")]}), "Syntax errors in policy."),
        (json.dumps({"Version": "2012-10-18", "Statement": [_statement()]}), "Syntax errors in policy."),
        (
            json.dumps({"Statement": [_statement()]}),
            "Policy document must be version 2012-10-17 or greater.",
        ),
        (
            json.dumps({"Version": "2008-10-17", "Statement": [_statement()]}),
            "Policy document must be version 2012-10-17 or greater.",
        ),
        (
            json.dumps({"Version": "2012-10-17", "Statement": [_statement(Effect="allow")]}),
            "The policy failed legacy parsing",
        ),
        (
            json.dumps({"Version": "2012-10-17", "Statement": [_statement(Sid="a"), _statement(Sid="a")]}),
            "Statement IDs (SID) in a single policy must be unique.",
        ),
        (
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}),
            "Policy statement must contain actions.",
        ),
        (
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}),
            "Policy statement must contain resources.",
        ),
        (
            json.dumps({"Version": "2012-10-17", "Statement": [_statement(Action="GetObject")]}),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
        ),
        (
            json.dumps({"Version": "2012-10-17", "Statement": [_statement(Resource="bucket")]}),
            'Resource bucket must be in ARN format or "*".',
        ),
        (
            json.dumps({"Version": "2012-10-17", "Statement": [_statement(Principal="*")]}),
            "Policy document should not specify a principal.",
        ),
    ],
)
def test_permission_policy_checks_answer_with_iams_first_failing_stage(document: str, message: str) -> None:
    with pytest.raises(ServiceError) as caught:
        policies.check_permission_policy(document)
    assert (caught.value.code, caught.value.message) == ("MalformedPolicyDocumentException", message)


def test_valid_permission_policies_pass() -> None:
    policies.check_permission_policy(POLICY)
    policies.check_permission_policy(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Id": "x",
                "Statement": {
                    "Sid": "one",
                    "Effect": "Deny",
                    "NotAction": ["s3:Delete*"],
                    "NotResource": ["arn:aws:s3:::keep/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            }
        )
    )
    for managed in AWS_MANAGED_POLICIES.values():
        policies.check_permission_policy(managed.document)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "This policy contains invalid Json"),
        ('{"Version": "2012-10-17"}', "Syntax errors in policy."),
        (
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*"}],
                }
            ),
            "Has prohibited field Resource",
        ),
        (
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
            "Missing required field Principal",
        ),
        (
            json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}],
                }
            ),
            "AssumeRole policy may only specify STS AssumeRole actions.",
        ),
    ],
)
def test_trust_policy_checks(document: str, message: str) -> None:
    with pytest.raises(ServiceError) as caught:
        policies.check_trust_policy(document)
    assert caught.value.message == message


def test_trust_policies_may_use_the_2008_version() -> None:
    policies.check_trust_policy(TRUST.replace("2012-10-17", "2008-10-17"))


def test_documents_are_url_encoded_as_iam_returns_them_and_whitespace_is_not_counted() -> None:
    document = '{"a": "b c/d*e"}'
    assert policies.encode(document) == "%7B%22a%22%3A%20%22b%20c%2Fd%2Ae%22%7D"
    assert unquote(policies.encode(document)) == document
    assert policies.size('{ "a" :\n\t"b" }') == len('{"a":"b"}')


# Paging ---------------------------------------------------------------------------------------


def test_paging_resumes_after_the_marked_item_even_when_earlier_items_go() -> None:
    items = [f"r{i:02d}" for i in range(7)]
    first, more = paging.page(items, lambda item: item, {"MaxItems": 3})
    assert first == ["r00", "r01", "r02"] and more["IsTruncated"] is True
    remaining = [item for item in items if item not in first]
    second, more = paging.page(remaining, lambda item: item, {"MaxItems": 3, "Marker": more["Marker"]})
    assert second == ["r03", "r04", "r05"]
    third, more = paging.page(remaining, lambda item: item, {"MaxItems": 3, "Marker": more["Marker"]})
    assert third == ["r06"] and more == {"IsTruncated": False}


def test_paging_defaults_to_100_items() -> None:
    items = [f"{i:03d}" for i in range(150)]
    first, more = paging.page(items, lambda item: item, {})
    assert len(first) == 100 and more["IsTruncated"]


# Roles ----------------------------------------------------------------------------------------


def test_role_ids_arns_dates_and_case_insensitive_names(h: Harness) -> None:
    role = create_role(h, "App-Role", Path="/service/")
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21 and role["RoleId"].isupper()
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/service/App-Role"
    assert role["CreateDate"] == START
    assert unquote(role["AssumeRolePolicyDocument"]) == TRUST
    assert h.call(h.iam, "GetRole", RoleName="app-role")["Role"]["RoleName"] == "App-Role"
    error = h.error(h.iam, "CreateRole", RoleName="APP-ROLE", AssumeRolePolicyDocument=TRUST)
    assert (error.code, error.status, error.message) == (
        "EntityAlreadyExistsException",
        409,
        "Role with name APP-ROLE already exists.",
    )


def test_roles_are_per_account_and_global(h: Harness) -> None:
    create_role(h, "app", Tags=[{"Key": "k", "Value": "v"}])
    other = h.ctx(account="210987654321")
    assert h.call(h.iam, "ListRoles", other)["Roles"] == []
    west = h.ctx(region="eu-west-1")
    assert [r["RoleName"] for r in h.call(h.iam, "ListRoles", west)["Roles"]] == ["app"]


def test_trust_policy_quota_counts_without_whitespace(h: Harness) -> None:
    padded = json.dumps(json.loads(TRUST), indent=100)
    assert len(padded) > policies.TRUST_POLICY_MAX
    h.call(h.iam, "CreateRole", RoleName="padded", AssumeRolePolicyDocument=padded)
    principals = [f"arn:aws:iam::{ACCOUNT}:role/r{i:04d}" for i in range(60)]
    big = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": principals}, "Action": "sts:AssumeRole"}],
        }
    )
    error = h.error(h.iam, "CreateRole", RoleName="big", AssumeRolePolicyDocument=big)
    assert (error.code, error.message) == ("LimitExceededException", "Cannot exceed quota for ACLSizePerRole: 2048")


def test_inline_policies_share_a_10240_character_quota_per_role(h: Harness) -> None:
    create_role(h)
    resources = [f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue-{i:04d}" for i in range(70)]
    statement = {"Effect": "Allow", "Action": "sqs:*", "Resource": resources}
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=12)
    assert 10240 / 3 < policies.size(document) <= 10240 / 2 < len(document)
    h.call(h.iam, "PutRolePolicy", RoleName="app", PolicyName="one", PolicyDocument=document)
    h.call(h.iam, "PutRolePolicy", RoleName="app", PolicyName="two", PolicyDocument=document)
    h.call(h.iam, "PutRolePolicy", RoleName="app", PolicyName="two", PolicyDocument=document)  # replacing fits
    error = h.error(h.iam, "PutRolePolicy", RoleName="app", PolicyName="three", PolicyDocument=document)
    assert (error.code, error.message) == (
        "LimitExceededException",
        "Maximum policy size of 10240 bytes exceeded for role app",
    )


def test_a_role_attaches_at_most_ten_managed_policies(h: Harness) -> None:
    create_role(h)
    arns = []
    for i in range(11):
        created = h.call(h.iam, "CreatePolicy", PolicyName=f"p{i}", PolicyDocument=POLICY)
        arns.append(created["Policy"]["Arn"])
    for arn in arns[:10]:
        h.call(h.iam, "AttachRolePolicy", RoleName="app", PolicyArn=arn)
    h.call(h.iam, "AttachRolePolicy", RoleName="app", PolicyArn=arns[0])  # already attached: no change
    error = h.error(h.iam, "AttachRolePolicy", RoleName="app", PolicyArn=arns[10])
    assert (error.code, error.status, error.message) == (
        "LimitExceededException",
        409,
        "Cannot exceed quota for PoliciesPerRole: 10",
    )


def test_attachment_counts_are_per_account_for_aws_managed_policies(h: Harness) -> None:
    arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    create_role(h)
    h.call(h.iam, "AttachRolePolicy", RoleName="app", PolicyArn=arn)
    assert h.call(h.iam, "GetPolicy", PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    other = h.ctx(account="210987654321")
    assert h.call(h.iam, "GetPolicy", other, PolicyArn=arn)["Policy"]["AttachmentCount"] == 0


def test_policy_versions_are_numbered_without_reuse_and_dated_by_the_clock(h: Harness) -> None:
    arn = h.call(h.iam, "CreatePolicy", PolicyName="p", PolicyDocument=POLICY)["Policy"]["Arn"]
    h.run(h.clock.advance(60))
    v2 = h.call(h.iam, "CreatePolicyVersion", PolicyArn=arn, PolicyDocument=POLICY)["PolicyVersion"]
    assert v2 == {"VersionId": "v2", "IsDefaultVersion": False, "CreateDate": START + 60}
    h.call(h.iam, "DeletePolicyVersion", PolicyArn=arn, VersionId="v2")
    v3 = h.call(h.iam, "CreatePolicyVersion", PolicyArn=arn, PolicyDocument=POLICY, SetAsDefault=True)
    assert v3["PolicyVersion"]["VersionId"] == "v3" and v3["PolicyVersion"]["IsDefaultVersion"] is True
    policy = h.call(h.iam, "GetPolicy", PolicyArn=arn)["Policy"]
    assert (policy["DefaultVersionId"], policy["CreateDate"], policy["UpdateDate"]) == ("v3", START, START + 60)


def test_reset_forgets_everything(h: Harness) -> None:
    create_role(h)
    h.call(h.iam, "CreatePolicy", PolicyName="p", PolicyDocument=POLICY)
    h.run(h.iam.reset())
    assert h.call(h.iam, "ListRoles")["Roles"] == []
    assert h.call(h.iam, "ListPolicies", Scope="Local")["Policies"] == []


def test_roles_and_policies_survive_a_restart(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path))
    first = Harness(store)
    create_role(first, "durable")
    arn = first.call(first.iam, "CreatePolicy", PolicyName="p", PolicyDocument=POLICY)["Policy"]["Arn"]
    first.call(first.iam, "CreatePolicyVersion", PolicyArn=arn, PolicyDocument=POLICY, SetAsDefault=True)
    first.call(first.iam, "AttachRolePolicy", RoleName="durable", PolicyArn=arn)
    first.call(first.iam, "PutRolePolicy", RoleName="durable", PolicyName="inline", PolicyDocument=POLICY)
    first.run(store.flush())
    first.close()
    store.close()

    second = Harness(SqliteStore(str(tmp_path)))
    role = second.call(second.iam, "GetRole", RoleName="durable")["Role"]
    assert role["RoleName"] == "durable"
    attached = second.call(second.iam, "ListAttachedRolePolicies", RoleName="durable")["AttachedPolicies"]
    assert attached == [{"PolicyName": "p", "PolicyArn": arn}]
    versions = second.call(second.iam, "ListPolicyVersions", PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v2", True), ("v1", False)]
    assert second.call(second.iam, "ListRolePolicies", RoleName="durable")["PolicyNames"] == ["inline"]
    second.close()
    second.store.close()
