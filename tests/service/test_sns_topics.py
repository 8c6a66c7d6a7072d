"""SNS topics through boto3: creation (standard and FIFO), attributes, listing, tags,
permissions and the data protection policy, with AWS's error answers."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"
ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:"


def unvalidated_client(server: Any) -> Any:
    """A client that sends what it is given, so the server's own validation answers."""
    return boto3.client(
        "sns",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="secret",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )


def error_of(call: Any, **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def sns(client: Any) -> Any:
    return client("sns")


def test_create_topic_answers_its_arn_and_default_attributes(sns: Any) -> None:
    arn = sns.create_topic(Name="orders")["TopicArn"]
    assert arn == ARN + "orders"
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["TopicArn"] == arn
    assert attributes["Owner"] == ACCOUNT
    assert attributes["DisplayName"] == ""
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsPending"]) == ("0", "0")
    assert attributes["SubscriptionsDeleted"] == "0"
    assert "FifoTopic" not in attributes
    policy = json.loads(attributes["Policy"])
    assert policy["Version"] == "2008-10-17" and policy["Id"] == "__default_policy_ID"
    [statement] = policy["Statement"]
    assert statement["Sid"] == "__default_statement_ID"
    assert statement["Principal"] == {"AWS": "*"}
    assert statement["Resource"] == arn
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": ACCOUNT}}
    assert "SNS:Publish" in statement["Action"] and len(statement["Action"]) == 8
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert effective["http"]["defaultHealthyRetryPolicy"] == {
        "minDelayTarget": 20,
        "maxDelayTarget": 20,
        "numRetries": 3,
        "numNoDelayRetries": 0,
        "numMinDelayRetries": 0,
        "numMaxDelayRetries": 0,
        "backoffFunction": "linear",
    }
    assert effective["http"]["defaultRequestPolicy"] == {"headerContentType": "text/plain; charset=UTF-8"}


def test_create_topic_with_attributes_stores_them(sns: Any) -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    delivery = json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 2}}})
    arn = sns.create_topic(
        Name="alerts",
        Attributes={
            "DisplayName": "Alerts",
            "KmsMasterKeyId": "alias/aws/sns",
            "SignatureVersion": "2",
            "TracingConfig": "Active",
            "Policy": policy,
            "DeliveryPolicy": delivery,
        },
    )["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Alerts"
    assert attributes["KmsMasterKeyId"] == "alias/aws/sns"
    assert attributes["SignatureVersion"] == "2"
    assert attributes["TracingConfig"] == "Active"
    assert attributes["Policy"] == policy
    assert attributes["DeliveryPolicy"] == delivery
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]
    assert effective["numRetries"] == 5 and effective["minDelayTarget"] == 2


def test_create_topic_is_idempotent_with_the_same_attributes(sns: Any) -> None:
    first = sns.create_topic(Name="same", Attributes={"DisplayName": "x"}, Tags=[{"Key": "k", "Value": "v"}])
    again = sns.create_topic(Name="same", Attributes={"DisplayName": "x"}, Tags=[{"Key": "k", "Value": "v"}])
    assert first["TopicArn"] == again["TopicArn"]
    assert sns.create_topic(Name="same")["TopicArn"] == first["TopicArn"]
    assert error_of(sns.create_topic, Name="same", Attributes={"DisplayName": "y"}) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
        400,
    )
    assert error_of(sns.create_topic, Name="same", Tags=[{"Key": "k", "Value": "other"}]) == (
        "InvalidParameter",
        "Invalid parameter: Tags Reason: Topic already exists with different tags",
        400,
    )


def test_topic_names_are_checked(sns: Any) -> None:
    assert error_of(sns.create_topic, Name="bad name") == ("InvalidParameter", "Invalid parameter: Topic Name", 400)
    assert error_of(sns.create_topic, Name="x" * 257)[1] == "Invalid parameter: Topic Name"
    assert error_of(sns.create_topic, Name="looks.fifo")[1] == "Invalid parameter: Topic Name"
    code, message, _ = error_of(sns.create_topic, Name="plain", Attributes={"FifoTopic": "true"})
    assert code == "InvalidParameter" and message.startswith("Fifo Topic names must end with .fifo")
    assert sns.create_topic(Name="a" * 256)["TopicArn"].endswith("a" * 256)


