"""The one-walk decoding (decode + constraint tests) against the two walks it replaces.

dispatch skips `validate` when `parse_checked` says the parameters meet every constraint, so
that answer must never be yes where `validate` finds a violation. Random requests for every
operation of the JSON and query services, with values on both sides of every length, range
and enum constraint, missing required members and the odd wrong type, must decode to the same
parameters (or fail with the same error) as `parse`, and be called clean exactly when
`validate` finds nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import zlib
from typing import Any

import pytest
from botocore.model import Shape
from protocol_samples import FakeService, client_request, model_with_overlay

from postoffice.protocol.codec import decode, decode_checked
from postoffice.protocol.errors import ServiceError
from postoffice.protocol.models import service_model
from postoffice.protocol.query_decode import fold
from postoffice.protocol.query_protocol import QueryProtocol, form_pairs, parse_form
from postoffice.protocol.validate import conforms, validate

JSON_SERVICES = ["sqs", "events", "logs", "dynamodb"]
QUERY_SERVICES = ["sts", "iam", "sns", "cloudwatch", "sqs"]
REQUESTS_PER_OPERATION = 12
LONGEST = 600  # longer bounds are tried from below only
DEPTH = 4


class Values:
    """Random values for a shape, in one of two forms: as a JSON body carries them ("json":
    base64 blobs, epoch timestamps) or as botocore's serializers take them ("python")."""

    def __init__(self, seed: int, form: str, wrong_types: bool) -> None:
        self.random = random.Random(seed)
        self.form = form
        self.wrong_types = wrong_types

    def value(self, shape: Shape, depth: int = 0) -> Any:
        pick = self.random
        if self.wrong_types and pick.random() < 0.02:
            return pick.choice([7, "text", [1], {"a": 1}, True, 1.5])
        kind = shape.type_name
        if kind == "structure":
            if shape.metadata.get("document"):
                return {"doc": [1, "two"]}
            return self.structure(shape, depth)
        if kind == "list":
            count = self.length(shape, 3) if depth < DEPTH else 0
            return [self.value(shape.member, depth + 1) for _ in range(count)]
        if kind == "map":
            count = self.length(shape, 3) if depth < DEPTH else 0
            return {self.string(shape.key): self.value(shape.value, depth + 1) for _ in range(count)}
        if kind == "string":
            return self.string(shape)
        if kind in ("integer", "long"):
            return int(self.number(shape, 2**31 - 1 if kind == "integer" else 2**62))
        if kind in ("float", "double"):
            return float(self.number(shape, 1e6)) + pick.choice([0, 0.5])
        if kind == "boolean":
            return pick.random() < 0.5
        if kind == "blob":
            data = bytes(pick.randrange(256) for _ in range(self.length(shape, 8)))
            return base64.b64encode(data).decode() if self.form == "json" else data
        if kind == "timestamp":
            moment = 1_700_000_000 + pick.randrange(10**6)
            return moment if self.form == "json" else dt.datetime.fromtimestamp(moment, dt.UTC)
        return "x"

    def structure(self, shape: Shape, depth: int) -> dict[str, Any]:
        required = set(shape.required_members)
        out = {}
        for name, member in shape.members.items():
            if member.type_name in ("structure", "list", "map") and depth >= DEPTH and name not in required:
                continue
            if self.random.random() < (0.93 if name in required else 0.4):
                out[name] = self.value(member, depth + 1)
        return out

    def length(self, shape: Shape, usual: int) -> int:
        low = shape.metadata.get("min", 0)
        high = shape.metadata.get("max")
        choices = [low, low + 1, usual, max(low - 1, 0)]
        if high is not None and high <= LONGEST:
            choices += [high, high + 1]
        return self.random.choice(choices)

    def string(self, shape: Shape) -> str:
        if shape.enum and self.random.random() < 0.85:
            return self.random.choice(shape.enum)
        return "".join(self.random.choice("abcXYZ019-_") for _ in range(self.length(shape, 6)))

    def number(self, shape: Shape, usual: float) -> float:
        low = shape.metadata.get("min")
        high = shape.metadata.get("max")
        choices = [self.random.randrange(100), usual]
        for bound in (low, high):
            if bound is not None:
                choices += [bound - 1, bound, bound + 1]
        return self.random.choice(choices)


def _seed(service: str, operation: str, n: int) -> int:
    return zlib.crc32(f"{service}.{operation}.{n}".encode())


def _json_operations() -> list[tuple[str, str]]:
    return [(name, op) for name in JSON_SERVICES for op in service_model(name).operation_names]


def _query_operations() -> list[tuple[str, str]]:
    return [(name, op) for name in QUERY_SERVICES for op in service_model(name).operation_names]


