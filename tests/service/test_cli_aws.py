"""The AWS CLI, unmodified, against the server: STS and IAM commands and their error output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from server import ServerProcess

AWS = str(Path(sys.executable).with_name("aws"))
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

pytestmark = pytest.mark.skipif(not os.path.exists(AWS), reason="the AWS CLI is not installed in this environment")


def aws(
    server: ServerProcess, *args: str, key: str = "AKIAIOSFODNN7EXAMPLE", secret: str = "secret", token: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    if token:
        env["AWS_SESSION_TOKEN"] = token
    command = [AWS, "--endpoint-url", server.endpoint, "--output", "json", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def ok(server: ServerProcess, *args: str, **credentials: str) -> Any:
    result = aws(server, *args, **credentials)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.strip() else None


def test_sts_get_caller_identity(server: ServerProcess) -> None:
    assert ok(server, "sts", "get-caller-identity") == {
        "UserId": "000000000000",
        "Account": "000000000000",
        "Arn": "arn:aws:iam::000000000000:root",
    }
    assert ok(server, "sts", "get-caller-identity", key="123456789012")["Account"] == "123456789012"


def test_iam_role_lifecycle(server: ServerProcess) -> None:
    created = ok(server, "iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", TRUST)
    assert created["Role"]["Arn"] == "arn:aws:iam::000000000000:role/cli-role"
    assert created["Role"]["AssumeRolePolicyDocument"] == json.loads(TRUST)
    policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
    ok(server, "iam", "attach-role-policy", "--role-name", "cli-role", "--policy-arn", policy_arn)
    attached = ok(server, "iam", "list-attached-role-policies", "--role-name", "cli-role")
    assert attached["AttachedPolicies"] == [{"PolicyName": "AWSLambdaSQSQueueExecutionRole", "PolicyArn": policy_arn}]
    ok(
        server,
        "iam",
        "put-role-policy",
        "--role-name",
        "cli-role",
        "--policy-name",
        "send",
        "--policy-document",
        POLICY,
    )
    inline = ok(server, "iam", "get-role-policy", "--role-name", "cli-role", "--policy-name", "send")
    assert inline["PolicyDocument"] == json.loads(POLICY)
    names = ok(server, "iam", "list-roles", "--query", "Roles[].RoleName")
    assert names == ["cli-role"]

    ok(server, "iam", "detach-role-policy", "--role-name", "cli-role", "--policy-arn", policy_arn)
    ok(server, "iam", "delete-role-policy", "--role-name", "cli-role", "--policy-name", "send")
    ok(server, "iam", "delete-role", "--role-name", "cli-role")
    assert ok(server, "iam", "list-roles") == {"Roles": []}


def test_iam_errors_reach_the_cli_as_aws_words_them(server: ServerProcess) -> None:
    result = aws(server, "iam", "get-role", "--role-name", "ghost")
    assert result.returncode != 0
    assert (
        "An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name ghost cannot be found."
        in result.stderr
    )
    result = aws(server, "iam", "create-role", "--role-name", "bad", "--assume-role-policy-document", "{oops")
    assert result.returncode != 0
    assert (
        "(MalformedPolicyDocument) when calling the CreateRole operation: This policy contains invalid Json"
        in result.stderr
    )


def test_managed_policy_versions_from_the_cli(server: ServerProcess) -> None:
    arn = ok(server, "iam", "create-policy", "--policy-name", "cli-policy", "--policy-document", POLICY)["Policy"][
        "Arn"
    ]
    ok(server, "iam", "create-policy-version", "--policy-arn", arn, "--policy-document", POLICY, "--set-as-default")
    versions = ok(server, "iam", "list-policy-versions", "--policy-arn", arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [("v2", True), ("v1", False)]
    document = ok(server, "iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v2")
    assert document["PolicyVersion"]["Document"] == json.loads(POLICY)


def test_sts_assume_role_then_use_the_session(server: ServerProcess) -> None:
    ok(
        server,
        "iam",
        "create-role",
        "--role-name",
        "cli-role",
        "--assume-role-policy-document",
        TRUST,
        key="123456789012",
    )
    answer = ok(
        server,
        "sts",
        "assume-role",
        "--role-arn",
        "arn:aws:iam::123456789012:role/cli-role",
        "--role-session-name",
        "cli",
    )
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/cli-role/cli"
    session = {
        "key": credentials["AccessKeyId"],
        "secret": credentials["SecretAccessKey"],
        "token": credentials["SessionToken"],
    }
    identity = ok(server, "sts", "get-caller-identity", **session)
    assert identity["Arn"] == "arn:aws:sts::123456789012:assumed-role/cli-role/cli"
    assert ok(server, "iam", "list-roles", "--query", "Roles[].RoleName", **session) == ["cli-role"]
