"""Lambda's control plane through boto3: functions, versions, aliases, layers, permissions, tags,
concurrency, event invoke configs, function URLs, and AWS's errors for each."""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures", "lambda"))

from lambda_support import create_function, execution_role, zip_directory, zip_files  # noqa: E402
from server import ServerProcess  # noqa: E402

Client = Callable[..., Any]
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


def error_of(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call()
    error = caught.value.response
    return error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]


def test_create_get_list_delete(client: Client) -> None:
    created = create_function(client, "crud", Description="first", Environment={"Variables": {"AA": "1"}})
    assert created["State"] == "Pending"
    assert created["StateReasonCode"] == "Creating"
    assert created["FunctionArn"] == ARN + "crud"
    assert created["Version"] == "$LATEST"
    assert created["Runtime"] == "python3.12"
    assert created["Handler"] == "app.handler"
    assert created["Timeout"] == 10 and created["MemorySize"] == 128
    assert created["Environment"] == {"Variables": {"AA": "1"}}
    assert created["PackageType"] == "Zip"
    assert created["CodeSize"] > 0 and len(created["CodeSha256"]) == 44
    assert created["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/crud"}

    lam = client("lambda")
    fetched = lam.get_function(FunctionName="crud")
    config = fetched["Configuration"]
    assert config["State"] == "Active" and config["LastUpdateStatus"] == "Successful"
    assert config["RevisionId"] == created["RevisionId"]
    assert fetched["Code"]["RepositoryType"] == "S3"
    assert lam.get_function_configuration(FunctionName=ARN + "crud")["Description"] == "first"
    lam.get_waiter("function_active_v2").wait(FunctionName="crud")

    names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
    assert names == ["crud"]
    lam.delete_function(FunctionName="crud")
    code, message, status = error_of(lambda: lam.get_function(FunctionName="crud"))
    assert (code, message, status) == ("ResourceNotFoundException", f"Function not found: {ARN}crud", 404)


def test_create_errors(client: Client) -> None:
    lam = client("lambda")
    role = execution_role(client("iam"))
    create_function(client, "dup")
    code, message, status = error_of(lambda: create_function(client, "dup"))
    assert (code, message, status) == ("ResourceConflictException", "Function already exist: dup", 409)

    missing_role = "arn:aws:iam::000000000000:role/nobody"
    code, message, _ = error_of(lambda: create_function(client, "norole", Role=missing_role))
    assert code == "InvalidParameterValueException"
    assert message == "The role defined for the function cannot be assumed by Lambda."

    code, message, _ = error_of(lambda: create_function(client, "t", Timeout=1801))
    assert code == "ValidationException"
    assert "Value '1801' at 'timeout' failed to satisfy constraint" in message
    code, message, _ = error_of(lambda: create_function(client, "m", MemorySize=10241))
    assert code == "ValidationException" and "'memorySize'" in message

    code, message, _ = error_of(lambda: create_function(client, "env", Environment={"Variables": {"AWS_REGION": "x"}}))
    assert code == "InvalidParameterValueException"
    assert message.endswith("Reserved keys used in this request: AWS_REGION")

    code, message, _ = error_of(
        lambda: lam.create_function(FunctionName="nohandler", Runtime="python3.12", Role=role, Code={"ZipFile": b"x"})
    )
    assert message == "Runtime and Handler are mandatory parameters for functions created with deployment packages."

    code, message, _ = error_of(lambda: create_function(client, "badzip", Code={"ZipFile": b"not a zip"}))
    assert (code, message) == (
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
    )
    code, message, _ = error_of(lambda: create_function(client, "old", Runtime="python3.7"))
    assert code == "InvalidParameterValueException" and "python3.7 is no longer supported" in message
    assert [f["FunctionName"] for f in lam.list_functions()["Functions"]] == ["dup"]


def test_list_functions_pages(client: Client) -> None:
    for index in range(5):
        create_function(client, f"page-{index}", Code={"ZipFile": zip_files({"app.py": "def handler(e, c): pass"})})
    lam = client("lambda")
    first = lam.list_functions(MaxItems=2)
    assert [f["FunctionName"] for f in first["Functions"]] == ["page-0", "page-1"]
    second = lam.list_functions(MaxItems=2, Marker=first["NextMarker"])
    assert [f["FunctionName"] for f in second["Functions"]] == ["page-2", "page-3"]
    everything = [
        f["FunctionName"] for page in lam.get_paginator("list_functions").paginate() for f in page["Functions"]
    ]
    assert everything == [f"page-{index}" for index in range(5)]


