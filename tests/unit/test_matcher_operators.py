"""Per-operator matching, with the cases of AWS's docs, event-ruler's README and the seeds."""

from __future__ import annotations

import pytest

from postoffice.core.matcher import compile_pattern


def matches(pattern: dict, event: dict, dialect: str = "eventbridge") -> bool:
    return compile_pattern(pattern, dialect).matches(event)


EC2_EVENT = {
    "version": "0",
    "id": "ddddd4-aaaa-7777-4444-345dd43cc333",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "012345679012",
    "time": "2017-10-02T16:24:49Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
    "detail": {
        "c-count": 5,
        "d-count": 3,
        "x-limit": 301.8,
        "source-ip": "10.0.0.33",
        "instance-id": "i-000000aaaaaa00000",
        "state": "running",
    },
}


def with_detail(**fields) -> dict:
    return {**EC2_EVENT, "detail": {**EC2_EVENT["detail"], **fields}}


# --- exact values -------------------------------------------------------------------------


def test_ec2_state_change_rule_from_the_seeds():
    pattern = {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        "detail": {"state": ["running", "stopped"]},
    }
    assert matches(pattern, EC2_EVENT)
    assert matches(pattern, with_detail(state="stopped"))
    assert not matches(pattern, with_detail(state="pending"))
    assert not matches(pattern, {**EC2_EVENT, "source": "aws.ec2x"})
    assert not matches(pattern, {k: v for k, v in EC2_EVENT.items() if k != "detail"})


def test_readme_simple_rule_matches_resources_array_by_intersection():
    pattern = {
        "detail-type": ["EC2 Instance State-change Notification"],
        "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"],
        "detail": {"state": ["initializing", "running"]},
    }
    assert matches(pattern, EC2_EVENT)
    other = {**EC2_EVENT, "resources": ["arn:other", "arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000"]}
    assert matches(pattern, other)
    assert not matches(pattern, {**EC2_EVENT, "resources": ["arn:other"]})
    assert not matches(pattern, {**EC2_EVENT, "resources": []})


def test_exact_match_is_typed_strings_never_equal_numbers():
    assert matches({"a": [5]}, {"a": 5})
    assert matches({"a": [5]}, {"a": 5.0})
    assert matches({"a": [1.5]}, {"a": 1.50})
    assert not matches({"a": [5]}, {"a": "5"})
    assert not matches({"a": ["5"]}, {"a": 5})
    assert matches({"a": ["5"]}, {"a": "5"})


def test_booleans_and_null_are_their_own_values():
    assert matches({"a": [True]}, {"a": True})
    assert not matches({"a": [True]}, {"a": "true"})
    assert not matches({"a": [True]}, {"a": 1})
    assert not matches({"a": [1]}, {"a": True})
    assert matches({"a": [None]}, {"a": None})
    assert not matches({"a": [None]}, {"a": "null"})
    assert not matches({"a": [None]}, {})


def test_null_does_not_match_an_empty_array():
    assert not matches({"resources": [None]}, {"resources": []})


def test_empty_string_matches_only_the_empty_string():
    assert matches({"LastName": [""]}, {"LastName": ""})
    assert not matches({"LastName": [""]}, {"LastName": "Doe"})
    assert not matches({"LastName": [""]}, {})


def test_strings_are_case_sensitive_and_keys_too():
    assert not matches({"source": ["aws.EC2"]}, {"source": "aws.ec2"})
    assert not matches({"Source": ["aws.ec2"]}, {"source": "aws.ec2"})


def test_numbers_outside_the_numeric_range_still_match_exactly():
    assert matches({"account": [123456789012]}, {"account": 123456789012})
    assert not matches({"account": [123456789012]}, {"account": 123456789013})


def test_multiple_fields_are_anded_and_values_ored():
    pattern = {"Location": ["New York"], "Day": ["Monday", "Tuesday"]}
    assert matches(pattern, {"Location": "New York", "Day": "Tuesday"})
    assert not matches(pattern, {"Location": "New York", "Day": "Friday"})
    assert not matches(pattern, {"Location": "Boston", "Day": "Monday"})
    assert not matches(pattern, {"Day": "Monday"})


