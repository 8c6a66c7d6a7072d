"""SNS filter policies (both scopes, limits) and Lambda event filters."""

from __future__ import annotations

import json

import pytest

from postoffice.core.matcher import (
    PatternError,
    compile_filter_policy,
    compile_pattern,
    message_attributes_event,
    message_body_event,
)


def attrs(**values: tuple[str, str]) -> dict:
    return {name: {"DataType": data_type, "StringValue": text} for name, (data_type, text) in values.items()}


def sns_reason(policy, scope: str = "MessageAttributes") -> PatternError:
    with pytest.raises(PatternError) as caught:
        compile_filter_policy(policy, scope)
    return caught.value


# --- SNS MessageAttributes scope ---------------------------------------------------------------


def test_seed_policy_numeric_and_exact_on_attributes():
    policy = compile_filter_policy(
        {"order_value": [{"numeric": [">=", 1000]}], "shipping_type": ["express", "priority"]}
    )
    assert policy.matches(
        message_attributes_event(attrs(order_value=("Number", "1500"), shipping_type=("String", "express")))
    )
    assert not policy.matches(
        message_attributes_event(attrs(order_value=("Number", "999"), shipping_type=("String", "express")))
    )
    assert not policy.matches(
        message_attributes_event(attrs(order_value=("Number", "1500"), shipping_type=("String", "std")))
    )
    assert not policy.matches(
        message_attributes_event(attrs(order_value=("String", "1500"), shipping_type=("String", "express")))
    )


def test_seed_policy_event_type():
    policy = compile_filter_policy('{"event_type": ["order_created", "order_updated"]}')
    assert policy.matches(message_attributes_event(attrs(event_type=("String", "order_updated"))))
    assert not policy.matches(message_attributes_event(attrs(event_type=("String", "order_deleted"))))
    assert not policy.matches(message_attributes_event({}))


def test_numeric_attribute_values():
    equal = compile_filter_policy({"price_usd": [{"numeric": ["=", 301.5]}]})
    assert equal.matches(message_attributes_event(attrs(price_usd=("Number", "301.5"))))
    assert equal.matches(message_attributes_event(attrs(price_usd=("Number", "3.015e2"))))
    ranged = compile_filter_policy({"price_usd": [{"numeric": [">", 0, "<=", 150]}]})
    assert ranged.matches(message_attributes_event(attrs(price_usd=("Number.float", "150"))))
    assert not ranged.matches(message_attributes_event(attrs(price_usd=("Number", "150.5"))))
    assert not ranged.matches(message_attributes_event(attrs(price_usd=("Number", "abc"))))
    exact = compile_filter_policy({"attr1": [99]})
    assert exact.matches(message_attributes_event(attrs(attr1=("Number", "99"))))
    assert exact.matches(message_attributes_event(attrs(attr1=("Number", "9.9E1"))))
    big = compile_filter_policy({"big": [10000000000]})
    assert big.matches(message_attributes_event(attrs(big=("Number", "1e10"))))
    assert not big.matches(message_attributes_event(attrs(big=("Number", "1e11"))))


def test_string_array_attributes_match_element_by_element():
    policy = compile_filter_policy({"customer_interests": ["rugby", "tennis"]})
    assert policy.matches(message_attributes_event(attrs(customer_interests=("String.Array", '["rugby", "tennis"]'))))
    assert not policy.matches(message_attributes_event(attrs(customer_interests=("String.Array", '["baseball"]'))))
    but = compile_filter_policy({"customer_interests": [{"anything-but": ["rugby", "tennis"]}]})
    assert but.matches(message_attributes_event(attrs(customer_interests=("String.Array", '["rugby", "baseball"]'))))
    assert not but.matches(message_attributes_event(attrs(customer_interests=("String.Array", "not json"))))
    price = compile_filter_policy({"price": [{"anything-but": [100, 500]}]})
    assert price.matches(message_attributes_event(attrs(price=("String.Array", "[100, 50]"))))
    assert not price.matches(message_attributes_event(attrs(price=("Number", "100"))))


def test_exists_and_binary_attributes():
    exists = compile_filter_policy({"store": [{"exists": True}]})
    assert exists.matches(message_attributes_event(attrs(store=("Number", "99"), other=("Number", "99"))))
    assert not exists.matches(message_attributes_event(attrs(attr1=("Number", "111"))))
    absent = compile_filter_policy({"store": [{"exists": False}]})
    binary = {"store": {"DataType": "Binary", "BinaryValue": b"\x00"}}
    assert absent.matches(message_attributes_event(binary))


