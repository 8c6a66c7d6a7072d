"""Invalid patterns get event-ruler's reason (as EventBridge/SNS report it after "Reason:")."""

from __future__ import annotations

import pytest

from postoffice.core.matcher import PatternError, compile_pattern
from postoffice.core.matcher.wildcard import TOO_COMPLEX


def reason(pattern, dialect: str = "eventbridge") -> str:
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern, dialect)
    return caught.value.reason


@pytest.mark.parametrize("pattern", [[], 5, None, '["a"]', "[]", '"text"'])
def test_pattern_must_be_an_object(pattern):
    assert reason(pattern) == "Filter is not an object"


def test_invalid_json_text():
    assert reason('{"a": [1,}').startswith("Expecting value")
    assert reason('{"a": [NaN]}') == "Non-standard token 'NaN'"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"int": 42}, '"int" must be an object or an array'),
        ({"string": "my-value"}, '"string" must be an object or an array'),
        ({"key": {"suffix": "value"}}, '"suffix" must be an object or an array'),
        ({"resources": []}, "Empty arrays are not allowed"),
        ({}, "Empty objects are not allowed"),
        ({"detail": {}}, "Empty objects are not allowed"),
        ({"key": [["value"]]}, "Match value must be String, number, true, false, or null"),
        ({"key": [{}]}, "Match expression name not found"),
        ({"key": [{"wrong-operator": True}]}, "Unrecognized match type wrong-operator"),
        ({"my_key": [{"EXISTS": True}]}, "Unrecognized match type EXISTS"),
        ({"detail": {"equal": [{"NUMERIC": ["=", 5]}]}}, "Unrecognized match type NUMERIC"),
        ({"key": [{"suffix": "value", "prefix": "value2"}]}, "Only one key allowed in match expression"),
        ({"key": [{"exactly": 5}]}, "exact match pattern must be a string"),
    ],
)
def test_structure_errors(pattern, expected):
    assert reason(pattern) == expected


@pytest.mark.parametrize("operand", [100, None, [], ["test", "test2"]])
def test_string_operators_need_a_string(operand):
    assert reason({"key": [{"suffix": operand}]}) == "suffix match pattern must be a string"
    assert reason({"key": [{"equals-ignore-case": operand}]}) == "equals-ignore-case match pattern must be a string"
    assert reason({"key": [{"wildcard": operand}]}) == "wildcard match pattern must be a string"


def test_object_operands_of_string_operators():
    assert reason({"key": [{"equals-ignore-case": {"a": "b"}}]}) == "equals-ignore-case match pattern must be a string"
    assert reason({"key": [{"wildcard": {"a": "b"}}]}) == "wildcard match pattern must be a string"
    assert reason({"key": [{"exactly": {"a": "b"}}]}) == "exact match pattern must be a string"


def test_prefix_object_forms():
    assert reason({"k": [{"prefix": 5}]}) == "prefix match pattern must be a string"
    assert reason({"k": [{"prefix": {}}]}) == "Prefix expression name not found"
    assert reason({"k": [{"prefix": {"foo": "x"}}]}) == "Unsupported prefix pattern: foo"
    assert reason({"k": [{"suffix": {"foo": "x"}}]}) == "Unsupported suffix pattern: foo"
    assert reason({"k": [{"prefix": {"equals-ignore-case": 5}}]}) == "equals-ignore-case match pattern must be a string"
    assert (
        reason({"k": [{"prefix": {"equals-ignore-case": "a", "x": 1}}]}) == "Only one key allowed in match expression"
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ([], "Invalid member in numeric match: ]"),
        (["operator"], "Unrecognized numeric range operator: operator"),
        ([1, "<="], "Invalid member in numeric match: 1"),
        ([True], "Invalid member in numeric match: true"),
        (["=", "000"], "Value of equals must be numeric"),
        (["=", 1, 2], "Too many elements in numeric expression"),
        ([">="], "Value of >= must be numeric"),
        (["<", 100, ">", 10], "Too many elements in numeric expression"),
        ([">=", 1, ">", 2], "Bad numeric range operator: >"),
        ([">", 0, ">", 0], "Bad numeric range operator: >"),
        ([">", 3, "<", 1], "Bottom must be less than top"),
        ([">=", 3, "<=", 3], "Bottom must be less than top"),
        ([">", 20, "<="], "Value of <= must be numeric"),
        ([">", 0, "<"], "Value of < must be numeric"),
        ([">", 20, 30], "Bad value in numeric range: 30"),
        ([">", 20, "test"], "Bad numeric range operator: test"),
        ([">", "20", "<", "30"], "Value of > must be numeric"),
        ([">", 20, "<", "30"], "Value of < must be numeric"),
        ([">", 20, "<", 30, "<", 50], "Too many terms in numeric range expression"),
        ([">", 6e9], "Value must be between -5.0E9 and 5.0E9, inclusive"),
        (["<", -5000000001], "Value must be between -5.0E9 and 5.0E9, inclusive"),
        ([">", True], "Value of > must be numeric"),
    ],
)
def test_numeric_errors(expression, expected):
    assert reason({"key": [{"numeric": expression}]}) == expected


def test_numeric_operand_shape():
    assert reason({"k": [{"numeric": 5}]}) == "Value of numeric must be an array."
    assert reason({"k": [{"numeric": [">", 1], "x": 1}]}) == "Too many elements in numeric expression"
    compile_pattern({"k": [{"numeric": [">=", -5e9, "<=", 5e9]}]})


@pytest.mark.parametrize("operand", [None, "no", 1])
def test_exists_needs_a_boolean(operand):
    assert reason({"key": [{"exists": operand}]}) == "exists match pattern must be either true or false."