def test_objects_are_not_leaf_values():
    assert not matches({"detail": ["x"]}, {"detail": {"x": 1}})


def test_dotted_keys_and_nesting_are_the_same_path():
    pattern = {"detail": {"state.status": ["running"]}}
    assert matches(pattern, {"detail": {"state": {"status": "running"}}})
    assert matches({"detail": {"state": {"status": ["running"]}}}, {"detail": {"state.status": "running"}})


def test_pattern_given_as_json_text():
    assert compile_pattern('{"source": ["com.orders"]}').matches({"source": "com.orders"})


def test_non_object_events_match_nothing():
    pattern = compile_pattern({"a": [{"exists": False}]})
    assert not pattern.matches([1, 2])
    assert pattern.matches({})


# --- prefix / suffix / equals-ignore-case -----------------------------------------------------


def test_prefix():
    pattern = {"time": [{"prefix": "2017-10-02"}]}
    assert matches(pattern, EC2_EVENT)
    assert not matches(pattern, {**EC2_EVENT, "time": "2017-10-03T00:00:00Z"})
    assert not matches({"a": [{"prefix": "1"}]}, {"a": 12})


def test_empty_prefix_matches_every_string_but_no_number():
    assert matches({"a": [{"prefix": ""}]}, {"a": ""})
    assert matches({"a": [{"prefix": ""}]}, {"a": "anything"})
    assert not matches({"a": [{"prefix": ""}]}, {"a": 1})


def test_s3_key_prefix_rule_from_the_seeds():
    pattern = {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["my-bucket"]}, "object": {"key": [{"prefix": "uploads/"}]}},
    }
    event = {
        "source": "aws.s3",
        "detail-type": "Object Created",
        "detail": {"bucket": {"name": "my-bucket"}, "object": {"key": "uploads/2026/a.png", "size": 5}},
    }
    assert matches(pattern, event)
    assert not matches(pattern, {**event, "detail": {**event["detail"], "object": {"key": "private/a.png"}}})
    assert not matches(pattern, {**event, "detail": {**event["detail"], "bucket": {"name": "other"}}})


def test_prefix_equals_ignore_case():
    pattern = {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}
    assert matches(pattern, {"service": "EventBridge"})
    assert matches(pattern, {"service": "EVENTBRIDGE"})
    assert not matches(pattern, {"service": "Bridge"})


def test_suffix_and_suffix_equals_ignore_case():
    assert matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "image.png"})
    assert not matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "image.PNG"})
    pattern = {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}
    assert matches(pattern, {"FileName": "image.PNG"})
    assert not matches(pattern, {"FileName": "image.jpg"})


def test_equals_ignore_case():
    pattern = {"Name": [{"equals-ignore-case": "alice"}]}
    assert matches(pattern, {"Name": "Alice"})
    assert matches(pattern, {"Name": "ALICE"})
    assert not matches(pattern, {"Name": "Alicia"})
    assert matches({"value": [{"equals-ignore-case": ""}]}, {"value": ""})
    assert not matches({"a": [{"equals-ignore-case": "5"}]}, {"a": 5})


# --- wildcard ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wildcard", "value", "expected"),
    [
        ("Simple*Service", "SimpleNotificationService", True),
        ("Simple*Service", "SimpleService", True),
        ("Simple*Service", "simpleService", False),
        ("*.png", "dir/a.png", True),
        ("*.png", "a.png.txt", False),
        ("*Title*", "My Title Here", True),
        ("*", "", True),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("a\\\\b", "a\\b", True),
        ("arn:aws:events:us-east-1:*:event-bus/*", "arn:aws:events:us-east-1:123:event-bus/default", True),
        ("line*end", "line\nand end", True),
    ],
)
def test_wildcard(wildcard, value, expected):
    assert matches({"v": [{"wildcard": wildcard}]}, {"v": value}) is expected


def test_wildcard_never_matches_a_number():
    assert not matches({"v": [{"wildcard": "*"}]}, {"v": 1})