def test_update_configuration_and_code(client: Client) -> None:
    created = create_function(client, "upd")
    lam = client("lambda")
    updated = lam.update_function_configuration(
        FunctionName="upd", Timeout=30, MemorySize=256, Environment={"Variables": {"BB": "2"}}, Description="d"
    )
    assert updated["LastUpdateStatus"] == "InProgress"
    assert (updated["Timeout"], updated["MemorySize"], updated["Description"]) == (30, 256, "d")
    assert updated["RevisionId"] != created["RevisionId"]
    code, _, status = error_of(
        lambda: lam.update_function_configuration(FunctionName="upd", Timeout=5, RevisionId=created["RevisionId"])
    )
    assert (code, status) == ("PreconditionFailedException", 412)

    new_zip = zip_files({"app.py": "def handler(event, context):\n    return 'v2'\n"})
    code_update = lam.update_function_code(FunctionName="upd", ZipFile=new_zip)
    assert code_update["CodeSha256"] != created["CodeSha256"]
    assert code_update["Timeout"] == 30
    lam.get_waiter("function_updated_v2").wait(FunctionName="upd")
    assert json.loads(lam.invoke(FunctionName="upd")["Payload"].read()) == "v2"


def test_versions_and_aliases(client: Client) -> None:
    create_function(client, "ver")
    lam = client("lambda")
    v1 = lam.publish_version(FunctionName="ver", Description="one")
    assert v1["Version"] == "1" and v1["FunctionArn"] == ARN + "ver:1"
    assert lam.publish_version(FunctionName="ver")["Version"] == "1"  # nothing changed: no new version
    lam.update_function_configuration(FunctionName="ver", Timeout=20)
    assert lam.publish_version(FunctionName="ver")["Version"] == "2"
    code, message, _ = error_of(lambda: lam.publish_version(FunctionName="ver", CodeSha256="abc"))
    assert code == "InvalidParameterValueException" and message.startswith("CodeSHA256 (abc) is different")
    versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName="ver")["Versions"]]
    assert versions == ["$LATEST", "1", "2"]
    assert lam.get_function_configuration(FunctionName="ver", Qualifier="1")["Timeout"] == 10

    alias = lam.create_alias(FunctionName="ver", Name="live", FunctionVersion="1")
    assert alias["AliasArn"] == ARN + "ver:live"
    code, message, _ = error_of(lambda: lam.create_alias(FunctionName="ver", Name="live", FunctionVersion="1"))
    assert (code, message) == ("ResourceConflictException", f"Alias already exists: {ARN}ver:live")
    code, message, _ = error_of(lambda: lam.create_alias(FunctionName="ver", Name="x", FunctionVersion="9"))
    assert (code, message) == ("ResourceNotFoundException", f"Function not found: {ARN}ver:9")
    updated = lam.update_alias(FunctionName="ver", Name="live", FunctionVersion="2")
    assert updated["FunctionVersion"] == "2" and updated["RevisionId"] != alias["RevisionId"]
    assert lam.get_function_configuration(FunctionName="ver:live")["Version"] == "2"
    assert [a["Name"] for a in lam.list_aliases(FunctionName="ver")["Aliases"]] == ["live"]

    code, message, _ = error_of(lambda: lam.delete_function(FunctionName="ver", Qualifier="2"))
    assert code == "ResourceConflictException" and "[live]" in message
    code, message, _ = error_of(lambda: lam.delete_function(FunctionName="ver", Qualifier="$LATEST"))
    assert message == "$LATEST version cannot be deleted without deleting the function."
    lam.delete_function(FunctionName="ver", Qualifier="1")
    lam.delete_alias(FunctionName="ver", Name="live")
    code, message, _ = error_of(lambda: lam.get_alias(FunctionName="ver", Name="live"))
    assert (code, message) == ("ResourceNotFoundException", f"Cannot find alias arn: {ARN}ver:live")
    code, message, _ = error_of(lambda: lam.get_function(FunctionName="ver", Qualifier="1"))
    assert message == f"Function not found: {ARN}ver:1"


