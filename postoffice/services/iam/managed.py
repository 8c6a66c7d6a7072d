"""AWS-managed policies (arn:aws:iam::aws:policy/...): a built-in table of the ones apps attach.

Documents, default versions and dates are AWS's as published. AWS does not publish these
policies' ids, so each gets a stable id derived from its name.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from postoffice.services.iam.ids import POLICY_PREFIX

AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"


@dataclass(frozen=True)
class AwsManagedPolicy:
    name: str
    path: str
    version_id: str
    create_date: float
    update_date: float
    document: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy{self.path}{self.name}"

    @property
    def default_version_id(self) -> str:
        return self.version_id

    @property
    def description(self) -> str | None:
        return None

    @property
    def tags(self) -> list[dict[str, str]]:
        return []

    @property
    def policy_id(self) -> str:
        digest = base64.b32encode(hashlib.sha256(self.name.encode()).digest()).decode()
        return POLICY_PREFIX + digest[:17]


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()


def _statement(actions: list[str] | str, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def _policy(
    name: str, path: str, version_id: str, created: str, updated: str, statements: list[dict[str, Any]]
) -> AwsManagedPolicy:
    document = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=4)
    return AwsManagedPolicy(name, path, version_id, _epoch(created), _epoch(updated), document)


def _pass_role_to(service: str, sid: str) -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": "arn:aws:iam::*:role/*",
        "Condition": {"StringLike": {"iam:PassedToService": service}},
    }


_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]

_POLICIES = [
    _policy("AdministratorAccess", "/", "v1", "2015-02-06T18:39:46", "2015-02-06T18:39:46", [_statement("*")]),
    _policy(
        "AWSLambdaBasicExecutionRole",
        "/service-role/",
        "v1",
        "2015-04-09T15:03:43",
        "2015-04-09T15:03:43",
        [_statement(_LOGS)],
    ),
    _policy(
        "AWSLambdaSQSQueueExecutionRole",
        "/service-role/",
        "v1",
        "2018-06-14T21:50:45",
        "2018-06-14T21:50:45",
        [_statement(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS])],
    ),
    _policy(
        "AWSLambdaDynamoDBExecutionRole",
        "/service-role/",
        "v1",
        "2015-04-09T15:09:29",
        "2015-04-09T15:09:29",
        [
            _statement(
                [
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                    *_LOGS,
                ]
            )
        ],
    ),
    _policy(
        "AWSLambdaRole",
        "/service-role/",
        "v1",
        "2015-02-06T18:41:28",
        "2015-02-06T18:41:28",
        [_statement(["lambda:InvokeFunction"], ["*"])],
    ),
    _policy(
        "AmazonAPIGatewayPushToCloudWatchLogs",
        "/service-role/",
        "v1",
        "2015-11-11T23:41:46",
        "2015-11-11T23:41:46",
        [
            _statement(
                [
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                    "logs:GetLogEvents",
                    "logs:FilterLogEvents",
                ]
            )
        ],
    ),
    _policy("AmazonSQSFullAccess", "/", "v1", "2015-02-06T18:41:07", "2015-02-06T18:41:07", [_statement(["sqs:*"])]),
    _policy(
        "AmazonSNSFullAccess",
        "/",
        "v2",
        "2015-02-06T18:41:05",
        "2024-09-24T22:32:05",
        [
            {"Sid": "SNSFullAccess", **_statement("sns:*")},
            {
                "Sid": "SMSAccessViaSNS",
                **_statement(
                    [
                        "sms-voice:DescribeVerifiedDestinationNumbers",
                        "sms-voice:CreateVerifiedDestinationNumber",
                        "sms-voice:SendDestinationNumberVerificationCode",
                        "sms-voice:SendTextMessage",
                        "sms-voice:DeleteVerifiedDestinationNumber",
                        "sms-voice:VerifyDestinationNumber",
                        "sms-voice:DescribeAccountAttributes",
                        "sms-voice:DescribeSpendLimits",
                        "sms-voice:DescribePhoneNumbers",
                        "sms-voice:SetTextMessageSpendLimitOverride",
                        "sms-voice:DescribeOptedOutNumbers",
                        "sms-voice:DeleteOptedOutNumber",
                    ],
                    Condition={"StringEquals": {"aws:CalledViaLast": "sns.amazonaws.com"}},
                ),
            },
        ],
    ),
    _policy(
        "AmazonEventBridgeFullAccess",
        "/",
        "v7",
        "2019-07-11T14:08:55",
        "2026-02-12T17:58:25",
        [
            {"Sid": "EventBridgeActions", **_statement(["events:*", "schemas:*", "scheduler:*", "pipes:*"])},
            {
                "Sid": "IAMCreateServiceLinkedRoleForApiDestinations",
                **_statement(
                    "iam:CreateServiceLinkedRole",
                    "arn:aws:iam::*:role/aws-service-role/apidestinations.events.amazonaws.com/"
                    "AWSServiceRoleForAmazonEventBridgeApiDestinations",
                    Condition={"StringEquals": {"iam:AWSServiceName": "apidestinations.events.amazonaws.com"}},
                ),
            },
            {
                "Sid": "IAMCreateServiceLinkedRoleForAmazonEventBridgeSchemas",
                **_statement(
                    "iam:CreateServiceLinkedRole",
                    "arn:aws:iam::*:role/aws-service-role/schemas.amazonaws.com/AWSServiceRoleForSchemas",
                    Condition={"StringEquals": {"iam:AWSServiceName": "schemas.amazonaws.com"}},
                ),
            },
            {
                "Sid": "SecretsManagerAccessForApiDestinations",
                **_statement(
                    [
                        "secretsmanager:CreateSecret",
                        "secretsmanager:UpdateSecret",
                        "secretsmanager:DeleteSecret",
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:PutSecretValue",
                    ],
                    "arn:aws:secretsmanager:*:*:secret:events!*",
                ),
            },
            _pass_role_to("events.amazonaws.com", "IAMPassRoleAccessForEventBridge"),
            _pass_role_to("scheduler.amazonaws.com", "IAMPassRoleAccessForScheduler"),
            _pass_role_to("pipes.amazonaws.com", "IAMPassRoleAccessForPipes"),
        ],
    ),
    _policy(
        "AWSStepFunctionsFullAccess",
        "/",
        "v1",
        "2017-01-11T21:51:32",
        "2017-01-11T21:51:32",
        [_statement("states:*")],
    ),
]

AWS_MANAGED_POLICIES: dict[str, AwsManagedPolicy] = {policy.arn: policy for policy in _POLICIES}


def is_aws_managed(arn: str) -> bool:
    return arn.startswith(AWS_POLICY_PREFIX)


def aws_managed_policy(arn: str) -> AwsManagedPolicy | None:
    return AWS_MANAGED_POLICIES.get(arn)