# --- anything-but -----------------------------------------------------------------------------


def test_anything_but_single_string():
    pattern = {"detail": {"state": [{"anything-but": "initializing"}]}}
    assert matches(pattern, EC2_EVENT)
    assert not matches(pattern, with_detail(state="initializing"))
    assert matches(pattern, with_detail(state=None))
    assert matches(pattern, with_detail(state=12))
    assert not matches(pattern, {"detail": {}})


def test_anything_but_numbers():
    assert not matches({"x": [{"anything-but": 123}]}, {"x": 123})
    assert matches({"x": [{"anything-but": 123}]}, {"x": 124})
    assert matches({"x": [{"anything-but": 123}]}, {"x": "123"})
    pattern = {"x": [{"anything-but": [100, 200, 300]}]}
    assert not matches(pattern, {"x": 200})
    assert not matches(pattern, {"x": 200.0})
    assert matches(pattern, {"x": 201})


def test_anything_but_string_list_and_arrays_in_the_event():
    pattern = {"state": [{"anything-but": ["stopped", "overloaded"]}]}
    assert not matches(pattern, {"state": "stopped"})
    assert matches(pattern, {"state": "running"})
    interests = {"customer_interests": [{"anything-but": ["rugby", "tennis"]}]}
    assert matches(interests, {"customer_interests": ["rugby", "baseball"]})
    assert not matches(interests, {"customer_interests": ["rugby", "tennis"]})


def test_anything_but_prefix_and_suffix():
    prefix = {"state": [{"anything-but": {"prefix": "init"}}]}
    assert not matches(prefix, {"state": "initializing"})
    assert matches(prefix, {"state": "running"})
    assert matches(prefix, {"state": 12})
    assert not matches(prefix, {})
    assert not matches({"s": [{"anything-but": {"prefix": ["a", "b"]}}]}, {"s": "bee"})
    suffix = {"FileName": [{"anything-but": {"suffix": ".png"}}]}
    assert not matches(suffix, {"FileName": "a.png"})
    assert matches(suffix, {"FileName": "a.jpg"})


def test_anything_but_equals_ignore_case():
    pattern = {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}
    assert not matches(pattern, {"state": "INITIALIZING"})
    assert matches(pattern, {"state": "running"})
    listed = {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "overloaded"]}}]}
    assert not matches(listed, {"state": "STOPPED"})
    assert matches(listed, {"state": "running"})


def test_anything_but_wildcard():
    pattern = {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}
    assert not matches(pattern, {"FilePath": "/usr/lib/x.so"})
    assert matches(pattern, {"FilePath": "/usr/bin/x"})
    assert matches({"FilePath": [{"anything-but": {"wildcard": "*/dir/*"}}]}, {"FilePath": 123})
    listed = {"FilePath": [{"anything-but": {"wildcard": ["*/lib/*", "*.tmp"]}}]}
    assert not matches(listed, {"FilePath": "a.tmp"})
    assert matches(listed, {"FilePath": "a.txt"})


# --- numeric ----------------------------------------------------------------------------------


def test_numeric_readme_rule():
    pattern = {
        "detail": {
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"numeric": ["=", 3.018e2]}],
        }
    }
    assert matches(pattern, EC2_EVENT)
    assert not matches(pattern, with_detail(**{"c-count": 0}))
    assert not matches(pattern, with_detail(**{"c-count": 5.1}))
    assert not matches(pattern, with_detail(**{"d-count": 10}))
    assert not matches(pattern, with_detail(**{"x-limit": 301.9}))


@pytest.mark.parametrize(
    ("expression", "value", "expected"),
    [
        ([">", 0, "<=", 5], 0.1, True),
        ([">", 0, "<=", 5], 5, True),
        ([">", 0, "<=", 5], 0, False),
        ([">=", 0, "<", 5], 0, True),
        ([">=", 0, "<", 5], 5, False),
        (["<", 0], -1, True),
        (["<=", -1.5], -1.5, True),
        (["=", 0.3], 0.1 + 0.2, True),
        (["=", 5], "5", False),
        ([">", 0], 6e9, False),
        ([">", 0], True, False),
        ([">", 0], None, False),
    ],
)
def test_numeric_comparisons(expression, value, expected):
    assert matches({"n": [{"numeric": expression}]}, {"n": value}) is expected


