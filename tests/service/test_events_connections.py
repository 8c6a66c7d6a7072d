"""Connections and API destinations through boto3 (their configuration; calls are tested in
test_events_delivery.py)."""

from __future__ import annotations

import re

from test_events_support import error_of

ACCOUNT = "000000000000"
BASIC = {"BasicAuthParameters": {"Username": "user", "Password": "pass"}}


def test_connection_lifecycle(client) -> None:
    events = client("events")
    created = events.create_connection(
        Name="partner",
        Description="partner API",
        AuthorizationType="BASIC",
        AuthParameters={
            **BASIC,
            "InvocationHttpParameters": {
                "HeaderParameters": [
                    {"Key": "x-public", "Value": "shown", "IsValueSecret": False},
                    {"Key": "x-secret", "Value": "hidden", "IsValueSecret": True},
                ]
            },
        },
    )
    assert re.fullmatch(
        rf"arn:aws:events:us-east-1:{ACCOUNT}:connection/partner/[0-9a-f-]{{36}}", created["ConnectionArn"]
    )
    assert created["ConnectionState"] == "AUTHORIZED"
    described = events.describe_connection(Name="partner")
    assert described["ConnectionArn"] == created["ConnectionArn"]
    assert described["Name"] == "partner" and described["Description"] == "partner API"
    assert described["AuthorizationType"] == "BASIC" and described["ConnectionState"] == "AUTHORIZED"
    assert described["SecretArn"].startswith(
        f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:events!connection/partner/"
    )
    assert described["AuthParameters"]["BasicAuthParameters"] == {"Username": "user"}
    assert described["AuthParameters"]["InvocationHttpParameters"]["HeaderParameters"] == [
        {"Key": "x-public", "Value": "shown", "IsValueSecret": False},
        {"Key": "x-secret", "IsValueSecret": True},
    ]
    for field in ("CreationTime", "LastModifiedTime", "LastAuthorizedTime"):
        assert field in described
    updated = events.update_connection(
        Name="partner", AuthParameters={"BasicAuthParameters": {"Password": "new"}}, Description="v2"
    )
    assert updated["ConnectionState"] == "AUTHORIZED"
    assert events.describe_connection(Name="partner")["Description"] == "v2"
    deauthorized = events.deauthorize_connection(Name="partner")
    assert deauthorized["ConnectionState"] == "DEAUTHORIZING"
    assert events.describe_connection(Name="partner")["ConnectionState"] == "DEAUTHORIZED"
    deleted = events.delete_connection(Name="partner")
    assert deleted["ConnectionState"] == "DELETING"
    assert events.list_connections()["Connections"] == []


def test_connection_auth_types_and_listing(client) -> None:
    events = client("events")
    events.create_connection(Name="basic", AuthorizationType="BASIC", AuthParameters=BASIC)
    events.create_connection(
        Name="key",
        AuthorizationType="API_KEY",
        AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "v"}},
    )
    oauth = events.create_connection(
        Name="oauth",
        AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
        AuthParameters={
            "OAuthParameters": {
                "ClientParameters": {"ClientID": "id", "ClientSecret": "secret"},
                "AuthorizationEndpoint": "https://auth.example.com/token",
                "HttpMethod": "POST",
            }
        },
    )
    assert oauth["ConnectionState"] == "AUTHORIZING"
    assert events.describe_connection(Name="key")["AuthParameters"]["ApiKeyAuthParameters"] == {
        "ApiKeyName": "x-api-key"
    }
    assert events.describe_connection(Name="oauth")["AuthParameters"]["OAuthParameters"] == {
        "ClientParameters": {"ClientID": "id"},
        "AuthorizationEndpoint": "https://auth.example.com/token",
        "HttpMethod": "POST",
    }
    listed = events.list_connections()["Connections"]
    assert [connection["Name"] for connection in listed] == ["basic", "key", "oauth"]
    assert set(listed[0]) == {
        "ConnectionArn", "Name", "ConnectionState", "AuthorizationType", "CreationTime", "LastModifiedTime",
        "LastAuthorizedTime",
    }  # fmt: skip
    assert [connection["Name"] for connection in events.list_connections(NamePrefix="o")["Connections"]] == ["oauth"]
    assert len(events.list_connections(ConnectionState="AUTHORIZED")["Connections"]) == 3
    page = events.list_connections(Limit=2)
    assert len(page["Connections"]) == 2
    assert [item["Name"] for item in events.list_connections(NextToken=page["NextToken"])["Connections"]] == ["oauth"]


