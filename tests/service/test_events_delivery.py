"""Delivery to targets under the virtual clock: retries, RetryPolicy limits, dead-letter
queues with AWS's attributes, and API destinations (a real HTTP endpoint in this process)."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from test_events_support import entry, error_of, make_queue, nothing_more, receive

ACCOUNT = "000000000000"
PATTERN = json.dumps({"source": ["shop"]})


class Endpoint:
    """An HTTP server answering each request with the next planned status (the last one repeats)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = [200]
        self.headers: dict[str, str] = {}
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.path.startswith("/token"):
                    endpoint.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    payload = json.dumps({"access_token": "t0k3n", "token_type": "bearer", "expires_in": 3600})
                    self._send(200, payload.encode())
                    return
                endpoint.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                )
                status = endpoint.statuses.pop(0) if len(endpoint.statuses) > 1 else endpoint.statuses[0]
                self._send(status, b'{"ok": true}')

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                for name, value in endpoint.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET = do_PUT = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def calls(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until at least `count` calls (not token requests) arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = [request for request in self.requests if not request["path"].startswith("/token")]
            if len(calls) >= count:
                return calls
            time.sleep(0.02)
        return [request for request in self.requests if not request["path"].startswith("/token")]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    yield server
    server.close()


def destination(events: Any, endpoint: Endpoint, auth: str = "BASIC", path: str = "/hook", **extra: Any) -> str:
    parameters = {
        "BASIC": {"BasicAuthParameters": {"Username": "user", "Password": "pass"}},
        "API_KEY": {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "secret-key"}},
        "OAUTH_CLIENT_CREDENTIALS": {
            "OAuthParameters": {
                "ClientParameters": {"ClientID": "client", "ClientSecret": "shh"},
                "AuthorizationEndpoint": f"{endpoint.url}/token",
                "HttpMethod": "POST",
                "OAuthHttpParameters": {"BodyParameters": [{"Key": "grant_type", "Value": "client_credentials"}]},
            }
        },
    }[auth]
    parameters = {**parameters, **extra.pop("connection_parameters", {})}
    connection = events.create_connection(
        Name=f"conn-{auth.lower()}", AuthorizationType=auth, AuthParameters=parameters
    )
    return events.create_api_destination(
        Name=f"dest-{auth.lower()}",
        ConnectionArn=connection["ConnectionArn"],
        InvocationEndpoint=endpoint.url + path,
        HttpMethod="POST",
        **extra,
    )["ApiDestinationArn"]


def rule_to(events: Any, target: dict[str, Any]) -> None:
    events.put_rule(Name="rule", EventPattern=PATTERN)
    answer = events.put_targets(Rule="rule", Targets=[{"Id": "target", **target}])
    assert answer["FailedEntryCount"] == 0, answer


def advance_until(server: Any, done: Any, step: float = 300.0, steps: int = 40) -> None:
    for _ in range(steps):
        if done():
            return
        server.advance(step)
        time.sleep(0.05)


