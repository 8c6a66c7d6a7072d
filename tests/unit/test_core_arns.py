import pytest

from postoffice.core.arns import Arn, format_arn, parse_arn


def test_parse_splits_the_six_fields_and_keeps_colons_in_the_resource() -> None:
    arn = parse_arn("arn:aws:sns:us-east-1:123456789012:orders:5f0c-11")
    assert arn == Arn("aws", "sns", "us-east-1", "123456789012", "orders:5f0c-11")


def test_parse_allows_empty_region_and_account() -> None:
    assert parse_arn("arn:aws:iam::123456789012:role/path/r") == Arn("aws", "iam", "", "123456789012", "role/path/r")
    assert parse_arn("arn:aws:s3:::bucket") == Arn("aws", "s3", "", "", "bucket")


@pytest.mark.parametrize(
    "text", ["", "orders", "arn:aws:sns:us-east-1:123456789012", "nra:aws:sns:r:a:x", "arn:aws::r:a:x"]
)
def test_parse_refuses_what_is_not_an_arn(text: str) -> None:
    assert parse_arn(text) is None


def test_text_round_trips() -> None:
    text = "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live"
    parsed = parse_arn(text)
    assert parsed is not None and parsed.text == text


def test_format_defaults_to_the_aws_partition() -> None:
    assert format_arn("logs", "eu-west-1", "123456789012", "log-group:g") == (
        "arn:aws:logs:eu-west-1:123456789012:log-group:g"
    )
    assert format_arn("s3", "", "", "b", partition="aws-us-gov") == "arn:aws-us-gov:s3:::b"


@pytest.mark.parametrize(
    ("resource", "kind", "name"),
    [("rule/bus/name", "rule", "bus/name"), ("log-group:g:*", "log-group", "g:*"), ("orders", "orders", "")],
)
def test_resource_type_and_name(resource: str, kind: str, name: str) -> None:
    arn = Arn("aws", "events", "us-east-1", "123456789012", resource)
    assert (arn.resource_type, arn.resource_name) == (kind, name)
