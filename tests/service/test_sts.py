"""STS through real HTTP with boto3: caller identity, assumed roles, session tokens."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from server import ServerProcess

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}
DEFAULT_ACCOUNT = "000000000000"
ROLE_ACCOUNT = "111122223333"
ROLE_ARN = f"arn:aws:iam::{ROLE_ACCOUNT}:role/worker"


def error_of(call: Callable[..., Any], **params: Any) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as caught:
        call(**params)
    response = caught.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def with_credentials(server: ServerProcess, service: str, credentials: dict[str, Any]) -> Any:
    return server.client(
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def make_role(server: ServerProcess, **params: Any) -> dict[str, Any]:
    iam = server.client("iam", aws_access_key_id=ROLE_ACCOUNT)
    return iam.create_role(RoleName="worker", AssumeRolePolicyDocument=json.dumps(TRUST), **params)["Role"]


def test_caller_identity_of_long_term_keys(server: ServerProcess) -> None:
    identity = server.client("sts").get_caller_identity()
    assert (identity["Account"], identity["UserId"], identity["Arn"]) == (
        DEFAULT_ACCOUNT,
        DEFAULT_ACCOUNT,
        f"arn:aws:iam::{DEFAULT_ACCOUNT}:root",
    )
    own = server.client("sts", aws_access_key_id="444455556666").get_caller_identity()
    assert (own["Account"], own["Arn"]) == ("444455556666", "arn:aws:iam::444455556666:root")


def test_assume_role_across_accounts(server: ServerProcess) -> None:
    role = make_role(server)
    before = dt.datetime.now(dt.UTC)
    answer = server.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="job-42")
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    expected = before + dt.timedelta(hours=1)
    assert abs((credentials["Expiration"] - expected).total_seconds()) < 5
    assert answer["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:job-42",
        "Arn": f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/worker/job-42",
    }

    identity = with_credentials(server, "sts", credentials).get_caller_identity()
    assert (identity["Account"], identity["UserId"], identity["Arn"]) == (
        ROLE_ACCOUNT,
        f"{role['RoleId']}:job-42",
        f"arn:aws:sts::{ROLE_ACCOUNT}:assumed-role/worker/job-42",
    )
    # Requests signed with the session's key run in the role's account.
    roles = with_credentials(server, "iam", credentials).list_roles()["Roles"]
    assert [r["RoleName"] for r in roles] == ["worker"]
    last_used = server.client("iam", aws_access_key_id=ROLE_ACCOUNT).get_role(RoleName="worker")["Role"]["RoleLastUsed"]
    assert last_used["Region"] == "us-east-1" and isinstance(last_used["LastUsedDate"], dt.datetime)


def test_assume_role_errors(server: ServerProcess) -> None:
    sts = server.client("sts")
    assert error_of(sts.assume_role, RoleArn=ROLE_ARN, RoleSessionName="s1") == (
        "AccessDenied",
        403,
        f"User: arn:aws:iam::{DEFAULT_ACCOUNT}:root is not authorized to perform: sts:AssumeRole "
        f"on resource: {ROLE_ARN}",
    )
    make_role(server)
    assert error_of(sts.assume_role, RoleArn=ROLE_ARN, RoleSessionName="has space") == (
        "ValidationError",
        400,
        "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    )
    code, status, message = error_of(sts.assume_role, RoleArn=ROLE_ARN, RoleSessionName="s" * 65)
    assert (code, status) == ("ValidationError", 400)
    assert message.endswith(
        "at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64"
    )
    assert error_of(sts.assume_role, RoleArn=ROLE_ARN, RoleSessionName="s1", DurationSeconds=43201) == (
        "ValidationError",
        400,
        "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value less than or equal to 43200",
    )
    assert error_of(sts.assume_role, RoleArn=ROLE_ARN, RoleSessionName="s1", DurationSeconds=3601) == (
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )
    assert error_of(sts.assume_role, RoleArn="this-is-not-an-arn-at-all", RoleSessionName="s1") == (
        "ValidationError",
        400,
        "this-is-not-an-arn-at-all is invalid",
    )


def test_role_chaining_is_limited_to_one_hour(server: ServerProcess) -> None:
    make_role(server, MaxSessionDuration=43200)
    first = server.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="first", DurationSeconds=43200)
    chained = with_credentials(server, "sts", first["Credentials"])
    assert error_of(chained.assume_role, RoleArn=ROLE_ARN, RoleSessionName="second", DurationSeconds=7200) == (
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    )
    second = chained.assume_role(RoleArn=ROLE_ARN, RoleSessionName="second")
    assert second["AssumedRoleUser"]["Arn"].endswith(":assumed-role/worker/second")


def test_get_session_token(server: ServerProcess) -> None:
    sts = server.client("sts", aws_access_key_id="444455556666")
    credentials = sts.get_session_token(DurationSeconds=900)["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    remaining = (credentials["Expiration"] - dt.datetime.now(dt.UTC)).total_seconds()
    assert 890 < remaining <= 900
    session = with_credentials(server, "sts", credentials)
    identity = session.get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == ("444455556666", "arn:aws:iam::444455556666:root")
    assert error_of(session.get_session_token) == (
        "AccessDenied",
        403,
        "Cannot call GetSessionToken with session credentials",
    )
    capped = sts.get_session_token(DurationSeconds=129600)["Credentials"]
    assert (capped["Expiration"] - dt.datetime.now(dt.UTC)).total_seconds() <= 3600
    code, _, message = error_of(sts.get_session_token, DurationSeconds=129601)
    assert code == "ValidationError" and "Member must have value less than or equal to 129600" in message


def test_expiration_follows_the_servers_clock(virtual_server: ServerProcess) -> None:
    virtual_server.advance(86400 * 30)
    now = virtual_server.now()
    iam = virtual_server.client("iam", aws_access_key_id=ROLE_ACCOUNT)
    role = iam.create_role(RoleName="worker", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    assert role["CreateDate"].timestamp() == pytest.approx(now, abs=0.01)
    answer = virtual_server.client("sts").assume_role(RoleArn=ROLE_ARN, RoleSessionName="s1", DurationSeconds=900)
    assert answer["Credentials"]["Expiration"].timestamp() == pytest.approx(now + 900, abs=0.01)