def test_null_alternative_does_not_match_a_missing_attribute():
    policy = compile_filter_policy({"attr1": [None, {"anything-but": "whatever"}]})
    assert not policy.matches(message_attributes_event({}))
    assert policy.matches(message_attributes_event(attrs(attr1=("String", "x"))))


def test_delivered_notification_attribute_shape():
    delivered = {"store": {"Type": "String", "Value": "example_corp"}, "label": {"Type": "String.custom", "Value": "x"}}
    assert message_attributes_event(delivered) == {"store": "example_corp", "label": "x"}


def test_sns_operators():
    cases = [
        ({"a": [{"prefix": "bas"}]}, "basketball", True),
        ({"a": [{"suffix": "ball"}]}, "football", True),
        ({"a": [{"equals-ignore-case": "RUGBY"}]}, "rugby", True),
        ({"a": [{"anything-but": {"prefix": "bas"}}]}, "baseball", False),
        ({"a": [{"anything-but": {"prefix": "bas"}}]}, "rugby", True),
        ({"a": [{"cidr": "10.0.0.0/24"}]}, "10.0.0.7", True),
        ({"$or": [{"a": ["x"]}, {"b": ["y"]}]}, "x", True),
    ]
    for policy, value, expected in cases:
        event = message_attributes_event(attrs(a=("String", value)))
        assert compile_filter_policy(policy).matches(event) is expected, policy


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ({"a": [{"wildcard": "x*"}]}, "Unrecognized match type wildcard"),
        ({"a": [{"exactly": "x"}]}, "Unrecognized match type exactly"),
        ({"a": [{"anything-but": {"suffix": "x"}}]}, "Unsupported anything-but pattern: suffix"),
        (
            {"a": [{"anything-but": {"equals-ignore-case": "x"}}]},
            "Unsupported anything-but pattern: equals-ignore-case",
        ),
        ({"a": [{"prefix": {"equals-ignore-case": "x"}}]}, "prefix match pattern must be a string"),
        ({"key": [{"suffix": 100}]}, "suffix match pattern must be a string"),
        ({"key": [{"numeric": [">", 3, "<", 1]}]}, "Bottom must be less than top"),
    ],
)
def test_sns_refuses_what_it_does_not_support(policy, expected):
    assert sns_reason(policy).reason == expected


def test_empty_policy_matches_everything_in_sns_only():
    assert compile_filter_policy({}).matches(message_attributes_event({}))
    assert compile_filter_policy("{}", "MessageBody").matches(None)
    with pytest.raises(PatternError):
        compile_pattern({}, "eventbridge")


def test_invalid_json_policy():
    assert sns_reason('{"a": [').sns_message() == "Invalid parameter: FilterPolicy: failed to parse JSON."


# --- SNS limits --------------------------------------------------------------------------------


def test_at_most_five_keys():
    policy = {f"key{i}": [f"value{i}"] for i in range(1, 7)}
    error = sns_reason(policy)
    assert error.sns_message() == "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"
    compile_filter_policy({f"key{i}": [f"value{i}"] for i in range(1, 6)})


def test_nested_keys_count_only_leaves():
    nested = {"a": {"b": ["1"], "c": ["2"], "d": ["3"]}, "e": {"f": {"g": ["4"], "h": ["5"]}}}
    compile_filter_policy(nested, "MessageBody")
    nested["e"]["f"]["i"] = ["6"]
    assert sns_reason(nested, "MessageBody").reason == "Filter policy can not have more than 5 keys"


def test_keys_are_counted_per_or_branch():
    policy = {"a": ["1"], "b": ["1"], "$or": [{"c": ["1"], "d": ["1"], "e": ["1"]}, {"f": ["1"], "g": ["1"]}]}
    compile_filter_policy(policy)
    policy["$or"][0]["h"] = ["1"]
    assert sns_reason(policy).reason == "Filter policy can not have more than 5 keys"


def test_combination_limit():
    assert sns_reason({"key": [f"value{i}" for i in range(151)]}).reason == "Filter policy is too complex"
    compile_filter_policy({"key": [f"value{i}" for i in range(150)]})
    two = {"key1": [f"value{i}" for i in range(100)], "key2": [f"value{i}" for i in range(51)]}
    assert sns_reason(two).sns_message(subscribe=True) == (
        "Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex"
    )


