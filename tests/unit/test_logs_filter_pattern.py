import pytest

from postoffice.services.logs.filter_pattern import InvalidFilterPattern, compile_pattern, split_delimited_message

LINES = ["ERROR WARN message", "ERROR message", "WARN message"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("", [0, 1, 2]),
        ("ERROR", [0, 1]),
        ("ERROR WARN", [0]),
        ("?ERROR ?WARN", [0, 1, 2]),
        ("ERROR -WARN", [1]),
        ('"ERROR" - "WARN"', [1]),
        ('"ERROR message"', [1]),
        ('" "', [0, 1, 2]),
        ("error", []),
        ('?"WARN" "message" ?nothing', [0, 2]),
    ],
)
def test_term_patterns(pattern: str, expected: list[int]) -> None:
    matcher = compile_pattern(pattern)
    assert [i for i, line in enumerate(LINES) if matcher(line)] == expected


def test_terms_match_inside_words_as_aws_documents() -> None:
    assert compile_pattern("ERROR")("Exiting with ERRORCODE: -1")
    assert compile_pattern('"[ERROR]"')("[ERROR] A fatal exception has occurred")
    assert compile_pattern('"say \\"hi\\""')('they say "hi" here')


DOCUMENT = """{
  "eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111",
  "arrayKey": ["value", "another value"],
  "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
  "SomeObject": null, "ThisFlag": true, "latency": 550.5, "code": "404"
}"""


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.eventType = "UpdateTrail" }', True),
        ("{ $.eventType = UpdateTrail }", True),
        ('{ $.eventType != "UpdateTrail" }', False),
        ("{ $.sourceIPAddress != 123.123.* }", True),
        ("{ $.sourceIPAddress = 111.* }", True),
        ("{ $.eventType = *Trail }", True),
        ("{ $.eventType = Ev*ent }", False),
        ('{ $.arrayKey[0] = "value" }', True),
        ('{ $.arrayKey[1] = "value" }', False),
        ("{ $.objectList[1].id = 2 }", True),
        ('{ $.objectList[*].name = "b" }', True),
        ("{ $.SomeObject IS NULL }", True),
        ("{ $.eventType IS NULL }", False),
        ("{ $.SomeOtherObject NOT EXISTS }", True),
        ("{ $.eventType NOT EXISTS }", False),
        ("{ $.ThisFlag IS TRUE }", True),
        ("{ $.ThisFlag IS FALSE }", False),
        ("{ $.latency > 500 }", True),
        ("{ $.latency >= 550.5 && $.latency <= 550.5 }", True),
        ("{ $.latency < 5e2 }", False),
        ("{ $.missing != 1 }", False),
        ('{ $.arrayKey = "value" }', False),
        ('{ $.code = "404" }', True),
        ("{ $.code = 4* }", True),
        ("{ $.eventType = %^Update[A-Z]% }", True),
        ("{ $.eventType != %^Update% }", False),
        ("{ $.eventType = Nope || ($.latency > 1 && $.ThisFlag IS TRUE) }", True),
        ("{ ($.eventType = Nope || $.latency > 1) && $.ThisFlag IS FALSE }", False),
        ("{ $.eventType = x || $.code = 4* && $.latency > 1000 }", False),
    ],
)
def test_json_patterns(pattern: str, expected: bool) -> None:
    assert compile_pattern(pattern)(DOCUMENT) is expected


def test_json_patterns_follow_awss_compound_examples() -> None:
    document = """{"user": {"id": 1, "email": "John.Stiles@example.com"},
      "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
      "actions": ["GET", "PUT", "DELETE"], "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]}"""
    stiles = '$.user.email = "John.Stiles@example.com"'
    cases = {
        '{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }': True,
        '{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }': False,
        f"{{ {stiles} || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }}": True,
        f"{{ ({stiles} || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }}": False,
    }
    for pattern, expected in cases.items():
        assert compile_pattern(pattern)(document) is expected, pattern


def test_json_patterns_never_match_text_events() -> None:
    assert not compile_pattern("{ $.a NOT EXISTS }")("plain text")
    assert not compile_pattern("{ $.a NOT EXISTS }")("{not json")


ACCESS_LINE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'


def test_space_delimited_fields_group_brackets_and_quotes() -> None:
    assert split_delimited_message(ACCESS_LINE) == [
        "127.0.0.1", "-", "frank", "10/Oct/2000:13:25:15 -0700", "GET /index.html HTTP/1.0", "404", "1534",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[ip, user, username, timestamp, request, status_code, bytes]", True),
        ("[ip, user, username, timestamp, request, status_code]", False),
        ("[ip, user, username, timestamp, request, status_code = 4*, bytes]", True),
        ("[ip, user, username, timestamp, request, status_code = 200, bytes]", False),
        ("[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", True),
        ("[..., request=*.html*, status_code=4*, bytes,]", True),
        ("[ip, user, ..., status_code, bytes > 1000]", True),
        ("[ip, user, ..., status_code, bytes > 2000]", False),
        ("[ip, user, ..., status_code = 4* && bytes > 1000, bytes]", True),
        ("[ip, user, ..., status_code = 4* && status_code != 404, bytes]", False),
        ("[ip = %^127\\.0%, ...]", True),
        ("[ip, ...]", True),
        ("[..., size]", True),
    ],
)
def test_space_delimited_patterns(pattern: str, expected: bool) -> None:
    assert compile_pattern(pattern)(ACCESS_LINE) is expected


def test_space_delimited_or_between_conditions() -> None:
    matcher = compile_pattern("[w1=ERROR || w1=WARN, w2]")
    assert [line for line in LINES if matcher(line)] == ["ERROR message", "WARN message"]
    assert not matcher("INFO message")


@pytest.mark.parametrize(
    ("pattern", "message", "expected"),
    [
        ("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST", True),
        ("%^\\[SUCCESS%", "[SUCCESS 200] AUTHORIZED REQUEST", True),
        ("%colou?r%", "the color", True),
        ("%[hc]at$%", "a cat", True),
        ("%[hc]at$%", "a cat!", False),
        ("%a{3,5}%", "baab", False),
    ],
)
def test_regex_patterns(pattern: str, message: str, expected: bool) -> None:
    assert compile_pattern(pattern)(message) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        "{ $.a = }",
        "{ $.a > abc }",
        "{ a = 1 }",
        "{ $.a = 1",
        "{}",
        "{ $.a IS MAYBE }",
        "{ $.a NOT THERE }",
        "{ ($.a = 1 }",
        "{ $.a = 1 } trailing",
        "{ $.a = %x% && $.b = %y% && $.c = %z% }",
        "[a, b = ]",
        "[a, b = 1 && c = 2]",
        "[a, a]",
        "[a, b",
        "%foo(bar)%",
        "%something!%",
        "%caf\u00e9%",
        '"unterminated',
        "?",
        "ERROR -",
    ],
)
def test_malformed_patterns_are_rejected(pattern: str) -> None:
    with pytest.raises(InvalidFilterPattern):
        compile_pattern(pattern)
