"""Target input: Input, InputPath and InputTransformer rendered as EventBridge renders them.

The templates and outputs in the first tests are the examples of the EventBridge user guide
("Amazon EventBridge input transformation").
"""

from __future__ import annotations

import orjson
import pytest

from postoffice.services.events.jsonpath import MISSING, JsonPathError, compile_path
from postoffice.services.events.transformer import Invocation, input_error, render_input

EVENT = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING", "count": 3, "tags": {"env": "prod"}},
}
PATHS = {"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"}
INVOCATION = Invocation(
    rule_arn="arn:aws:events:us-east-2:123456789012:rule/example",
    rule_name="example",
    ingestion_time="2015-11-11T21:29:55Z",
)


def render(template: str, paths: dict[str, str] | None = None) -> str | None:
    target = {"Id": "t", "Arn": "arn", "InputTransformer": {"InputPathsMap": PATHS if paths is None else paths}}
    target["InputTransformer"]["InputTemplate"] = template
    return render_input(target, EVENT, INVOCATION)


def test_without_input_settings_the_target_gets_the_event_as_compact_json() -> None:
    body = render_input({"Id": "t", "Arn": "arn"}, EVENT, INVOCATION)
    assert body == orjson.dumps(EVENT).decode()
    assert " " not in body.split('"detail"')[1][:3]


def test_constant_input_is_passed_as_given() -> None:
    assert render_input({"Id": "t", "Arn": "arn", "Input": '{"a": 1}'}, EVENT, INVOCATION) == '{"a": 1}'


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", orjson.dumps(EVENT).decode()),
        ("$.detail", '{"instance-id":"i-0123456789","state":"RUNNING","count":3,"tags":{"env":"prod"}}'),
        ("$.detail.state", '"RUNNING"'),
        ("$.detail.count", "3"),
        ("$.resources[0]", '"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"'),
        ("$['detail']['state']", '"RUNNING"'),
    ],
)
def test_input_path_selects_part_of_the_event(path: str, expected: str) -> None:
    assert render_input({"Id": "t", "Arn": "arn", "InputPath": path}, EVENT, INVOCATION) == expected


def test_input_path_that_selects_nothing_sends_nothing() -> None:
    assert render_input({"Id": "t", "Arn": "arn", "InputPath": "$.detail.missing"}, EVENT, INVOCATION) is None


def test_simple_string() -> None:
    assert render('"instance <instance> is in <state>"') == '"instance i-0123456789 is in RUNNING"'


def test_string_with_escaped_quotes() -> None:
    assert render('"instance \\"<instance>\\" is in <state>"') == '"instance \\"i-0123456789\\" is in RUNNING"'


def test_simple_json_is_minified_and_quotes_string_values() -> None:
    template = '{\n  "instance" : <instance>,\n  "state": <state>\n}'
    assert render(template) == '{"instance":"i-0123456789","state":"RUNNING"}'


def test_json_with_strings_and_variables() -> None:
    template = (
        '{\n "instance" : <instance>,\n "state": "<state>",\n'
        ' "instanceStatus": "instance \\"<instance>\\" is in <state>"\n}'
    )
    assert render(template) == (
        '{"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \\"i-0123456789\\" is in RUNNING"}'
    )


def test_json_with_a_mix_of_variables_and_static_information() -> None:
    template = '{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}'
    assert render(template) == '{"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"}'


def test_reserved_variables_in_json() -> None:
    template = (
        '{"instance": <instance>, "ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, '
        '"originalEvent": <aws.events.event>}'
    )
    body = orjson.loads(render(template) or "")
    assert body["ruleArn"] == "arn:aws:events:us-east-2:123456789012:rule/example"
    assert body["ruleName"] == "example"
    original = body["originalEvent"]
    assert list(original) == ["id", "account", "detailType", "time", "source", "region", "resources", "version"]
    assert original["detailType"] == "EC2 Instance State-change Notification"
    assert "detail" not in original


def test_the_whole_event_as_json() -> None:
    body = orjson.loads(render('{"original": <aws.events.event.json>}') or "")
    assert body == {"original": EVENT}


