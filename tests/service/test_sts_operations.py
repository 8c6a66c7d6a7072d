"""STS's logic called in-process (no HTTP): identities, sessions, limits, persistence.

The HTTP behaviour, as boto3 sees it, is in test_sts.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_iam_operations import ACCOUNT, START, TRUST, Harness

from postoffice.core.store.sqlite import SqliteStore
from postoffice.protocol.sigv4 import account_for_key
from postoffice.services.sts.identity import resolve_access_key

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/app"
DEFAULT_ACCOUNT = "000000000000"


@pytest.fixture
def h() -> Any:
    harness = Harness()
    yield harness
    harness.close()


def create_role(h: Harness, name: str = "app", account: str = ACCOUNT, **params: Any) -> dict[str, Any]:
    ctx = h.ctx(account=account)
    return h.call(h.iam, "CreateRole", ctx, RoleName=name, AssumeRolePolicyDocument=TRUST, **params)["Role"]


def assume(h: Harness, ctx: Any = None, role_arn: str = ROLE_ARN, session: str = "s1", **params: Any) -> Any:
    return h.call(h.sts, "AssumeRole", ctx, RoleArn=role_arn, RoleSessionName=session, **params)


def test_long_term_keys_are_their_accounts_root_user(h: Harness) -> None:
    assert h.call(h.sts, "GetCallerIdentity", h.ctx(access_key=ACCOUNT)) == {
        "UserId": ACCOUNT,
        "Account": ACCOUNT,
        "Arn": f"arn:aws:iam::{ACCOUNT}:root",
    }
    caller = resolve_access_key(h.system, "AKIAIOSFODNN7EXAMPLE")
    assert (caller.account, caller.arn, caller.temporary) == (
        DEFAULT_ACCOUNT,
        f"arn:aws:iam::{DEFAULT_ACCOUNT}:root",
        False,
    )


def test_assume_role_issues_remembered_credentials_for_the_roles_account(h: Harness) -> None:
    role = create_role(h)
    other_account = h.ctx(account="210987654321", access_key="210987654321")
    answer = assume(h, other_account, DurationSeconds=900, SourceIdentity="alice")
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretAccessKey"]) == 40 and credentials["SessionToken"]
    assert credentials["Expiration"] == START + 900
    assert answer["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:s1",
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1",
    }
    assert answer["SourceIdentity"] == "alice"

    key = credentials["AccessKeyId"]
    caller = resolve_access_key(h.system, key)
    assert (caller.account, caller.arn, caller.user_id) == (
        ACCOUNT,
        f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1",
        f"{role['RoleId']}:s1",
    )
    identity = h.call(h.sts, "GetCallerIdentity", h.ctx(account=ACCOUNT, access_key=key))
    assert identity["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1"


def test_assume_role_records_the_roles_last_use(h: Harness) -> None:
    create_role(h)
    h.run(h.clock.advance(30))
    assume(h, h.ctx(region="eu-west-1"))
    last_used = h.call(h.iam, "GetRole", RoleName="app")["Role"]["RoleLastUsed"]
    assert last_used == {"LastUsedDate": START + 30, "Region": "eu-west-1"}


def test_assumed_role_arns_drop_the_path_but_the_role_arn_must_carry_it(h: Harness) -> None:
    create_role(h, "deep", Path="/team/a/")
    answer = assume(h, role_arn=f"arn:aws:iam::{ACCOUNT}:role/team/a/deep")
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deep/s1"
    error = h.error(h.sts, "AssumeRole", RoleArn=f"arn:aws:iam::{ACCOUNT}:role/deep", RoleSessionName="s1")
    assert error.code == "AccessDenied"


def test_an_unknown_role_is_access_denied_naming_the_caller(h: Harness) -> None:
    error = h.error(h.sts, "AssumeRole", h.ctx(access_key=ACCOUNT), RoleArn=ROLE_ARN, RoleSessionName="s1")
    assert (error.code, error.status, error.message) == (
        "AccessDenied",
        403,
        f"User: arn:aws:iam::{ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: {ROLE_ARN}",
    )
    for arn in (f"arn:aws:iam:us-east-1:{ACCOUNT}:role/app", f"arn:aws:sqs:us-east-1:{ACCOUNT}:app"):
        assert h.error(h.sts, "AssumeRole", RoleArn=arn, RoleSessionName="s1").code == "AccessDenied"


def test_a_malformed_role_arn_is_invalid(h: Harness) -> None:
    error = h.error(h.sts, "AssumeRole", RoleArn="not-an-arn-but-long-enough", RoleSessionName="s1")
    assert (error.code, error.message) == ("ValidationError", "not-an-arn-but-long-enough is invalid")


def test_duration_is_bounded_by_the_roles_max_session_duration(h: Harness) -> None:
    create_role(h, MaxSessionDuration=7200)
    assert assume(h, DurationSeconds=7200)["Credentials"]["Expiration"] == START + 7200
    error = h.error(h.sts, "AssumeRole", RoleArn=ROLE_ARN, RoleSessionName="s1", DurationSeconds=7201)
    assert (error.code, error.message) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    )


def test_role_chaining_is_limited_to_an_hour(h: Harness) -> None:
    create_role(h, MaxSessionDuration=43200)
    key = assume(h)["Credentials"]["AccessKeyId"]
    chained = h.ctx(access_key=key)
    assert assume(h, chained, session="s2", DurationSeconds=3600)["AssumedRoleUser"]["Arn"].endswith("/app/s2")
    error = h.error(h.sts, "AssumeRole", chained, RoleArn=ROLE_ARN, RoleSessionName="s3", DurationSeconds=3601)
    assert (
        error.message
        == "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    )


def test_session_tags_must_have_distinct_keys(h: Harness) -> None:
    create_role(h)
    tags = [{"Key": "team", "Value": "a"}, {"Key": "Team", "Value": "b"}]
    error = h.error(h.sts, "AssumeRole", RoleArn=ROLE_ARN, RoleSessionName="s1", Tags=tags)
    assert (error.code, error.message) == (
        "InvalidParameterValue",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    )
    error = h.error(
        h.sts, "AssumeRole", RoleArn=ROLE_ARN, RoleSessionName="s1", Tags=tags[:1], TransitiveTagKeys=["other"]
    )
    assert error.message == "The specified transitive tag key must be included in the requested tags."


def test_session_tokens_keep_the_callers_identity_for_at_most_an_hour(h: Harness) -> None:
    answer = h.call(h.sts, "GetSessionToken", h.ctx(access_key=ACCOUNT), DurationSeconds=129600)
    credentials = answer["Credentials"]
    assert credentials["Expiration"] == START + 3600
    assert (
        h.call(h.sts, "GetSessionToken", h.ctx(access_key=ACCOUNT), DurationSeconds=900)["Credentials"]["Expiration"]
        == START + 900
    )
    caller = resolve_access_key(h.system, credentials["AccessKeyId"])
    assert (caller.account, caller.arn, caller.temporary) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:root", True)
    error = h.error(h.sts, "GetSessionToken", h.ctx(access_key=credentials["AccessKeyId"]))
    assert (error.code, error.status, error.message) == (
        "AccessDenied",
        403,
        "Cannot call GetSessionToken with session credentials",
    )


def test_the_router_maps_issued_keys_to_their_account_while_sts_runs(h: Harness) -> None:
    create_role(h)
    key = assume(h, h.ctx(account=DEFAULT_ACCOUNT))["Credentials"]["AccessKeyId"]
    assert account_for_key(key, DEFAULT_ACCOUNT) == DEFAULT_ACCOUNT
    h.run(h.sts.start())
    try:
        assert account_for_key(key, DEFAULT_ACCOUNT) == ACCOUNT
        assert account_for_key("ASIAUNKNOWNKEY000000", DEFAULT_ACCOUNT) == DEFAULT_ACCOUNT
    finally:
        h.run(h.sts.stop())
    assert account_for_key(key, DEFAULT_ACCOUNT) == DEFAULT_ACCOUNT


def test_credentials_are_forgotten_a_day_after_they_expire(h: Harness) -> None:
    create_role(h)
    old = assume(h)["Credentials"]["AccessKeyId"]
    h.run(h.clock.advance(3600 + 86400 - 1))
    assume(h, session="s2")
    assert resolve_access_key(h.system, old).temporary
    h.run(h.clock.advance(2))
    assume(h, session="s3")
    assert not resolve_access_key(h.system, old).temporary


def test_credentials_for_role_in_process_need_no_existing_role(h: Harness) -> None:
    arn = "arn:aws:iam::111122223333:role/service-role/fn-role"
    issued = h.run(h.sts.credentials_for_role(arn, "fn"))
    assert issued.arn == "arn:aws:sts::111122223333:assumed-role/fn-role/fn"
    assert issued.user_id.startswith("AROA") and issued.user_id.endswith(":fn")
    assert resolve_access_key(h.system, issued.access_key_id).account == "111122223333"


def test_issued_credentials_survive_a_restart(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path))
    first = Harness(store)
    first.call(first.iam, "CreateRole", RoleName="app", AssumeRolePolicyDocument=TRUST)
    key = first.call(first.sts, "AssumeRole", RoleArn=ROLE_ARN, RoleSessionName="s1")["Credentials"]["AccessKeyId"]
    first.run(store.flush())
    first.close()
    store.close()
    second = Harness(SqliteStore(str(tmp_path)))
    assert resolve_access_key(second.system, key).arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/app/s1"
    second.close()
    second.store.close()


def test_reset_forgets_issued_credentials(h: Harness) -> None:
    create_role(h)
    key = assume(h)["Credentials"]["AccessKeyId"]
    h.run(h.sts.reset())
    assert not resolve_access_key(h.system, key).temporary