def test_layers(client: Client) -> None:
    lam = client("lambda")
    layer_zip = zip_files({"python/shared.py": "GREETING = 'from the layer'\n"})
    first = lam.publish_layer_version(
        LayerName="shared", Content={"ZipFile": layer_zip}, CompatibleRuntimes=["python3.12"]
    )
    assert first["Version"] == 1
    assert first["LayerVersionArn"] == "arn:aws:lambda:us-east-1:000000000000:layer:shared:1"
    assert first["Content"]["CodeSize"] == len(layer_zip)
    second = lam.publish_layer_version(LayerName="shared", Content={"ZipFile": layer_zip})
    assert second["Version"] == 2
    listed = lam.list_layers()["Layers"]
    assert [(item["LayerName"], item["LatestMatchingVersion"]["Version"]) for item in listed] == [("shared", 2)]
    matching = lam.list_layers(CompatibleRuntime="python3.12")["Layers"]
    assert matching[0]["LatestMatchingVersion"]["Version"] == 1
    assert [v["Version"] for v in lam.list_layer_versions(LayerName="shared")["LayerVersions"]] == [2, 1]
    assert lam.get_layer_version_by_arn(Arn=first["LayerVersionArn"])["Version"] == 1

    code = "import shared\ndef handler(event, context):\n    return shared.GREETING\n"
    create_function(client, "layered", Code={"ZipFile": zip_files({"app.py": code})}, Layers=[first["LayerVersionArn"]])
    assert json.loads(lam.invoke(FunctionName="layered")["Payload"].read()) == "from the layer"

    lam.delete_layer_version(LayerName="shared", VersionNumber=1)
    code_, _, status = error_of(lambda: lam.get_layer_version(LayerName="shared", VersionNumber=1))
    assert (code_, status) == ("ResourceNotFoundException", 404)
    lam.invoke(FunctionName="layered")  # a function keeps the deleted layer version it uses
    missing = "arn:aws:lambda:us-east-1:000000000000:layer:shared:1"
    code_, message, _ = error_of(lambda: create_function(client, "late", Layers=[missing]))
    assert message == f"Layer version {missing} does not exist."