def test_a_deleted_queue_sends_the_event_to_the_dead_letter_queue_at_once(virtual_server) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    target_url, target_arn = make_queue(sqs, "gone")
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    rule_to(events, {"Arn": target_arn, "DeadLetterConfig": {"Arn": dlq_arn}})
    sqs.delete_queue(QueueUrl=target_url)
    event_id = events.put_events(Entries=[entry("shop", "Sale", {"n": 1})])["Entries"][0]["EventId"]
    dead = receive(sqs, dlq_url, 1, attributes=True)
    assert len(dead) == 1
    body = json.loads(dead[0]["Body"])
    assert body["id"] == event_id and body["detail"] == {"n": 1}
    attributes = {name: value["StringValue"] for name, value in dead[0]["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/rule"
    assert attributes["TARGET_ARN"] == target_arn
    assert attributes["ERROR_CODE"] == "NO_RESOURCE"
    assert attributes["ERROR_MESSAGE"]
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes


def test_failed_deliveries_are_retried_then_dead_lettered(virtual_server, endpoint: Endpoint) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    endpoint.statuses = [500]
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    target = {
        "Arn": destination(events, endpoint),
        "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
        "DeadLetterConfig": {"Arn": dlq_arn},
    }
    rule_to(events, target)
    events.put_events(Entries=[entry("shop", "Sale", {"n": 1})])
    assert len(endpoint.calls(1)) == 1
    assert nothing_more(sqs, dlq_url)
    dead: list[dict[str, Any]] = []
    advance_until(virtual_server, lambda: dead.extend(receive(sqs, dlq_url, 1, timeout=0.2, attributes=True)) or dead)
    assert len(dead) == 1
    assert len(endpoint.calls(3)) == 3
    attributes = {name: value["StringValue"] for name, value in dead[0]["MessageAttributes"].items()}
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["RETRY_ATTEMPTS"] == "2"
    assert attributes["ERROR_CODE"] == "ERROR_FROM_TARGET"
    assert "500" in attributes["ERROR_MESSAGE"]
    virtual_server.advance(300)
    assert len(endpoint.calls(4, timeout=0.3)) == 3
    assert nothing_more(sqs, dlq_url)


def test_a_retry_that_succeeds_delivers_once(virtual_server, endpoint: Endpoint) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    endpoint.statuses = [503, 429, 200]
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    rule_to(events, {"Arn": destination(events, endpoint), "DeadLetterConfig": {"Arn": dlq_arn}})
    events.put_events(Entries=[entry("shop", "Sale", {"n": 1})])
    advance_until(virtual_server, lambda: len(endpoint.calls(3, timeout=0.2)) >= 3)
    assert len(endpoint.calls(3)) == 3
    virtual_server.advance(3600)
    assert len(endpoint.calls(4, timeout=0.3)) == 3
    assert nothing_more(sqs, dlq_url)


def test_maximum_event_age_ends_the_retries(virtual_server, endpoint: Endpoint) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    endpoint.statuses = [500]
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    target = {
        "Arn": destination(events, endpoint),
        "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 60},
        "DeadLetterConfig": {"Arn": dlq_arn},
    }
    rule_to(events, target)
    events.put_events(Entries=[entry("shop", "Sale", {"n": 1})])
    dead: list[dict[str, Any]] = []
    for _ in range(20):
        dead = receive(sqs, dlq_url, 1, timeout=0.2, attributes=True)
        if dead:
            break
        virtual_server.advance(10)
    assert dead, "the event never reached the dead-letter queue"
    attributes = {name: value["StringValue"] for name, value in dead[0]["MessageAttributes"].items()}
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    assert int(attributes["RETRY_ATTEMPTS"]) >= 3


def test_client_errors_are_not_retried(virtual_server, endpoint: Endpoint) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    endpoint.statuses = [400]
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    rule_to(events, {"Arn": destination(events, endpoint), "DeadLetterConfig": {"Arn": dlq_arn}})
    events.put_events(Entries=[entry("shop", "Sale", {"n": 1})])
    dead = receive(sqs, dlq_url, 1, attributes=True)
    attributes = {name: value["StringValue"] for name, value in dead[0]["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "ERROR_FROM_TARGET" and attributes["RETRY_ATTEMPTS"] == "0"
    virtual_server.advance(3600)
    assert len(endpoint.calls(2, timeout=0.3)) == 1


def test_without_a_dead_letter_queue_a_failed_event_is_dropped(virtual_server, endpoint: Endpoint) -> None:
    events = virtual_server.client("events")
    endpoint.statuses = [500]
    rule_to(events, {"Arn": destination(events, endpoint), "RetryPolicy": {"MaximumRetryAttempts": 0}})
    events.put_events(Entries=[entry("shop", "Sale", {"n": 1})])
    assert len(endpoint.calls(1)) == 1
    virtual_server.advance(3600)
    assert len(endpoint.calls(2, timeout=0.3)) == 1


def test_api_destination_call_with_basic_auth_and_parameters(server, endpoint: Endpoint) -> None:
    events = server.client("events")
    arn = destination(
        events,
        endpoint,
        path="/orders/*",
        connection_parameters={
            "InvocationHttpParameters": {
                "HeaderParameters": [{"Key": "x-team", "Value": "shop", "IsValueSecret": False}],
                "QueryStringParameters": [{"Key": "source", "Value": "eventbridge"}],
                "BodyParameters": [{"Key": "tenant", "Value": "t-1"}],
            }
        },
    )
    target = {
        "Arn": arn,
        "HttpParameters": {
            "PathParameterValues": ["o-9"],
            "HeaderParameters": {"x-trace": "abc"},
            "QueryStringParameters": {"mode": "fast"},
        },
        "InputPath": "$.detail",
    }
    rule_to(events, target)
    events.put_events(Entries=[entry("shop", "Sale", {"n": 1})])
    call = endpoint.calls(1)[0]
    assert call["method"] == "POST"
    assert call["path"].startswith("/orders/o-9?")
    assert "mode=fast" in call["path"] and "source=eventbridge" in call["path"]
    headers = {key.lower(): value for key, value in call["headers"].items()}
    assert headers["authorization"] == "Basic " + base64.b64encode(b"user:pass").decode()
    assert headers["x-team"] == "shop" and headers["x-trace"] == "abc"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["user-agent"] == "Amazon/EventBridge/ApiDestinations"
    assert json.loads(call["body"]) == {"n": 1, "tenant": "t-1"}


def test_api_destination_with_an_api_key(server, endpoint: Endpoint) -> None:
    events = server.client("events")
    rule_to(events, {"Arn": destination(events, endpoint, auth="API_KEY")})
    events.put_events(Entries=[entry("shop", "Sale", {"n": 1})])
    call = endpoint.calls(1)[0]
    assert {key.lower(): value for key, value in call["headers"].items()}["x-api-key"] == "secret-key"
    assert json.loads(call["body"])["detail"] == {"n": 1}


def test_api_destination_with_oauth_client_credentials(server, endpoint: Endpoint) -> None:
    events = server.client("events")
    rule_to(events, {"Arn": destination(events, endpoint, auth="OAUTH_CLIENT_CREDENTIALS")})
    events.put_events(Entries=[entry("shop", "Sale", {"n": 1}), entry("shop", "Sale", {"n": 2})])
    calls = endpoint.calls(2)
    assert len(calls) == 2
    for call in calls:
        assert {key.lower(): value for key, value in call["headers"].items()}["authorization"] == "Bearer t0k3n"
    tokens = [request for request in endpoint.requests if request["path"].startswith("/token")]
    assert len(tokens) == 1
    token_headers = {key.lower(): value for key, value in tokens[0]["headers"].items()}
    assert token_headers["authorization"] == "Basic " + base64.b64encode(b"client:shh").decode()
    assert tokens[0]["body"] == b"grant_type=client_credentials"


def test_api_destination_rate_limit(virtual_server, endpoint: Endpoint) -> None:
    events = virtual_server.client("events")
    rule_to(events, {"Arn": destination(events, endpoint, InvocationRateLimitPerSecond=1)})
    events.put_events(Entries=[entry("shop", "Sale", {"n": n}) for n in range(3)])
    assert len(endpoint.calls(1)) == 1
    assert len(endpoint.calls(2, timeout=0.3)) == 1
    virtual_server.advance(1)
    assert len(endpoint.calls(2)) == 2
    virtual_server.advance(1)
    assert len(endpoint.calls(3)) == 3
    assert sorted(json.loads(call["body"])["detail"]["n"] for call in endpoint.calls(3)) == [0, 1, 2]


def test_a_deauthorized_connection_stops_deliveries(virtual_server, endpoint: Endpoint) -> None:
    events, sqs = virtual_server.client("events"), virtual_server.client("sqs")
    dlq_url, dlq_arn = make_queue(sqs, "dlq")
    rule_to(events, {"Arn": destination(events, endpoint), "DeadLetterConfig": {"Arn": dlq_arn}})
    events.deauthorize_connection(Name="conn-basic")
    assert events.describe_api_destination(Name="dest-basic")["ApiDestinationState"] == "INACTIVE"
    events.put_events(Entries=[entry("shop", "Sale", {"n": 1})])
    dead = receive(sqs, dlq_url, 1, attributes=True)
    assert dead[0]["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "NO_PERMISSIONS"
    assert endpoint.calls(1, timeout=0.2) == []


def test_unknown_api_destination_target_is_refused_by_put_events_answer(client) -> None:
    events = client("events")
    events.put_rule(Name="rule", EventPattern=PATTERN)
    missing = f"arn:aws:events:us-east-1:{ACCOUNT}:api-destination/missing/0000"
    assert events.put_targets(Rule="rule", Targets=[{"Id": "t", "Arn": missing}])["FailedEntryCount"] == 0
    assert error_of(events.describe_api_destination, Name="missing")["Code"] == "ResourceNotFoundException"
