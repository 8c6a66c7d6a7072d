"""Mobile push and SMS resources through boto3: stored and checked as AWS does."""

from __future__ import annotations

from typing import Any

import pytest
from test_sns_topics import error_of

ACCOUNT = "000000000000"


@pytest.fixture
def sns(client: Any) -> Any:
    return client("sns")


def test_platform_applications(sns: Any) -> None:
    arn = sns.create_platform_application(
        Name="my-app", Platform="GCM", Attributes={"PlatformCredential": "key", "EventEndpointCreated": "arn:x"}
    )["PlatformApplicationArn"]
    assert arn == f"arn:aws:sns:us-east-1:{ACCOUNT}:app/GCM/my-app"
    assert sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"] == {
        "Enabled": "true",
        "EventEndpointCreated": "arn:x",
    }
    sns.set_platform_application_attributes(PlatformApplicationArn=arn, Attributes={"SuccessFeedbackSampleRate": "10"})
    assert (
        sns.get_platform_application_attributes(PlatformApplicationArn=arn)["Attributes"]["SuccessFeedbackSampleRate"]
        == "10"
    )
    listed = sns.list_platform_applications()["PlatformApplications"]
    assert [item["PlatformApplicationArn"] for item in listed] == [arn]
    sns.delete_platform_application(PlatformApplicationArn=arn)
    assert sns.list_platform_applications()["PlatformApplications"] == []
    assert error_of(sns.get_platform_application_attributes, PlatformApplicationArn=arn) == (
        "NotFound",
        "PlatformApplication does not exist",
        404,
    )


def test_platform_application_checks(sns: Any) -> None:
    assert error_of(sns.create_platform_application, Name="app", Platform="Pager", Attributes={"A": "b"})[1] == (
        "Invalid parameter: Platform Reason: Pager is not supported"
    )
    assert error_of(
        sns.create_platform_application, Name="bad name", Platform="GCM", Attributes={"PlatformCredential": "k"}
    )[0] == ("InvalidParameter")
    assert error_of(
        sns.create_platform_application, Name="ios", Platform="APNS", Attributes={"PlatformCredential": "cert"}
    )[1] == ("Invalid parameter: Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal")
    assert error_of(sns.create_platform_application, Name="app", Platform="GCM", Attributes={})[0] == "ValidationError"


def test_platform_endpoints(sns: Any) -> None:
    app = sns.create_platform_application(Name="app", Platform="APNS", Attributes={
        "PlatformCredential": "key", "PlatformPrincipal": "cert"
    })["PlatformApplicationArn"]  # fmt: skip
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1", CustomUserData="user-1")[
        "EndpointArn"
    ]
    assert endpoint.startswith(f"arn:aws:sns:us-east-1:{ACCOUNT}:endpoint/APNS/app/")
    assert (
        sns.create_platform_endpoint(PlatformApplicationArn=app, Token="device-1", CustomUserData="user-1")[
            "EndpointArn"
        ]
        == endpoint
    )
    assert error_of(sns.create_platform_endpoint, PlatformApplicationArn=app, Token="device-1", CustomUserData="other")[
        1
    ].startswith("Invalid parameter: Token Reason: Endpoint ")
    attributes = sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"]
    assert attributes == {"Enabled": "true", "Token": "device-1", "CustomUserData": "user-1"}
    sns.set_endpoint_attributes(EndpointArn=endpoint, Attributes={"Enabled": "false"})
    assert sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"]["Enabled"] == "false"
    assert error_of(sns.set_endpoint_attributes, EndpointArn=endpoint, Attributes={"Color": "red"})[1] == (
        "Invalid parameter: Attributes Reason: Invalid attribute name: Color"
    )
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    assert [item["EndpointArn"] for item in listed] == [endpoint]
    topic = sns.create_topic(Name="push")["TopicArn"]
    assert sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint)["SubscriptionArn"].startswith(topic)
    sns.delete_endpoint(EndpointArn=endpoint)
    sns.delete_endpoint(EndpointArn=endpoint)
    assert error_of(sns.get_endpoint_attributes, EndpointArn=endpoint) == ("NotFound", "Endpoint does not exist", 404)
    assert error_of(sns.subscribe, TopicArn=topic, Protocol="application", Endpoint=endpoint)[0] == "NotFound"


def test_sms_attributes(sns: Any) -> None:
    assert sns.get_sms_attributes()["attributes"] == {"MonthlySpendLimit": "1"}
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "Shop"})
    assert sns.get_sms_attributes(attributes=["DefaultSMSType"])["attributes"] == {"DefaultSMSType": "Transactional"}
    assert error_of(sns.set_sms_attributes, attributes={"Colour": "red"}) == (
        "InvalidParameter",
        "Colour is not a valid attribute",
        400,
    )
    assert error_of(sns.set_sms_attributes, attributes={"DefaultSMSType": "Loud"})[1] == "DefaultSMSType is invalid"


def test_phone_numbers(sns: Any) -> None:
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550100")["isOptedOut"] is False
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == []
    sns.opt_in_phone_number(phoneNumber="+15555550100")
    assert error_of(sns.check_if_phone_number_is_opted_out, phoneNumber="nope")[1] == (
        "Invalid parameter: PhoneNumber Reason: input incorrectly formatted"
    )


def test_sms_sandbox(sns: Any) -> None:
    assert sns.get_sms_sandbox_account_status()["IsInSandbox"] is False
    sns.create_sms_sandbox_phone_number(PhoneNumber="+15555550111", LanguageCode="en-US")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
        {"PhoneNumber": "+15555550111", "Status": "Pending"}
    ]
    sns.verify_sms_sandbox_phone_number(PhoneNumber="+15555550111", OneTimePassword="123456")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"][0]["Status"] == "Verified"
    sns.delete_sms_sandbox_phone_number(PhoneNumber="+15555550111")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == []
    assert error_of(sns.delete_sms_sandbox_phone_number, PhoneNumber="+15555550111")[0] == "ResourceNotFound"
    assert sns.list_origination_numbers()["PhoneNumbers"] == []
