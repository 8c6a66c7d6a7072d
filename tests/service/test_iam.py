"""IAM through real HTTP with boto3: every operation, its answers and its errors as AWS gives them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from botocore.exceptions import ClientError

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "arn:aws:sqs:*:*:orders"}],
}
ACCOUNT = "000000000000"
AWS_MANAGED = [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "arn:aws:iam::aws:policy/AmazonSQSFullAccess",
    "arn:aws:iam::aws:policy/AmazonSNSFullAccess",
    "arn:aws:iam::aws:policy/AmazonEventBridgeFullAccess",
    "arn:aws:iam::aws:policy/AWSStepFunctionsFullAccess",
    "arn:aws:iam::aws:policy/AdministratorAccess",
]


@pytest.fixture
def iam(client: Callable[..., Any]) -> Any:
    return client("iam")


def error_of(call: Callable[..., Any], **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def make_role(iam: Any, name: str = "app", **params: Any) -> dict[str, Any]:
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), **params)["Role"]


def make_policy(iam: Any, name: str = "send-orders", **params: Any) -> dict[str, Any]:
    return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(POLICY), **params)["Policy"]


# Roles ----------------------------------------------------------------------------------------


def test_create_and_get_role(iam: Any) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    created = make_role(
        iam,
        "order-processor",
        Path="/service/",
        Description="Processes orders",
        MaxSessionDuration=7200,
        Tags=[{"Key": "team", "Value": "orders"}],
    )
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/service/order-processor"
    assert created["Path"] == "/service/"
    assert created["AssumeRolePolicyDocument"] == TRUST
    assert created["Tags"] == [{"Key": "team", "Value": "orders"}]
    assert before < created["CreateDate"] < dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    assert "Description" not in created and "MaxSessionDuration" not in created

    role = iam.get_role(RoleName="order-processor")["Role"]
    assert role["RoleId"] == created["RoleId"]
    assert role["Description"] == "Processes orders"
    assert role["MaxSessionDuration"] == 7200
    assert role["AssumeRolePolicyDocument"] == TRUST
    assert role["Tags"] == [{"Key": "team", "Value": "orders"}]
    assert role["RoleLastUsed"] == {}


def test_role_defaults(iam: Any) -> None:
    make_role(iam)
    role = iam.get_role(RoleName="app")["Role"]
    assert (role["Path"], role["MaxSessionDuration"]) == ("/", 3600)
    assert "Description" not in role and "Tags" not in role and "PermissionsBoundary" not in role


def test_trust_policy_text_is_kept_as_sent(iam: Any) -> None:
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", '
        '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]\n}'
    )
    iam.create_role(RoleName="pretty", AssumeRolePolicyDocument=text)
    raw: list[bytes] = []
    iam.meta.events.register("after-call.iam.GetRole", lambda http_response, **_: raw.append(http_response.content))
    document = iam.get_role(RoleName="pretty")["Role"]["AssumeRolePolicyDocument"]
    assert document == json.loads(text)
    encoded = quote(text, safe="")
    assert f"<AssumeRolePolicyDocument>{encoded}</AssumeRolePolicyDocument>".encode() in raw[0]


def test_role_names_are_unique_without_regard_to_case(iam: Any) -> None:
    make_role(iam, "App")
    assert error_of(iam.create_role, RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST)) == (
        "EntityAlreadyExists",
        409,
        "Role with name app already exists.",
    )
    assert iam.get_role(RoleName="APP")["Role"]["RoleName"] == "App"


def test_get_unknown_role(iam: Any) -> None:
    assert error_of(iam.get_role, RoleName="ghost") == (
        "NoSuchEntity",
        404,
        "The role with name ghost cannot be found.",
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "This policy contains invalid Json"),
        (
            json.dumps({**TRUST, "Statement": [{**TRUST["Statement"][0], "Resource": "*"}]}),
            "Has prohibited field Resource",
        ),
        (
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}),
            "Missing required field Principal",
        ),
    ],
)
def test_create_role_with_a_malformed_trust_policy(iam: Any, document: str, message: str) -> None:
    assert error_of(iam.create_role, RoleName="bad", AssumeRolePolicyDocument=document) == (
        "MalformedPolicyDocument",
        400,
        message,
    )
    assert iam.list_roles()["Roles"] == []


def test_create_role_validation_follows_the_model(iam: Any) -> None:
    code, status, message = error_of(iam.create_role, RoleName="bad name", AssumeRolePolicyDocument=json.dumps(TRUST))
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        "1 validation error detected: Value 'bad name' at 'roleName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    )
    code, _, message = error_of(make_role, iam=iam, MaxSessionDuration=43201)
    assert code == "ValidationError"
    assert "Member must have value less than or equal to 43200" in message


def test_create_role_with_a_permissions_boundary(iam: Any) -> None:
    boundary = make_policy(iam, "boundary")["Arn"]
    role = make_role(iam, PermissionsBoundary=boundary)
    expected = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
    assert role["PermissionsBoundary"] == expected
    assert iam.get_role(RoleName="app")["Role"]["PermissionsBoundary"] == expected
    assert iam.get_policy(PolicyArn=boundary)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    missing = f"arn:aws:iam::{ACCOUNT}:policy/missing"
    assert error_of(make_role, iam=iam, name="other", PermissionsBoundary=missing) == (
        "NoSuchEntity",
        404,
        f"Scope ARN: {missing} does not exist or is not attachable.",
    )
    iam.delete_role_permissions_boundary(RoleName="app")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="app")["Role"]
    iam.put_role_permissions_boundary(RoleName="app", PermissionsBoundary=boundary)
    assert iam.get_role(RoleName="app")["Role"]["PermissionsBoundary"] == expected


def test_list_roles_filters_by_path_and_pages(iam: Any) -> None:
    for name in ("delta", "Alpha", "charlie", "bravo"):
        make_role(iam, name, Path="/team/" if name != "delta" else "/")
    listed = iam.list_roles()
    assert [r["RoleName"] for r in listed["Roles"]] == ["Alpha", "bravo", "charlie", "delta"]
    assert listed["IsTruncated"] is False and "Marker" not in listed
    assert all("Tags" not in r and "RoleLastUsed" not in r and r["MaxSessionDuration"] == 3600 for r in listed["Roles"])
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/team/")["Roles"]] == ["Alpha", "bravo", "charlie"]

    first = iam.list_roles(MaxItems=3)
    assert [r["RoleName"] for r in first["Roles"]] == ["Alpha", "bravo", "charlie"] and first["IsTruncated"] is True
    second = iam.list_roles(MaxItems=3, Marker=first["Marker"])
    assert [r["RoleName"] for r in second["Roles"]] == ["delta"] and second["IsTruncated"] is False
    pages = iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 1})
    assert [r["RoleName"] for page in pages for r in page["Roles"]] == ["Alpha", "bravo", "charlie", "delta"]


def test_update_role(iam: Any) -> None:
    make_role(iam)
    iam.update_role(RoleName="app", Description="new", MaxSessionDuration=43200)
    role = iam.get_role(RoleName="app")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("new", 43200)
    assert error_of(iam.update_role, RoleName="ghost", Description="x")[0] == "NoSuchEntity"


def test_update_role_description(iam: Any) -> None:
    make_role(iam)
    role = iam.update_role_description(RoleName="app", Description="described")["Role"]
    assert role["Description"] == "described" and role["RoleName"] == "app"
    assert "MaxSessionDuration" not in role and "RoleLastUsed" not in role
    assert error_of(iam.update_role_description, RoleName="ghost", Description="x")[1] == 404


def test_update_assume_role_policy(iam: Any) -> None:
    make_role(iam)
    trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "states.amazonaws.com"}}]}
    iam.update_assume_role_policy(RoleName="app", PolicyDocument=json.dumps(trust))
    assert iam.get_role(RoleName="app")["Role"]["AssumeRolePolicyDocument"] == trust
    assert error_of(iam.update_assume_role_policy, RoleName="app", PolicyDocument="nope") == (
        "MalformedPolicyDocument",
        400,
        "This policy contains invalid Json",
    )
    assert error_of(iam.update_assume_role_policy, RoleName="ghost", PolicyDocument=json.dumps(trust))[0] == (
        "NoSuchEntity"
    )


def test_delete_role_needs_its_policies_gone_first(iam: Any) -> None:
    make_role(iam)
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    iam.put_role_policy(RoleName="app", PolicyName="inline", PolicyDocument=json.dumps(POLICY))
    assert error_of(iam.delete_role, RoleName="app") == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must detach all policies first.",
    )
    iam.detach_role_policy(RoleName="app", PolicyArn=arn)
    assert error_of(iam.delete_role, RoleName="app") == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete policies first.",
    )
    iam.delete_role_policy(RoleName="app", PolicyName="inline")
    iam.delete_role(RoleName="app")
    assert error_of(iam.get_role, RoleName="app")[0] == "NoSuchEntity"
    assert error_of(iam.delete_role, RoleName="app") == ("NoSuchEntity", 404, "The role with name app cannot be found.")


def test_iam_is_global_and_accounts_are_separate(client: Callable[..., Any]) -> None:
    make_role(client("iam", region="eu-west-1"), "everywhere")
    assert [r["RoleName"] for r in client("iam", region="ap-southeast-2").list_roles()["Roles"]] == ["everywhere"]
    other = client("iam", aws_access_key_id="111122223333")
    assert other.list_roles()["Roles"] == []
    assert make_role(other, "everywhere")["Arn"] == "arn:aws:iam::111122223333:role/everywhere"


# Inline policies ------------------------------------------------------------------------------


def test_inline_role_policies(iam: Any) -> None:
    make_role(iam)
    iam.put_role_policy(RoleName="app", PolicyName="send", PolicyDocument=json.dumps(POLICY))
    iam.put_role_policy(RoleName="app", PolicyName="another", PolicyDocument=json.dumps(POLICY))
    got = iam.get_role_policy(RoleName="app", PolicyName="send")
    assert (got["RoleName"], got["PolicyName"], got["PolicyDocument"]) == ("app", "send", POLICY)
    assert iam.list_role_policies(RoleName="app")["PolicyNames"] == ["another", "send"]
    first = iam.list_role_policies(RoleName="app", MaxItems=1)
    assert first["PolicyNames"] == ["another"] and first["IsTruncated"]
    assert iam.list_role_policies(RoleName="app", Marker=first["Marker"])["PolicyNames"] == ["send"]

    replaced = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": "sqs:*"}]}
    iam.put_role_policy(RoleName="app", PolicyName="send", PolicyDocument=json.dumps(replaced))
    assert iam.get_role_policy(RoleName="app", PolicyName="send")["PolicyDocument"] == replaced
    iam.delete_role_policy(RoleName="app", PolicyName="send")
    assert iam.list_role_policies(RoleName="app")["PolicyNames"] == ["another"]


def test_inline_policy_errors(iam: Any) -> None:
    make_role(iam)
    assert error_of(iam.get_role_policy, RoleName="app", PolicyName="ghost") == (
        "NoSuchEntity",
        404,
        "The role policy with name ghost cannot be found.",
    )
    assert error_of(iam.delete_role_policy, RoleName="app", PolicyName="ghost")[2] == (
        "The role policy with name ghost cannot be found."
    )
    assert error_of(iam.put_role_policy, RoleName="app", PolicyName="p", PolicyDocument='{"Statement": [') == (
        "MalformedPolicyDocument",
        400,
        "Syntax errors in policy.",
    )
    assert error_of(iam.put_role_policy, RoleName="ghost", PolicyName="p", PolicyDocument=json.dumps(POLICY)) == (
        "NoSuchEntity",
        404,
        "The role with name ghost cannot be found.",
    )
    assert error_of(iam.list_role_policies, RoleName="ghost")[0] == "NoSuchEntity"


# Managed policies -----------------------------------------------------------------------------


def test_create_and_get_policy(iam: Any) -> None:
    created = make_policy(iam, Path="/app/", Description="Send orders", Tags=[{"Key": "k", "Value": "v"}])
    assert created["PolicyId"].startswith("ANPA") and len(created["PolicyId"]) == 21
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:policy/app/send-orders"
    assert (created["DefaultVersionId"], created["AttachmentCount"], created["IsAttachable"]) == ("v1", 0, True)
    assert created["PermissionsBoundaryUsageCount"] == 0
    assert created["CreateDate"] == created["UpdateDate"]
    assert created["Tags"] == [{"Key": "k", "Value": "v"}] and "Description" not in created

    policy = iam.get_policy(PolicyArn=created["Arn"])["Policy"]
    assert policy["Description"] == "Send orders"
    assert policy["Tags"] == [{"Key": "k", "Value": "v"}]
    version = iam.get_policy_version(PolicyArn=created["Arn"], VersionId="v1")["PolicyVersion"]
    assert (version["Document"], version["IsDefaultVersion"], version["VersionId"]) == (POLICY, True, "v1")


def test_policy_errors(iam: Any) -> None:
    arn = make_policy(iam)["Arn"]
    assert error_of(make_policy, iam=iam, name="SEND-ORDERS") == (
        "EntityAlreadyExists",
        409,
        "A policy called SEND-ORDERS already exists. Duplicate names are not allowed.",
    )
    missing = arn.replace("send-orders", "ghost")
    assert error_of(iam.get_policy, PolicyArn=missing) == ("NoSuchEntity", 404, f"Policy {missing} was not found.")
    assert error_of(iam.get_policy, PolicyArn="arn:aws:iam::000000000000:role/app") == (
        "ValidationError",
        400,
        "ARN arn:aws:iam::000000000000:role/app is not valid.",
    )
    document = json.dumps({"Statement": POLICY["Statement"]})
    assert error_of(iam.create_policy, PolicyName="old", PolicyDocument=document) == (
        "MalformedPolicyDocument",
        400,
        "Policy document must be version 2012-10-17 or greater.",
    )


def test_aws_managed_policies_are_there_to_attach(iam: Any) -> None:
    make_role(iam)
    for arn in AWS_MANAGED:
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        assert policy["Arn"] == arn and policy["PolicyId"].startswith("ANPA") and policy["IsAttachable"]
        version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
        assert version["Document"]["Version"] == "2012-10-17" and version["IsDefaultVersion"]
        iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName="app")["AttachedPolicies"]
    assert [a["PolicyArn"] for a in attached] == AWS_MANAGED
    assert attached[0]["PolicyName"] == "AWSLambdaBasicExecutionRole"
    service_role = iam.list_attached_role_policies(RoleName="app", PathPrefix="/service-role/")["AttachedPolicies"]
    assert [a["PolicyName"] for a in service_role] == ["AWSLambdaBasicExecutionRole", "AWSLambdaSQSQueueExecutionRole"]
    basic = iam.get_policy_version(PolicyArn=AWS_MANAGED[0], VersionId="v1")["PolicyVersion"]["Document"]
    assert basic["Statement"][0]["Action"] == ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    assert iam.get_policy(PolicyArn=AWS_MANAGED[0])["Policy"]["AttachmentCount"] == 1


def test_list_policies_by_scope_attachment_and_path(iam: Any) -> None:
    local = make_policy(iam, Path="/app/")["Arn"]
    make_role(iam)
    iam.attach_role_policy(RoleName="app", PolicyArn=AWS_MANAGED[0])

    local_only = iam.list_policies(Scope="Local")["Policies"]
    assert [p["Arn"] for p in local_only] == [local]
    assert "Description" not in local_only[0] and "Tags" not in local_only[0]
    aws_names = [p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]]
    assert {"AdministratorAccess", "AmazonSQSFullAccess", "AWSLambdaBasicExecutionRole"} <= set(aws_names)
    assert local not in [p["Arn"] for p in iam.list_policies(Scope="AWS")["Policies"]]
    everything = [p["Arn"] for p in iam.list_policies()["Policies"]]
    assert everything[0] == local and len(everything) == len(aws_names) + 1

    attached = iam.list_policies(OnlyAttached=True)["Policies"]
    assert [(p["Arn"], p["AttachmentCount"]) for p in attached] == [(AWS_MANAGED[0], 1)]
    assert [p["Arn"] for p in iam.list_policies(PathPrefix="/app/")["Policies"]] == [local]
    service_roles = iam.list_policies(Scope="AWS", PathPrefix="/service-role/")["Policies"]
    assert all(p["Path"] == "/service-role/" for p in service_roles) and service_roles

    first = iam.list_policies(MaxItems=2)
    second = iam.list_policies(MaxItems=2, Marker=first["Marker"])
    assert first["IsTruncated"] and len(first["Policies"]) == 2
    assert [p["Arn"] for p in first["Policies"] + second["Policies"]] == everything[:4]
    paged = [
        p["Arn"]
        for page in iam.get_paginator("list_policies").paginate(PaginationConfig={"PageSize": 3})
        for p in page["Policies"]
    ]
    assert paged == everything


def test_delete_policy(iam: Any) -> None:
    arn = make_policy(iam)["Arn"]
    make_role(iam)
    iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    assert error_of(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict",
        409,
        "Cannot delete a policy attached to entities.",
    )
    iam.detach_role_policy(RoleName="app", PolicyArn=arn)
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
    assert error_of(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict",
        409,
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. "
        "The default version is deleted with the policy.",
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    iam.delete_policy(PolicyArn=arn)
    assert error_of(iam.get_policy, PolicyArn=arn)[0] == "NoSuchEntity"
    assert error_of(iam.delete_policy, PolicyArn=arn) == ("NoSuchEntity", 404, f"Policy {arn} was not found.")
    assert error_of(iam.delete_policy, PolicyArn=AWS_MANAGED[-1]) == (
        "AccessDenied",
        403,
        "Cannot delete policies outside your own account.",
    )


# Policy versions ------------------------------------------------------------------------------


def test_policy_versions(iam: Any) -> None:
    arn = make_policy(iam)["Arn"]
    v2_document = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": "sqs:*"}]}
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2_document), SetAsDefault=True)
    assert v2["PolicyVersion"]["VersionId"] == "v2" and v2["PolicyVersion"]["IsDefaultVersion"] is True
    assert "Document" not in v2["PolicyVersion"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"] == v2_document

    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v3", False), ("v2", True), ("v1", False)]
    assert all("Document" not in v for v in versions)

    iam.set_default_policy_version(PolicyArn=arn, VersionId="v3")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    assert error_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v3") == (
        "DeleteConflict",
        409,
        "Cannot delete the default version of a policy.",
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v3", "v2"]


def test_a_policy_keeps_at_most_five_versions(iam: Any) -> None:
    arn = make_policy(iam)["Arn"]
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(POLICY)) == (
        "LimitExceeded",
        409,
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing "
        "version.",
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(POLICY))
    assert created["PolicyVersion"]["VersionId"] == "v6"


def test_policy_version_errors(iam: Any) -> None:
    arn = make_policy(iam)["Arn"]
    message = f"Policy {arn} version v9 does not exist or is not attachable."
    assert error_of(iam.get_policy_version, PolicyArn=arn, VersionId="v9") == ("NoSuchEntity", 404, message)
    assert error_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v9") == ("NoSuchEntity", 404, message)
    assert error_of(iam.set_default_policy_version, PolicyArn=arn, VersionId="v9") == ("NoSuchEntity", 404, message)
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument="{")[2] == "Syntax errors in policy."
    ghost = arn.replace("send-orders", "ghost")
    assert error_of(iam.create_policy_version, PolicyArn=ghost, PolicyDocument=json.dumps(POLICY)) == (
        "NoSuchEntity",
        404,
        f"Policy {ghost} was not found.",
    )
    assert error_of(iam.list_policy_versions, PolicyArn=ghost)[0] == "NoSuchEntity"
    code, _, message = error_of(iam.get_policy_version, PolicyArn=arn, VersionId="version-1")
    assert code == "ValidationError" and "Member must satisfy regular expression pattern" in message
    versions = iam.list_policy_versions(PolicyArn=AWS_MANAGED[-1])["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v1", True)]


# Attachments ----------------------------------------------------------------------------------


def test_attach_and_detach_role_policies(iam: Any) -> None:
    make_role(iam)
    local = make_policy(iam)["Arn"]
    iam.attach_role_policy(RoleName="app", PolicyArn=local)
    iam.attach_role_policy(RoleName="app", PolicyArn=local)
    iam.attach_role_policy(RoleName="app", PolicyArn=AWS_MANAGED[2])
    attached = iam.list_attached_role_policies(RoleName="app")
    assert attached["AttachedPolicies"] == [
        {"PolicyName": "send-orders", "PolicyArn": local},
        {"PolicyName": "AmazonSQSFullAccess", "PolicyArn": AWS_MANAGED[2]},
    ]
    assert attached["IsTruncated"] is False
    first = iam.list_attached_role_policies(RoleName="app", MaxItems=1)
    assert first["IsTruncated"] and first["AttachedPolicies"][0]["PolicyArn"] == local
    rest = iam.list_attached_role_policies(RoleName="app", Marker=first["Marker"])["AttachedPolicies"]
    assert [a["PolicyArn"] for a in rest] == [AWS_MANAGED[2]]
    assert iam.get_policy(PolicyArn=local)["Policy"]["AttachmentCount"] == 1

    iam.detach_role_policy(RoleName="app", PolicyArn=local)
    assert iam.get_policy(PolicyArn=local)["Policy"]["AttachmentCount"] == 0
    assert error_of(iam.detach_role_policy, RoleName="app", PolicyArn=local) == (
        "NoSuchEntity",
        404,
        f"Policy {local} was not found.",
    )


def test_attach_errors(iam: Any) -> None:
    make_role(iam)
    missing = "arn:aws:iam::aws:policy/NoSuchThing"
    assert error_of(iam.attach_role_policy, RoleName="app", PolicyArn=missing) == (
        "NoSuchEntity",
        404,
        f"Policy {missing} does not exist or is not attachable.",
    )
    assert error_of(iam.attach_role_policy, RoleName="ghost", PolicyArn=AWS_MANAGED[0]) == (
        "NoSuchEntity",
        404,
        "The role with name ghost cannot be found.",
    )
    assert error_of(iam.attach_role_policy, RoleName="app", PolicyArn="arn:aws:iam::aws:nothing-here")[:2] == (
        "ValidationError",
        400,
    )
    assert error_of(iam.list_attached_role_policies, RoleName="ghost")[0] == "NoSuchEntity"


# Tags -----------------------------------------------------------------------------------------


def test_role_tags(iam: Any) -> None:
    make_role(iam, Tags=[{"Key": "Team", "Value": "a"}])
    iam.tag_role(RoleName="app", Tags=[{"Key": "team", "Value": "b"}, {"Key": "cost-centre", "Value": "42"}])
    tags = iam.list_role_tags(RoleName="app")
    assert tags["Tags"] == [{"Key": "team", "Value": "b"}, {"Key": "cost-centre", "Value": "42"}]
    assert tags["IsTruncated"] is False
    first = iam.list_role_tags(RoleName="app", MaxItems=1)
    assert first["Tags"] == [{"Key": "team", "Value": "b"}] and first["IsTruncated"]
    assert iam.list_role_tags(RoleName="app", Marker=first["Marker"])["Tags"] == [{"Key": "cost-centre", "Value": "42"}]
    iam.untag_role(RoleName="app", TagKeys=["TEAM", "absent"])
    assert iam.get_role(RoleName="app")["Role"]["Tags"] == [{"Key": "cost-centre", "Value": "42"}]
    duplicate = [{"Key": "x", "Value": "1"}, {"Key": "X", "Value": "2"}]
    assert error_of(iam.tag_role, RoleName="app", Tags=duplicate) == (
        "InvalidInput",
        400,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    )
    assert error_of(iam.tag_role, RoleName="ghost", Tags=duplicate[:1])[0] == "NoSuchEntity"
    assert error_of(iam.untag_role, RoleName="ghost", TagKeys=["x"])[0] == "NoSuchEntity"
    assert error_of(iam.list_role_tags, RoleName="ghost")[0] == "NoSuchEntity"


def test_policy_tags(iam: Any) -> None:
    arn = make_policy(iam, Tags=[{"Key": "env", "Value": "dev"}])["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "Env", "Value": "prod"}, {"Key": "env", "Value": "test"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [
        {"Key": "Env", "Value": "prod"},
        {"Key": "env", "Value": "test"},
    ]
    iam.untag_policy(PolicyArn=arn, TagKeys=["env"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "Env", "Value": "prod"}]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "Env", "Value": "prod"}]
    duplicate = [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]
    assert error_of(iam.tag_policy, PolicyArn=arn, Tags=duplicate) == ("InvalidInput", 400, "Duplicate tag keys found.")
    ghost = arn.replace("send-orders", "ghost")
    assert error_of(iam.list_policy_tags, PolicyArn=ghost) == ("NoSuchEntity", 404, f"Policy {ghost} was not found.")
    assert error_of(iam.untag_policy, PolicyArn=ghost, TagKeys=["a"])[0] == "NoSuchEntity"


# Account authorization details -----------------------------------------------------------------


def test_get_account_authorization_details(iam: Any) -> None:
    make_role(iam, Tags=[{"Key": "k", "Value": "v"}])
    local = make_policy(iam)["Arn"]
    iam.attach_role_policy(RoleName="app", PolicyArn=local)
    iam.attach_role_policy(RoleName="app", PolicyArn=AWS_MANAGED[0])
    iam.put_role_policy(RoleName="app", PolicyName="inline", PolicyDocument=json.dumps(POLICY))

    details = iam.get_account_authorization_details()
    assert details["UserDetailList"] == [] and details["GroupDetailList"] == []
    [role] = details["RoleDetailList"]
    assert role["RoleName"] == "app" and role["AssumeRolePolicyDocument"] == TRUST
    assert role["RolePolicyList"] == [{"PolicyName": "inline", "PolicyDocument": POLICY}]
    assert [a["PolicyArn"] for a in role["AttachedManagedPolicies"]] == [local, AWS_MANAGED[0]]
    assert [p["Arn"] for p in details["Policies"]] == [local, AWS_MANAGED[0]]
    local_detail = details["Policies"][0]
    assert local_detail["AttachmentCount"] == 1
    assert local_detail["PolicyVersionList"][0]["Document"] == POLICY

    only_policies = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])
    assert only_policies["RoleDetailList"] == [] and [p["Arn"] for p in only_policies["Policies"]] == [local]
    first = iam.get_account_authorization_details(MaxItems=1)
    assert first["IsTruncated"] and len(first["RoleDetailList"]) == 1 and first["Policies"] == []
    rest = iam.get_account_authorization_details(Marker=first["Marker"])
    assert [p["Arn"] for p in rest["Policies"]] == [local, AWS_MANAGED[0]]
