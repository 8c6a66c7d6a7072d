"""Invoking functions through boto3: payloads, context and environment, errors and timeouts, logs,
warm reuse, hot reload, calls back into postoffice, reserved concurrency, custom runtimes."""

from __future__ import annotations

import base64
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures", "lambda"))

from lambda_support import create_function, invoke_json, log_messages, wait_for, zip_directory, zip_files  # noqa: E402
from server import ServerProcess  # noqa: E402

Client = Callable[..., Any]
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"


def test_request_response_context_and_environment(client: Client) -> None:
    create_function(client, "echo", MemorySize=256, Environment={"Variables": {"GREETING": "hi"}})
    lam = client("lambda")
    response, result = invoke_json(lam, "echo", {"say": "hello"})
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert result["event"] == {"say": "hello"}
    assert result["request_id"] == response["ResponseMetadata"]["RequestId"]
    assert result["function_name"] == "echo"
    assert result["function_version"] == "$LATEST"
    assert result["invoked_function_arn"] == ARN + "echo"
    assert result["memory_limit_in_mb"] == "256"
    assert result["log_group_name"] == "/aws/lambda/echo"
    assert "/[$LATEST]" in result["log_stream_name"]
    assert 0 < result["remaining_ms"] <= 10_000
    assert result["python"] == "3.12"
    assert result["limits"] == [1024, (256 + 512) * 1024 * 1024]  # open files; address space: memory + headroom
    assert result["process_group_leader"] is True
    environ = result["environ"]
    assert environ["GREETING"] == "hi"
    assert environ["AWS_LAMBDA_FUNCTION_NAME"] == "echo"
    assert environ["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert environ["AWS_REGION"] == environ["AWS_DEFAULT_REGION"] == "us-east-1"
    assert environ["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert environ["_HANDLER"] == "app.handler"
    assert environ["TZ"] == ":UTC"
    assert environ["LAMBDA_TASK_ROOT"] and os.path.isdir(environ["LAMBDA_TASK_ROOT"])
    assert environ["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/echo"
    assert environ["AWS_ACCESS_KEY_ID"] and environ["AWS_SECRET_ACCESS_KEY"] and environ["AWS_SESSION_TOKEN"]
    assert environ["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert environ["_X_AMZN_TRACE_ID"].startswith("Root=1-")

    client_context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    _, result = invoke_json(lam, ARN + "echo", {}, ClientContext=client_context)
    assert result["client_custom"] == {"k": "v"}
    assert lam.invoke(FunctionName="echo", InvocationType="DryRun")["StatusCode"] == 204


def test_warm_environment_is_reused_until_the_code_changes(client: Client) -> None:
    create_function(client, "warm")
    lam = client("lambda")
    counts = [invoke_json(lam, "warm")[1]["invocations"] for _ in range(3)]
    assert counts == [1, 2, 3]
    lam.update_function_configuration(FunctionName="warm", Description="changed")
    assert invoke_json(lam, "warm")[1]["invocations"] == 1


def test_unhandled_error(client: Client) -> None:
    create_function(client, "boom")
    response, error = invoke_json(client("lambda"), "boom", {"fail": "it broke"})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "it broke"
    assert error["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert any('raise ValueError(event["fail"])' in line for line in error["stackTrace"])
    assert error["stackTrace"][0].startswith('  File "')


def test_import_error_and_crash(client: Client) -> None:
    create_function(client, "noimport", Handler="missing.handler")
    lam = client("lambda")
    response, error = invoke_json(lam, "noimport")
    assert response["FunctionError"] == "Unhandled"
    assert error == {
        "errorMessage": "Unable to import module 'missing': No module named 'missing'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }
    create_function(client, "crash")
    response, error = invoke_json(lam, "crash", {"exit": 3})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.ExitError"
    assert error["errorMessage"].endswith("Error: Runtime exited with error: exit status 3")
    assert invoke_json(lam, "crash")[1]["invocations"] == 1


def test_timeout_kills_the_run(client: Client) -> None:
    create_function(client, "slow", Timeout=1)
    lam = client("lambda")
    started = time.monotonic()
    response, error = invoke_json(lam, "slow", {"sleep": 30}, LogType="Tail")
    assert time.monotonic() - started < 10
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert error == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }
    tail = base64.b64decode(response["LogResult"]).decode()
    assert f"{request_id} Task timed out after 1.00 seconds" in tail
    assert "Status: timeout" in tail
    assert invoke_json(lam, "slow")[1]["invocations"] == 1  # a fresh environment


def test_logs_and_log_tail(client: Client) -> None:
    create_function(client, "logs")
    lam = client("lambda")
    response, _ = invoke_json(lam, "logs", {"say": "hello", "log": "info line", "stderr": "err line"}, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    tail = base64.b64decode(response["LogResult"]).decode()
    assert f"START RequestId: {request_id} Version: $LATEST" in tail
    assert f"END RequestId: {request_id}" in tail
    assert "event hello" in tail and "err line" in tail
    messages = log_messages(client("logs"), "/aws/lambda/logs")
    assert messages[0].startswith("INIT_START")
    assert any(m.startswith("postoffice: python3.12 runs on ") for m in messages)
    assert messages.index("cold start") < messages.index(f"START RequestId: {request_id} Version: $LATEST")
    assert f"START RequestId: {request_id} Version: $LATEST" in messages
    assert "event hello" in messages and "err line" in messages
    logged = [m for m in messages if m.startswith("[INFO]")]
    assert len(logged) == 1 and logged[0].endswith(f"\t{request_id}\tlogged info line\n")
    report = next(m for m in messages if m.startswith("REPORT"))
    fields = report.split("\t")
    assert fields[0] == f"REPORT RequestId: {request_id}"
    assert fields[1].startswith("Duration: ") and fields[1].endswith(" ms")
    assert fields[2].startswith("Billed Duration: ")
    assert fields[3] == "Memory Size: 128 MB"
    assert fields[4].startswith("Max Memory Used: ")
    assert fields[5].startswith("Init Duration: ")
    streams = client("logs").describe_log_streams(logGroupName="/aws/lambda/logs")["logStreams"]
    assert len(streams) == 1 and "/[$LATEST]" in streams[0]["logStreamName"]


def test_handler_calls_postoffice_through_aws_endpoint_url(client: Client) -> None:
    sqs = client("sqs")
    queue_url = sqs.create_queue(QueueName="from-lambda")["QueueUrl"]
    create_function(client, "sender")
    response, _ = invoke_json(client("lambda"), "sender", {"send_to": queue_url, "body": "sent by a function"})
    assert "FunctionError" not in response
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    assert [m["Body"] for m in messages] == ["sent by a function"]


def test_qualifiers(client: Client) -> None:
    create_function(client, "qual")
    lam = client("lambda")
    lam.publish_version(FunctionName="qual")
    lam.create_alias(FunctionName="qual", Name="prod", FunctionVersion="1")
    response, result = invoke_json(lam, "qual", Qualifier="prod")
    assert response["ExecutedVersion"] == "1"
    assert result["function_version"] == "1"
    assert result["invoked_function_arn"] == ARN + "qual:prod"
    response, _ = invoke_json(lam, "qual:1")
    assert response["ExecutedVersion"] == "1"
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName="qual", Qualifier="nope")
    assert caught.value.response["Error"]["Message"] == f"Function not found: {ARN}qual:nope"


def test_invoke_errors(client: Client) -> None:
    lam = client("lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="missing")
    create_function(client, "strict")
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName="strict", Payload=b"not json")
    assert caught.value.response["Error"]["Code"] == "InvalidRequestContentException"
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName="strict", Payload=json.dumps({"x": "a" * 6_300_000}).encode())
    assert caught.value.response["Error"]["Code"] == "RequestTooLargeException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_reserved_concurrency_throttles_synchronous_invokes(server: ServerProcess) -> None:
    client = server.client
    create_function(client, "capped")
    lam = client("lambda")
    lam.put_function_concurrency(FunctionName="capped", ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName="capped")
    error = caught.value.response
    assert error["Error"]["Code"] == "TooManyRequestsException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"

    lam.put_function_concurrency(FunctionName="capped", ReservedConcurrentExecutions=1)
    invoke_json(lam, "capped")  # warm, so the busy window below is the sleep alone
    outcome: dict[str, Any] = {}

    def slow_call() -> None:
        outcome["slow"] = invoke_json(client("lambda"), "capped", {"sleep": 1.5})[1]

    thread = threading.Thread(target=slow_call)
    thread.start()
    wait_for(lambda: server.admin("GET", "health")["services"]["lambda"]["environments"]["busy"])
    with pytest.raises(ClientError) as caught:
        lam.invoke(FunctionName="capped")
    assert caught.value.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    thread.join()
    assert outcome["slow"]["invocations"] == 2


def test_hot_reload_from_a_host_directory(client: Client) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "app.py")
        with open(path, "w") as file:
            file.write("def handler(event, context):\n    return 'first'\n")
        created = create_function(client, "hot", Code={"S3Bucket": "hot-reload", "S3Key": directory})
        assert created["CodeSize"] == 0
        lam = client("lambda")
        assert invoke_json(lam, "hot")[1] == "first"
        with open(path, "w") as file:
            file.write("def handler(event, context):\n    return 'second, edited on disk'\n")
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000))
        assert invoke_json(lam, "hot")[1] == "second, edited on disk"


def test_custom_runtime_error(client: Client) -> None:
    create_function(client, "custom", Runtime="provided.al2", Handler="h", Code={"ZipFile": zip_directory("custom")})
    response, error = invoke_json(client("lambda"), "custom", {"fail": "custom failure"})
    assert response["FunctionError"] == "Unhandled"
    assert error == {"errorType": "CustomError", "errorMessage": "custom failure"}
    messages = log_messages(client("logs"), "/aws/lambda/custom")
    assert 'custom runtime got {"fail": "custom failure"}' in messages
    empty = {"ZipFile": zip_files({"x": ""})}
    create_function(client, "nobootstrap", Runtime="provided.al2023", Handler="h", Code=empty)
    response, error = invoke_json(client("lambda"), "nobootstrap")
    assert error["errorType"] == "Runtime.InvalidEntrypoint"
    assert "Couldn't find valid bootstrap(s)" in error["errorMessage"]


def test_python_runtime_picks_the_matching_interpreter(client: Client) -> None:
    create_function(client, "py39", Runtime="python3.9")
    response, result = invoke_json(client("lambda"), "py39")
    assert "FunctionError" not in response
    messages = log_messages(client("logs"), "/aws/lambda/py39")
    note = next(m for m in messages if m.startswith("postoffice: python3.9 "))
    assert f"(Python {result['python']}." in note
    if result["python"] == "3.9":
        assert note.startswith("postoffice: python3.9 runs on ")
    else:
        assert "closest interpreter" in note