def test_fifo_topic_attributes(sns: Any) -> None:
    arn = sns.create_topic(Name="jobs.fifo", Attributes={"FifoTopic": "true", "FifoThroughputScope": "MessageGroup"})[
        "TopicArn"
    ]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "false"
    assert attributes["FifoThroughputScope"] == "MessageGroup"
    sns.set_topic_attributes(TopicArn=arn, AttributeName="ContentBasedDeduplication", AttributeValue="true")
    sns.set_topic_attributes(
        TopicArn=arn, AttributeName="ArchivePolicy", AttributeValue=json.dumps({"MessageRetentionPeriod": "30"})
    )
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["ContentBasedDeduplication"] == "true"
    assert json.loads(attributes["ArchivePolicy"]) == {"MessageRetentionPeriod": "30"}
    assert attributes["BeginningArchiveTime"].endswith("Z")
    assert error_of(sns.set_topic_attributes, TopicArn=arn, AttributeName="FifoTopic", AttributeValue="false")[1] == (
        "Invalid parameter: AttributeName"
    )
    bad_archive = json.dumps({"MessageRetentionPeriod": "400"})
    assert error_of(sns.set_topic_attributes, TopicArn=arn, AttributeName="ArchivePolicy", AttributeValue=bad_archive)[
        0
    ] == ("InvalidParameter")


def test_fifo_only_attributes_are_refused_on_standard_topics(sns: Any) -> None:
    arn = sns.create_topic(Name="std")["TopicArn"]
    for name, value in (("ContentBasedDeduplication", "true"), ("FifoThroughputScope", "Topic")):
        code, message, _ = error_of(sns.set_topic_attributes, TopicArn=arn, AttributeName=name, AttributeValue=value)
        assert code == "InvalidParameter" and name in message


def test_set_topic_attributes_checks_names_and_values(sns: Any) -> None:
    arn = sns.create_topic(Name="checked")["TopicArn"]
    cases = [
        ("Unknown", "x", "Invalid parameter: AttributeName"),
        ("SignatureVersion", "3", "Invalid parameter: SignatureVersion"),
        ("TracingConfig", "Sometimes", "Invalid parameter: TracingConfig"),
        ("Policy", "not json", "Invalid parameter: Policy"),
        ("DeliveryPolicy", "{", "Invalid parameter: DeliveryPolicy: failed to parse JSON."),
        (
            "DeliveryPolicy",
            json.dumps({"http": {"defaultHealthyRetryPolicy": {"numRetries": 101}}}),
            "Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or "
            "equal to 100",
        ),
        (
            "DeliveryPolicy",
            json.dumps({"throttlePolicy": {"maxReceivesPerSecond": 1}}),
            "Invalid parameter: DeliveryPolicy: Unexpected JSON member: throttlePolicy",
        ),
    ]
    for name, value, message in cases:
        assert error_of(sns.set_topic_attributes, TopicArn=arn, AttributeName=name, AttributeValue=value) == (
            "InvalidParameter",
            message,
            400,
        ), name
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Shown")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion", AttributeValue="2")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="SQSSuccessFeedbackSampleRate", AttributeValue="50")
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["DisplayName"] == "Shown" and attributes["SignatureVersion"] == "2"
    assert attributes["SQSSuccessFeedbackSampleRate"] == "50"


def test_maximum_message_size_attribute(sns: Any) -> None:
    arn = sns.create_topic(Name="big")["TopicArn"]
    sns.set_topic_attributes(TopicArn=arn, AttributeName="MaximumMessageSize", AttributeValue="1048576")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["MaximumMessageSize"] == "1048576"
    for value in ("1023", "1048577", "lots"):
        code, _, _ = error_of(
            sns.set_topic_attributes, TopicArn=arn, AttributeName="MaximumMessageSize", AttributeValue=value
        )
        assert code == "InvalidParameter"
    code, _, _ = error_of(sns.subscribe, TopicArn=arn, Protocol="email", Endpoint="someone@example.com")
    assert code == "InvalidParameter"


def test_unknown_and_malformed_topics(sns: Any) -> None:
    missing = ARN + "missing"
    assert error_of(sns.get_topic_attributes, TopicArn=missing) == ("NotFound", "Topic does not exist", 404)
    assert error_of(sns.set_topic_attributes, TopicArn=missing, AttributeName="DisplayName", AttributeValue="x")[0] == (
        "NotFound"
    )
    assert error_of(sns.get_topic_attributes, TopicArn="not-an-arn") == (
        "InvalidParameter",
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
        400,
    )
    other_region = "arn:aws:sns:eu-west-1:000000000000:orders"
    assert error_of(sns.get_topic_attributes, TopicArn=other_region)[1] == "Invalid parameter: TopicArn"
    sns.delete_topic(TopicArn=missing)  # deleting a topic that does not exist is no error


