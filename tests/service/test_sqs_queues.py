"""SQS queue management through boto3: create, attributes, listing, tags, permissions, purge."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def sqs(client: Any) -> Any:
    return client("sqs")


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_queue_returns_url_with_region_and_request_port(sqs: Any, server: Any) -> None:
    url = sqs.create_queue(QueueName="orders")["QueueUrl"]
    assert url == f"http://sqs.us-east-1.localhost:{server.port}/000000000000/orders"
    assert sqs.get_queue_url(QueueName="orders")["QueueUrl"] == url


def test_default_attributes(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="defaults")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    created = attributes.pop("CreatedTimestamp")
    modified = attributes.pop("LastModifiedTimestamp")
    assert created.isdigit() and modified == created
    assert attributes == {
        "QueueArn": "arn:aws:sqs:us-east-1:000000000000:defaults",
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
    }


def test_fifo_queue_defaults(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="jobs.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"],
    )["Attributes"]
    assert attributes == {
        "FifoQueue": "true",
        "ContentBasedDeduplication": "false",
        "DeduplicationScope": "queue",
        "FifoThroughputLimit": "perQueue",
    }


def test_get_queue_attributes_without_names_returns_nothing(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="nothing")["QueueUrl"]
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url)


def test_get_queue_attributes_unknown_name(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="unknown-attr")["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Colour"])
    assert error_of(excinfo) == ("InvalidAttributeName", "Unknown Attribute Colour.", 400)


@pytest.mark.parametrize(
    "name",
    ["", "has space", "dot.in.name", "x" * 81, "ends.fifo"],
)
def test_invalid_standard_queue_names(sqs: Any, name: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName=name)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidParameterValue", 400)
    assert message == "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"


def test_queue_name_limits(sqs: Any) -> None:
    sqs.create_queue(QueueName="a" * 80)
    sqs.create_queue(QueueName="b" * 75 + ".fifo", Attributes={"FifoQueue": "true"})
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="c" * 76 + ".fifo", Attributes={"FifoQueue": "true"})
    assert "must end with .fifo suffix and be 1 to 80 in length" in error_of(excinfo)[1]


def test_fifo_queue_needs_fifo_suffix(sqs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="no-suffix", Attributes={"FifoQueue": "true"})
    code, message, _ = error_of(excinfo)
    assert code == "InvalidParameterValue"
    assert message == (
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
        "must end with .fifo suffix and be 1 to 80 in length."
    )


@pytest.mark.parametrize("attribute", ["ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"])
def test_fifo_only_attributes_rejected_on_standard_queues(sqs: Any, attribute: str) -> None:
    value = {"ContentBasedDeduplication": "true", "DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue"}
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="standard", Attributes={attribute: value[attribute]})
    assert error_of(excinfo)[:2] == ("InvalidAttributeName", f"Unknown Attribute {attribute}.")


@pytest.mark.parametrize(
    ("attribute", "bad", "good"),
    [
        ("DelaySeconds", "901", "900"),
        ("DelaySeconds", "-1", "0"),
        ("MaximumMessageSize", "1023", "1024"),
        ("MaximumMessageSize", "1048577", "1048576"),
        ("MessageRetentionPeriod", "59", "60"),
        ("MessageRetentionPeriod", "1209601", "1209600"),
        ("ReceiveMessageWaitTimeSeconds", "21", "20"),
        ("VisibilityTimeout", "43201", "43200"),
        ("VisibilityTimeout", "ten", "10"),
        ("KmsDataKeyReusePeriodSeconds", "59", "86400"),
    ],
)
def test_attribute_limits(sqs: Any, attribute: str, bad: str, good: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="limits", Attributes={attribute: bad})
    assert error_of(excinfo) == ("InvalidAttributeValue", f"Invalid value for the parameter {attribute}.", 400)
    url = sqs.create_queue(QueueName="limits", Attributes={attribute: good})["QueueUrl"]
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={attribute: bad})
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[attribute])["Attributes"][attribute] == good


def test_read_only_attributes_cannot_be_set(sqs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="ro", Attributes={"QueueArn": "arn:aws:sqs:us-east-1:000000000000:x"})
    assert error_of(excinfo)[:2] == ("InvalidAttributeName", "Unknown Attribute QueueArn.")


def test_create_is_idempotent_with_same_attributes_and_rejects_different(sqs: Any) -> None:
    attributes = {"ReceiveMessageWaitTimeSeconds": "1", "DelaySeconds": "1"}
    url = sqs.create_queue(QueueName="idem", Attributes=attributes)["QueueUrl"]
    assert sqs.create_queue(QueueName="idem")["QueueUrl"] == url
    assert sqs.create_queue(QueueName="idem", Attributes={"DelaySeconds": "1"})["QueueUrl"] == url
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(QueueName="idem", Attributes={"ReceiveMessageWaitTimeSeconds": "1", "DelaySeconds": "2"})
    assert error_of(excinfo) == (
        "QueueAlreadyExists",
        "A queue already exists with the same name and a different value for attribute DelaySeconds",
        400,
    )
    assert excinfo.value.response["Error"]["QueryErrorCode"] == "QueueNameExists"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "2"})
    assert sqs.create_queue(QueueName="idem", Attributes={"DelaySeconds": "2"})["QueueUrl"] == url


def test_create_fifo_queue_with_different_attributes(sqs: Any) -> None:
    sqs.create_queue(QueueName="f.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})
    with pytest.raises(sqs.exceptions.QueueNameExists):
        sqs.create_queue(QueueName="f.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"})


def test_set_queue_attributes_updates_last_modified_only_on_change(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="setme")["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "69", "MaximumMessageSize": "2048"})
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "MaximumMessageSize"])
    assert attributes["Attributes"] == {"VisibilityTimeout": "69", "MaximumMessageSize": "2048"}


def test_fifo_queue_type_cannot_change(sqs: Any) -> None:
    standard = sqs.create_queue(QueueName="plain")["QueueUrl"]
    fifo = sqs.create_queue(QueueName="ordered.fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=standard, Attributes={"FifoQueue": "true"})
    assert error_of(excinfo)[:2] == ("InvalidAttributeName", "Unknown Attribute FifoQueue.")
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=fifo, Attributes={"FifoQueue": "false"})
    assert error_of(excinfo)[:2] == (
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    )


def test_fifo_high_throughput_combination(sqs: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        sqs.create_queue(
            QueueName="ht.fifo", Attributes={"FifoQueue": "true", "FifoThroughputLimit": "perMessageGroupId"}
        )
    assert error_of(excinfo)[0] == "InvalidAttributeValue"
    url = sqs.create_queue(
        QueueName="ht.fifo",
        Attributes={
            "FifoQueue": "true",
            "DeduplicationScope": "messageGroup",
            "FifoThroughputLimit": "perMessageGroupId",
        },
    )["QueueUrl"]
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "queue"})
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"DeduplicationScope": "everything"})


def test_sse_attributes(sqs: Any) -> None:
    kms = sqs.create_queue(
        QueueName="kms", Attributes={"KmsMasterKeyId": "testKeyId", "KmsDataKeyReusePeriodSeconds": "6000"}
    )["QueueUrl"]
    names = ["KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled"]
    assert sqs.get_queue_attributes(QueueUrl=kms, AttributeNames=names)["Attributes"] == {
        "KmsMasterKeyId": "testKeyId",
        "KmsDataKeyReusePeriodSeconds": "6000",
        "SqsManagedSseEnabled": "false",
    }
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=kms, Attributes={"KmsMasterKeyId": "other", "SqsManagedSseEnabled": "true"})
    assert error_of(excinfo)[:2] == (
        "InvalidAttributeName",
        "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
    )
    sqs.set_queue_attributes(QueueUrl=kms, Attributes={"SqsManagedSseEnabled": "true"})
    assert sqs.get_queue_attributes(QueueUrl=kms, AttributeNames=names)["Attributes"] == {
        "SqsManagedSseEnabled": "true"
    }


def test_policy_attribute(sqs: Any) -> None:
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    url = sqs.create_queue(QueueName="policed", Attributes={"Policy": policy})["QueueUrl"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"] == {"Policy": policy}
    with pytest.raises(ClientError) as excinfo:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": "{not json"})
    assert error_of(excinfo)[0] == "InvalidAttributeValue"
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])


def test_queue_does_not_exist(sqs: Any, server: Any) -> None:
    for call in (
        lambda: sqs.get_queue_url(QueueName="ghost"),
        lambda: sqs.send_message(QueueUrl=f"{server.endpoint}/000000000000/ghost", MessageBody="x"),
        lambda: sqs.get_queue_attributes(QueueUrl="http://whatever-incorrect-queue-address", AttributeNames=["All"]),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == (
            "AWS.SimpleQueueService.NonExistentQueue",
            "The specified queue does not exist.",
            400,
        )
        assert excinfo.value.response["Error"]["QueryErrorCode"] == "QueueDoesNotExist"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.delete_queue(QueueUrl=f"{server.endpoint}/000000000000/ghost")


def test_any_host_and_bare_name_address_the_queue(sqs: Any) -> None:
    sqs.create_queue(QueueName="hosts")
    for address in (
        "http://localhost:4566/000000000000/hosts",
        "https://sqs.eu-west-1.amazonaws.com/000000000000/hosts",
        "hosts",
    ):
        sqs.send_message(QueueUrl=address, MessageBody=address)
    url = sqs.get_queue_url(QueueName="hosts")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "3"


def test_delete_queue(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="doomed")["QueueUrl"]
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="doomed")


def test_list_queues_prefix_and_paging(sqs: Any) -> None:
    assert "QueueUrls" not in sqs.list_queues()
    names = [f"a-{i:02d}" for i in range(5)] + ["b-00"]
    for name in names:
        sqs.create_queue(QueueName=name)
    everything = sqs.list_queues()
    assert [url.rsplit("/", 1)[1] for url in everything["QueueUrls"]] == names
    assert "NextToken" not in everything
    assert len(sqs.list_queues(QueueNamePrefix="a-")["QueueUrls"]) == 5
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix="zzz")
    seen: list[str] = []
    token = None
    while True:
        kwargs = {"QueueNamePrefix": "a-", "MaxResults": 2, **({"NextToken": token} if token else {})}
        page = sqs.list_queues(**kwargs)
        seen += [url.rsplit("/", 1)[1] for url in page["QueueUrls"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == names[:5]
    with pytest.raises(ClientError) as excinfo:
        sqs.list_queues(MaxResults=1001)
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_list_queues_paginator(sqs: Any) -> None:
    for i in range(7):
        sqs.create_queue(QueueName=f"p{i}")
    urls = [
        url
        for page in sqs.get_paginator("list_queues").paginate(PaginationConfig={"PageSize": 3})
        for url in page["QueueUrls"]
    ]
    assert len(urls) == 7


def test_accounts_and_regions_are_separate(server: Any) -> None:
    default = server.client("sqs")
    other_region = server.client("sqs", region="eu-west-1")
    other_account = server.client("sqs", aws_access_key_id="111122223333")
    default.create_queue(QueueName="shared-name", Attributes={"DelaySeconds": "1"})
    url_eu = other_region.create_queue(QueueName="shared-name", Attributes={"DelaySeconds": "2"})["QueueUrl"]
    url_acct = other_account.create_queue(QueueName="shared-name", Attributes={"DelaySeconds": "3"})["QueueUrl"]
    assert "sqs.eu-west-1.localhost" in url_eu
    assert "/111122223333/shared-name" in url_acct
    assert [u.rsplit("/", 1)[1] for u in other_region.list_queues()["QueueUrls"]] == ["shared-name"]
    attributes = other_account.get_queue_attributes(QueueUrl=url_acct, AttributeNames=["QueueArn", "DelaySeconds"])
    assert attributes["Attributes"] == {
        "QueueArn": "arn:aws:sqs:us-east-1:111122223333:shared-name",
        "DelaySeconds": "3",
    }
    owner_url = default.get_queue_url(QueueName="shared-name", QueueOwnerAWSAccountId="111122223333")["QueueUrl"]
    assert owner_url.endswith("/111122223333/shared-name")


def test_tags(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="tagged", tags={"team": "a"})["QueueUrl"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "a"}
    sqs.tag_queue(QueueUrl=url, Tags={"team": "b", "cost": "1", "empty": ""})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "b", "cost": "1", "empty": ""}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "missing"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"cost": "1", "empty": ""}
    sqs.untag_queue(QueueUrl=url, TagKeys=["cost", "empty"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)
    with pytest.raises(ClientError) as excinfo:
        sqs.tag_queue(QueueUrl=url, Tags={f"k{i}": "v" for i in range(51)})
    assert error_of(excinfo)[0] == "InvalidParameterValue"


def test_permissions_lifecycle(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="shared")["QueueUrl"]
    arn = "arn:aws:sqs:us-east-1:000000000000:shared"
    sqs.add_permission(
        QueueUrl=url, Label="crossaccount", AWSAccountIds=["111122223333", "444455556666"], Actions=["ReceiveMessage"]
    )
    policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert policy == {
        "Version": "2008-10-17",
        "Id": f"{arn}/SQSDefaultPolicy",
        "Statement": [
            {
                "Sid": "crossaccount",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]},
                "Action": "SQS:ReceiveMessage",
                "Resource": arn,
            }
        ],
    }
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="crossaccount", AWSAccountIds=["111122223333"], Actions=["*"])
    assert error_of(excinfo)[:2] == (
        "InvalidParameterValue",
        "Value crossaccount for parameter Label is invalid. Reason: Already exists.",
    )
    with pytest.raises(ClientError) as excinfo:
        sqs.add_permission(QueueUrl=url, Label="bad", AWSAccountIds=["111122223333"], Actions=["Fly"])
    assert "Please refer to the appropriate WSDL for a list of valid actions." in error_of(excinfo)[1]
    sqs.remove_permission(QueueUrl=url, Label="crossaccount")
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    with pytest.raises(ClientError) as excinfo:
        sqs.remove_permission(QueueUrl=url, Label="crossaccount")
    assert error_of(excinfo)[:2] == (
        "InvalidParameterValue",
        "Value crossaccount for parameter Label is invalid. Reason: can't find label.",
    )


def test_purge_queue(sqs: Any) -> None:
    url = sqs.create_queue(QueueName="purge-me")["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=str(i))
    sqs.purge_queue(QueueUrl=url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    with pytest.raises(ClientError) as excinfo:
        sqs.purge_queue(QueueUrl=url)
    assert error_of(excinfo) == (
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        "Only one PurgeQueue operation on purge-me is allowed every 60 seconds.",
        403,
    )


def test_missing_required_parameter_is_missing_parameter(server: Any) -> None:
    import requests

    response = requests.post(
        server.endpoint,
        data=b"{}",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.SendMessage",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/sqs/aws4_request",
        },
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {
        "__type": "com.amazonaws.sqs#MissingRequiredParameterException",
        "message": "The request must contain the parameter QueueUrl.",
    }
    assert response.headers["x-amzn-query-error"] == "MissingParameter;Sender"
