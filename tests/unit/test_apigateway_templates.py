"""Mapping templates as API Gateway renders them: `$input`, `$util`, `$context`,
`$stageVariables`, JSONPath, and the seed templates (API Gateway straight into SQS)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from postoffice.services.apigateway import jsonpath
from postoffice.services.apigateway.template_variables import Headers, escape_javascript, template_variables, url_encode
from postoffice.services.apigateway.vtl import TemplateError, render

BODY = json.dumps({"name": "Ann", "age": 31, "price": 12.5, "tags": ["a", "b"], "address": {"city": "Oslo"}})
PARAMS = {
    "path": {"id": "42"},
    "querystring": {"sort": "desc", "id": "q"},
    "header": Headers({"content-type": "application/json", "x-trace": "t-1"}),
}
CONTEXT = {
    "requestId": "req-1",
    "accountId": "000000000000",
    "apiId": "abc123defg",
    "httpMethod": "POST",
    "resourcePath": "/orders/{id}",
    "stage": "prod",
    "requestTimeEpoch": 1700000000000,
    "identity": {"sourceIp": "10.1.2.3", "userAgent": "curl/8"},
    "authorizer": {"principalId": "user-1", "tier": "gold"},
}


def render_with(template: str, body: str = BODY, stage: dict[str, str] | None = None) -> str:
    return render(template, template_variables(body, PARAMS, CONTEXT, stage or {"env": "test"}))


# $input ---------------------------------------------------------------------------------


def test_input_body_is_the_raw_payload() -> None:
    assert render_with("$input.body") == BODY
    assert render_with("$input.body", body="") == "{}"


def test_input_json_gives_json_text() -> None:
    assert render_with("$input.json('$')") == json.dumps(json.loads(BODY), separators=(",", ":"))
    assert render_with("$input.json('$.name')") == '"Ann"'
    assert render_with("$input.json('$.address')") == '{"city":"Oslo"}'
    assert render_with("$input.json('$.tags[1]')") == '"b"'
    assert render_with("[$input.json('$.missing')]") == "[]"


def test_input_path_gives_values() -> None:
    assert render_with("$input.path('$.name') $input.path('$.age') $input.path('$.price')") == "Ann 31 12.5"
    assert render_with("$input.path('$.address').city") == "Oslo"
    assert render_with("$input.path('$.tags').size()") == "2"
    assert render_with("#foreach($t in $input.path('$.tags'))<$t>#end") == "<a><b>"


def test_input_path_prints_maps_the_java_way_and_arrays_as_json() -> None:
    assert render_with("$input.path('$.address')") == "{city=Oslo}"
    assert render_with("$input.path('$.tags')") == '["a","b"]'


def test_input_path_of_a_missing_member_is_empty() -> None:
    assert render_with("\"$input.path('$.nope')\"") == '""'


def test_input_path_on_a_body_that_is_not_json_fails() -> None:
    from postoffice.services.apigateway.template_variables import BodyError

    with pytest.raises(BodyError):
        render_with("$input.path('$.a')", body="<xml/>")


def test_input_params() -> None:
    assert render_with("$input.params('id')") == "42"
    assert render_with("$input.params('sort') $input.params('x-trace') $input.params('X-Trace')") == "desc t-1 t-1"
    assert render_with("[$input.params('nothing')]") == "[]"
    assert render_with("$input.params().querystring.get('sort')") == "desc"
    assert render_with("$input.params().header.get('Content-Type')") == "application/json"
    assert render_with("$input.params().path") == "{id=42}"


def test_all_params_template_from_the_docs() -> None:
    template = """#set($allParams = $input.params())
{
#foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
"$type" : {
    #foreach($paramName in $params.keySet())
    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
        #if($foreach.hasNext),#end
    #end
}
    #if($foreach.hasNext),#end
#end
}"""
    assert json.loads(render_with(template)) == {
        "path": {"id": "42"},
        "querystring": {"sort": "desc", "id": "q"},
        "header": {"content-type": "application/json", "x-trace": "t-1"},
    }


# $util ----------------------------------------------------------------------------------


def test_escape_javascript_follows_commons_lang() -> None:
    assert escape_javascript('it\'s "q" \\ /\n\t') == 'it\\\'s \\"q\\" \\\\ \\/\\n\\t'
    assert escape_javascript("é€\x01") == "\\u00E9\\u20AC\\u0001"
    assert escape_javascript("😀") == "\\uD83D\\uDE00"


def test_url_encode_is_java_url_encoder() -> None:
    assert url_encode('{"a": "b c~*"}') == "%7B%22a%22%3A+%22b+c%7E*%22%7D"
    assert render_with("$util.urlDecode('a+b%20c%7E')") == "a b c~"


def test_util_functions() -> None:
    assert render_with("$util.base64Encode('hello')") == "aGVsbG8="
    assert render_with("$util.base64Decode('aGVsbG8=')") == "hello"
    assert render_with("$util.escapeJavaScript($input.json('$.name'))") == '\\"Ann\\"'
    assert render_with("$util.parseJson('{\"k\": [1, 2]}').k.size()") == "2"
    assert render_with("$util.parseJson($input.json('$.address')).city") == "Oslo"


def test_parse_json_of_bad_json_fails_the_template() -> None:
    with pytest.raises(TemplateError):
        render_with("$util.parseJson('{nope')")


# $context and $stageVariables -----------------------------------------------------------


def test_context_variables() -> None:
    template = (
        "$context.requestId $context.accountId $context.apiId $context.httpMethod $context.identity.sourceIp "
        "$context.resourcePath $context.stage $context.requestTimeEpoch $context.authorizer.principalId "
        "$context.authorizer.tier"
    )
    assert (
        render_with(template)
        == "req-1 000000000000 abc123defg POST 10.1.2.3 /orders/{id} prod 1700000000000 user-1 gold"
    )


def test_stage_variables() -> None:
    assert render_with("$stageVariables.env ${stageVariables.env} $stageVariables.get('env')") == "test test test"


def test_response_override_is_settable() -> None:
    variables = template_variables("{}", PARAMS, {"responseOverride": {"header": {}, "status": None}}, {})
    render('#set($context.responseOverride.status = 400)#set($context.responseOverride.header.X-Id = "7")', variables)
    assert variables["context"]["responseOverride"] == {"status": 400, "header": {"X-Id": "7"}}


# The seed templates --------------------------------------------------------------------

SEED_REQUEST = (
    "Action=SendMessage&MessageBody=$util.urlEncode($input.body)&MessageAttribute.1.Name=source"
    "&MessageAttribute.1.Value.StringValue=api&MessageAttribute.1.Value.DataType=String\n"
)
SEED_RESPONSE = """{
  "messageId": "$input.path('$.SendMessageResponse.SendMessageResult.MessageId')",
  "status": "queued"
}
"""


def test_seed_request_template_form_encodes_the_body() -> None:
    body = '{"orderId": "o-1", "total": 9.5}'
    out = render_with(SEED_REQUEST, body=body)
    assert out.startswith("Action=SendMessage&MessageBody=%7B%22orderId%22%3A+%22o-1%22%2C+%22total%22%3A+9.5%7D&")
    from urllib.parse import parse_qs

    assert parse_qs(out)["MessageBody"] == [body]


def test_seed_response_template_reads_the_sqs_json_answer() -> None:
    answer = {
        "SendMessageResponse": {
            "ResponseMetadata": {"RequestId": "r"},
            "SendMessageResult": {"MD5OfMessageBody": "x", "MessageId": "m-123", "SequenceNumber": None},
        }
    }
    out = render_with(SEED_RESPONSE, body=json.dumps(answer))
    assert json.loads(out) == {"messageId": "m-123", "status": "queued"}


# JSONPath -------------------------------------------------------------------------------

DOC: dict[str, Any] = {"a": {"b": [{"c": 1}, {"c": 2}], "d": "x"}, "list": [1, 2, 3], "weird key": 5}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DOC),
        ("$.a.d", "x"),
        ("$['a']['d']", "x"),
        ("$['weird key']", 5),
        ("$.a.b[0].c", 1),
        ("$.list[-1]", 3),
        ("$.a.b[*].c", [1, 2]),
        ("$..c", [1, 2]),
        ("$.list[0:2]", [1, 2]),
        ("$.list[0,2]", [1, 3]),
        ("$.a.*", [[{"c": 1}, {"c": 2}], "x"]),
        ("$.missing", None),
        ("a.d", "x"),
    ],
)
def test_jsonpath(path: str, expected: Any) -> None:
    assert jsonpath.read(DOC, path) == expected


def test_jsonpath_syntax_error() -> None:
    with pytest.raises(jsonpath.JsonPathError):
        jsonpath.read(DOC, "$.a.")