def test_reserved_variables_in_a_string() -> None:
    assert render('"<aws.events.rule-name> triggered"') == '"example triggered"'
    assert render('"at <aws.events.event.ingestion-time>"') == '"at 2015-11-11T21:29:55Z"'


def test_a_path_that_selects_nothing_gives_an_empty_string() -> None:
    paths = {"missing": "$.detail.nothing", "state": "$.detail.state"}
    assert render('"state <state>, missing <missing>."', paths) == '"state RUNNING, missing ."'
    assert render('{"missing": <missing>, "state": <state>}', paths) == '{"missing":"","state":"RUNNING"}'


def test_non_string_values() -> None:
    paths = {"count": "$.detail.count", "tags": "$.detail.tags", "resources": "$.resources"}
    assert render('{"count": <count>, "tags": <tags>, "first": <resources>}', paths) == (
        '{"count":3,"tags":{"env":"prod"},"first":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]}'
    )
    assert render('"count <count> tags <tags>"', paths) == '"count 3 tags {"env":"prod"}"'


def test_values_inside_strings_are_not_escaped() -> None:
    event = {**EVENT, "detail": {"text": 'say "hi"'}}
    target = {
        "Id": "t",
        "Arn": "arn",
        "InputTransformer": {"InputPathsMap": {"text": "$.detail.text"}, "InputTemplate": '{"message": "<text>"}'},
    }
    assert render_input(target, event, INVOCATION) == '{"message": "say "hi""}'


def test_a_template_that_is_not_json_is_delivered_as_rendered() -> None:
    template = '"Job <instance> has just been run."\n"Job finished in the following state: <state>."'
    assert render(template) == '"Job i-0123456789 has just been run."\n"Job finished in the following state: RUNNING."'
    assert render("<instance> is in state <state>") == '"i-0123456789" is in state "RUNNING"'


def test_placeholders_with_no_definition_are_left_alone_at_render_time() -> None:
    assert render('"a <b> c"', {}) == '"a <b> c"'


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            {"Id": "t1", "Input": "{}", "InputPath": "$.detail"},
            "Only one of Input, InputPath, or InputTransformer must be provided for target t1.",
        ),
        (
            {"Id": "t2", "InputPath": "$.detail", "InputTransformer": {"InputTemplate": "{}"}},
            "Only one of Input, InputPath, or InputTransformer must be provided for target t2.",
        ),
        (
            {"Id": "t3", "InputTransformer": {"InputPathsMap": {"a": "$.a"}, "InputTemplate": '"<a> <notdefinedkey>"'}},
            "InputTemplate for target t3 contains invalid placeholder notdefinedkey.",
        ),
        ({"Id": "t4", "Input": "not json"}, "Input for target t4 is not valid JSON text."),
        ({"Id": "t5", "InputPath": "detail"}, "InputPath for target t5 is not a valid JSON path."),
        (
            {"Id": "t6", "InputTransformer": {"InputPathsMap": {"a": "a.b"}, "InputTemplate": "<a>"}},
            "InputPathsMap for target t6 contains invalid JSON path a.b.",
        ),
    ],
)
def test_put_targets_refuses(target: dict, message: str) -> None:
    assert input_error(target) == message


def test_put_targets_accepts_reserved_placeholders_without_paths() -> None:
    template = '{"e": <aws.events.event>, "j": <aws.events.event.json>, "r": <aws.events.rule-arn>}'
    assert input_error({"Id": "t", "InputTransformer": {"InputTemplate": template}}) is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.detail.state", "RUNNING"),
        ("$.resources[-1]", "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"),
        ("$.resources[*]", ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]),
        ("$.detail.tags.*", ["prod"]),
        ('$["detail"]["tags"]["env"]', "prod"),
        ("$.detail.state.deeper", MISSING),
        ("$.resources[3]", MISSING),
    ],
)
def test_json_path(path: str, expected: object) -> None:
    assert compile_path(path).select(EVENT) == expected


@pytest.mark.parametrize("path", ["", "detail", "$.", "$..detail", "$[abc]", "$.a[", "$.a b"])
def test_json_path_refuses(path: str) -> None:
    with pytest.raises(JsonPathError):
        compile_path(path)