def test_numeric_precision_is_six_decimal_places():
    assert not matches({"n": [{"numeric": [">", 0.1]}]}, {"n": 0.1000001})
    assert matches({"n": [{"numeric": [">", 0.1]}]}, {"n": 0.100001})


def test_high_value_numeric_rule_from_the_seeds():
    pattern = {
        "source": ["com.myapp.orders"],
        "detail-type": ["OrderCreated"],
        "detail": {"amount": [{"numeric": [">=", 1000]}], "status": ["confirmed"]},
    }
    event = {
        "source": "com.myapp.orders",
        "detail-type": "OrderCreated",
        "detail": {"amount": 1000, "status": "confirmed"},
    }
    assert matches(pattern, event)
    assert matches(pattern, {**event, "detail": {"amount": 2500.75, "status": "confirmed"}})
    assert not matches(pattern, {**event, "detail": {"amount": 999.99, "status": "confirmed"}})
    assert not matches(pattern, {**event, "detail": {"amount": "5000", "status": "confirmed"}})


# --- cidr -------------------------------------------------------------------------------------


def test_cidr_ipv4():
    pattern = {"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}
    assert matches(pattern, EC2_EVENT)
    assert not matches(pattern, with_detail(**{"source-ip": "10.0.1.1"}))
    assert not matches(pattern, with_detail(**{"source-ip": 123}))
    assert not matches(pattern, with_detail(**{"source-ip": "not an ip"}))
    assert not matches(pattern, with_detail(**{"source-ip": "::1"}))


def test_cidr_ipv6():
    pattern = {"ip": [{"cidr": "2001:db8::/32"}]}
    assert matches(pattern, {"ip": "2001:db8::1"})
    assert matches(pattern, {"ip": "2001:0DB8:ffff::1"})
    assert not matches(pattern, {"ip": "2001:db9::1"})
    assert not matches(pattern, {"ip": "10.0.0.1"})


def test_cidr_range_starts_at_the_given_address_like_event_ruler():
    pattern = {"ip": [{"cidr": "10.0.0.5/24"}]}
    assert matches(pattern, {"ip": "10.0.0.200"})
    assert not matches(pattern, {"ip": "10.0.0.1"})


# --- exists -----------------------------------------------------------------------------------


def test_exists_true_and_false():
    assert matches({"detail": {"c-count": [{"exists": True}]}}, EC2_EVENT)
    absent = {"detail": {"c-count": [{"exists": False}]}}
    assert not matches(absent, EC2_EVENT)
    assert matches(absent, {"detail": {"state": "running"}})
    assert matches(absent, {})


def test_exists_only_sees_leaves():
    absent = {"detail": {"c-count": [{"exists": False}]}}
    assert matches(absent, {"detail": {"c-count": {"c1": 100}}})
    event = {"dynamodb": {"id": {"S": "test1234"}, "presentKey": {"S": "test123"}}}
    assert not matches({"dynamodb": {"presentKey": [{"exists": True}]}}, event)
    assert matches({"dynamodb": {"presentKey": {"S": [{"exists": True}]}}}, event)


def test_exists_with_null_and_empty_arrays():
    assert matches({"a": [{"exists": True}]}, {"a": None})
    assert not matches({"a": [{"exists": True}]}, {"a": []})
    assert matches({"a": [{"exists": False}]}, {"a": []})


def test_exists_inside_a_list_of_objects():
    event = {"detail": {"automations": [{"key1": "value1"}, {"id": "match-does-exist"}, {"key2": "value2"}]}}
    assert matches({"detail": {"automations": {"id": [{"exists": True}]}}}, event)


def test_exists_false_as_an_alternative():
    pattern = {"dynamodb": {"NewImage": {"homemade": {"S": [{"anything-but": ["roses"]}, {"exists": False}]}}}}
    assert matches(pattern, {"dynamodb": {"NewImage": {"purchased": {"N": "789"}}}})
    assert matches(pattern, {"dynamodb": {"NewImage": {"homemade": {"S": "tulips"}}}})
    assert not matches(pattern, {"dynamodb": {"NewImage": {"homemade": {"S": "roses"}}}})


# --- $or --------------------------------------------------------------------------------------


def test_or_between_fields():
    pattern = {
        "source": ["aws.cloudwatch"],
        "$or": [{"metricName": ["CPUUtilization", "ReadLatency"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}],
    }
    assert matches(pattern, {"source": "aws.cloudwatch", "metricName": "ReadLatency"})
    assert matches(pattern, {"source": "aws.cloudwatch", "namespace": "AWS/ES"})
    assert not matches(pattern, {"source": "aws.cloudwatch", "namespace": "AWS/S3"})
    assert not matches(pattern, {"source": "aws.other", "metricName": "ReadLatency"})


def test_parallel_or_in_nested_objects():
    pattern = {
        "$or": [{"metricName": ["CPUUtilization"]}, {"namespace": ["AWS/EC2"]}],
        "detail": {"$or": [{"source": ["aws.cloudwatch"]}, {"detail-type": ["CloudWatch Alarm State Change"]}]},
    }
    assert matches(pattern, {"namespace": "AWS/EC2", "detail": {"detail-type": "CloudWatch Alarm State Change"}})
    assert not matches(pattern, {"namespace": "AWS/EC2", "detail": {"source": "aws.ec2"}})


def test_or_with_and_and_nested_or_inside():
    pattern = {
        "source": ["aws.cloudwatch"],
        "$or": [
            {"metricName": ["CPUUtilization", "ReadLatency"]},
            {
                "metricType": ["MetricType"],
                "namespace": ["AWS/EC2", "AWS/ES"],
                "$or": [{"metricId": [1234]}, {"spaceId": [1000]}],
            },
            {"scope": ["Service"]},
        ],
    }
    base = {"source": "aws.cloudwatch"}
    assert matches(pattern, {**base, "scope": "Service"})
    assert matches(pattern, {**base, "metricType": "MetricType", "namespace": "AWS/ES", "spaceId": 1000})
    assert not matches(pattern, {**base, "metricType": "MetricType", "namespace": "AWS/ES"})
    assert not matches(pattern, {**base, "metricType": "MetricType", "spaceId": 1000})


# --- arrays -----------------------------------------------------------------------------------

EMPLOYEES = {
    "employees": [
        {"firstName": "John", "lastName": "Doe"},
        {"firstName": "Anna", "lastName": "Smith"},
        {"firstName": "Peter", "lastName": "Jones"},
    ]
}


def test_array_of_objects_is_crushed_into_its_parent_field():
    assert matches({"employees": {"firstName": ["Anna"]}}, EMPLOYEES)
    nested = {"employees": [[EMPLOYEES["employees"][0], EMPLOYEES["employees"][1]], [EMPLOYEES["employees"][2]]]}
    assert matches({"employees": {"firstName": ["Anna"]}}, nested)


def test_fields_must_come_from_the_same_array_element():
    assert matches({"employees": {"firstName": ["Anna"], "lastName": ["Smith"]}}, EMPLOYEES)
    assert not matches({"employees": {"firstName": ["Anna"], "lastName": ["Jones"]}}, EMPLOYEES)


def test_array_consistency_across_nested_arrays():
    event = {"orders": [{"id": 1, "items": [{"sku": "A"}, {"sku": "B"}]}, {"id": 2, "items": [{"sku": "C"}]}]}
    assert matches({"orders": {"id": [1], "items": {"sku": ["B"]}}}, event)
    assert not matches({"orders": {"id": [2], "items": {"sku": ["B"]}}}, event)
    assert matches({"orders": {"id": [2], "items": {"sku": ["C"]}}}, event)


def test_scalar_arrays_pair_with_any_other_field():
    event = {"tags": ["a", "b"], "items": [{"k": "x"}, {"k": "y"}]}
    assert matches({"tags": ["b"], "items": {"k": ["y"]}}, event)