def test_permissions_and_tags(client: Client) -> None:
    create_function(client, "perm", Tags={"team": "a"})
    lam = client("lambda")
    statement = lam.add_permission(
        FunctionName="perm",
        StatementId="sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn="arn:aws:sns:us-east-1:000000000000:topic",
    )["Statement"]
    assert json.loads(statement)["Condition"] == {
        "ArnLike": {"AWS:SourceArn": "arn:aws:sns:us-east-1:000000000000:topic"}
    }
    code, message, _ = error_of(
        lambda: lam.add_permission(FunctionName="perm", StatementId="sns", Action="lambda:*", Principal="*")
    )
    assert code == "ResourceConflictException" and "(sns)" in message
    policy = json.loads(lam.get_policy(FunctionName="perm")["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["sns"]
    assert policy["Statement"][0]["Principal"] == {"Service": "sns.amazonaws.com"}
    lam.remove_permission(FunctionName="perm", StatementId="sns")
    code, message, _ = error_of(lambda: lam.get_policy(FunctionName="perm"))
    assert (code, message) == ("ResourceNotFoundException", "The resource you requested does not exist.")
    code, message, _ = error_of(lambda: lam.remove_permission(FunctionName="perm", StatementId="sns"))
    assert message == "Statement sns is not found in resource policy."

    arn = ARN + "perm"
    lam.tag_resource(Resource=arn, Tags={"env": "test"})
    assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a", "env": "test"}
    lam.untag_resource(Resource=arn, TagKeys=["team"])
    assert lam.list_tags(Resource=arn)["Tags"] == {"env": "test"}
    assert lam.get_function(FunctionName="perm")["Tags"] == {"env": "test"}


def test_concurrency_settings(client: Client) -> None:
    create_function(client, "conc")
    lam = client("lambda")
    assert lam.get_function_concurrency(FunctionName="conc").get("ReservedConcurrentExecutions") is None
    assert (
        lam.put_function_concurrency(FunctionName="conc", ReservedConcurrentExecutions=5)[
            "ReservedConcurrentExecutions"
        ]
        == 5
    )
    assert lam.get_function(FunctionName="conc")["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 995
    code, message, _ = error_of(
        lambda: lam.put_function_concurrency(FunctionName="conc", ReservedConcurrentExecutions=901)
    )
    assert code == "InvalidParameterValueException"
    assert "below its minimum value of [100]" in message
    lam.delete_function_concurrency(FunctionName="conc")
    assert lam.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 1000


def test_event_invoke_config(client: Client) -> None:
    create_function(client, "eic")
    lam = client("lambda")
    code, message, _ = error_of(lambda: lam.get_function_event_invoke_config(FunctionName="eic"))
    assert code == "ResourceNotFoundException"
    assert message == f"The function {ARN}eic:$LATEST doesn't have an EventInvokeConfig"
    queue = "arn:aws:sqs:us-east-1:000000000000:failures"
    put = lam.put_function_event_invoke_config(
        FunctionName="eic", MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": queue}}
    )
    assert put["FunctionArn"] == ARN + "eic:$LATEST"
    assert put["MaximumRetryAttempts"] == 1
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": queue}}
    updated = lam.update_function_event_invoke_config(FunctionName="eic", MaximumEventAgeInSeconds=120)
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (1, 120)
    listed = lam.list_function_event_invoke_configs(FunctionName="eic")["FunctionEventInvokeConfigs"]
    assert [item["FunctionArn"] for item in listed] == [ARN + "eic:$LATEST"]
    lam.delete_function_event_invoke_config(FunctionName="eic")
    code, _, _ = error_of(lambda: lam.get_function_event_invoke_config(FunctionName="eic"))
    assert code == "ResourceNotFoundException"


def test_function_url_config(client: Client) -> None:
    create_function(client, "url")
    lam = client("lambda")
    created = lam.create_function_url_config(FunctionName="url", AuthType="NONE")
    assert created["FunctionUrl"].startswith("http://") and ".lambda-url.us-east-1.localhost:" in created["FunctionUrl"]
    assert created["FunctionArn"] == ARN + "url"
    code, _, status = error_of(lambda: lam.create_function_url_config(FunctionName="url", AuthType="NONE"))
    assert (code, status) == ("ResourceConflictException", 409)
    updated = lam.update_function_url_config(FunctionName="url", AuthType="AWS_IAM")
    assert updated["AuthType"] == "AWS_IAM" and updated["FunctionUrl"] == created["FunctionUrl"]
    assert len(lam.list_function_url_configs(FunctionName="url")["FunctionUrlConfigs"]) == 1
    lam.delete_function_url_config(FunctionName="url")
    code, _, _ = error_of(lambda: lam.get_function_url_config(FunctionName="url"))
    assert code == "ResourceNotFoundException"


def test_hot_reload_directory_must_exist(client: Client) -> None:
    code, message, _ = error_of(
        lambda: create_function(client, "hot", Code={"S3Bucket": "hot-reload", "S3Key": "/no/such/dir"})
    )
    assert code == "InvalidParameterValueException" and "NoSuchKey" in message
    code, message, _ = error_of(lambda: create_function(client, "s3", Code={"S3Bucket": "bucket", "S3Key": "k.zip"}))
    assert "NoSuchBucket" in message


def test_zip_keeps_executable_bits(client: Client) -> None:
    created = create_function(
        client, "custom", Runtime="provided.al2023", Handler="anything", Code={"ZipFile": zip_directory("custom")}
    )
    assert created["Runtime"] == "provided.al2023"
    assert json.loads(client("lambda").invoke(FunctionName="custom", Payload=b'{"x": 1}')["Payload"].read()) == {
        "echo": {"x": 1},
        "handler": "anything",
    }


def test_code_location_serves_the_zip(client: Client) -> None:
    archive = zip_files({"app.py": "def handler(event, context):\n    return 1\n"})
    create_function(client, "download", Code={"ZipFile": archive})
    location = client("lambda").get_function(FunctionName="download")["Code"]["Location"]
    with urllib.request.urlopen(location, timeout=10) as response:
        assert response.read() == archive


def test_function_url_requests(server: ServerProcess) -> None:
    create_function(server.client, "web", Handler="web.handler")
    lam = server.client("lambda")
    url = lam.create_function_url_config(FunctionName="web", AuthType="NONE")["FunctionUrl"]
    url_id = url.split("//", 1)[1].split(".", 1)[0]
    request = urllib.request.Request(
        f"{server.endpoint}/_lambda/url/{url_id}/orders/7?a=1&a=2",
        data=b'{"n": 1}',
        method="POST",
        headers={"Content-Type": "application/json", "Cookie": "c1=v1; c2=v2"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        assert response.headers["X-Handled-By"] == "web"
        assert response.headers["Set-Cookie"] == "session=abc"
        assert json.loads(response.read()) == {
            "method": "POST",
            "path": "/orders/7",
            "query": {"a": "1,2"},
            "body": '{"n": 1}',
            "version": "2.0",
            "cookies": ["c1=v1", "c2=v2"],
        }
    with urllib.request.urlopen(f"{server.endpoint}/_lambda/url/{url_id}/plain", timeout=30) as response:
        assert json.loads(response.read()) == {"just": "json"}
    by_host = urllib.request.Request(
        f"{server.endpoint}/plain", headers={"Host": f"{url_id}.lambda-url.us-east-1.localhost:{server.port}"}
    )
    with urllib.request.urlopen(by_host, timeout=30) as response:
        assert json.loads(response.read()) == {"just": "json"}
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{server.endpoint}/_lambda/url/{'x' * 32}/", timeout=30)
    assert caught.value.code == 403