def _outcome(call: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", call(*args)
    except ServiceError as error:
        return "error", (error.code, error.message)


@pytest.mark.parametrize(("service", "operation"), _json_operations())
def test_json_one_walk_agrees_with_decode_then_validate(service: str, operation: str) -> None:
    shape = service_model(service).operation_model(operation).input_shape
    if shape is None:
        return
    seen = {True: 0, False: 0}
    for n in range(REQUESTS_PER_OPERATION):
        document = Values(_seed(service, operation, n), "json", wrong_types=n % 3 == 2).value(shape)
        one_walk = _outcome(decode_checked, shape, document)
        two_walks = _outcome(decode, shape, document)
        assert one_walk[0] == two_walks[0], (document, one_walk, two_walks)
        if one_walk[0] == "error":
            assert one_walk == two_walks
            continue
        decoded, clean = one_walk[1]
        assert decoded == two_walks[1]
        violations = validate(shape, decoded)
        assert clean == (not violations), (document, violations)
        seen[clean] += 1
    assert seen[True] + seen[False] > 0


@pytest.mark.parametrize(("service", "operation"), _query_operations())
def test_query_one_walk_agrees_with_parse_then_validate(service: str, operation: str) -> None:
    client_model = model_with_overlay("sqs") if service == "sqs" else service_model(service)
    server_operation = service_model(service).operation_model(operation)
    shape = server_operation.input_shape
    if shape is None:
        return
    fake = FakeService(service)
    wire = QueryProtocol()
    for n in range(REQUESTS_PER_OPERATION):
        params = Values(_seed(service, operation, n), "python", wrong_types=False).value(shape)
        request = client_request("query", client_model.operation_model(operation), params)
        one_walk = _outcome(wire.parse_checked, fake, server_operation, request)
        request.memo.clear()
        two_walks = _outcome(wire.parse, fake, server_operation, request)
        assert one_walk[0] == two_walks[0], (params, one_walk, two_walks)
        if one_walk[0] == "error":
            assert one_walk == two_walks
            continue
        decoded, clean = one_walk[1]
        assert decoded == two_walks[1]
        violations = validate(shape, decoded)
        assert clean == (not violations), (params, violations)


def test_the_random_requests_break_constraints_often_and_not_always() -> None:
    """Else the agreement above would prove little."""
    clean = broken = 0
    for service, operation in _json_operations():
        shape = service_model(service).operation_model(operation).input_shape
        if shape is None:
            continue
        for n in range(REQUESTS_PER_OPERATION):
            document = Values(_seed(service, operation, n), "json", wrong_types=False).value(shape)
            try:
                if decode_checked(shape, document)[1]:
                    clean += 1
                else:
                    broken += 1
            except ServiceError:
                pass
    assert clean > 200 and broken > 200


def test_a_value_that_breaks_a_constraint_is_caught_and_described() -> None:
    shape = service_model("events").operation_model("PutRule").input_shape
    assert decode_checked(shape, {"Name": "r-1", "State": "ENABLED"}) == ({"Name": "r-1", "State": "ENABLED"}, True)
    for document, path in [
        ({"Name": "r" * 65}, "name"),
        ({"Name": "r 1"}, "name"),
        ({"Name": "r", "State": "ON"}, "state"),
        ({"State": "ENABLED"}, "name"),
        ({"Name": "r", "Tags": [{"Key": "", "Value": "v"}]}, "tags.1.member.key"),
    ]:
        decoded, clean = decode_checked(shape, document)
        assert not clean
        assert [v.path for v in validate(shape, decoded)] == [path]


def test_conforms_tests_exactly_what_validate_checks_at_a_value() -> None:
    members = service_model("events").operation_model("PutRule").input_shape.members
    name = conforms(members["Name"])
    assert name is not None and name("a") and name("a" * 64) and not name("") and not name("a" * 65)
    assert not name("a/b")
    state = conforms(members["State"])
    assert state is not None and state("DISABLED") and not state("disabled")
    assert conforms(service_model("sqs").operation_model("SendMessage").input_shape.members["MessageBody"]) is None


def test_form_parsing_with_and_without_escapes() -> None:
    assert parse_form("Action=X&Version=1&&Empty=&Bare") == [
        ("Action", "X"),
        ("Version", "1"),
        ("Empty", ""),
        ("Bare", ""),
    ]
    assert parse_form("A=x+y%26z&B%2E1=%E2%82%AC") == [("A", "x y&z"), ("B.1", "\u20ac")]
    with pytest.raises(UnicodeDecodeError):
        parse_form("A=%FF")


def test_fold_keeps_a_value_that_is_also_a_prefix() -> None:
    assert fold([("A", "1"), ("A.B", "2"), ("C.D", "3"), ("C", "4")]) == {
        "A": {"": "1", "B": "2"},
        "C": {"D": "3", "": "4"},
    }


def test_the_form_is_parsed_once_per_request() -> None:
    from postoffice.protocol.http import HttpRequest

    request = HttpRequest("POST", "/", "", {"content-type": "application/x-www-form-urlencoded"}, b"Action=A")
    assert form_pairs(request) is form_pairs(request)