def test_wildcard_syntax():
    assert reason({"k": [{"wildcard": "a**b"}]}) == "Consecutive wildcard characters at pos 2"
    assert reason({"k": [{"wildcard": "ab\\c"}]}) == "Invalid escape character at pos 3"
    assert reason({"k": [{"wildcard": "ab\\"}]}) == "Invalid escape character at pos 3"
    assert reason({"k": [{"wildcard": "é**"}]}) == "Consecutive wildcard characters at pos 3"


def test_wildcard_complexity():
    assert reason({"EventBusArn": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}) == TOO_COMPLEX
    compile_pattern({"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]})
    four = [{"wildcard": f"*/datasync/*.{ext}"} for ext in ("bif", "tif", "tiff", "svs")]
    assert reason({"detail": {"object": {"key": four}}}) == TOO_COMPLEX
    compile_pattern({"detail": {"object": {"key": four[:2]}}})
    compile_pattern({"key": [{"wildcard": f"*.{ext}"} for ext in ("bif", "tiff", "tif", "svs")]})
    assert reason({"k": [{"anything-but": {"wildcard": "*:*:*:*:*:x/*"}}]}) == TOO_COMPLEX


@pytest.mark.parametrize(
    ("cidr", "expected"),
    [
        (5, "prefix match pattern must be a string"),
        ("10.0.0.0", "Malformed CIDR, one '/' required"),
        ("10.0.0.0/8/8", "Malformed CIDR, one '/' required"),
        ("10.0.0.0/x", "Malformed CIDR, mask bits must be an integer"),
        ("10.0.0.0/-1", "Malformed CIDR, mask bits must not be negative"),
        ("10.0.0.0/32", "IPv4 mask bits must be < 32"),
        ("::1/128", "IPv6 mask bits must be < 128"),
        ("abc/24", "Nonstandard IP address: abc"),
        ("999.0.0.1/8", "Invalid IP address: 999.0.0.1"),
        ("1:::2/64", "Invalid IP address: 1:::2"),
    ],
)
def test_cidr_errors(cidr, expected):
    assert reason({"ip": [{"cidr": cidr}]}) == expected


@pytest.mark.parametrize(
    ("operand", "expected"),
    [
        (None, "Value of anything-but must be an array or single string/number value."),
        (True, "Value of anything-but must be an array or single string/number value."),
        ([None], "Inside anything but list, start|null|boolean is not supported."),
        (["a", True], "Inside anything but list, start|null|boolean is not supported."),
        (["a", 1], "Inside anything but list, either all values are number or string, mixed type is not supported"),
        ([], "Inside anything but list, either all values are number or string, mixed type is not supported"),
        ([1, 6e9], "Value must be between -5.0E9 and 5.0E9, inclusive"),
        ({}, "Anything-But expression name not found"),
        ({"foo": "x"}, "Unsupported anything-but pattern: foo"),
        ({"prefix": ""}, "Null prefix/suffix not allowed"),
        ({"suffix": ["a", ""]}, "Null prefix/suffix not allowed"),
        ({"prefix": 5}, "prefix/suffix match pattern must be a string"),
        ({"prefix": None}, "Value of anything-but must be an array or single string/number value."),
        (
            {"equals-ignore-case": 5},
            "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.",
        ),
        ({"wildcard": [5]}, "wildcard match pattern must be a string"),
        ({"wildcard": "a**"}, "Consecutive wildcard characters at pos 2"),
        ({"prefix": "a", "suffix": "b"}, "Too many elements in numeric expression"),
    ],
)
def test_anything_but_errors(operand, expected):
    assert reason({"k": [{"anything-but": operand}]}) == expected


def test_anything_but_extra_key():
    assert reason({"k": [{"anything-but": "a", "x": 1}]}) == "Too many elements in numeric expression"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ({"$or": {"a": ["x"]}}, "It must be an Array followed with $or."),
        ({"$or": [{"a": ["x"]}]}, "There must have at least 2 Objects in $or relationship."),
        ({"$or": []}, "There must have at least 2 Objects in $or relationship."),
        ({"$or": [{"a": ["x"]}, "b"]}, "Only JSON object is allowed in array of $or relationship."),
        (
            {"$or": [{"numeric": [1]}, {"a": ["x"]}]},
            "numeric is Ruler reserved fieldName which cannot be used inside $or.",
        ),
        (
            {"$or": [{"a": {"prefix": ["x"]}}, {"b": ["x"]}]},
            "prefix is Ruler reserved fieldName which cannot be used inside $or.",
        ),
        ({"$or": [{}, {"a": ["x"]}]}, "Empty objects are not allowed"),
    ],
)
def test_or_errors(pattern, expected):
    assert reason(pattern) == expected


def test_reserved_names_are_plain_fields_outside_or():
    assert compile_pattern({"prefix": ["a"]}).matches({"prefix": "a"})


def test_or_combinations_are_bounded():
    pattern = {f"k{i}": {"$or": [{"a": ["x"]}, {"b": ["y"]}]} for i in range(13)}
    assert reason(pattern) == TOO_COMPLEX


def test_error_messages_per_service():
    with pytest.raises(PatternError) as caught:
        compile_pattern({"resources": []})
    error = caught.value
    assert error.eventbridge_message() == "Event pattern is not valid. Reason: Empty arrays are not allowed"
    assert error.sns_message() == "Invalid parameter: FilterPolicy: Empty arrays are not allowed"
    assert error.sns_message(subscribe=True) == (
        "Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed"
    )
    assert error.lambda_message() == "Invalid filter pattern definition."
    assert str(error) == "Empty arrays are not allowed"


def test_unknown_dialect_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown matcher dialect"):
        compile_pattern({"a": ["b"]}, "sqs")