def test_delete_topic_removes_it_and_its_subscriptions(sns: Any) -> None:
    arn = sns.create_topic(Name="short-lived")["TopicArn"]
    sns.subscribe(TopicArn=arn, Protocol="sms", Endpoint="+15555550100")
    sns.delete_topic(TopicArn=arn)
    assert sns.list_topics()["Topics"] == []
    assert sns.list_subscriptions()["Subscriptions"] == []
    assert error_of(sns.get_topic_attributes, TopicArn=arn)[0] == "NotFound"


def test_list_topics_pages_by_100(sns: Any) -> None:
    created = {sns.create_topic(Name=f"t{index:03d}")["TopicArn"] for index in range(130)}
    first = sns.list_topics()
    assert len(first["Topics"]) == 100 and "NextToken" in first
    second = sns.list_topics(NextToken=first["NextToken"])
    assert len(second["Topics"]) == 30 and "NextToken" not in second
    assert {t["TopicArn"] for t in first["Topics"] + second["Topics"]} == created
    paginated = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    assert len(paginated) == 130
    assert error_of(sns.list_topics, NextToken="garbage")[0] == "InvalidParameter"


def test_topics_are_per_region(server: Any) -> None:
    east, west = server.client("sns"), server.client("sns", region="us-west-2")
    east.create_topic(Name="regional")
    assert west.list_topics()["Topics"] == []
    assert west.create_topic(Name="regional")["TopicArn"] == f"arn:aws:sns:us-west-2:{ACCOUNT}:regional"


def test_tags(sns: Any) -> None:
    arn = sns.create_topic(Name="tagged", Tags=[{"Key": "team", "Value": "orders"}])["TopicArn"]
    sns.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "billing"}])
    tags = {t["Key"]: t["Value"] for t in sns.list_tags_for_resource(ResourceArn=arn)["Tags"]}
    assert tags == {"team": "billing", "env": "test"}
    sns.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "test"}]
    duplicated = [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]
    assert error_of(sns.tag_resource, ResourceArn=arn, Tags=duplicated)[1] == (
        "Invalid parameter: Duplicated keys are not allowed."
    )
    too_many = [{"Key": f"k{index}", "Value": "v"} for index in range(50)]
    assert error_of(sns.tag_resource, ResourceArn=arn, Tags=too_many) == (
        "TagLimitExceeded",
        "Could not complete request: tag quota of per resource exceeded",
        400,
    )
    assert error_of(sns.list_tags_for_resource, ResourceArn=ARN + "nope") == (
        "ResourceNotFound",
        "Resource does not exist",
        404,
    )


def test_add_and_remove_permission(sns: Any) -> None:
    arn = sns.create_topic(Name="shared")["TopicArn"]
    sns.add_permission(TopicArn=arn, Label="publishers", AWSAccountId=["111122223333"], ActionName=["Publish"])
    sns.add_permission(
        TopicArn=arn, Label="both", AWSAccountId=["111122223333", "444455556666"], ActionName=["Publish", "Subscribe"]
    )
    statements = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["__default_statement_ID", "publishers", "both"]
    assert statements[1] == {
        "Sid": "publishers",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "SNS:Publish",
        "Resource": arn,
    }
    assert statements[2]["Action"] == ["SNS:Publish", "SNS:Subscribe"]
    assert error_of(
        sns.add_permission, TopicArn=arn, Label="both", AWSAccountId=["111122223333"], ActionName=["Publish"]
    )[1] == ("Invalid parameter: Statement already exists")
    assert error_of(
        sns.add_permission, TopicArn=arn, Label="other", AWSAccountId=["111122223333"], ActionName=["CreateTopic"]
    )[1] == ("Invalid parameter: Policy statement action out of service scope!")
    sns.remove_permission(TopicArn=arn, Label="publishers")
    statements = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["__default_statement_ID", "both"]


def test_data_protection_policy(sns: Any) -> None:
    arn = sns.create_topic(Name="protected")["TopicArn"]
    assert "DataProtectionPolicy" not in sns.get_data_protection_policy(ResourceArn=arn)
    policy = json.dumps({"Name": "p", "Version": "2021-06-01", "Statement": []})
    sns.put_data_protection_policy(ResourceArn=arn, DataProtectionPolicy=policy)
    assert sns.get_data_protection_policy(ResourceArn=arn)["DataProtectionPolicy"] == policy
    code, _, _ = error_of(sns.put_data_protection_policy, ResourceArn=arn, DataProtectionPolicy="[")
    assert code == "InvalidParameter"
    assert error_of(sns.get_data_protection_policy, ResourceArn=ARN + "nope")[0] == "NotFound"


def test_missing_required_parameter_is_a_validation_error(server: Any) -> None:
    sns = unvalidated_client(server)
    code, message, status = error_of(sns.create_topic)
    assert (code, status) == ("ValidationError", 400)
    assert (
        message
        == "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
    )