def test_connection_errors(client) -> None:
    events = client("events")
    events.create_connection(Name="c", AuthorizationType="BASIC", AuthParameters=BASIC)
    assert error_of(events.create_connection, Name="c", AuthorizationType="BASIC", AuthParameters=BASIC) == {
        "Code": "ResourceAlreadyExistsException",
        "Message": "Connection c already exists.",
        "Status": 400,
    }
    assert error_of(events.describe_connection, Name="nope") == {
        "Code": "ResourceNotFoundException",
        "Message": "Failed to describe the connection(s). Connection 'nope' does not exist.",
        "Status": 400,
    }
    for call in (events.delete_connection, events.deauthorize_connection, events.update_connection):
        assert error_of(call, Name="nope")["Code"] == "ResourceNotFoundException"
    assert error_of(events.create_connection, Name="d", AuthorizationType="API_KEY", AuthParameters=BASIC)["Code"] == (
        "ValidationException"
    )
    assert error_of(events.create_connection, Name="e", AuthorizationType="NONE", AuthParameters=BASIC)["Code"] == (
        "ValidationException"
    )


def test_api_destination_lifecycle(client) -> None:
    events = client("events")
    connection = events.create_connection(Name="c", AuthorizationType="BASIC", AuthParameters=BASIC)["ConnectionArn"]
    created = events.create_api_destination(
        Name="hook",
        Description="orders webhook",
        ConnectionArn=connection,
        InvocationEndpoint="https://example.com/orders/*",
        HttpMethod="POST",
        InvocationRateLimitPerSecond=10,
    )
    assert re.fullmatch(
        rf"arn:aws:events:us-east-1:{ACCOUNT}:api-destination/hook/[0-9a-f-]{{36}}", created["ApiDestinationArn"]
    )
    assert created["ApiDestinationState"] == "ACTIVE"
    described = events.describe_api_destination(Name="hook")
    assert {
        key: value
        for key, value in described.items()
        if key not in ("ResponseMetadata", "CreationTime", "LastModifiedTime")
    } == {
        "ApiDestinationArn": created["ApiDestinationArn"],
        "Name": "hook",
        "Description": "orders webhook",
        "ApiDestinationState": "ACTIVE",
        "ConnectionArn": connection,
        "InvocationEndpoint": "https://example.com/orders/*",
        "HttpMethod": "POST",
        "InvocationRateLimitPerSecond": 10,
    }
    events.update_api_destination(Name="hook", HttpMethod="PUT", InvocationRateLimitPerSecond=5)
    described = events.describe_api_destination(Name="hook")
    assert (described["HttpMethod"], described["InvocationRateLimitPerSecond"]) == ("PUT", 5)
    assert [item["Name"] for item in events.list_api_destinations()["ApiDestinations"]] == ["hook"]
    assert events.list_api_destinations(ConnectionArn=connection)["ApiDestinations"][0]["Name"] == "hook"
    assert events.list_api_destinations(NamePrefix="x")["ApiDestinations"] == []
    events.delete_api_destination(Name="hook")
    assert events.list_api_destinations()["ApiDestinations"] == []


def test_api_destination_defaults_and_errors(client) -> None:
    events = client("events")
    connection = events.create_connection(Name="c", AuthorizationType="BASIC", AuthParameters=BASIC)["ConnectionArn"]
    events.create_api_destination(
        Name="d", ConnectionArn=connection, InvocationEndpoint="https://e.com", HttpMethod="GET"
    )
    assert events.describe_api_destination(Name="d")["InvocationRateLimitPerSecond"] == 300
    assert error_of(
        events.create_api_destination,
        Name="d",
        ConnectionArn=connection,
        InvocationEndpoint="https://e.com",
        HttpMethod="GET",
    ) == {"Code": "ResourceAlreadyExistsException", "Message": "An api-destination 'd' already exists.", "Status": 400}
    assert error_of(events.describe_api_destination, Name="nope") == {
        "Code": "ResourceNotFoundException",
        "Message": "Failed to describe the api-destination(s). An api-destination 'nope' does not exist.",
        "Status": 400,
    }
    missing = connection.replace("connection/c/", "connection/gone/")
    failed = error_of(
        events.create_api_destination,
        Name="e",
        ConnectionArn=missing,
        InvocationEndpoint="https://e.com",
        HttpMethod="GET",
    )
    assert failed["Message"] == "Failed to describe the connection(s). Connection 'gone' does not exist."
    assert (
        error_of(
            events.create_api_destination,
            Name="f",
            ConnectionArn=connection,
            InvocationEndpoint="https://e.com",
            HttpMethod="FETCH",
        )["Code"]
        == "ValidationException"
    )
    events.deauthorize_connection(Name="c")
    assert events.describe_api_destination(Name="d")["ApiDestinationState"] == "INACTIVE"