def test_nested_combinations_multiply_by_depth():
    policy = {
        "key_a": {"key_b": {"key_c": ["value_one", "value_two", "value_three", "value_four"]}},
        "key_d": {"key_e": ["value_one", "value_two", "value_three"]},
    }
    compile_filter_policy(policy, "MessageBody")  # 3x4 x 2x3 = 72
    policy["key_f"] = ["value_one", "value_two", "value_three"]  # x 1x3 = 216
    assert sns_reason(policy, "MessageBody").reason == "Filter policy is too complex"


def test_or_combinations_are_summed():
    def policy(space_ids: int) -> dict:
        return {
            "source": ["aws.cloudwatch", "aws.events", "aws.test"],
            "$or": [
                {"metricName": ["CPUUtilization", "ReadLatency", "TestVal", "TestVal2", "TestVal3", "TestVal4"]},
                {
                    "metricType": ["MetricType", "TestType", "TestType2", "TestType3"],
                    "$or": [{"metricId": [1234, 4321, 5678, 9012]}, {"spaceId": list(range(1, space_ids + 1))}],
                },
            ],
        }

    compile_filter_policy(policy(7))  # 3*6 + 3*4*4 + 3*4*7 = 150
    assert sns_reason(policy(8)).reason == "Filter policy is too complex"  # 162
    nested = {
        "$or": [{"metricName": ["CPUUtilization", "ReadLatency", "TestValue"]}, {"namespace": ["AWS/EC2", "AWS/ES"]}],
        "detail": {
            "scope": ["Service", "Test"],
            "$or": [
                {"source": ["aws.cloudwatch"]},
                {"type": ["CloudWatch Alarm State Change", "TestValue", "TestValue2"]},
            ],
        },
    }
    assert sns_reason(nested, "MessageBody").reason == "Filter policy is too complex"  # 160


def test_attribute_scope_refuses_nesting():
    error = sns_reason({"object": {"key": [{"prefix": "auto-"}]}})
    assert error.sns_message() == (
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"
    )
    body = compile_filter_policy({"object": {"key": [{"prefix": "auto-"}]}}, "MessageBody")
    assert body.matches(message_body_event(json.dumps({"object": {"key": "auto-123", "size": 1}})))


def test_policy_size_limit():
    huge = {"key": ["x" * (256 * 1024)]}
    assert sns_reason(huge).reason == "Filter policy is too long"


# --- SNS MessageBody scope ---------------------------------------------------------------------


def test_body_scope_nested_and_numeric():
    policy = compile_filter_policy(
        {"order": {"total": [{"numeric": [">", 100]}], "status": ["placed"]}, "customer_interests": ["rugby"]},
        "MessageBody",
    )
    body = {"order": {"total": 150.5, "status": "placed"}, "customer_interests": ["rugby", "tennis"]}
    assert policy.matches(message_body_event(json.dumps(body)))
    assert not policy.matches(message_body_event(json.dumps({**body, "order": {"total": 50, "status": "placed"}})))
    assert not policy.matches(message_body_event("not json"))
    assert message_body_event("[1, 2]") is None
    assert message_body_event(b'{"a": 1}') == {"a": 1}


# --- Lambda ------------------------------------------------------------------------------------


def test_lambda_filters_share_eventbridge_syntax():
    pattern = compile_pattern(
        {"body": {"RequestCode": ["BBBB"], "Size": [{"numeric": [">", 5]}], "Name": [{"equals-ignore-case": "x"}]}},
        "lambda",
    )
    assert pattern.matches({"body": {"RequestCode": "BBBB", "Size": 6, "Name": "X"}})
    assert not pattern.matches({"body": {"RequestCode": "AAAA", "Size": 6, "Name": "X"}})
    wildcard = compile_pattern({"eventName": [{"wildcard": "INS*"}], "$or": [{"a": ["1"]}, {"b": ["2"]}]}, "lambda")
    assert wildcard.matches({"eventName": "INSERT", "b": "2"})


def test_lambda_refuses_anything_but_object_forms():
    with pytest.raises(PatternError) as caught:
        compile_pattern({"a": [{"anything-but": {"prefix": "x"}}]}, "lambda")
    assert caught.value.reason == "Unsupported anything-but pattern: prefix"
    assert caught.value.lambda_message() == "Invalid filter pattern definition."
    assert compile_pattern({"a": [{"anything-but": ["x", "y"]}]}, "lambda").matches({"a": "z"})
