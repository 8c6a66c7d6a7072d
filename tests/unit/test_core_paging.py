import base64

import pytest

from postoffice.core.paging import InvalidToken, after_token, page_after, token_key


def name(item: str) -> str:
    return item


def test_pages_in_key_order_and_names_the_last_key_when_more_follow() -> None:
    items = ["d", "a", "c", "b", "e"]
    assert page_after(items, name, 2, None) == (["a", "b"], "b")
    assert page_after(items, name, 2, "b") == (["c", "d"], "d")
    assert page_after(items, name, 2, "d") == (["e"], None)


def test_a_full_last_page_has_no_continuation() -> None:
    assert page_after(["a", "b"], name, 2, None) == (["a", "b"], None)
    assert page_after([], name, 2, None) == ([], None)


def test_resumes_after_the_key_even_when_that_item_is_gone() -> None:
    assert page_after(["a", "c", "d"], name, 5, "b") == (["c", "d"], None)


def test_keys_come_from_the_key_function() -> None:
    items = [{"Name": "z"}, {"Name": "y"}]
    assert page_after(items, lambda item: item["Name"], 1, None) == ([{"Name": "y"}], "y")


@pytest.mark.parametrize("altchars", [None, b"-_"])
def test_tokens_round_trip(altchars: bytes | None) -> None:
    key = "arn:aws:sns:us-east-1:123456789012:t?>>"
    assert token_key(after_token(key, altchars), altchars) == key


def test_the_alphabet_is_the_services_choice() -> None:
    key = "??>>"
    assert "+" in after_token(key) or "/" in after_token(key)
    assert "+" not in after_token(key, b"-_") and "/" not in after_token(key, b"-_")


@pytest.mark.parametrize(
    "token", ["not base64!", base64.b64encode(b"before:x").decode(), base64.b64encode(b"\xff\xfe").decode(), "YQ"]
)
def test_a_token_it_did_not_issue_is_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        token_key(token)
